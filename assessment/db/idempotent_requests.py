"""Queries for requests made with an Idempotency-Key (the idempotent_requests table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assessment.db.changes import rows_changed
from assessment.db.models import IdempotentRequest


@dataclass(frozen=True)
class StoredAnswer:
    """What a request under a key was, as a fingerprint, and what it was answered."""

    fingerprint: str
    status: int
    body: str


def find(session: Session, user_id: int, key: str) -> StoredAnswer | None:
    """The stored request of this account under this key, if any."""
    row = session.execute(select(IdempotentRequest.fingerprint, IdempotentRequest.status, IdempotentRequest.body)
                          .where(IdempotentRequest.user_id == user_id, IdempotentRequest.key == key)).first()
    return None if row is None else StoredAnswer(str(row.fingerprint), int(row.status), str(row.body))


def add(session: Session, user_id: int, key: str, answer: StoredAnswer, now: datetime) -> None:
    """Store the request and its answer under the key (the unique constraint refuses a second one)."""
    session.add(IdempotentRequest(user_id=user_id, key=key, fingerprint=answer.fingerprint, status=answer.status,
                                  body=answer.body, created_at=now))
    session.flush()


def forget_before(session: Session, moment: datetime) -> int:
    """Delete the requests stored before the moment; how many."""
    return rows_changed(session.execute(delete(IdempotentRequest).where(IdempotentRequest.created_at < moment)))
