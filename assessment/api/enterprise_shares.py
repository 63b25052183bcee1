"""The enterprise's shares with authorities through the API (a token of an enterprise account): listed, made for
one submitted assessment or all of them, and revoked; the same services and door as the web's /account/shares."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, request

from assessment.api import paging
from assessment.api.access import Caller
from assessment.api.draft_writes import json_object
from assessment.api.enterprise import enterprise_caller, operation, request_body, site_lists, stamp
from assessment.api.etags import tagged, tagged_json
from assessment.api.problems import problem
from assessment.api.schemas import OpenSchema
from assessment.api.state import api_state
from assessment.domain.answers import N_, Problem
from assessment.services import security_log, shares
from assessment.services.authorization import own_enterprises
from assessment.services.records import EnterpriseLine

SHARE_ID = {"name": "share_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
NO_AUTHORITY = N_("Enter the six-digit GB/T 2260 code of a province, city or county authority.")
NOT_YOURS = N_("Choose one of your enterprises' submitted assessments, or one of your enterprises for all of them.")
UNCONFIRMED = N_("Send confirm: true to confirm that the authority's officials will see the enterprise's name and "
                 "region and the full individual results shared.")


class ShareSchema(OpenSchema):
    """A share of an enterprise's results with an authority (one assessment, or all with assessment_id null)."""

    id = ma.fields.Integer(required=True)
    enterprise_id = ma.fields.Integer(required=True)
    enterprise_name = ma.fields.String(required=True)
    authority = ma.fields.String(required=True)
    assessment_id = ma.fields.Integer(required=True, allow_none=True)
    created_at = ma.fields.String(required=True)
    revoked_at = ma.fields.String(required=True, allow_none=True)
    active = ma.fields.Boolean(required=True)


def new_share_schema() -> dict[str, Any]:
    """The body of a new share: the authority, and an assessment or an enterprise (for all its results)."""
    return {"type": "object", "required": ["authority", "confirm"], "additionalProperties": False, "properties": {
        "authority": {"type": "string", "pattern": "^[0-9]{6}$", "example": "370102"},
        "assessment_id": {"type": "integer", "minimum": 1, "description": "one submitted assessment"},
        "enterprise_id": {"type": "integer", "minimum": 1, "description": "all submitted assessments, also later"},
        "confirm": {"type": "boolean", "const": True}}}


def _document(line: Any) -> dict[str, Any]:
    return {"id": line.id, "enterprise_id": line.enterprise_id, "enterprise_name": line.enterprise_name,
            "authority": line.region_code, "assessment_id": line.assessment_id, "created_at": stamp(line.created_at),
            "revoked_at": stamp(line.revoked_at), "active": line.active}


def _owned(who: Caller) -> list[EnterpriseLine]:
    with api_state().sessions() as session:
        return own_enterprises(session, who.principal) or []


@operation("/shares", "GET", {"schema": paging.page_schema(ShareSchema)}, (422,), parameters=paging.PARAMETERS)
def share_list() -> Response:
    """The shares of the account's enterprises with authorities, current and revoked, newest first."""
    who = enterprise_caller(writes=False)
    if isinstance(who, Response):
        return who
    asked = paging.page_request()
    if isinstance(asked, Response):
        return asked
    with api_state().sessions() as session:
        lines = sorted(shares.shares_of(session, own_enterprises(session, who.principal) or []), key=lambda s: -s.id)
    shown = paging.paginate(lines, lambda s: s.id, asked)
    listed = paging.paged_json([_document(s) for s in shown.items], shown)
    return tagged(listed.get_data(), headers={k: v for k, v in listed.headers.items() if k == "Link"})


def _authority(raw: Any) -> str | None:
    """The authority's code if it is a province, a city of its own or a county."""
    regions, _industries = site_lists()
    found = regions.get(raw) if isinstance(raw, str) else None
    return None if found is None or found.grouping else str(found.code)


def _what(who: Caller, body: dict[str, Any], enterprises: list[EnterpriseLine]) -> tuple[int, int | None] | None:
    """The enterprise and the assessment (None: all) the body names, if they are the account's own and submitted."""
    owned = {e.id for e in enterprises}
    if isinstance(body.get("enterprise_id"), int) and "assessment_id" not in body:
        return (body["enterprise_id"], None) if body["enterprise_id"] in owned else None
    if not isinstance(body.get("assessment_id"), int) or "enterprise_id" in body:
        return None
    with api_state().sessions() as session:
        record = shares.own_assessment(session, who.principal, body["assessment_id"])
    if record is None or record.enterprise_id is None or record.status != "submitted":
        return None
    return record.enterprise_id, record.id


@operation("/shares", "POST", {"schema": ShareSchema}, (400, 413, 415, 422), status=201,
           requestBody=request_body("NewShare"))
def share_create() -> Response:
    """Share one submitted assessment, or all of an enterprise's, with an authority (confirm: true)."""
    who = enterprise_caller(writes=True)
    if isinstance(who, Response):
        return who
    body = json_object()
    if isinstance(body, Response):
        return body
    enterprises = _owned(who)
    chosen, authority = _what(who, body, enterprises), _authority(body.get("authority"))
    problems = [] if authority else [Problem("authority", "unknown", NO_AUTHORITY)]
    problems += [] if chosen else [Problem("assessment_id", "unknown", NOT_YOURS)]
    problems += [] if body.get("confirm") is True else [Problem("confirm", "missing", UNCONFIRMED)]
    if problems or chosen is None or authority is None:
        return problem(422, errors=problems)
    with api_state().sessions() as session:
        added = shares.share(session, enterprise_id=chosen[0], authority=authority, assessment_id=chosen[1],
                             user_id=who.principal.user_id or 0)
        if added is not None:
            security_log.record(session, security_log.CONSENT_CHANGED, user_id=who.principal.user_id,
                                actor_id=who.principal.user_id, address=request.remote_addr or "", consent=True,
                                authority=authority, share_id=added)
        session.commit()
        listed = shares.shares_of(session, enterprises)
    line = next(s for s in listed if s.active and s.enterprise_id == chosen[0] and s.region_code == authority
                and s.assessment_id == chosen[1])
    return tagged_json(_document(line), status=201 if added is not None else 200)


@operation("/shares/<int:share_id>/revoke", "POST", {"schema": ShareSchema}, (404,), parameters=[SHARE_ID])
def share_revoke(share_id: int) -> Response:
    """Revoke a share: the authority no longer sees what it covered; the record stays (revoked)."""
    who = enterprise_caller(writes=True)
    if isinstance(who, Response):
        return who
    enterprises = _owned(who)
    with api_state().sessions() as session:
        if not shares.revoke(session, share_id, enterprises):
            return problem(404)
        security_log.record(session, security_log.CONSENT_CHANGED, user_id=who.principal.user_id,
                            actor_id=who.principal.user_id, address=request.remote_addr or "", consent=False,
                            share_id=share_id)
        session.commit()
        line = next(s for s in shares.shares_of(session, enterprises) if s.id == share_id)
    return tagged_json(_document(line))

