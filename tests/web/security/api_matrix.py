"""The authorization matrix for the token endpoints of the JSON API: each principal calls with a token of its own
account (read-write; `owner_read` with a read token of the enterprise's owner; `staff_off` with a switched-off
member's token; `anonymous` with none). A refusal is 401 (no working token), 403 (another role, or a read token
writing) or 404 (another tenant's object), and leaves the database as it was."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from authorization_world import ACCOUNTS, Matrix, RestorePoint, Things
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from assessment.db import tokens as token_rows
from assessment.db.models import utcnow
from assessment.services import tokens

API_PRINCIPALS = ("anonymous", "staff_off", "owner_read", *ACCOUNTS)
REFUSALS = (401, 403, 404)
Body = Callable[[Matrix], Any]


@dataclass(frozen=True)
class ApiTarget:
    """One object (or none) an API route is tried on: the URL values, the rightful principals' statuses, a body."""

    state: str
    values: Mapping[str, Any]
    rightful: Mapping[str, int]
    body: Body | None = None


@dataclass(frozen=True)
class Api:
    """A token endpoint: tried on each target with every API principal; the rest are refused (REFUSALS)."""

    targets: Callable[[Things], list[ApiTarget]]
    costly: bool = False
    """It renders a PDF report: only the first rightful principal of each target is asked for it."""
    headers: Mapping[str, str] = field(default_factory=dict)


def issue_tokens(matrix: Matrix) -> dict[str, str]:
    """A token for each API principal that has an account (made once; the restore point is taken again after)."""
    issued: dict[str, str] = getattr(matrix, "api_tokens", {})
    if issued:
        return issued
    owners = {**{name: (name, "read-write") for name in (*ACCOUNTS, "staff_off")}, "owner_read": ("owner", "read")}
    with matrix.session() as session:
        for name, (account, scope) in owners.items():
            secret = tokens.new_secret()
            token_rows.add_token(session, user_id=matrix.things.users[account], name="矩阵",
                                 prefix=tokens.public_prefix(secret), secret_hash=tokens.secret_hash(secret),
                                 scope=scope, created_at=utcnow(), expires_at=utcnow() + timedelta(days=1), address="")
            issued[name] = secret
    matrix.api_tokens = issued  # type: ignore[attr-defined]
    matrix.point = RestorePoint(matrix.app, matrix.point.kind)
    return issued


def send(matrix: Matrix, name: str, method: str, path: str, body: Body | None, headers: Mapping[str, str], *,
         rightful: bool) -> TestResponse:
    """One API request of a principal with its token (a fresh client: no cookies); a rightful write marks the
    world to be restored."""
    if rightful and method != "GET":
        matrix.restore_if_written()
    sent = {**headers, "Idempotency-Key": uuid.uuid4().hex}
    secret = issue_tokens(matrix).get(name)
    if secret is not None:
        sent["Authorization"] = f"Bearer {secret}"
    client: FlaskClient = matrix.app.test_client()
    response = client.open(path, method=method, headers=sent, json=body(matrix) if body else None)
    response.close()
    if rightful and method != "GET":
        matrix.written()
    return response


def state(matrix: Matrix) -> dict[str, Any]:
    """The snapshot without the tokens' last use (a refused token call may record that it was used)."""
    return {name: rows for name, rows in matrix.snapshot().items() if name != "access_tokens"}


def _empty_change(_m: Matrix) -> dict[str, Any]:
    return {"answers": {}}


def _new_share(matrix: Matrix) -> dict[str, Any]:
    return {"authority": "370102", "assessment_id": matrix.things.a_t0, "confirm": True}


def _new_draft(_m: Matrix) -> dict[str, Any]:
    return {"questionnaire": "miit-2024"}


PROVIDERS = ("admin", "staff", "other_admin", "other_staff", "withdrawn_staff")
ROLE_GATED = ("api_official.",)
"""Endpoints that say whom they are for before they look at anything (as the web's officials' pages): 403 for
every other role, an enterprise's too."""


def _invitation(_m: Matrix) -> dict[str, Any]:
    return {"note": "企业乙"}


def _client_assessments(t: Things) -> list[ApiTarget]:
    """As the web's workspace: staff of a provider the client consented to (not of the one it withdrew from)."""
    return [ApiTarget("on site", {"assessment_id": t.a_onsite}, {"admin": 200, "staff": 200}),
            ApiTarget("consent withdrawn", {"assessment_id": t.w_onsite}, {"admin": 200, "staff": 200}),
            ApiTarget("other tenant", {"assessment_id": t.b_onsite}, {"other_admin": 200, "other_staff": 200}),
            ApiTarget("ownerless draft", {"assessment_id": t.h_draft}, {})]


ENTERPRISES = {"owner": 200, "owner_read": 200, "other_owner": 200}
MATCH_ANY = {"If-Match": "*"}
API_ROUTES: dict[tuple[str, str], Api] = {
    ("api_enterprise.assessment_list", "GET"): Api(lambda t: [ApiTarget("the account's own", {}, ENTERPRISES)]),
    ("api_enterprise.assessment_start", "POST"): Api(lambda t: [
        ApiTarget("a new draft", {}, {"owner": 201, "other_owner": 201}, _new_draft)]),
    ("api_enterprise.assessment", "GET"): Api(lambda t: [
        ApiTarget("own draft", {"assessment_id": t.a_self}, {"owner": 200, "owner_read": 200}),
        ApiTarget("other tenant", {"assessment_id": t.b_sub}, {"other_owner": 200}),
        ApiTarget("ownerless draft", {"assessment_id": t.h_draft}, {})]),
    ("api_enterprise.assessment_change", "PATCH"): Api(lambda t: [
        ApiTarget("own draft", {"assessment_id": t.a_self}, {"owner": 200}, _empty_change),
        ApiTarget("other tenant submitted", {"assessment_id": t.b_sub}, {"other_owner": 409}, _empty_change),
        ApiTarget("ownerless draft", {"assessment_id": t.h_draft}, {}, _empty_change)], headers=MATCH_ANY),
    ("api_enterprise.assessment_submit", "POST"): Api(lambda t: [
        ApiTarget("own draft", {"assessment_id": t.a_self}, {"owner": 200}),
        ApiTarget("other tenant submitted", {"assessment_id": t.b_sub}, {"other_owner": 409}),
        ApiTarget("ownerless draft", {"assessment_id": t.h_draft}, {})]),
    ("api_enterprise.assessment_result", "GET"): Api(lambda t: [
        ApiTarget("submitted", {"assessment_id": t.a_t1}, {"owner": 200, "owner_read": 200}),
        ApiTarget("own draft", {"assessment_id": t.a_self}, {"owner": 409, "owner_read": 409}),
        ApiTarget("ownerless submitted", {"assessment_id": t.h_sub}, {})]),
    ("api_enterprise.share_list", "GET"): Api(lambda t: [ApiTarget("the account's own", {}, ENTERPRISES)]),
    ("api_enterprise.share_create", "POST"): Api(lambda t: [
        ApiTarget("own submitted result", {}, {"owner": 201, "other_owner": 422}, _new_share)]),
    ("api_enterprise.share_revoke", "POST"): Api(lambda t: [
        ApiTarget("own share", {"share_id": t.share_t1}, {"owner": 200})]),
    ("api_enterprise.assessment_report", "GET"): Api(lambda t: [
        ApiTarget("submitted", {"assessment_id": t.a_t1}, {"owner": 200, "owner_read": 200})], costly=True),
    # officials and providers (tests/api/test_api_official.py, test_api_provider.py)
    ("api_official.dashboard", "GET"): Api(lambda t: [
        ApiTarget("each official's jurisdiction", {}, {"official": 200, "official_elsewhere": 200})]),
    ("api_official.export", "GET"): Api(lambda t: [
        ApiTarget("each official's jurisdiction", {"kind": "csv"}, {"official": 200, "official_elsewhere": 200})]),
    ("api_provider.clients", "GET"): Api(lambda t: [ApiTarget("the provider's own", {}, dict.fromkeys(PROVIDERS, 200))]),
    ("api_provider.client", "GET"): Api(lambda t: [
        ApiTarget("a client", {"enterprise_id": t.ea}, {"admin": 200, "staff": 200}),
        ApiTarget("other tenant", {"enterprise_id": t.eb}, {"other_admin": 200, "other_staff": 200}),
        ApiTarget("nobody's client", {"enterprise_id": t.eh}, {})]),
    ("api_provider.invitations", "GET"): Api(lambda t: [
        ApiTarget("the provider's own", {}, dict.fromkeys(PROVIDERS, 200))]),
    ("api_provider.invite", "POST"): Api(lambda t: [
        ApiTarget("a new invitation", {}, dict.fromkeys(PROVIDERS, 201), _invitation)]),
    ("api_provider.assessment", "GET"): Api(_client_assessments),
    ("api_provider.evidence_list", "GET"): Api(_client_assessments),
    # a provider's writes (tests/api/test_api_provider_writes.py): on site the assessor works on the web (403, 409)
    ("api_provider.assessment_start", "POST"): Api(lambda t: [
        ApiTarget("a client", {"enterprise_id": t.ea}, {"admin": 201, "staff": 201}, _new_draft),
        ApiTarget("other tenant", {"enterprise_id": t.eb}, {"other_admin": 201, "other_staff": 201}, _new_draft),
        ApiTarget("nobody's client", {"enterprise_id": t.eh}, {}, _new_draft)]),
    ("api_provider.assessment_change", "PATCH"): Api(lambda t: [
        ApiTarget("guided draft", {"assessment_id": t.a_guided}, {"admin": 200, "staff": 200}, _empty_change),
        ApiTarget("on site", {"assessment_id": t.a_onsite}, {"admin": 403, "staff": 403}, _empty_change),
        ApiTarget("other tenant on site", {"assessment_id": t.b_onsite}, {"other_admin": 403, "other_staff": 403},
                  _empty_change),
        ApiTarget("ownerless draft", {"assessment_id": t.h_draft}, {}, _empty_change)], headers=MATCH_ANY),
    ("api_provider.assessment_submit", "POST"): Api(lambda t: [
        ApiTarget("guided draft", {"assessment_id": t.a_guided}, {"admin": 200, "staff": 200}),
        ApiTarget("on site", {"assessment_id": t.a_onsite}, {"admin": 409, "staff": 409}),
        ApiTarget("submitted", {"assessment_id": t.a_t1}, {"admin": 409, "staff": 409}),
        ApiTarget("ownerless draft", {"assessment_id": t.h_draft}, {})]),
}
