"""Account use cases: passwords, roles, signed single-use email tokens (verification, password reset) and their mail."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from assessment.db import providers, queries
from assessment.db.models import ROLES, utcnow
from assessment.db.queries import UserRecord
from assessment.domain.answers import N_
from assessment.domain.enterprise import Regions
from assessment.services.aggregates import NATIONAL_CODE
from assessment.services.language import translator
from assessment.services.mail import Message

PURPOSES = ("verify", "reset")
LIFETIMES = {"verify": timedelta(days=3), "reset": timedelta(hours=2)}
"""How long an emailed link works; a reset link also serves as the invitation to set a first password."""
MIN_PASSWORD = 10
ORGANISATION_ROLES = ("provider_staff", "provider_admin")


class AccountInvalid(ValueError):
    """An account cannot be created as asked; the message is an English msgid."""


@dataclass(frozen=True)
class Redeemed:
    """The outcome of following an emailed link: 'ok' with the account, or 'invalid', 'expired' or 'used'."""

    status: str
    user: UserRecord | None = None


def hash_password(password: str) -> str:
    """A scrypt hash of a password (werkzeug's parameters)."""
    return generate_password_hash(password, method="scrypt")


def password_matches(password_hash: str, password: str) -> bool:
    """Whether a password matches its hash."""
    return check_password_hash(password_hash, password)


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable (an English msgid), or None."""
    if len(password) < MIN_PASSWORD:
        return N_("The password must have at least 10 characters")
    if len(password) > 200:
        return N_("The password is too long")
    return None


def create_account(session: Session, email: str, password: str | None, *, role: str, regions: Regions,
                   organisation_id: int | None = None, region_code: str | None = None,
                   display_name: str | None = None, language: str | None = None,
                   verified: bool = False) -> UserRecord:
    """Create an account with a role; without a password it gets an unusable one until a reset link sets it.

    Raises AccountInvalid (bad role, region or organisation) or queries.EmailTaken.
    """
    if role not in ROLES:
        raise AccountInvalid(N_("Unknown role"))
    if role in ORGANISATION_ROLES and (organisation_id is None or providers.get_organisation(session,
                                                                                              organisation_id) is None):
        raise AccountInvalid(N_("Provider staff need a provider organisation"))
    if role == "official" and (region_code is None or not (region_code == NATIONAL_CODE or regions.valid(region_code))):
        raise AccountInvalid(N_("An official needs a GB/T 2260 region code of the authority"))
    if role not in ORGANISATION_ROLES:
        organisation_id = None
    if role != "official":
        region_code = None
    if password is not None and (problem := password_problem(password)):
        raise AccountInvalid(problem)
    secret = password if password is not None else secrets.token_urlsafe(32)
    return providers.add_member(session, email, hash_password(secret), role=role, language=language,
                                organisation_id=organisation_id, region_code=region_code,
                                display_name=display_name, verified_at=utcnow() if verified else None)


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"assessment-account-{purpose}")


def issue_token(session: Session, secret_key: str, user_id: int, purpose: str,
                now: datetime | None = None) -> str:
    """A signed link token for one account and purpose; it works once, until it expires."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    moment = now or utcnow()
    nonce = secrets.token_urlsafe(24)
    providers.add_token(session, user_id, purpose, nonce, moment + LIFETIMES[purpose], moment)
    return str(_serializer(secret_key, purpose).dumps({"u": user_id, "n": nonce}))


def redeem_token(session: Session, secret_key: str, token: str, purpose: str,
                 now: datetime | None = None) -> Redeemed:
    """Spend a link token: the signature, the expiry and single use are all checked."""
    try:
        payload = _serializer(secret_key, purpose).loads(token, max_age=int(LIFETIMES[purpose].total_seconds()))
    except SignatureExpired:
        return Redeemed("expired")
    except BadSignature:
        return Redeemed("invalid")
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int) or not isinstance(payload.get("n"), str):
        return Redeemed("invalid")
    outcome = providers.use_token(session, payload["u"], purpose, payload["n"], now)
    if outcome != "ok":
        return Redeemed("invalid" if outcome == "unknown" else outcome)
    user = queries.get_user(session, payload["u"])
    return Redeemed("ok", user) if user is not None else Redeemed("invalid")


def verify_email(session: Session, secret_key: str, token: str, now: datetime | None = None) -> Redeemed:
    """Confirm an account's email address with the emailed link."""
    outcome = redeem_token(session, secret_key, token, "verify", now)
    if outcome.user is not None:
        providers.mark_verified(session, outcome.user.id, now)
    return outcome


def reset_password(session: Session, secret_key: str, token: str, password: str,
                   now: datetime | None = None) -> Redeemed:
    """Set a new password with the emailed link (it also confirms the address); other sessions end."""
    outcome = redeem_token(session, secret_key, token, "reset", now)
    if outcome.user is not None:
        providers.set_password(session, outcome.user.id, hash_password(password), now)
        providers.mark_verified(session, outcome.user.id, now)
    return outcome


def mail_address(user: UserRecord) -> str:
    """The account's email address; an account known by its mobile number only gets no mail."""
    if user.email is None:
        raise AccountInvalid(N_("This account has no email address"))
    return user.email


def verification_message(user: UserRecord, link: str, lang: str) -> Message:
    """The email that asks to confirm an address."""
    _ = translator(lang)
    days = LIFETIMES["verify"].days
    return Message(mail_address(user), _("Confirm your email address"), "\n\n".join([
        _("Please confirm the email address of your account for the SME digital maturity assessment:"),
        link,
        _("The link works once and for {days} days. If you did not create this account, ignore this email.")
        .format(days=days),
    ]))


def reset_message(user: UserRecord, link: str, lang: str, *, first: bool = False) -> Message:
    """The email with a link to set a new password (or, for a new member, the first one)."""
    _ = translator(lang)
    hours = int(LIFETIMES["reset"].total_seconds() // 3600)
    intro = (_("An account was opened for you in the SME digital maturity assessment tool. Choose your password "
               "here:") if first else _("Someone asked to reset the password of your account. Choose a new "
                                        "password here:"))
    return Message(mail_address(user), _("Choose your password") if first else _("Reset your password"), "\n\n".join([
        intro, link,
        _("The link works once and for {hours} hours. If you did not ask for it, ignore this email: your password "
          "stays as it is.").format(hours=hours),
    ]))
