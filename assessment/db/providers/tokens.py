"""Email tokens (verification, password reset): issued by nonce, spent once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.db.changes import rows_changed
from assessment.db.models import AccountToken, utcnow


def add_token(session: Session, user_id: int, purpose: str, nonce: str, expires_at: datetime,
              now: datetime | None = None) -> None:
    """Record an issued email token by its nonce."""
    session.add(AccountToken(user_id=user_id, purpose=purpose, nonce=nonce, expires_at=expires_at,
                             created_at=now or utcnow()))
    session.flush()


def expire_tokens(session: Session, user_id: int, purpose: str, now: datetime | None = None) -> None:
    """End every unused token of the account for this purpose (a newer link replaces them)."""
    moment = now or utcnow()
    session.execute(update(AccountToken)
                    .where(AccountToken.user_id == user_id, AccountToken.purpose == purpose,
                           AccountToken.used_at.is_(None), AccountToken.expires_at > moment)
                    .values(expires_at=AccountToken.created_at))  # expired from the start, whatever the clock


def use_token(session: Session, user_id: int, purpose: str, nonce: str, now: datetime | None = None) -> str:
    """Spend a token once: 'ok', or why not: 'used', 'expired' or 'unknown'."""
    moment = now or utcnow()
    result = session.execute(update(AccountToken)
                             .where(AccountToken.nonce == nonce, AccountToken.user_id == user_id,
                                    AccountToken.purpose == purpose, AccountToken.used_at.is_(None),
                                    AccountToken.expires_at > moment)
                             .values(used_at=moment))
    if rows_changed(result) == 1:
        return "ok"
    row = session.scalars(select(AccountToken).where(AccountToken.nonce == nonce, AccountToken.user_id == user_id,
                                                     AccountToken.purpose == purpose)).first()
    if row is None:
        return "unknown"
    return "used" if row.used_at is not None else "expired"
