"""Query functions for personal access tokens: add, list, look up by public prefix, revoke, mark used, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from assessment.db.changes import rows_changed
from assessment.db.models import AccessToken


@dataclass(frozen=True)
class TokenRecord:
    """A personal access token as its owner sees it: everything but the hash."""

    id: int
    user_id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    last_used_address: str

    def status(self, now: datetime) -> str:
        """"active", "expired" or "revoked" at this moment."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if now < self.expires_at else "expired"


@dataclass(frozen=True)
class StoredHash:
    """What a presented token is checked against: a token's id and the hash stored for it."""

    id: int
    secret_hash: str


def _record(row: AccessToken) -> TokenRecord:
    return TokenRecord(row.id, row.user_id, row.name, row.prefix, row.scope, row.created_at, row.expires_at,
                       row.revoked_at, row.last_used_at, row.last_used_address)


def add_token(session: Session, *, user_id: int, name: str, prefix: str, secret_hash: str, scope: str,
              created_at: datetime, expires_at: datetime, address: str) -> TokenRecord:
    """Store a new token by its hash."""
    row = AccessToken(user_id=user_id, name=name, prefix=prefix, secret_hash=secret_hash, scope=scope,
                      created_at=created_at, expires_at=expires_at, created_address=address[:45],
                      last_used_address="")
    session.add(row)
    session.flush()
    return _record(row)


def get_token(session: Session, token_id: int) -> TokenRecord | None:
    """One token by its id."""
    row = session.get(AccessToken, token_id)
    return None if row is None else _record(row)


def tokens_of(session: Session, user_id: int, limit: int) -> list[TokenRecord]:
    """An account's tokens, newest first."""
    rows = session.scalars(select(AccessToken).where(AccessToken.user_id == user_id)
                           .order_by(AccessToken.created_at.desc(), AccessToken.id.desc()).limit(limit))
    return [_record(row) for row in rows]


def usable_count(session: Session, user_id: int, now: datetime) -> int:
    """How many of an account's tokens are neither revoked nor expired."""
    found = session.scalar(select(func.count()).select_from(AccessToken).where(
        AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None), AccessToken.expires_at > now))
    return int(found or 0)


def hashes_with_prefix(session: Session, prefix: str) -> list[StoredHash]:
    """The stored hashes of the tokens that begin with this public prefix (almost always one or none)."""
    rows = session.execute(select(AccessToken.id, AccessToken.secret_hash).where(AccessToken.prefix == prefix))
    return [StoredHash(token_id, hashed) for token_id, hashed in rows]


def revoke_token(session: Session, token_id: int, user_id: int, now: datetime) -> bool:
    """Revoke one of the account's tokens that is not revoked yet; whether it was."""
    result = session.execute(update(AccessToken).where(
        AccessToken.id == token_id, AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=now))
    return rows_changed(result) == 1


def mark_used(session: Session, token_id: int, now: datetime, address: str, resolution: timedelta) -> bool:
    """Record a use unless one was recorded within `resolution` (so a busy token writes once a minute); whether it
    wrote. The condition is in the UPDATE, so concurrent requests record one use between them."""
    result = session.execute(update(AccessToken).where(
        AccessToken.id == token_id,
        or_(AccessToken.last_used_at.is_(None), AccessToken.last_used_at <= now - resolution))
        .values(last_used_at=now, last_used_address=address[:45]))
    return rows_changed(result) == 1


def delete_tokens_of(session: Session, user_id: int) -> int:
    """Remove every token of an account (its deletion); how many."""
    return rows_changed(session.execute(delete(AccessToken).where(AccessToken.user_id == user_id)))
