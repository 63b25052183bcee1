"""Signing in with a password, and giving it again: failures make the next try wait, and every try is logged.

The caller commits after each call: a failure counts, and is logged, even though nothing else is written.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from assessment.db.queries import UserRecord
from assessment.services import accounts, security_log, sessions, throttle
from assessment.services.authorization import PROVIDER_ROLES, Principal, has_role
from assessment.services.throttle import Throttle


@dataclass(frozen=True)
class Attempt:
    """A sign-in with a password: the account when the password was right, else how long the next try waits."""

    user: UserRecord | None = None
    wait: float = 0.0
    throttled: bool = False
    """No password was checked: the keys were still waiting."""
    paused: UserRecord | None = None
    """The account whose sign-in this failure paused (its holder is told once per episode)."""


HOMES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("site_admin",), "administration"),
    (PROVIDER_ROLES, "clients"),
    (("official",), "jurisdiction"),
)
"""Where each role's work starts; everyone else (an enterprise user) starts at their own assessments."""


def home(who: Principal) -> str:
    """Where the principal lands after signing in: administration, clients, jurisdiction or assessments."""
    return next((place for roles, place in HOMES if has_role(who, *roles)), "assessments")


@lru_cache(maxsize=1)
def unknown_user_hash() -> str:
    """Checked against when the address is unknown, so a wrong address takes as long as a wrong password."""
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


def sign_in_keys(email: str, address: str) -> list[str]:
    """What sign-in failures count against: the address typed (known or not, alike) and the client's address."""
    return [throttle.email_key(email), throttle.address_key(address)]


def reauth_keys(user_id: int, address: str) -> list[str]:
    """What wrong passwords of a signed-in account count against: the account, and the client's address."""
    return [f"reauth:{user_id}", throttle.address_key(address)]


def with_password(session: Session, store: Throttle, email: str, password: str, *, address: str,
                  now: datetime) -> Attempt:
    """Check an email address and password, unless the address typed or the client has to wait."""
    keys = sign_in_keys(email, address)
    user = accounts.account_by_email(session, email)
    wait = throttle.wait_seconds(store, session, keys, now)
    if wait > 0:  # no password is checked while the keys wait
        security_log.record(session, security_log.SIGN_IN_THROTTLED, user_id=user.id if user else None,
                            address=address, outcome="failure", method="password")
        return Attempt(wait=wait, throttled=True)
    valid = accounts.password_matches(user.password_hash if user else unknown_user_hash(), password)
    if user is not None and valid and user.active:
        throttle.succeeded(store, session, keys[:1])
        return Attempt(user)
    counts = throttle.record_failure(store, session, keys, now)
    security_log.record(session, security_log.SIGN_IN, user_id=user.id if user else None, address=address,
                        outcome="failure", method="password")
    paused = user if user is not None and throttle.started_blocking(store, keys[0], counts[keys[0]]) else None
    return Attempt(wait=throttle.wait_seconds(store, session, keys, now), paused=paused)


def password_again(session: Session, store: Throttle, user: UserRecord, password: str, keys: list[str], *,
                   address: str, now: datetime) -> tuple[bool, float]:
    """Whether a signed-in account's password is right (re-authentication, password change), and the wait.

    While the keys wait, nothing is hashed and (False, seconds) comes back; a wrong password counts.
    """
    wait = throttle.wait_seconds(store, session, keys, now)
    if wait > 0:
        security_log.record(session, security_log.SIGN_IN_THROTTLED, user_id=user.id, actor_id=user.id,
                            address=address, outcome="failure", method="reauth")
        return False, wait
    if accounts.password_matches(user.password_hash, password):
        throttle.succeeded(store, session, keys[:1])
        return True, 0.0
    throttle.record_failure(store, session, keys, now)
    security_log.record(session, security_log.SIGN_IN, user_id=user.id, actor_id=user.id, address=address,
                        outcome="failure", method="reauth")
    return False, 0.0


def signed_in(session: Session, user: UserRecord, method: str, address: str) -> None:
    """Log a sign-in that gave every factor the account needs."""
    security_log.record(session, security_log.SIGN_IN, user_id=user.id, actor_id=user.id, address=address,
                        method=method)


def sign_out_everywhere(session: Session, user_id: int, kind: str, address: str) -> None:
    """End every signed-in session of the account (a copied cookie stops working too), logged as `kind`."""
    sessions.end_all_sessions(session, user_id)
    security_log.record(session, kind, user_id=user_id, actor_id=user_id, address=address)
