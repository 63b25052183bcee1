"""Two-step verification: TOTP codes (RFC 6238) from an authenticator app, and one-time recovery codes.

Site admins, provider admins and officials must use it (config MFA_REQUIRED_ROLES); everyone else may. The
shared secret is kept in users.mfa_secret as base32 text; until mfa_enabled_at is set it is only a proposal
shown at enrolment. A code is accepted in its own 30-second step or one step either side, and never twice
(users.mfa_last_step). Recovery codes (50 bits each) are stored as PBKDF2 hashes with a random 32-bit salt each
(ASVS 2.6.2) and work once each. Wrong codes and passwords given here are counted per account by the shared
throttle (key `mfa:<id>`). Encrypting the secret at rest with a key held outside the database is still to do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from assessment.db import queries
from assessment.db.models import RecoveryCode, User
from assessment.db.queries import UserRecord as UserRecord  # re-exported: the web layer imports no db module
from assessment.services import security_log
from assessment.services.accounts import password_matches
from assessment.services.sessions import end_all_sessions
from assessment.services.sms import PhoneInvalid, normalised_phone
from assessment.services.throttle import Throttle, failed, succeeded, wait_seconds

REQUIRED_ROLES = ("site_admin", "provider_admin", "official")
ISSUER = "中小企业数字化水平评测"
STEP = 30  # seconds per code: the RFC 6238 default, the only one every authenticator app supports
WINDOW = 1  # steps accepted either side of the current one: a phone clock half a minute off still works
DIGITS = 6
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u to misread
RECOVERY_LENGTH = 10  # 50 bits each
RECOVERY_ITERATIONS = 20_000  # PBKDF2-SHA256 rounds: at most 10 derivations per (throttled) attempt
LONGEST_INPUT = 64  # anything longer is wrong without any work

ENROL = "enrol"
VERIFY = "verify"


class AlreadyEnrolled(Exception):
    """The account uses two-step verification already."""


@dataclass(frozen=True)
class Outcome:
    """What became of a code, a password or both: accepted, or why not (and how long to wait)."""

    status: str
    """"ok", "recovery" (a recovery code was used), "wrong_code", "used_code" (a code that worked once already),
    "wrong_password", "wait", "required" (the role may not switch it off), "not_enrolled"."""
    wait: float = 0.0
    codes: tuple[str, ...] = ()
    """New recovery codes, shown once."""
    recovery_left: int | None = None

    @property
    def ok(self) -> bool:
        """Whether the code (and password) were accepted."""
        return self.status in ("ok", "recovery")


@dataclass(frozen=True)
class Status:
    """An account's two-step verification: since when it is on, and how many recovery codes are left."""

    enabled_at: datetime | None
    recovery_left: int

    @property
    def enabled(self) -> bool:
        """Whether sign-in asks for a code."""
        return self.enabled_at is not None


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _key(user_id: int) -> str:
    return f"mfa:{user_id}"


def required(role: str, required_roles: Collection[str]) -> bool:
    """Whether accounts of this role must use two-step verification."""
    return role in required_roles


def second_factor(record: UserRecord, required_roles: Collection[str]) -> str | None:
    """What a sign-in of this account still needs after the password or SMS code: VERIFY, ENROL or nothing."""
    if record.mfa_enabled_at is not None:
        return VERIFY
    return ENROL if required(record.role, required_roles) else None


def account(session: Session, user_id: int) -> UserRecord | None:
    """The account as stored now."""
    return queries.get_user(session, user_id)


def enrolled(session: Session, user_id: int) -> bool:
    """Whether the account uses two-step verification."""
    return session.scalar(select(User.mfa_enabled_at).where(User.id == user_id)) is not None


def status(session: Session, user_id: int) -> Status:
    """The account's two-step verification and its unused recovery codes."""
    enabled_at = session.scalar(select(User.mfa_enabled_at).where(User.id == user_id))
    left = session.scalar(select(func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)))
    return Status(enabled_at, int(left or 0))


def enrolment_secret(session: Session, user_id: int) -> str:
    """The secret proposed at enrolment: made once and kept until confirmed, so a reload shows the same QR code."""
    row = session.get(User, user_id)
    if row is None or row.mfa_enabled_at is not None:
        raise AlreadyEnrolled(user_id)
    if not row.mfa_secret:
        row.mfa_secret = pyotp.random_base32()  # 160 bits (RFC 4226 recommends at least 128)
    return row.mfa_secret


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP).provisioning_uri(name=account_name, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _plain(code: str) -> str:
    """A typed code as compared: full-width digits made plain (Chinese input methods), spaces and dashes gone."""
    return "".join(c for c in unicodedata.normalize("NFKC", code) if c not in " -\t").lower()


def _totp_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step whose code this is, within the window around `moment`."""
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP)
    current = totp.timecode(moment)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_step(session: Session, user_id: int, step: int) -> bool:
    """Remember the step as used; False if it (or a later one) was used already: a code works once."""
    result = session.execute(update(User).where(User.id == user_id,
                                                or_(User.mfa_last_step.is_(None), User.mfa_last_step < step))
                             .values(mfa_last_step=step))
    return int(getattr(result, "rowcount", 0) or 0) == 1


def _recovery_plain(code: str) -> str:
    """A typed recovery code as stored: letters misread for digits (o, i, l) read as the digits."""
    return _plain(code).replace("o", "0").replace("i", "1").replace("l", "1")


def _recovery_hash(code: str, salt: str) -> str:
    """What is stored of a recovery code: its random 32-bit salt and its PBKDF2 hash, "salt$hash" (63 characters)."""
    digest = hashlib.pbkdf2_hmac("sha256", _recovery_plain(code).encode(), bytes.fromhex(salt), RECOVERY_ITERATIONS,
                                 dklen=27)
    return f"{salt}${digest.hex()}"


def _looks_like_recovery(code: str) -> bool:
    plain = _recovery_plain(code)
    return len(plain) == RECOVERY_LENGTH and all(c in RECOVERY_ALPHABET for c in plain)


def _use_recovery(session: Session, user_id: int, code: str, moment: datetime) -> bool:
    """Spend a recovery code; False if it is not one of the account's unused codes."""
    if not _looks_like_recovery(code):
        return False
    unused = session.execute(select(RecoveryCode.id, RecoveryCode.code_hash)
                             .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).all()
    for code_id, stored in unused:
        if hmac.compare_digest(_recovery_hash(code, stored.partition("$")[0]), stored):
            result = session.execute(update(RecoveryCode)
                                     .where(RecoveryCode.id == code_id, RecoveryCode.used_at.is_(None))
                                     .values(used_at=moment))
            return int(getattr(result, "rowcount", 0) or 0) == 1
    return False


def _new_recovery_codes(session: Session, user_id: int, moment: datetime) -> tuple[str, ...]:
    """Replace the account's recovery codes with RECOVERY_CODES new ones; the codes, to be shown once."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = tuple("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
                  for _ in range(RECOVERY_CODES))
    session.add_all(RecoveryCode(user_id=user_id, code_hash=_recovery_hash(code, secrets.token_hex(4)),
                                 created_at=moment) for code in codes)
    return tuple(f"{code[:5]}-{code[5:]}" for code in codes)


def _recovery_left(session: Session, user_id: int) -> int:
    return status(session, user_id).recovery_left


def _throttled(session: Session, store: Throttle, user_id: int, moment: datetime, address: str,
               purpose: str) -> Outcome | None:
    wait = wait_seconds(store, session, [_key(user_id)], moment)
    if wait <= 0:
        return None
    security_log.record(session, security_log.MFA_VERIFIED, user_id=user_id, address=address, outcome="failure",
                        purpose=purpose, reason="throttled")
    return Outcome("wait", wait=wait)


def _wrong(session: Session, store: Throttle, user_id: int, moment: datetime, address: str, purpose: str,
           status_: str) -> Outcome:
    wait = failed(store, session, [_key(user_id)], moment)
    security_log.record(session, security_log.MFA_VERIFIED, user_id=user_id, address=address, outcome="failure",
                        purpose=purpose, reason=status_)
    return Outcome(status_, wait=wait)


def _accept(session: Session, store: Throttle, user_id: int, secret: str, last_step: int | None, code: str,
            moment: datetime, address: str, purpose: str, *, recovery: bool) -> Outcome:
    """Check an app code (or a recovery code) against the account's secret, counting failures."""
    if len(code) > LONGEST_INPUT:
        return _wrong(session, store, user_id, moment, address, purpose, "wrong_code")
    step = _totp_step(secret, _plain(code), moment)
    if step is not None:
        if (last_step is not None and step <= last_step) or not _use_step(session, user_id, step):
            return _wrong(session, store, user_id, moment, address, purpose, "used_code")
        succeeded(store, session, [_key(user_id)])
        security_log.record(session, security_log.MFA_VERIFIED, user_id=user_id, address=address, purpose=purpose,
                            method="totp")
        return Outcome("ok")
    if recovery and _use_recovery(session, user_id, code, moment):
        succeeded(store, session, [_key(user_id)])
        left = _recovery_left(session, user_id)
        security_log.record(session, security_log.MFA_RECOVERY_USED, user_id=user_id, address=address,
                            purpose=purpose, recovery_left=left)
        return Outcome("recovery", recovery_left=left)
    return _wrong(session, store, user_id, moment, address, purpose, "wrong_code")


def confirm_enrolment(session: Session, store: Throttle, user_id: int, code: str, *, address: str,
                      now: datetime | None = None) -> Outcome:
    """Switch two-step verification on once the app shows the right code; the first recovery codes on success.

    Every signed-in session of the account ends (the caller signs this browser in again).
    """
    moment = _now(now)
    row = session.get(User, user_id)
    if row is None or row.mfa_enabled_at is not None or not row.mfa_secret:
        return Outcome("not_enrolled")
    if (blocked := _throttled(session, store, user_id, moment, address, ENROL)) is not None:
        return blocked
    outcome = _accept(session, store, user_id, row.mfa_secret, None, code, moment, address, ENROL, recovery=False)
    if not outcome.ok:
        return outcome
    session.execute(update(User).where(User.id == user_id).values(mfa_enabled_at=moment))
    codes = _new_recovery_codes(session, user_id, moment)
    end_all_sessions(session, user_id)
    security_log.record(session, security_log.MFA_ENROLLED, user_id=user_id, address=address)
    return Outcome("ok", codes=codes, recovery_left=len(codes))


def verify(session: Session, store: Throttle, user_id: int, code: str, *, address: str, purpose: str = "sign_in",
           now: datetime | None = None) -> Outcome:
    """Check the second factor of an enrolled account: a code from its app, or one of its recovery codes."""
    moment = _now(now)
    row = session.get(User, user_id)
    if row is None or row.mfa_enabled_at is None or not row.mfa_secret:
        return Outcome("not_enrolled")
    if (blocked := _throttled(session, store, user_id, moment, address, purpose)) is not None:
        return blocked
    return _accept(session, store, user_id, row.mfa_secret, row.mfa_last_step, code, moment, address, purpose,
                   recovery=True)


def renew_recovery_codes(session: Session, store: Throttle, user_id: int, password: str, *, address: str,
                         now: datetime | None = None) -> Outcome:
    """New recovery codes for the password (the old ones stop working); shown once."""
    moment = _now(now)
    row = session.get(User, user_id)
    if row is None or row.mfa_enabled_at is None:
        return Outcome("not_enrolled")
    if (blocked := _throttled(session, store, user_id, moment, address, "recovery_codes")) is not None:
        return blocked
    if not password_matches(row.password_hash, password[:1024]):
        return _wrong(session, store, user_id, moment, address, "recovery_codes", "wrong_password")
    succeeded(store, session, [_key(user_id)])
    codes = _new_recovery_codes(session, user_id, moment)
    security_log.record(session, security_log.MFA_RECOVERY_CODES_RENEWED, user_id=user_id, address=address)
    return Outcome("ok", codes=codes, recovery_left=len(codes))


def _switch_off(session: Session, user_id: int) -> None:
    session.execute(update(User).where(User.id == user_id)
                    .values(mfa_secret=None, mfa_enabled_at=None, mfa_last_step=None))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


def disable(session: Session, store: Throttle, user_id: int, password: str, code: str, *, address: str,
            required_roles: Collection[str], now: datetime | None = None) -> Outcome:
    """Switch two-step verification off with the password and a code, where the account's role allows it."""
    moment = _now(now)
    row = session.get(User, user_id)
    if row is None or row.mfa_enabled_at is None or not row.mfa_secret:
        return Outcome("not_enrolled")
    if required(row.role, required_roles):
        return Outcome("required")
    if (blocked := _throttled(session, store, user_id, moment, address, "disable")) is not None:
        return blocked
    if not password_matches(row.password_hash, password[:1024]):
        return _wrong(session, store, user_id, moment, address, "disable", "wrong_password")
    outcome = _accept(session, store, user_id, row.mfa_secret, row.mfa_last_step, code, moment, address, "disable",
                      recovery=True)
    if not outcome.ok:
        return outcome
    _switch_off(session, user_id)
    security_log.record(session, security_log.MFA_DISABLED, user_id=user_id, actor_id=user_id, address=address)
    return Outcome("ok")


def account_by_contact(session: Session, contact: str) -> UserRecord | None:
    """The account with this email address or mobile number (typed as people write it)."""
    plain = contact.strip()
    if not plain or len(plain) > 254:
        return None
    if "@" in plain:
        condition = User.email == plain.lower()
    else:
        try:
            condition = User.phone == normalised_phone(plain)
        except PhoneInvalid:
            return None
    found = session.scalar(select(User.id).where(condition))
    return None if found is None else queries.get_user(session, found)


def reset(session: Session, admin_id: int, user_id: int, *, address: str) -> None:
    """A site admin switches an account's two-step verification off (a lost phone) and ends its sessions.

    The account enrols again at its next sign-in if its role requires it.
    """
    _switch_off(session, user_id)
    end_all_sessions(session, user_id)
    security_log.record(session, security_log.MFA_DISABLED, user_id=user_id, actor_id=admin_id, address=address,
                        reason="admin_reset")
    security_log.record(session, security_log.ADMIN_ACTION, user_id=user_id, actor_id=admin_id, address=address,
                        action="mfa_reset")
