"""The account tables: users, their email tokens, MFA recovery codes, sign-in throttles, SMS codes, the security
log and the development outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import true

from assessment.db.models.base import Base, Document, UTCDateTime, utcnow


class User(Base):
    """An account: email and password hash; it keeps all its assessments."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    """Nullable: an account may sign in by mobile number only (at least one of email and phone is set)."""
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    role: Mapped[str] = mapped_column(String(24), default="enterprise", server_default="enterprise")
    region_code: Mapped[str | None] = mapped_column(String(6))
    """An official's authority: a GB/T 2260 code; the official sees this region and its descendants."""
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"),
                                                        index=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    """A mainland mobile number in E.164 form (+86…), for sign-in by SMS code."""
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    """Raised to end every signed-in session of the account (logout, password or role change, deactivation)."""
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    """The TOTP shared secret (RFC 6238, base32); set at enrolment, confirmed by mfa_enabled_at."""
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mfa_last_step: Mapped[int | None] = mapped_column(Integer)
    """The TOTP time step (unix time // 30) of the last code accepted: a code is never accepted twice."""

    __table_args__ = (
        CheckConstraint("role IN ('enterprise', 'provider_staff', 'provider_admin', 'official', 'site_admin')",
                        name="role"),
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="contact"),
    )


class AccountToken(Base):
    """A signed email token (verification, password reset, invitation to set a password): used once."""

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint("purpose IN ('verify', 'reset')", name="purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(Base):
    """A one-time MFA recovery code of an account, stored as a hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Throttle(Base):
    """Failed sign-in attempts counted per key ('account:ID', 'address:IP', 'phone:+86…'), shared by all workers."""

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SmsCode(Base):
    """A 6-digit sign-in code sent to a mobile number: stored as a hash, single use, short-lived."""

    __tablename__ = "sms_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="sign_in")
    code_hash: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class SecurityEvent(Base):
    """One entry of the append-only security log: sign-ins, MFA, password, role and consent changes, exports, admin.

    Nothing updates or deletes these rows; the database refuses to (triggers from migration 0005_security).
    user_id and actor_id are plain integers, not foreign keys, so an entry outlives the account it names.
    """

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="success")
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The account the event is about."""
    actor_id: Mapped[int | None] = mapped_column(Integer)
    """The account that acted (an admin changing a role), when it is not the subject."""
    address: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)


class OutboxMessage(Base):
    """A mail or SMS the development console backends 'sent', listed on the development outbox page."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
