"""Periods of the aggregates: years and quarters (China Standard Time), written as 2025 or 2025Q3."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assessment.db import facts as fact_table
from assessment.db.facts import GRAINS, Grain
from assessment.services.aggregates.jurisdiction import Jurisdiction

__all__ = ["GRAINS", "TREND_PERIODS", "Grain", "default_period", "parse_period", "period_label", "period_sizes",
           "periods_back", "periods_between", "periods_with_facts"]

TREND_PERIODS = 8
"""How many periods the dashboard's trend (and an export by period) covers, up to the chosen one."""


def period_label(period: int, grain: Grain) -> str:
    """2025, or 2025Q3 for the quarter key 20253."""
    return str(period) if grain == "year" else f"{period // 10}Q{period % 10}"


def parse_period(text: str) -> tuple[int, Grain] | None:
    """A period written as 2025 or 2025Q3 (also 2025-Q3, 2025q3): its key and grain; None if it is neither."""
    cleaned = text.strip().upper().replace("-", "")
    if not cleaned.isascii():  # ² and ٢ are digits to str.isdigit, but not to int()
        return None
    if cleaned.isdigit() and len(cleaned) == 4:
        return int(cleaned), "year"
    if len(cleaned) == 6 and cleaned[:4].isdigit() and cleaned[4] == "Q" and cleaned[5] in "1234":
        return int(cleaned[:4]) * 10 + int(cleaned[5]), "quarter"
    return None


def periods_back(last: int, grain: Grain, count: int) -> tuple[int, ...]:
    """`count` consecutive periods ending with `last`, oldest first."""
    if grain == "year":
        return tuple(range(last - count + 1, last + 1))
    out = []
    year, quarter = divmod(last, 10)
    for _ in range(count):
        out.append(year * 10 + quarter)
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return tuple(reversed(out))


def periods_between(first: int, last: int, grain: Grain) -> tuple[int, ...]:
    """Every period from `first` to `last`, inclusive."""
    out = []
    current = first
    while current <= last:
        out.append(current)
        if grain == "year":
            current += 1
        else:
            year, quarter = divmod(current, 10)
            current = (year + 1) * 10 + 1 if quarter == 4 else current + 1
    return tuple(out)


def period_sizes(session: Session, model_id: str, grain: Grain, jurisdiction: Jurisdiction) -> list[tuple[int, int]]:
    """The periods with facts in a jurisdiction and how many facts each has (never published), oldest first."""
    return fact_table.period_sizes(session, model_id, grain, jurisdiction.conditions())


def periods_with_facts(session: Session, model_id: str, grain: Grain, jurisdiction: Jurisdiction) -> list[int]:
    """The periods with facts in a jurisdiction, oldest first."""
    return fact_table.periods(session, model_id, grain, jurisdiction.conditions())


def default_period(sizes: list[tuple[int, int]], floor: int) -> int | None:
    """The period a dashboard opens on: the latest with at least `floor` facts, not a quarter only just begun;
    else the latest with any."""
    return next((p for p, n in reversed(sizes) if n >= floor), sizes[-1][0] if sizes else None)
