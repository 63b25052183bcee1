"""The officials' dashboard as plain data for the JSON API: exactly the protected figures the page shows (None where
the page shows the suppression symbol), with the filters that made them."""

from __future__ import annotations

from typing import Any

from assessment.domain.disclosure import TOTAL, Coordinate
from assessment.services.aggregates.cells import Translate
from assessment.services.aggregates.dashboard import CountRow, Dashboard, MeanRow
from assessment.services.aggregates.filters import FilterChoices


def _key(key: Coordinate) -> str:
    return "total" if key is TOTAL else str(key)


def count_row(row: CountRow) -> dict[str, Any]:
    """A category (or total) row: its count, counts by level, share at the target level or above, mean score."""
    return {"key": _key(row.key), "label": row.label, "count": row.count, "levels": list(row.levels),
            "at_target_level": row.share.count, "share": row.share.share, "mean_score": row.mean_score}


def _mean(row: MeanRow) -> dict[str, Any]:
    return {"id": row.id, "name": row.label, "mean": row.mean, "max": row.maximum}


def _target(board: Dashboard) -> dict[str, Any] | None:
    target = board.target
    return None if target is None else {"level": target.level, "share": float(target.share), "year": target.year}


def dashboard_figures(board: Dashboard, choices: FilterChoices, translate: Translate, scope: str) -> dict[str, Any]:
    """The dashboard's protected figures; every number the page reads, None where it is suppressed."""
    layout = board.layout
    refusal = board.refusal
    figures: dict[str, Any] = {
        "jurisdiction": {"code": board.jurisdiction.code, "name": board.jurisdiction.name}, "scope": scope,
        "filters": choices.query(), "model": layout.model_id, "period": board.period_label or None,
        "k": board.policy.k, "target_level": board.target_level, "target": _target(board),
        "refusal": None if refusal is None else {"code": refusal.code, "detail": refusal.render(translate)},
        "demo": board.demo, "suppressed": board.suppressed,
        "total": None if board.total is None else count_row(board.total),
        "levels": [{"level": level, "name": name, "count": count} for level, name, count in board.levels],
        "bands": [{"band": band.label, "count": band.count} for band in board.bands],
        "dimensions": [_mean(row) for row in board.dimensions],
        "indicators": [_mean(row) for row in board.indicators],
        "scenarios": [{"id": s.id, "name": s.label, "constraint": s.constraint, "counts": list(s.counts),
                       "mean_level": s.mean_level} for s in board.scenarios],
        "trend": [{"period": p.label, **count_row(p.row)} for p in board.trend],
        "breakdowns": [{"field": b.field, "title": b.title, "rows": [count_row(r) for r in b.rows],
                        "total": count_row(b.total)} for b in board.breakdowns],
    }
    return figures
