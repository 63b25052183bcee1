"""Personal access tokens for the JSON API (docs/access-tokens.md): made on the account page and shown once, stored
as SHA-256 hashes, scoped read or read-write, expiring, revocable, their last use recorded.

A token acts as its account as the account is stored at each request: the principal comes from
`authorization.principal_of`, so a switched-off or deleted account, a changed role or organisation takes effect on
the very next request, and a token never grants more than the web gives the same account. A read token never
writes (`authorization.may_write_with`). Making one asks for a code from the authenticator app of an account that
uses two-step verification; an account whose role requires it and has none set up gets no token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from assessment.db import tokens
from assessment.db.models import TOKEN_SCOPES
from assessment.db.tokens import TokenRecord as TokenRecord  # re-exported: the web layer imports no db module
from assessment.domain.answers import N_
from assessment.services import mfa, security_log
from assessment.services.authorization import Principal, may_write_with, principal_of
from assessment.services.throttle import Throttle

SCOPES = TOKEN_SCOPES
PREFIX = "sat_"
"""Recognisable in code, logs and secret scanners: `sat_` (SME assessment token) and 40 letters and digits."""
ALPHABET = string.ascii_letters + string.digits  # no punctuation: a double click selects the whole token
SECRET_LENGTH = 40  # 62**40: about 238 bits
PUBLIC_LENGTH = 8  # characters after the prefix shown in lists and used to look the token up (not secret)
SHAPE = re.compile(rf"{PREFIX}[0-9A-Za-z]{{{SECRET_LENGTH}}}")
NAME_MAX = 60
DEFAULT_DAYS = 90
LONGEST_DAYS = 366
MOST_USABLE = 20
"""Usable (neither revoked nor expired) tokens an account may hold at once."""
LISTED = 100
LAST_USE_RESOLUTION = timedelta(minutes=1)
"""A token's last use is written at most once a minute, so a busy script does not write on every request."""


class TokenInvalid(ValueError):
    """A token request that the checks of `read_request` refuse (the adapters check first and say why per field)."""


@dataclass(frozen=True)
class TokenRequest:
    """What the account asked for: a name, a scope and how many days the token works."""

    name: str
    scope: str
    days: int


@dataclass(frozen=True)
class Created:
    """What became of a request for a token: made (with the secret, shown this once) or why not."""

    status: str
    """"ok"; "mfa_required" (the role needs two-step verification and it is not set up), "code_missing",
    "wrong_code", "used_code", "wait" (too many wrong codes), "too_many" (MOST_USABLE reached), "inactive"."""
    token: TokenRecord | None = None
    secret: str = ""
    wait: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the token was made."""
        return self.status == "ok"


@dataclass(frozen=True)
class Authenticated:
    """A request's token as the API sees it: the account it acts as (as stored now) and what it may do."""

    principal: Principal
    scope: str
    token_id: int

    @property
    def may_write(self) -> bool:
        """Whether the token's scope lets it change anything (the door still decides what)."""
        return may_write_with(self.scope)


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def read_request(name: str | None, scope: str | None, days: str | None) -> tuple[TokenRequest | None, dict[str, str]]:
    """The request from what was typed, or a message (English msgid) per field that is wrong."""
    problems: dict[str, str] = {}
    given = (name or "").strip()
    if not given:
        problems["name"] = N_("Enter a name for the token, such as the script or system that will use it.")
    elif len(given) > NAME_MAX:
        problems["name"] = N_("The name can have at most 60 characters.")
    elif any(unicodedata.category(c).startswith("C") for c in given):
        problems["name"] = N_("The name can have letters, digits, spaces and punctuation only.")
    if scope not in SCOPES:
        problems["scope"] = N_("Choose what the token may do: read only, or read and write.")
    typed = _plain(days or "")
    number = int(typed) if typed.isascii() and typed.isdigit() and len(typed) <= 3 else 0
    if not 1 <= number <= LONGEST_DAYS:
        problems["days"] = N_("Enter for how many days the token works: a whole number from 1 to 366.")
    if problems:
        return None, problems
    return TokenRequest(given, str(scope), number), {}


def secret_hash(secret: str) -> str:
    """What is stored of a token: the SHA-256 of all of it, hex."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def new_secret() -> str:
    """A new token: the prefix and SECRET_LENGTH random letters and digits."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))


def public_prefix(secret: str) -> str:
    """The part of a token shown in lists and used to find it: the prefix and PUBLIC_LENGTH characters."""
    return secret[:len(PREFIX) + PUBLIC_LENGTH]


def _second_factor(session: Session, store: Throttle, user_id: int, role: str, code: str | None, *,
                   required_roles: Collection[str], address: str, now: datetime) -> Created | None:
    """None if the account may go on; else why not. An account with two-step verification gives a current code."""
    if not mfa.enrolled(session, user_id):
        return Created("mfa_required") if mfa.required(role, required_roles) else None
    if not (code or "").strip():
        return Created("code_missing")
    outcome = mfa.verify(session, store, user_id, code or "", address=address, purpose="access_token", now=now)
    return None if outcome.ok else Created(outcome.status, wait=outcome.wait)


def create(session: Session, store: Throttle, who: Principal, wanted: TokenRequest, *, code: str | None,
           required_roles: Collection[str], address: str, now: datetime) -> Created:
    """Make a token for the principal's own account; the secret is in the answer and nowhere else."""
    if read_request(wanted.name, wanted.scope, str(wanted.days))[0] != wanted:
        raise TokenInvalid(wanted)
    stored = principal_of(session, who.user_id)
    if who.user_id is None or stored.user_id != who.user_id:
        return Created("inactive")
    refused = _second_factor(session, store, who.user_id, stored.role or "", code, required_roles=required_roles,
                             address=address, now=now)
    if refused is not None:
        return refused
    if tokens.usable_count(session, who.user_id, now) >= MOST_USABLE:
        return Created("too_many")
    secret = new_secret()
    token = tokens.add_token(session, user_id=who.user_id, name=wanted.name, prefix=public_prefix(secret),
                             secret_hash=secret_hash(secret), scope=wanted.scope, created_at=now,
                             expires_at=now + timedelta(days=wanted.days), address=address)
    security_log.record(session, security_log.ACCESS_TOKEN_CREATED, user_id=who.user_id, actor_id=who.user_id,
                        address=address, token_id=token.id, prefix=token.prefix, scope=token.scope,
                        days=wanted.days)
    return Created("ok", token=token, secret=secret)


def tokens_of(session: Session, who: Principal, limit: int = LISTED) -> list[TokenRecord]:
    """The principal's own tokens, newest first (the `limit` newest)."""
    return [] if who.user_id is None else tokens.tokens_of(session, who.user_id, limit)


def own_token(session: Session, who: Principal, token_id: int) -> TokenRecord | None:
    """One of the principal's own tokens; None for another account's (its existence is not revealed)."""
    token = tokens.get_token(session, token_id)
    if token is None or who.user_id is None or token.user_id != who.user_id:
        return None
    return token


def revoke(session: Session, who: Principal, token_id: int, *, address: str, now: datetime) -> bool:
    """Revoke one of the principal's own tokens at once; False if it is not the principal's (a 404). Revoking a
    revoked token again changes nothing."""
    token = own_token(session, who, token_id)
    if token is None or who.user_id is None:
        return False
    if tokens.revoke_token(session, token_id, who.user_id, now):
        security_log.record(session, security_log.ACCESS_TOKEN_REVOKED, user_id=who.user_id, actor_id=who.user_id,
                            address=address, token_id=token.id, prefix=token.prefix)
    return True


def authenticate(session: Session, bearer_value: str, now: datetime, *, address: str = "",
                 required_roles: Collection[str] = mfa.REQUIRED_ROLES) -> Authenticated | None:
    """The account a bearer token acts as, with its scope; None for a malformed, unknown, expired or revoked token,
    for a switched-off or deleted account, and for an account whose role must use two-step verification and has
    none set up (the web lets it open nothing either). Records the use (at most once a minute) in the caller's
    transaction, which the adapter commits."""
    value = bearer_value.strip()
    if len(value) != len(PREFIX) + SECRET_LENGTH or not SHAPE.fullmatch(value):
        return None
    presented = secret_hash(value)
    matching = [s.id for s in tokens.hashes_with_prefix(session, public_prefix(value))
                if hmac.compare_digest(s.secret_hash, presented)]
    token = tokens.get_token(session, matching[0]) if matching else None
    if token is None or token.status(now) != "active":
        return None
    who = principal_of(session, token.user_id)
    if who.user_id is None or (mfa.required(who.role or "", required_roles) and not mfa.enrolled(session, who.user_id)):
        return None
    tokens.mark_used(session, token.id, now, address, LAST_USE_RESOLUTION)
    return Authenticated(who, token.scope, token.id)


def forget_account(session: Session, user_id: int) -> int:
    """Remove every token of an account that is being deleted; how many."""
    return tokens.delete_tokens_of(session, user_id)
