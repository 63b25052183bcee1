"""Query functions for sign-in by mobile number: accounts by phone, and the hashed SMS codes sent to numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.db.models import SmsCode, User
from assessment.db.queries import UserRecord, user_record

KEEP_CODES = timedelta(days=1)
"""Spent and expired codes are kept this long (the hourly send limits count them), then deleted."""


class PhoneTaken(ValueError):
    """Another account has this mobile number."""


def _changed(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


# --- accounts ------------------------------------------------------------------------------------------------

def user_by_phone(session: Session, phone: str) -> UserRecord | None:
    """The account with this mobile number (E.164), or None."""
    row = session.scalars(select(User).where(User.phone == phone)).first()
    return None if row is None else user_record(row)


def add_phone_user(session: Session, phone: str, password_hash: str, language: str | None,
                   now: datetime) -> UserRecord:
    """Insert an enterprise account known by its (just confirmed) mobile number only; raises PhoneTaken."""
    row = User(email=None, phone=phone, phone_verified_at=now, password_hash=password_hash, language=language,
               role="enterprise", active=True, created_at=now)
    try:
        with session.begin_nested():  # two sign-ins with the same new number at once: one account
            session.add(row)
    except IntegrityError as exc:
        raise PhoneTaken(phone) from exc
    return user_record(row)


def set_phone(session: Session, user_id: int, phone: str, now: datetime) -> None:
    """Give the account this confirmed mobile number; raises PhoneTaken if another account has it."""
    if session.scalars(select(User.id).where(User.phone == phone, User.id != user_id)).first() is not None:
        raise PhoneTaken(phone)
    try:
        with session.begin_nested():
            session.execute(update(User).where(User.id == user_id).values(phone=phone, phone_verified_at=now))
    except IntegrityError as exc:
        raise PhoneTaken(phone) from exc


def email_taken(session: Session, email: str) -> bool:
    """Whether an account has this email address."""
    return session.scalars(select(User.id).where(User.email == email)).first() is not None


def set_email(session: Session, user_id: int, email: str) -> bool:
    """Give an account without an email address this (unconfirmed) one; False if taken or the account has one."""
    if email_taken(session, email):
        return False
    try:
        with session.begin_nested():
            result = session.execute(update(User).where(User.id == user_id, User.email.is_(None))
                                     .values(email=email, email_verified_at=None))
    except IntegrityError:
        return False
    return _changed(result) == 1


# --- SMS codes -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CodeRow:
    """The code a number may use now: its id, hash and wrong tries so far."""

    id: int
    code_hash: str
    attempts: int


def add_code(session: Session, *, phone: str, purpose: str, code_hash: str, address: str, now: datetime,
             expires_at: datetime) -> None:
    """Store a new code for the number and purpose; every older code of both stops working, and codes of any number
    older than KEEP_CODES are deleted."""
    session.execute(update(SmsCode).where(SmsCode.phone == phone, SmsCode.purpose == purpose,
                                          SmsCode.used_at.is_(None), SmsCode.expires_at > now)
                    .values(expires_at=now))
    session.execute(delete(SmsCode).where(SmsCode.created_at < now - KEEP_CODES))  # numbers are personal data
    session.add(SmsCode(phone=phone, purpose=purpose, code_hash=code_hash, address=address[:45], created_at=now,
                        expires_at=expires_at, used_at=None, attempts=0))
    session.flush()


def current_code(session: Session, phone: str, purpose: str, now: datetime, max_attempts: int) -> CodeRow | None:
    """The newest code of the number and purpose that is unused, unexpired and not out of tries, or None."""
    row = session.execute(select(SmsCode.id, SmsCode.code_hash, SmsCode.attempts)
                          .where(SmsCode.phone == phone, SmsCode.purpose == purpose, SmsCode.used_at.is_(None),
                                 SmsCode.expires_at > now, SmsCode.attempts < max_attempts)
                          .order_by(SmsCode.created_at.desc(), SmsCode.id.desc()).limit(1)).first()
    return None if row is None else CodeRow(row.id, row.code_hash, row.attempts)


def spend_code(session: Session, code_id: int, now: datetime) -> bool:
    """Mark the code used; False if another request used it first (each code works once)."""
    result = session.execute(update(SmsCode).where(SmsCode.id == code_id, SmsCode.used_at.is_(None),
                                                   SmsCode.expires_at > now).values(used_at=now))
    return _changed(result) == 1


def count_wrong_try(session: Session, code_id: int) -> int:
    """Count one wrong try against the code; the tries so far."""
    session.execute(update(SmsCode).where(SmsCode.id == code_id).values(attempts=SmsCode.attempts + 1))
    return int(session.scalar(select(SmsCode.attempts).where(SmsCode.id == code_id)) or 0)


def sent_since(session: Session, *, since: datetime, phone: str | None = None,
               address: str | None = None) -> tuple[int, datetime | None]:
    """How many codes went to this number (or were asked for from this address) since a moment, and the oldest."""
    statement = select(func.count(), func.min(SmsCode.created_at)).where(SmsCode.created_at >= since)
    if phone is not None:
        statement = statement.where(SmsCode.phone == phone)
    if address is not None:
        statement = statement.where(SmsCode.address == address[:45])
    count, oldest = session.execute(statement).one()
    return int(count or 0), oldest


def last_sent(session: Session, phone: str) -> datetime | None:
    """When the newest code went to this number."""
    moment: datetime | None = session.scalar(select(func.max(SmsCode.created_at)).where(SmsCode.phone == phone))
    return moment


def delete_codes(session: Session, phone: str) -> None:
    """Delete every code sent to the number (the account that had it is being erased)."""
    session.execute(delete(SmsCode).where(SmsCode.phone == phone))
