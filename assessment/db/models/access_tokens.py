"""Personal access tokens for the JSON API: stored as SHA-256 hashes, scoped, expiring, revocable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assessment.db.models.base import Base, UTCDateTime, utcnow

TOKEN_SCOPES = ("read", "read-write")


class AccessToken(Base):
    """A personal access token of an account: never the secret, only its hash and a short public prefix."""

    __tablename__ = "access_tokens"
    __table_args__ = (
        CheckConstraint("scope IN ('read', 'read-write')", name="scope"),
        CheckConstraint("expires_at > created_at", name="expiry"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    """The token's first characters (`sat_` and 8 more): shown in lists, and how a presented token is looked up."""
    secret_hash: Mapped[str] = mapped_column(String(64))
    """The SHA-256 of the whole token, hex: the token is high-entropy, so a fast hash is enough."""
    scope: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_address: Mapped[str] = mapped_column(String(45), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_address: Mapped[str] = mapped_column(String(45), default="")
