"""Aggregates computed directly from the fact rows in plain Python, to check the dashboard and exports against."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from assessment.db.models import AssessmentFact
from assessment.web.site import site


@dataclass(frozen=True)
class FactRow:
    """The columns of one fact the checks need."""

    assessment_id: int
    enterprise_id: int
    province: str
    city: str
    region: str
    section: str
    division: str
    size: str
    zjtx: str
    mode: str
    year: int
    quarter: int
    latest_of_year: bool
    level: int
    total: int
    d1: int
    consent: bool
    demo: bool
    s01: int | None


def fact_rows(app: Flask) -> list[FactRow]:
    """Every stored fact."""
    f = AssessmentFact
    with site(app).sessions() as session:
        rows = session.execute(select(
            f.assessment_id, f.enterprise_id, f.province_code, f.city_code, f.region_code, f.industry_section,
            f.industry_division, f.size_class, f.zhuanjingtexin, f.mode, f.year, f.quarter, f.latest_of_year, f.level,
            f.total, f.d1, f.consent, f.demo, f.s01)).all()
    return [FactRow(*r) for r in rows]


def counted(rows: list[FactRow], year: int, keep: Callable[[FactRow], bool] = lambda r: True) -> list[FactRow]:
    """The facts a year counts: consented, the enterprise's latest in the year, and kept by the filter."""
    latest: dict[int, FactRow] = {}
    for row in rows:
        if row.year == year:
            best = latest.get(row.enterprise_id)
            if best is None or row.assessment_id > best.assessment_id:
                latest[row.enterprise_id] = row
    return [r for r in latest.values() if r.consent and keep(r)]


def by(rows: list[FactRow], key: Callable[[FactRow], Any]) -> Counter[Any]:
    """How many rows per key."""
    return Counter(key(r) for r in rows)


def mean_total(rows: list[FactRow]) -> dict[Any, float]:
    """Mean base score (points) of all rows."""
    return {"all": sum(r.total for r in rows) / 1000 / len(rows)} if rows else {}


def grouped_means(rows: list[FactRow], key: Callable[[FactRow], Any]) -> dict[Any, float]:
    """Mean base score (points) per key."""
    sums: dict[Any, list[int]] = defaultdict(list)
    for r in rows:
        sums[key(r)].append(r.total)
    return {k: sum(v) / 1000 / len(v) for k, v in sums.items()}
