"""Enterprises as listed for their owner or provider, and an enterprise's assessment history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.db.models import Assessment, Enterprise


@dataclass(frozen=True)
class EnterpriseLine:
    """An enterprise as listed for its owner or its provider."""

    id: int
    name: str
    uscc: str
    region_code: str
    industry_code: str
    user_id: int | None


def enterprise_line(row: Enterprise) -> EnterpriseLine:
    """An enterprise row as a list line."""
    return EnterpriseLine(row.id, row.name, row.uscc, row.region_code, row.industry_code, row.user_id)


def enterprises_of_user(session: Session, user_id: int) -> list[EnterpriseLine]:
    """The enterprises an account owns, by name."""
    rows = session.scalars(select(Enterprise).where(Enterprise.user_id == user_id).order_by(Enterprise.name,
                                                                                           Enterprise.id))
    return [enterprise_line(r) for r in rows]


def get_enterprise(session: Session, enterprise_id: int) -> EnterpriseLine | None:
    """The enterprise with this id, or None."""
    row = session.get(Enterprise, enterprise_id)
    return None if row is None else enterprise_line(row)


@dataclass(frozen=True)
class AssessmentLine:
    """One assessment in an enterprise's history."""

    id: int
    questionnaire_ref: str
    model_ref: str
    status: str
    mode: str
    created_at: datetime
    submitted_at: datetime | None
    level: int | None
    total: Decimal | None
    organisation_id: int | None


def assessments_of_enterprise(session: Session, enterprise_id: int) -> list[AssessmentLine]:
    """An enterprise's assessments, oldest first (T0, T1, …)."""
    rows = session.scalars(select(Assessment).where(Assessment.enterprise_id == enterprise_id)
                           .order_by(Assessment.created_at, Assessment.id))
    return [AssessmentLine(r.id, r.questionnaire_ref, r.model_ref, r.status, r.mode, r.created_at, r.submitted_at,
                           r.level, r.total, r.organisation_id) for r in rows]
