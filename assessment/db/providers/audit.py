"""The audit trail of validated answers: appended and read, never changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from assessment.db.models import AuditEvent, utcnow


@dataclass(frozen=True)
class AuditEntry:
    """One audit entry: who set which answer of an assessment, when, from what, and why."""

    id: int
    assessment_id: int
    item_id: str
    kind: str
    value: Any
    previous: Any
    reason: str
    user_id: int | None
    user_name: str
    organisation_name: str
    created_at: datetime


def _audit(row: AuditEvent) -> AuditEntry:
    return AuditEntry(row.id, row.assessment_id, row.item_id, row.kind, row.value, row.previous, row.reason,
                      row.user_id, row.user_name, row.organisation_name, row.created_at)


def append_audit(session: Session, *, assessment_id: int, item_id: str, kind: str, value: Any, previous: Any,
                 reason: str, user_id: int, user_name: str, organisation_name: str,
                 now: datetime | None = None) -> None:
    """Append one entry to an assessment's audit trail (a plain INSERT: entries are never changed)."""
    session.execute(insert(AuditEvent).values(
        assessment_id=assessment_id, item_id=item_id, kind=kind, value=value, previous=previous, reason=reason,
        user_id=user_id, user_name=user_name, organisation_name=organisation_name, created_at=now or utcnow()))


def audit_trail(session: Session, assessment_id: int) -> list[AuditEntry]:
    """An assessment's audit trail, oldest first."""
    rows = session.scalars(select(AuditEvent).where(AuditEvent.assessment_id == assessment_id)
                           .order_by(AuditEvent.created_at, AuditEvent.id))
    return [_audit(r) for r in rows]
