"""Who calls the API and whether the call is admitted: an anonymous caller known by its address, or the account a
personal access token (`Authorization: Bearer sat_…`) acts as, with the token's scope.

The one seam where callers are recognised: `caller()` names the caller and its rate-limit key, `admit()` runs before
every view (401 for a token that does not work, then the caller's quota), and the token endpoints ask
`token_caller()` and `permitted()`; the endpoints never read the Authorization header themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, current_app, g, request

from assessment.api.problems import problem
from assessment.api.state import api_state
from assessment.services import mfa, tokens
from assessment.services.authorization import Principal, may_with_token
from assessment.services.request_quota import Quota, quota_from_config, spend

TOKEN_QUOTA = "assessment.api.token_quota"
TOKEN_REQUESTS = 120
"""Requests per API_RATE_PERIOD one token may make (API_TOKEN_RATE_REQUESTS), counted apart from any address."""
CHALLENGE = 'Bearer realm="api"'
INVALID = 'Bearer realm="api", error="invalid_token"'
ANONYMOUS = Principal()


@dataclass(frozen=True)
class Caller:
    """The principal of an API request: anonymous (no token) or a token's account and scope, and the key its
    requests are counted under."""

    anonymous: bool
    quota_key: str
    principal: Principal = ANONYMOUS
    scope: str | None = None
    token_id: int | None = None


class BadToken(Exception):
    """The request carries an Authorization header that is not a working token (an answer of 401)."""


def _bearer() -> str | None:
    """The Authorization header's bearer value; None without the header; raises BadToken for any other scheme."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise BadToken
    return value.strip()


def _identify() -> Caller:
    """The caller from the request's token (its use recorded and committed), or the anonymous caller."""
    value = _bearer()
    if value is None:
        return Caller(anonymous=True, quota_key=f"address:{request.remote_addr or 'unknown'}")
    with api_state().sessions() as session:
        found = tokens.authenticate(session, value, datetime.now(UTC), address=request.remote_addr or "",
                                    required_roles=current_app.config.get("MFA_REQUIRED_ROLES", mfa.REQUIRED_ROLES))
        session.commit()
    if found is None:
        raise BadToken
    return Caller(anonymous=False, quota_key=f"token:{found.token_id}", principal=found.principal,
                  scope=found.scope, token_id=found.token_id)


def caller() -> Caller:
    """The caller of this request (recognised once per request); raises BadToken for a token that does not work."""
    if "api_caller" not in g:
        g.api_caller = _identify()
    known: Caller = g.api_caller
    return known


def unauthorized(*, invalid: bool) -> Response:
    """401 problem+json with the Bearer challenge (error="invalid_token" when a token was sent and does not work)."""
    return problem(401, headers={"WWW-Authenticate": INVALID if invalid else CHALLENGE})


def _token_quota() -> Quota:
    """The per-token quota: API_TOKEN_RATE_REQUESTS per API_RATE_PERIOD, in the same storage as the address quota."""
    quota: Quota | None = current_app.extensions.get(TOKEN_QUOTA)
    if quota is None:
        config = current_app.config
        quota = quota_from_config({**config, "API_RATE_REQUESTS": config.get("API_TOKEN_RATE_REQUESTS",
                                                                             TOKEN_REQUESTS)})
        current_app.extensions[TOKEN_QUOTA] = quota
    return quota


def admit() -> Response | None:
    """Before every API view: refuse a body over the API's limit and a token that does not work, then count the
    call against the caller's quota (per token, or per address without one)."""
    state = api_state()
    request.max_content_length = state.max_body
    if request.content_length is not None and request.content_length > state.max_body:
        return problem(413, limit=state.max_body)
    try:
        who = caller()
    except BadToken:
        return unauthorized(invalid=True)
    with state.sessions() as session:
        wait = spend(state.quota if who.anonymous else _token_quota(), session, who.quota_key)
        session.commit()
    if wait:
        current_app.logger.info("API rate limit reached by %s", who.quota_key)
        return problem(429, headers={"Retry-After": str(wait)}, seconds=wait)
    return None


def token_caller() -> Caller | Response:
    """The token's caller for an endpoint that needs a token; 401 problem+json without one."""
    try:
        who = caller()
    except BadToken:
        return unauthorized(invalid=True)
    return unauthorized(invalid=False) if who.anonymous else who


def permitted(who: Caller, allowed: bool, *, writes: bool) -> bool:
    """The door's answer for the account narrowed by the token's scope (a read token never writes)."""
    return may_with_token(allowed, who.scope, writes=writes)


def forbidden() -> Response:
    """403 problem+json: the token's account or scope may not do this here."""
    return problem(403)
