"""Query functions for the development outbox: the mails and SMS the console backends printed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.db.models import OutboxMessage


@dataclass(frozen=True)
class OutboxLine:
    """One message the console backends 'sent'."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    created_at: datetime


def add_message(session: Session, *, channel: str, recipient: str, subject: str, body: str,
                now: datetime) -> None:
    """Keep one printed message."""
    session.add(OutboxMessage(channel=channel, recipient=recipient[:254], subject=subject[:200], body=body,
                              created_at=now))


def recent_messages(session: Session, limit: int) -> list[OutboxLine]:
    """The newest messages first."""
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                           .limit(limit))
    return [OutboxLine(r.id, r.channel, r.recipient, r.subject, r.body, r.created_at) for r in rows]
