"""The providers' endpoints (a token of provider staff or a provider admin): the clients, the invitations, the
clients' assessments and their evidence metadata, with the web's consent rule: a client that withdrew its consent
is gone from the very next request (404), as on the web's pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Response, json, request, url_for
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from assessment.api import paging
from assessment.api.access import Caller, admit, forbidden, permitted, token_caller
from assessment.api.draft_writes import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    change_draft,
    draft_change,
    json_object,
    once,
    submit_draft,
)
from assessment.api.etags import json_body, tagged, tagged_json
from assessment.api.problems import answer_as_problems, problem
from assessment.api.provider_schemas import (
    ClientDetailSchema,
    ClientSchema,
    EvidenceSchema,
    InvitationSchema,
    NewInvitationSchema,
    ProviderAssessmentSchema,
    client_assessment_body_schema,
    client_filter_parameters,
    invitation_body_schema,
)
from assessment.api.state import api_state
from assessment.api.token_endpoints import code_lists, operation
from assessment.domain.answers import N_, Problem
from assessment.services import assessments, authorization, evidence
from assessment.services import providers as tenancy
from assessment.services.providers import ClientFilter, ClientView
from assessment.services.records import AssessmentRecord, EnterpriseLine

bp = Blueprint("api_provider", __name__, url_prefix="/api/v1/provider",
               description="Provider staff and admins: clients, invitations, the clients' assessments and evidence")
bp.before_request(admit)
answer_as_problems(bp)
ID_MAX = 2**31 - 1
"""The largest id a route takes (the database's INTEGER; beyond it no route matches)."""
ENTERPRISE = {"name": "enterprise_id", "in": "path", "required": True,
              "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX}}
ASSESSMENT = {"name": "assessment_id", "in": "path", "required": True,
              "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX}}
STATUSES = ("none", "draft", "submitted")
FILTER_MAX = 12
START_FIELDS = ("questionnaire", "mode", "reuse_previous")
ONSITE_ANSWERS = N_("On site, the enterprise's own answers stay as it gave them: the assessor records validated "
                    "answers with their reasons in the web's workspace.")
ONSITE_SUBMIT = N_("An on-site assessment is submitted in the web's workspace by the assessor, after checking the "
                   "validated answers.")


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _provider(*, writes: bool = False) -> Caller | Response:
    """The token's caller if its account is staff or an admin of a provider and its scope allows the call; another
    role finds nothing here (404, as on the web's provider pages), a read token that would write gets 403."""
    who = token_caller()
    if isinstance(who, Response):
        return who
    if not authorization.has_role(who.principal, *authorization.PROVIDER_ROLES):
        return problem(404)
    return who if permitted(who, True, writes=writes) else forbidden()


def _codes(enterprise: EnterpriseLine) -> dict[str, Any]:
    regions, industries = code_lists()
    return {"id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc,
            "region": {"code": enterprise.region_code, "name": regions.full_name(enterprise.region_code)},
            "industry": {"code": enterprise.industry_code, "name": industries.name(enterprise.industry_code)}}


def _client(view: ClientView) -> dict[str, Any]:
    row = view.row
    latest = None if row.assessment_id is None else {
        "id": row.assessment_id, "status": row.status, "mode": row.mode, "questionnaire": row.questionnaire_ref,
        "updated_at": _stamp(row.updated_at)}
    return {**_codes(row.enterprise), "linked_at": _stamp(row.linked_at), "latest": latest, "level": row.level,
            "submitted_at": _stamp(row.submitted_at), "next_step": view.next_step}


def _wanted(args: Mapping[str, str]) -> ClientFilter | Response:
    """The web's client filters, each checked: a value the list cannot match is a 422 problem for its parameter."""
    typed = {k: str(args.get(k, "")).strip() for k in ("level", "status", "region", "industry")}
    regions, industries = code_lists()
    problems = []
    if typed["level"] and typed["level"] != "none" and not (typed["level"].isdigit() and len(typed["level"]) <= 2):
        problems.append(Problem("level", "invalid_filter", N_("Choose one of the listed levels.")))
    if typed["status"] and typed["status"] not in STATUSES:
        problems.append(Problem("status", "invalid_filter", N_("Choose one of the listed statuses.")))
    if typed["region"] and (len(typed["region"]) > FILTER_MAX or regions.get(typed["region"]) is None):
        problems.append(Problem("region", "invalid_filter", N_("Give a region as its six-digit GB/T 2260 code.")))
    industry = typed["industry"].upper() if typed["industry"].isalpha() else typed["industry"]
    if industry and (len(industry) > FILTER_MAX or industries.get(industry) is None):
        problems.append(Problem("industry", "invalid_filter", N_("Choose one of the listed industries.")))
    if problems:
        return problem(422, errors=problems)
    return ClientFilter(typed["level"], typed["status"], typed["region"], industry)


@operation(bp, "/clients", "GET", {"schema": paging.page_schema(ClientSchema)}, (422,),
           parameters=[*client_filter_parameters(), *paging.PARAMETERS])
def clients() -> Response:
    """The provider's clients (consent given, not withdrawn) with the web's filters, by enterprise id, a page at a
    time."""
    who = _provider()
    if isinstance(who, Response):
        return who
    wanted = _wanted(request.args)
    if isinstance(wanted, Response):
        return wanted
    asked = paging.page_request()
    if isinstance(asked, Response):
        return asked
    _regions, industries = code_lists()
    with api_state().sessions() as session:
        rows = tenancy.dashboard(session, who.principal.organisation_id or 0, wanted, industries)
    shown = paging.paginate(sorted(rows, key=lambda v: v.enterprise.id), lambda v: v.enterprise.id, asked,
                            descending=False)
    return _tagged_page([_client(v) for v in shown.items], shown)


def _tagged_page(documents: list[dict[str, Any]], shown: paging.Page[Any]) -> Response:
    """A page as paging gives it, with its ETag (304 when the caller has it)."""
    page = paging.paged_json(documents, shown)
    answer = tagged(page.get_data(), mimetype="application/json")
    if "Link" in page.headers:
        answer.headers["Link"] = page.headers["Link"]
    return answer


@operation(bp, "/clients/<int:enterprise_id>", "GET", {"schema": ClientDetailSchema}, (404,), parameters=[ENTERPRISE])
def client(enterprise_id: int) -> Response:
    """A client with its assessments (T0, T1, …); 404 for an enterprise that is not (or no longer) a client."""
    who = _provider()
    if isinstance(who, Response):
        return who
    with api_state().sessions() as session:
        enterprise = tenancy.client_of(session, who.principal, enterprise_id)
        if enterprise is None:
            return problem(404)
        row = next((r for r in tenancy.dashboard(session, who.principal.organisation_id or 0, ClientFilter(),
                                                 code_lists()[1]) if r.enterprise.id == enterprise_id), None)
        history = tenancy.client_history(session, enterprise_id)
    if row is None:
        return problem(404)
    return tagged_json({**_client(row), "assessments": [
        {"id": a.id, "questionnaire": a.questionnaire_ref, "model": a.model_ref, "status": a.status, "mode": a.mode,
         "created_at": _stamp(a.created_at), "submitted_at": _stamp(a.submitted_at), "level": a.level,
         "score": None if a.total is None else float(a.total)} for a in history]})


def _invitation(link: Any) -> dict[str, Any]:
    return {"id": link.id, "note": link.note, "status": link.status, "enterprise_id": link.enterprise_id,
            "enterprise_name": link.enterprise_name, "created_at": _stamp(link.created_at),
            "expires_at": _stamp(link.expires_at), "accepted_at": _stamp(link.accepted_at),
            "revoked_at": _stamp(link.revoked_at)}


@operation(bp, "/invitations", "GET", {"schema": paging.page_schema(InvitationSchema)}, (422,),
           parameters=paging.PARAMETERS)
def invitations() -> Response:
    """The provider's invitations and their state, newest first, a page at a time."""
    who = _provider()
    if isinstance(who, Response):
        return who
    asked = paging.page_request()
    if isinstance(asked, Response):
        return asked
    with api_state().sessions() as session:
        links = sorted(tenancy.invitations(session, who.principal.organisation_id or 0), key=lambda link: -link.id)
    shown = paging.paginate(links, lambda link: link.id, asked)
    return _tagged_page([_invitation(link) for link in shown.items], shown)


def _note() -> str | Response:
    """The new invitation's note from the JSON body (as the web's form: required, at most 200 characters)."""
    if request.mimetype != "application/json":
        return problem(415)
    try:
        body = json.loads(request.get_data(cache=True))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return problem(400)
    note = body.get("note") if isinstance(body, dict) else None
    extra = sorted(set(body) - {"note"}) if isinstance(body, dict) else []
    problems = [Problem(name, "unknown_field", N_("Unknown field {field}."), {"field": name}) for name in extra]
    if not isinstance(note, str) or not note.strip():
        problems.append(Problem("note", "missing", N_("Say whom you invite")))
    elif len(note) > 200:
        problems.append(Problem("note", "too_long", N_("At most 200 characters")))
    return problem(422, errors=problems) if problems else str(note)


@operation(bp, "/invitations", "POST", {"schema": NewInvitationSchema}, (400, 413, 415, 422), status=201,
           requestBody={"required": True, "content": {"application/json": {"schema": invitation_body_schema()}}})
def invite() -> Response:
    """A new invitation (a read-write token): its link, shown this once, for the enterprise to accept."""
    who = _provider(writes=True)
    if isinstance(who, Response):
        return who
    note = _note()
    if isinstance(note, Response):
        return note
    with api_state().sessions() as session:
        secret = tenancy.invite(session, who.principal, note)
        session.commit()
    expires = datetime.now(UTC) + tenancy.INVITATION_LIFETIME
    return Response(json_body({"link": url_for("account.invitation", token=secret, _external=True),
                               "expires_at": expires.isoformat()}), status=201, mimetype="application/json",
                    headers={"Cache-Control": "no-store"})


def _assessment(session: Session, who: Caller, assessment_id: int) -> AssessmentRecord | None:
    """The assessment if the provider may open it as on the web (its client's, consent given and not withdrawn)."""
    record = assessments.find(session, assessment_id)
    if record is None or not authorization.may_use_workspace(session, who.principal, record):
        return None
    return record


def _stored(_session: Session, record: AssessmentRecord) -> dict[str, Any]:
    """A client's assessment as the provider endpoints show it (its ETag is what a change names in If-Match)."""
    return {
        "id": record.id, "enterprise_id": record.enterprise_id, "questionnaire": record.questionnaire_id,
        "questionnaire_version": record.questionnaire_version, "model": record.model_ref, "status": record.status,
        "mode": record.mode, "version": record.version, "answers": dict(record.answers), "data": dict(record.data),
        "created_at": _stamp(record.created_at), "updated_at": _stamp(record.updated_at),
        "submitted_at": _stamp(record.submitted_at), "level": record.level,
        "score": None if record.total is None else float(record.total)}


@operation(bp, "/assessments/<int:assessment_id>", "GET", {"schema": ProviderAssessmentSchema}, (404,),
           parameters=[ASSESSMENT])
def assessment(assessment_id: int) -> Response:
    """A client's assessment as stored; 404 for anything else, and from the moment the client withdraws consent."""
    who = _provider()
    if isinstance(who, Response):
        return who
    with api_state().sessions() as session:
        record = _assessment(session, who, assessment_id)
        if record is None:
            return problem(404)
        return tagged_json(_stored(session, record))


@operation(bp, "/assessments/<int:assessment_id>/evidence", "GET", {"schema": EvidenceSchema}, (404,),
           parameters=[ASSESSMENT])
def evidence_list(assessment_id: int) -> Response:
    """The evidence of a client's assessment: each file's name, type, size, hash and date, and the notes."""
    who = _provider()
    if isinstance(who, Response):
        return who
    with api_state().sessions() as session:
        record = _assessment(session, who, assessment_id)
        if record is None:
            return problem(404)
        files = evidence.files(session, record.id)
        notes = evidence.evidence_notes(session, record)
    return tagged_json({"files": [
        {"id": f.id, "item": f.item_id, "filename": f.filename, "content_type": f.content_type, "size": f.size,
         "sha256": f.sha256, "uploaded_at": _stamp(f.uploaded_at)} for f in files], "notes": notes})



# --- the clients' guided assessments, written as the enterprise endpoints write their own --------------------

def _location(record: AssessmentRecord) -> str:
    return url_for("api_provider.assessment", assessment_id=record.id)


def _new_draft(body: dict[str, Any]) -> tuple[str, str, bool] | Response:
    """The questionnaire, mode and reuse a start asks for, each checked as the web's form checks it (422 per field)."""
    qid, mode, reuse = body.get("questionnaire"), body.get("mode", "guided"), body.get("reuse_previous", True)
    problems = [Problem(str(name)[:100], "unknown_field", N_("Unknown field {field}."), {"field": str(name)[:100]})
                for name in sorted(set(body) - set(START_FIELDS), key=str)]
    if not isinstance(qid, str) or qid not in api_state().library.questionnaires:
        problems.append(Problem("questionnaire", "unknown", N_("Choose one of the questionnaires listed.")))
    if mode not in tenancy.GUIDED_MODES:
        problems.append(Problem("mode", "unknown", N_("Choose guided or on-site.")))
    if not isinstance(reuse, bool):
        problems.append(Problem("reuse_previous", "type", N_("Send {field} as true or false."),
                                {"field": "reuse_previous"}))
    return problem(422, errors=problems) if problems else (str(qid), str(mode), bool(reuse))


@operation(bp, "/clients/<int:enterprise_id>/assessments", "POST", {"schema": ProviderAssessmentSchema},
           (400, 404, 413, 415, 422), status=201, parameters=[ENTERPRISE],
           requestBody={"required": True, "content": {"application/json": {"schema": client_assessment_body_schema()}}})
def assessment_start(enterprise_id: int) -> Response:
    """Start a guided or on-site draft for a client, led by the token's staff member (a read-write token), as the
    web's client page does; from the client's previous submitted answers unless `reuse_previous` is false."""
    who = _provider(writes=True)
    if isinstance(who, Response):
        return who
    body = json_object()
    library = api_state().library
    with api_state().sessions() as session:
        if tenancy.client_of(session, who.principal, enterprise_id) is None:
            return problem(404)
        asked = body if isinstance(body, Response) else _new_draft(body)
        if isinstance(asked, Response):
            return asked
        qid, mode, reuse = asked
        started = tenancy.start_for_client(session, who.principal, enterprise_id, library.questionnaire(qid),
                                           library.default_model(qid), mode, reuse_previous=reuse)
        document = _stored(session, started.record)
        session.commit()
    return tagged_json(document, status=201, headers={"Location": _location(started.record)})


@operation(bp, "/assessments/<int:assessment_id>", "PATCH", {"schema": ProviderAssessmentSchema},
           (400, 404, 405, 409, 412, 413, 415, 422, 428), parameters=[ASSESSMENT, IF_MATCH],
           requestBody={"required": True, "content": {"application/json": {
               "schema": {"$ref": "#/components/schemas/DraftChange"}}}})
def assessment_change(assessment_id: int) -> Response:
    """Change a client's guided draft (answers, figures, profile) against the version in If-Match: all or nothing.
    On site the enterprise's own answers are not the assessor's to change (403): validate them on the web. (An id
    beyond ID_MAX matches the GET's rule only: 405.)"""
    who = _provider(writes=True)
    if isinstance(who, Response):
        return who
    body = json_object()
    if isinstance(body, Response):
        return body
    change = draft_change(body)
    if isinstance(change, Response):
        return change
    with api_state().sessions() as session:
        record = _assessment(session, who, assessment_id)
        if record is None:
            return problem(404)
        if record.draft and not authorization.may_edit_answers(who.principal, record):
            return problem(403, errors=[Problem(None, "onsite", ONSITE_ANSWERS)])
        return change_draft(session, record, change, _stored)


@operation(bp, "/assessments/<int:assessment_id>/submit", "POST", {"schema": ProviderAssessmentSchema},
           (404, 409, 412, 413, 422), parameters=[ASSESSMENT, IDEMPOTENCY_KEY, {**IF_MATCH, "required": False}])
def assessment_submit(assessment_id: int) -> Response:
    """Score and freeze a client's guided draft, once per Idempotency-Key (the same key and request replay the first
    answer). An on-site draft is submitted on the web, after the assessor validated the answers (409)."""
    who = _provider(writes=True)
    if isinstance(who, Response):
        return who

    def carry_out(session: Session) -> Response:
        record = _assessment(session, who, assessment_id)
        if record is None:
            return problem(404)
        if record.draft and record.mode == "onsite":
            return problem(409, errors=[Problem(None, "onsite", ONSITE_SUBMIT)])
        return submit_draft(session, record, _stored, _location(record))

    return once(who, carry_out)
