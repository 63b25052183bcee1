"""A submitted result against the enterprise's previous one: the level, the total, each dimension's score and the
business scenarios whose level changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assessment.db import queries
from assessment.db.queries import AssessmentRecord


@dataclass(frozen=True)
class Change:
    """A figure before and after (a dimension score, the total, the level)."""

    id: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        """after − before."""
        return self.after - self.before


@dataclass(frozen=True)
class Comparison:
    """This result against the enterprise's previous submitted assessment."""

    previous_id: int
    previous_submitted_at: datetime | None
    level: Change
    total: Change
    dimensions: tuple[Change, ...]
    scenarios: tuple[Change, ...] = ()


def _figure(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def previous_comparison(session: Session, record: AssessmentRecord) -> Comparison | None:
    """This submitted result against the enterprise's previous submitted one (same questionnaire), if any."""
    if record.scorecard is None:
        return None
    previous = queries.previous_submitted(session, record)
    if previous is None or previous.scorecard is None:
        return None
    now, before = record.scorecard.get("zh", {}), previous.scorecard.get("zh", {})
    old_dimensions = {d["id"]: d for d in before.get("dimensions", [])}
    dimensions = tuple(Change(d["id"], _figure(old_dimensions[d["id"]]["score"]), _figure(d["score"]))
                       for d in now.get("dimensions", []) if d["id"] in old_dimensions)
    return Comparison(
        previous.id, previous.submitted_at,
        Change("level", float(previous.level or 0), float(record.level or 0)),
        Change("total", _figure(before.get("score")), _figure(now.get("score"))),
        dimensions,
        _scenario_changes(before.get("ratings") or {}, now.get("ratings") or {}),
    )


def _scenario_changes(before: dict[str, Any], now: dict[str, Any]) -> tuple[Change, ...]:
    """The business scenarios (rated items) whose level differs, in the order of the newer result."""
    return tuple(Change(sid, _figure(before.get(sid, 0)), _figure(level)) for sid, level in now.items()
                 if _figure(before.get(sid, 0)) != _figure(level))
