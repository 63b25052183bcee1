"""Account use cases: passwords, roles, signed single-use email tokens (verification, password reset) and their mail."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from assessment.db import providers, queries
from assessment.db.models import ROLES as ROLES  # re-exported: the account commands offer the roles
from assessment.db.models import utcnow
from assessment.db.providers import OrganisationRecord
from assessment.db.queries import UserRecord
from assessment.domain.answers import N_
from assessment.domain.enterprise import Regions
from assessment.services import security_log
from assessment.services.aggregates import NATIONAL_CODE
from assessment.services.authorization import Principal, Refused, may_grant
from assessment.services.language import translator
from assessment.services.mail import Message
from assessment.services.sessions import end_all_sessions

EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
"""What the site takes for an email address: a local part, @, and a host with at least one dot."""
PURPOSES = ("verify", "reset")
LIFETIMES = {"verify": timedelta(days=3), "reset": timedelta(hours=2)}
"""How long an emailed link works; a reset link also serves as the invitation to set a first password."""
MIN_PASSWORD = 12
"""ASVS 2.1.1: at least 12 characters (runs of spaces count as one); no composition rules (2.1.9)."""
MAX_PASSWORD = 128
"""ASVS 2.1.2: at least 64 characters are allowed; longer ones are refused rather than cut."""
STRONG_ENOUGH = 3
"""zxcvbn score (0–4) a new password needs: 3 is 'safely unguessable', about 10^8 guesses and more."""
ESTIMATE_LENGTH = 64
"""The estimator looks at this many characters: its time grows steeply with length, and 64 are plenty to judge."""
ESTIMATOR_WARNINGS = (
    N_("Straight rows of keys are easy to guess."),
    N_("Short keyboard patterns are easy to guess."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Recent years are easy to guess."),
    N_("Dates are often easy to guess."),
    N_("This is a top-10 common password."),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("Common names and surnames are easy to guess."),
)
"""The estimator's own warnings (English, from zxcvbn), named here so they are translated."""
ORGANISATION_ROLES = ("provider_staff", "provider_admin")


class AccountInvalid(ValueError):
    """An account cannot be created as asked; the message is an English msgid."""


@dataclass(frozen=True)
class Redeemed:
    """The outcome of following an emailed link: 'ok' with the account, or 'invalid', 'expired' or 'used'."""

    status: str
    user: UserRecord | None = None


def normalised_email(raw: str | None) -> str:
    """An email address as stored: trimmed, lower case."""
    return (raw or "").strip().lower()


def account(session: Session, user_id: int) -> UserRecord | None:
    """The account with this id, as stored now, or None."""
    return queries.get_user(session, user_id)


def account_by_email(session: Session, email: str) -> UserRecord | None:
    """The account with this (normalised) email address, or None."""
    return queries.user_by_email(session, email)


def organisation(session: Session, organisation_id: int | None) -> OrganisationRecord | None:
    """The organisation with this id (None for none)."""
    return providers.get_organisation(session, organisation_id) if organisation_id else None


def set_display_name(session: Session, user_id: int, name: str | None) -> None:
    """Change the name shown for the account; a blank name clears it."""
    providers.set_display_name(session, user_id, (name or "").strip() or None)


def set_language(session: Session, user_id: int, language: str) -> None:
    """Remember the account's interface language (its mail comes in it too)."""
    queries.set_user_language(session, user_id, language)


def reset_requested(session: Session, email: str, address: str) -> UserRecord | None:
    """Someone asked for a reset link for this address (logged): the account to mail it to, if active."""
    user = queries.user_by_email(session, email)
    usable = user is not None and user.active
    security_log.record(session, security_log.PASSWORD_RESET_REQUESTED, user_id=user.id if user else None,
                        address=address, outcome="success" if usable else "failure")
    return user if usable else None


def hash_password(password: str) -> str:
    """A scrypt hash of a password (werkzeug's parameters)."""
    return generate_password_hash(password, method="scrypt")


def password_matches(password_hash: str, password: str) -> bool:
    """Whether a password matches its hash."""
    return check_password_hash(password_hash, password)


def password_problem(password: str, known: Iterable[str] = ()) -> str | None:
    """Why a new password is not acceptable (an English msgid), or None.

    `known` are words the account gives away (its email address, name): a password built on them is weaker.
    """
    if len(re.sub(r" {2,}", " ", password)) < MIN_PASSWORD:
        return N_("The password must have at least 12 characters")
    if len(password) > MAX_PASSWORD:
        return N_("The password must have at most 128 characters")
    return _guessable(password[:ESTIMATE_LENGTH], tuple(_words(known)))


def _words(known: Iterable[str]) -> Iterable[str]:
    for text in known:
        yield from (word for word in re.split(r"[@.\s_+-]+", text.lower()) if len(word) >= 3)


def _guessable(password: str, known: tuple[str, ...]) -> str | None:
    estimate = zxcvbn(password, user_inputs=[*known, "assessment", "digital", "maturity"])
    if int(estimate["score"]) >= STRONG_ENOUGH:
        return None
    warning = str(estimate["feedback"]["warning"] or "")
    return warning if warning in ESTIMATOR_WARNINGS else N_("This password is easy to guess. A few uncommon words "
                                                            "make a strong password that is easy to remember.")


def password_rule() -> str:
    """The rule for new passwords as forms state it (an English msgid)."""
    return N_("At least 12 characters. Common and easily guessed passwords are refused; a few uncommon words make "
              "a strong password that is easy to remember.")


def create_account(session: Session, email: str, password: str | None, *, role: str, regions: Regions,
                   granted_by: Principal, organisation_id: int | None = None, region_code: str | None = None,
                   display_name: str | None = None, language: str | None = None,
                   verified: bool = False) -> UserRecord:
    """Create an account with a role that `granted_by` may give; without a password it gets an unusable one until a
    reset link sets it.

    Raises authorization.Refused (a role or organisation the granting principal may not give), AccountInvalid (bad
    role, region or organisation) or queries.EmailTaken.
    """
    if role not in ROLES:
        raise AccountInvalid(N_("Unknown role"))
    if not may_grant(granted_by, role, organisation_id if role in ORGANISATION_ROLES else None):
        raise Refused(f"{granted_by.role or 'a visitor'} may not grant {role}")
    if role in ORGANISATION_ROLES and (organisation_id is None or providers.get_organisation(session,
                                                                                              organisation_id) is None):
        raise AccountInvalid(N_("Provider staff need a provider organisation"))
    if role == "official" and (region_code is None or not (region_code == NATIONAL_CODE or regions.valid(region_code))):
        raise AccountInvalid(N_("An official needs a GB/T 2260 region code of the authority"))
    if role not in ORGANISATION_ROLES:
        organisation_id = None
    if role != "official":
        region_code = None
    if password is not None and (problem := password_problem(password, (email, display_name or ""))):
        raise AccountInvalid(problem)
    secret = password if password is not None else secrets.token_urlsafe(32)
    return providers.add_member(session, email, hash_password(secret), role=role, language=language,
                                organisation_id=organisation_id, region_code=region_code,
                                display_name=display_name, verified_at=utcnow() if verified else None)


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"assessment-account-{purpose}")


def issue_token(session: Session, secret_key: str, user_id: int, purpose: str,
                now: datetime | None = None) -> str:
    """A signed link token for one account and purpose; it works once, until it expires or a newer one is issued."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    moment = now or utcnow()
    nonce = secrets.token_urlsafe(24)
    providers.expire_tokens(session, user_id, purpose, moment)  # only the newest link of a purpose works
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
    """Set a new password with the emailed link (it also confirms the address); every session of the account ends."""
    outcome = redeem_token(session, secret_key, token, "reset", now)
    if outcome.user is not None:
        providers.set_password(session, outcome.user.id, hash_password(password), now)
        providers.mark_verified(session, outcome.user.id, now)
        end_all_sessions(session, outcome.user.id)
    return outcome


def change_password(session: Session, user_id: int, current: str, new: str,
                    now: datetime | None = None) -> str | None:
    """Change the password given the current one: None when done (every session ends), else why not (a msgid)."""
    user = queries.get_user(session, user_id)
    if user is None or not password_matches(user.password_hash, current):
        return N_("The current password is not right")
    if (problem := password_problem(new, (user.email or "", user.display_name or ""))) is not None:
        return problem
    providers.set_password(session, user_id, hash_password(new), now)
    end_all_sessions(session, user_id)
    return None


def register(session: Session, email: str, password_hash: str, language: str | None) -> tuple[UserRecord, bool]:
    """The account of a registration: a new one with this password (True), or the one that has the address (False)."""
    existing = queries.user_by_email(session, email)
    if existing is not None:
        return existing, False
    try:
        return queries.add_user(session, email, password_hash, language), True
    except queries.EmailTaken:  # registered by a concurrent request since the look-up (its savepoint is undone)
        found = queries.user_by_email(session, email)
        assert found is not None
        return found, False


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


def registration_taken_message(user: UserRecord, login_link: str, reset_link: str, lang: str) -> Message:
    """The email to an address's owner when someone tries to register it again."""
    _ = translator(lang)
    return Message(mail_address(user), _("Someone tried to register with your email address"), "\n\n".join([
        _("Someone, perhaps you, tried to create an account for the SME digital maturity assessment with this "
          "email address. You have an account already, so none was created."),
        _("To use your account, log in:"), login_link,
        _("If you forgot your password, choose a new one:"), reset_link,
        _("If this was not you, ignore this email: nothing changed."),
    ]))


def blocked_message(user: UserRecord, lang: str) -> Message:
    """The email to an account's holder when many wrong passwords made sign-in wait."""
    _ = translator(lang)
    return Message(mail_address(user), _("Sign-in to your account was paused"), "\n\n".join([
        _("There were several failed attempts to sign in to your account for the SME digital maturity assessment, "
          "so further attempts have to wait a while."),
        _("If this was you, wait a moment and try again, or choose a new password with “Forgot your password?”. "
          "If it was not you, your account is still safe as long as your password is not known to others; "
          "a new, unique password makes sure."),
    ]))


def password_changed_message(user: UserRecord, lang: str) -> Message:
    """The email that tells the account's holder the password was changed."""
    _ = translator(lang)
    return Message(mail_address(user), _("Your password was changed"), "\n\n".join([
        _("The password of your account for the SME digital maturity assessment was just changed, and every "
          "signed-in session was ended."),
        _("If you did not change it, choose a new password at once with “Forgot your password?” on the log-in page."),
    ]))
