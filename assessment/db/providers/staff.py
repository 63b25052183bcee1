"""The accounts of an organisation's staff: adding members, their roles, access, passwords and names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.db.changes import rows_changed
from assessment.db.models import User, utcnow
from assessment.db.queries import EmailTaken, UserRecord, user_record

PROVIDER_ROLES = ("provider_staff", "provider_admin")


def add_member(session: Session, email: str, password_hash: str, *, role: str, language: str | None = None,
               organisation_id: int | None = None, region_code: str | None = None, display_name: str | None = None,
               verified_at: datetime | None = None) -> UserRecord:
    """Insert an account with a role; raises EmailTaken if the address is in use."""
    if session.scalars(select(User.id).where(User.email == email)).first() is not None:
        raise EmailTaken(email)
    row = User(email=email, password_hash=password_hash, language=language, role=role,
               organisation_id=organisation_id, region_code=region_code, display_name=display_name,
               email_verified_at=verified_at, active=True, created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise EmailTaken(email) from exc
    return user_record(row)


def members(session: Session, organisation_id: int) -> list[UserRecord]:
    """The accounts of an organisation, by email."""
    rows = session.scalars(select(User).where(User.organisation_id == organisation_id).order_by(User.email))
    return [user_record(r) for r in rows]


def users_by_role(session: Session, roles: Iterable[str]) -> list[UserRecord]:
    """Accounts with one of these roles, by email."""
    rows = session.scalars(select(User).where(User.role.in_(list(roles))).order_by(User.email))
    return [user_record(r) for r in rows]


def set_member_active(session: Session, user_id: int, organisation_id: int, active: bool) -> bool:
    """Switch a member of this organisation on or off; False if the account is not its member."""
    result = session.execute(update(User).where(User.id == user_id, User.organisation_id == organisation_id)
                             .values(active=active))
    return rows_changed(result) == 1


def set_member_role(session: Session, user_id: int, organisation_id: int, role: str) -> bool:
    """Give a member of this organisation another role; False if the account is not its member."""
    result = session.execute(update(User).where(User.id == user_id, User.organisation_id == organisation_id)
                             .values(role=role))
    return rows_changed(result) == 1


def set_password(session: Session, user_id: int, password_hash: str, now: datetime | None = None) -> None:
    """Store a new password hash; sessions opened before this moment end."""
    session.execute(update(User).where(User.id == user_id)
                    .values(password_hash=password_hash, password_changed_at=now or utcnow()))


def mark_verified(session: Session, user_id: int, now: datetime | None = None) -> None:
    """Record that the account's email address was confirmed (the first time only)."""
    session.execute(update(User).where(User.id == user_id, User.email_verified_at.is_(None))
                    .values(email_verified_at=now or utcnow()))


def set_display_name(session: Session, user_id: int, name: str | None) -> None:
    """The name shown for the account, e.g. as assessor."""
    session.execute(update(User).where(User.id == user_id).values(display_name=name))
