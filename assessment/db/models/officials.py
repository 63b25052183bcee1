"""The officials' tables (issue 7): aggregation facts, the access log and targets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from assessment.db.models.base import Base, Document, UTCDateTime, utcnow

FACT_DIMENSIONS = 8
FACT_INDICATORS = 16
FACT_SCENARIOS = 16


class AssessmentFact(Base):
    """One submitted assessment as the officials' aggregates see it: codes, period, level and scores, no answers.

    Scores are stored in thousandths of a point (integers), so sums are exact on every database. Dimension,
    indicator and scenario columns are by position in the scoring model (services.aggregates.FactLayout).
    """

    __tablename__ = "assessment_facts"
    __table_args__ = (
        # Jurisdiction first, then the period range, so SQLite's planner prefers it to the national period index.
        Index("ix_assessment_facts_scope", "province_code", "year", "quarter", "city_code", "region_code"),
        Index("ix_assessment_facts_period", "year", "quarter", "model_id"),
        Index("ix_assessment_facts_enterprise", "enterprise_id", "model_id", "year", "quarter"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True,
                                               autoincrement=False)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    model_id: Mapped[str] = mapped_column(String(60))
    province_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str] = mapped_column(String(6))
    region_code: Mapped[str] = mapped_column(String(6))
    industry_section: Mapped[str] = mapped_column(String(1))
    industry_division: Mapped[str] = mapped_column(String(2))
    size_class: Mapped[str] = mapped_column(String(8))
    zhuanjingtexin: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(SmallInteger)
    quarter: Mapped[int] = mapped_column(Integer)
    """Year and quarter as one number: 20253 is the third quarter of 2025."""
    latest_of_year: Mapped[bool] = mapped_column(Boolean)
    """The enterprise's latest submitted assessment (of this model) in its year: the one the year counts."""
    latest_of_quarter: Mapped[bool] = mapped_column(Boolean)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    level: Mapped[int] = mapped_column(SmallInteger)
    total: Mapped[int] = mapped_column(Integer)
    d1: Mapped[int | None] = mapped_column(Integer)
    d2: Mapped[int | None] = mapped_column(Integer)
    d3: Mapped[int | None] = mapped_column(Integer)
    d4: Mapped[int | None] = mapped_column(Integer)
    d5: Mapped[int | None] = mapped_column(Integer)
    d6: Mapped[int | None] = mapped_column(Integer)
    d7: Mapped[int | None] = mapped_column(Integer)
    d8: Mapped[int | None] = mapped_column(Integer)
    i01: Mapped[int | None] = mapped_column(Integer)
    i02: Mapped[int | None] = mapped_column(Integer)
    i03: Mapped[int | None] = mapped_column(Integer)
    i04: Mapped[int | None] = mapped_column(Integer)
    i05: Mapped[int | None] = mapped_column(Integer)
    i06: Mapped[int | None] = mapped_column(Integer)
    i07: Mapped[int | None] = mapped_column(Integer)
    i08: Mapped[int | None] = mapped_column(Integer)
    i09: Mapped[int | None] = mapped_column(Integer)
    i10: Mapped[int | None] = mapped_column(Integer)
    i11: Mapped[int | None] = mapped_column(Integer)
    i12: Mapped[int | None] = mapped_column(Integer)
    i13: Mapped[int | None] = mapped_column(Integer)
    i14: Mapped[int | None] = mapped_column(Integer)
    i15: Mapped[int | None] = mapped_column(Integer)
    i16: Mapped[int | None] = mapped_column(Integer)
    s01: Mapped[int | None] = mapped_column(SmallInteger)
    s02: Mapped[int | None] = mapped_column(SmallInteger)
    s03: Mapped[int | None] = mapped_column(SmallInteger)
    s04: Mapped[int | None] = mapped_column(SmallInteger)
    s05: Mapped[int | None] = mapped_column(SmallInteger)
    s06: Mapped[int | None] = mapped_column(SmallInteger)
    s07: Mapped[int | None] = mapped_column(SmallInteger)
    s08: Mapped[int | None] = mapped_column(SmallInteger)
    s09: Mapped[int | None] = mapped_column(SmallInteger)
    s10: Mapped[int | None] = mapped_column(SmallInteger)
    s11: Mapped[int | None] = mapped_column(SmallInteger)
    s12: Mapped[int | None] = mapped_column(SmallInteger)
    s13: Mapped[int | None] = mapped_column(SmallInteger)
    s14: Mapped[int | None] = mapped_column(SmallInteger)
    s15: Mapped[int | None] = mapped_column(SmallInteger)
    s16: Mapped[int | None] = mapped_column(SmallInteger)
    consent: Mapped[bool] = mapped_column(Boolean)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OfficialAccess(Base):
    """What an official looked at: a shared individual result, a dashboard or an export (append-only log)."""

    __tablename__ = "official_access"
    __table_args__ = (CheckConstraint("kind IN ('result', 'dashboard', 'export')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(16))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OfficialTarget(Base):
    """An official's target: the share of enterprises at a level or above (e.g. 二级及以上) to reach."""

    __tablename__ = "official_targets"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    level: Mapped[int] = mapped_column(SmallInteger, default=2)
    share: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    """A share between 0 and 1 (0.3 = 30 %)."""
    year: Mapped[int | None] = mapped_column(SmallInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
