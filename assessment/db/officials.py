"""Query functions for officials: results enterprises share with an authority, the officials' access log, and
each official's target."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, delete, exists, or_, select
from sqlalchemy.orm import Session

from assessment.db.models import Assessment, AuthorityShare, Enterprise, OfficialAccess, OfficialTarget, utcnow


@dataclass(frozen=True)
class SharedResult:
    """A submitted assessment an enterprise shared with an authority."""

    assessment_id: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    questionnaire_ref: str
    model_ref: str
    submitted_at: datetime | None
    level: int | None
    total: Decimal | None
    scorecard: Mapping[str, Any] | None
    mode: str
    demo: bool


def _share_condition(region_code: str) -> Any:
    return and_(AuthorityShare.enterprise_id == Assessment.enterprise_id, AuthorityShare.region_code == region_code,
                AuthorityShare.revoked_at.is_(None),
                or_(AuthorityShare.assessment_id.is_(None), AuthorityShare.assessment_id == Assessment.id))


def _shared_query(region_code: str) -> Select[Assessment, Enterprise]:
    return (select(Assessment, Enterprise).join(Enterprise, Enterprise.id == Assessment.enterprise_id)
            .where(Assessment.status == "submitted", exists().where(_share_condition(region_code))))


def _shared(row: Any) -> SharedResult:
    a, e = row
    return SharedResult(a.id, e.id, e.name, e.region_code, a.questionnaire_ref, a.model_ref, a.submitted_at, a.level,
                        a.total, dict(a.scorecard) if a.scorecard else None, a.mode, bool(a.demo or e.demo))


def shared_result(session: Session, region_code: str, assessment_id: int) -> SharedResult | None:
    """The assessment if its enterprise shares it (or all its results) with this authority; else None."""
    row = session.execute(_shared_query(region_code).where(Assessment.id == assessment_id)).first()
    return None if row is None else _shared(row)


def shared_results(session: Session, region_code: str, limit: int = 500) -> list[SharedResult]:
    """The results shared with this authority, newest first."""
    rows = session.execute(_shared_query(region_code)
                           .order_by(Assessment.submitted_at.desc(), Assessment.id.desc()).limit(limit)).all()
    return [_shared(r) for r in rows]


def log_access(session: Session, *, user_id: int, region_code: str, kind: str, assessment_id: int | None = None,
               enterprise_id: int | None = None, detail: Mapping[str, Any] | None = None,
               now: datetime | None = None) -> None:
    """Record what an official looked at."""
    session.add(OfficialAccess(user_id=user_id, region_code=region_code, kind=kind, assessment_id=assessment_id,
                               enterprise_id=enterprise_id, detail=dict(detail or {}), created_at=now or utcnow()))
    session.flush()


@dataclass(frozen=True)
class AccessEntry:
    """One line of the officials' access log."""

    user_id: int | None
    region_code: str
    kind: str
    assessment_id: int | None
    enterprise_id: int | None
    detail: Mapping[str, Any]
    created_at: datetime


def access_log(session: Session, *, user_id: int | None = None, kind: str | None = None) -> list[AccessEntry]:
    """The access log, oldest first, optionally for one official or one kind."""
    query = select(OfficialAccess).order_by(OfficialAccess.id)
    if user_id is not None:
        query = query.where(OfficialAccess.user_id == user_id)
    if kind is not None:
        query = query.where(OfficialAccess.kind == kind)
    return [AccessEntry(r.user_id, r.region_code, r.kind, r.assessment_id, r.enterprise_id, dict(r.detail or {}),
                        r.created_at) for r in session.scalars(query)]


@dataclass(frozen=True)
class Target:
    """An official's target: this share of enterprises at `level` or above, optionally by a year."""

    level: int
    share: Decimal
    year: int | None


def target_of(session: Session, user_id: int) -> Target | None:
    """The official's target, if set."""
    row = session.get(OfficialTarget, user_id)
    return None if row is None else Target(row.level, row.share, row.year)


def set_target(session: Session, user_id: int, target: Target | None, now: datetime | None = None) -> None:
    """Store (or, with None, remove) the official's target."""
    session.execute(delete(OfficialTarget).where(OfficialTarget.user_id == user_id))
    if target is not None:
        session.add(OfficialTarget(user_id=user_id, level=target.level, share=target.share, year=target.year,
                                   updated_at=now or utcnow()))
    session.flush()
