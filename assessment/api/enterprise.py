"""The enterprise endpoints (a token of an enterprise account): its assessments listed, started, read, changed with
If-Match, submitted with an Idempotency-Key, their results and PDF reports.

Every decision is the door's (`services/authorization.py`): an account that is not an enterprise's gets 403, another
account's assessment is a 404 (its existence is not revealed), and a read token never writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, url_for
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from assessment.api import paging
from assessment.api.access import Caller, admit, forbidden, permitted, token_caller
from assessment.api.draft_writes import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    change_draft,
    content_of,
    draft_change,
    json_object,
    once,
    submit_draft,
)
from assessment.api.enterprise_schemas import AssessmentLineSchema, AssessmentSchema
from assessment.api.etags import tagged, tagged_json
from assessment.api.problems import PROBLEM, answer_as_problems, language, problem, translate
from assessment.api.schemas import ProblemSchema, ScoreSchema
from assessment.api.state import api_state
from assessment.domain.answers import N_, AnswersInvalid, Problem
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.reporting.render import ReportError
from assessment.services import answer_documents, assessments, authorization
from assessment.services.records import AssessmentRecord
from assessment.services.scoring import scorecard_document

bp = Blueprint("api_enterprise", __name__, url_prefix="/api/v1",
               description="Enterprises: their assessments and shares, with a personal access token")
bp.before_request(admit)
answer_as_problems(bp)
View = Callable[..., Response]
TOKEN: list[dict[str, list[str]]] = [{"token": []}]
ID = {"name": "assessment_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
LANGUAGE = {"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "zh (default) or en"}
NOT_SUBMITTED = N_("The assessment is not submitted yet: submit it first.")


def operation(rule: str, method: str, ok: Mapping[str, Any], problems: tuple[int, ...] = (),
              **doc: Any) -> Callable[[View], View]:
    """A view of the blueprint and its OpenAPI operation with the token, its problem responses (401, 403 and the
    rate limit's 429 always) and the Accept-Language parameter."""

    def register(view: View) -> View:
        documented: Any = view
        for status in (*problems, 401, 403, 429):
            documented = bp.alt_response(status, schema=ProblemSchema, content_type=PROBLEM,
                                         description=f"problem details ({status})")(documented)
        if method == "GET":
            documented = bp.alt_response(304, description="not modified (If-None-Match)")(documented)
        parameters = [LANGUAGE, *doc.pop("parameters", [])]
        status = doc.pop("status", 200)
        documented = bp.doc(parameters=parameters, security=TOKEN, **doc)(bp.response(status, **ok)(documented))
        bp.route(rule, methods=[method])(documented)
        return view

    return register


def request_body(schema: str) -> dict[str, Any]:
    """The OpenAPI request body of a JSON object of this component schema."""
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def enterprise_caller(writes: bool) -> Caller | Response:
    """The token's caller if its account is an enterprise's and its scope allows the call; else 401 or 403."""
    who = token_caller()
    if isinstance(who, Response):
        return who
    allowed = authorization.has_role(who.principal, "enterprise")
    return who if permitted(who, allowed, writes=writes) else forbidden()


def _own(session: Session, who: Caller, assessment_id: int) -> AssessmentRecord | None:
    """The assessment if the caller's account is its enterprise side; None (a 404) for anyone else's."""
    record = assessments.find(session, assessment_id)
    if record is None or not authorization.owns_assessment(session, who.principal, record):
        return None
    return record


def stamp(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC (None stays None)."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _document(session: Session, record: AssessmentRecord) -> dict[str, Any]:
    """The assessment as the API shows it (no translated text: the same in every language)."""
    profile = assessments.enterprise_profile(session, record.enterprise_id)
    content = content_of(record)
    progress = None
    if content is not None and record.draft:
        done = assessments.completion(content[0], assessments.draft_answers(content[0], record))
        progress = {"answered": done.answered, "total": done.total, "missing": list(done.missing)}
    qid, _, qversion = record.questionnaire_ref.partition("@")
    return {
        "id": record.id, "questionnaire": qid, "questionnaire_version": qversion, "model": record.model_ref,
        "status": record.status, "mode": record.mode, "version": record.version, "answers": dict(record.answers),
        "data": dict(record.data), "profile": assessments.profile_document(profile) if profile else None,
        "completion": progress, "created_at": stamp(record.created_at), "updated_at": stamp(record.updated_at),
        "submitted_at": stamp(record.submitted_at), "level": record.level,
    }


def _line(summary: Any) -> dict[str, Any]:
    qid, _, qversion = summary.questionnaire_ref.partition("@")
    return {"id": summary.id, "questionnaire": qid, "questionnaire_version": qversion, "model": summary.model_ref,
            "status": summary.status, "mode": summary.mode, "enterprise_name": summary.enterprise_name,
            "updated_at": stamp(summary.updated_at), "submitted_at": stamp(summary.submitted_at),
            "level": summary.level, "score": None if summary.total is None else float(summary.total)}


def _location(record: AssessmentRecord) -> str:
    return url_for("api_enterprise.assessment", assessment_id=record.id)


@operation("/assessments", "GET", {"schema": paging.page_schema(AssessmentLineSchema)}, (422,),
           parameters=paging.PARAMETERS)
def assessment_list() -> Response:
    """The account's own assessments, newest first, a page at a time."""
    who = enterprise_caller(writes=False)
    if isinstance(who, Response):
        return who
    asked = paging.page_request()
    if isinstance(asked, Response):
        return asked
    with api_state().sessions() as session:
        lines = sorted(assessments.listed_for(session, user_id=who.principal.user_id), key=lambda a: -a.id)
    shown = paging.paginate(lines, lambda a: a.id, asked)
    listed = paging.paged_json([_line(a) for a in shown.items], shown)
    return tagged(listed.get_data(), headers={k: v for k, v in listed.headers.items() if k == "Link"})


@operation("/assessments", "POST", {"schema": AssessmentSchema}, (400, 413, 415, 422), status=201,
           requestBody=request_body("NewAssessment"))
def assessment_start() -> Response:
    """Start a draft of a questionnaire (its latest version and default scoring model)."""
    who = enterprise_caller(writes=True)
    if isinstance(who, Response):
        return who
    body = json_object()
    if isinstance(body, Response):
        return body
    library = api_state().library
    qid = body.get("questionnaire")
    if set(body) - {"questionnaire"} or not isinstance(qid, str) or qid not in library.questionnaires:
        return problem(422, errors=[Problem("questionnaire", "unknown", N_(
            "There is no questionnaire {questionnaire}; there are: {known}."),
            {"questionnaire": str(qid)[:100], "known": ", ".join(sorted(library.questionnaires))})])
    with api_state().sessions() as session:
        started = assessments.start(session, library.questionnaire(qid), library.default_model(qid),
                                    user_id=who.principal.user_id)
        document = _document(session, started.record)
        session.commit()
    return tagged_json(document, status=201, headers={"Location": _location(started.record)})


@operation("/assessments/<int:assessment_id>", "GET", {"schema": AssessmentSchema}, (404,), parameters=[ID])
def assessment(assessment_id: int) -> Response:
    """One assessment: answers, figures, profile, status and version; its ETag is what a change sends in If-Match."""
    who = enterprise_caller(writes=False)
    if isinstance(who, Response):
        return who
    with api_state().sessions() as session:
        record = _own(session, who, assessment_id)
        if record is None:
            return problem(404)
        return tagged_json(_document(session, record))



def site_lists() -> tuple[Any, Any]:
    """The region and industry lists the site loaded (the web's profile checks use the same)."""
    loaded = current_app.extensions["assessment"]
    lang = language()
    return loaded.region_list.in_language(lang), loaded.industry_list.in_language(lang)


@operation("/assessments/<int:assessment_id>", "PATCH", {"schema": AssessmentSchema},
           (400, 404, 409, 412, 413, 415, 422, 428), parameters=[ID, IF_MATCH], requestBody=request_body("DraftChange"))
def assessment_change(assessment_id: int) -> Response:
    """Change a draft's answers, figures or profile against the version in If-Match: all or nothing."""
    who = enterprise_caller(writes=True)
    if isinstance(who, Response):
        return who
    body = json_object()
    if isinstance(body, Response):
        return body
    change = draft_change(body)
    if isinstance(change, Response):
        return change
    with api_state().sessions() as session:
        record = _own(session, who, assessment_id)
        if record is None:
            return problem(404)
        return change_draft(session, record, change, _document)


@operation("/assessments/<int:assessment_id>/submit", "POST", {"schema": AssessmentSchema},
           (404, 409, 412, 413, 422), parameters=[ID, IDEMPOTENCY_KEY, {**IF_MATCH, "required": False}])
def assessment_submit(assessment_id: int) -> Response:
    """Score and freeze a draft. The same Idempotency-Key with the same request again gets the first answer and
    submits nothing; with another request it is refused."""
    who = enterprise_caller(writes=True)
    if isinstance(who, Response):
        return who

    def carry_out(session: Session) -> Response:
        record = _own(session, who, assessment_id)
        if record is None:
            return problem(404)
        return submit_draft(session, record, _document, _location(record))

    return once(who, carry_out)


def _frozen(session: Session, who: Caller, assessment_id: int,
            ) -> tuple[AssessmentRecord, Questionnaire, ScoringModel] | Response:
    """The caller's submitted assessment with its content; 404 for anyone else's, 409 for a draft."""
    record = _own(session, who, assessment_id)
    if record is None:
        return problem(404)
    content = content_of(record)
    if record.draft or content is None:
        return problem(409, errors=[Problem(None, "not_submitted", NOT_SUBMITTED)])
    return record, content[0], content[1]


@operation("/assessments/<int:assessment_id>/result", "GET", {"schema": ScoreSchema}, (404, 409), parameters=[ID])
def assessment_result(assessment_id: int) -> Response:
    """The result of a submitted assessment: the same score object as the public /score."""
    who = enterprise_caller(writes=False)
    if isinstance(who, Response):
        return who
    with api_state().sessions() as session:
        found = _frozen(session, who, assessment_id)
    if isinstance(found, Response):
        return found
    record, questionnaire, model = found
    _answers, card = assessments.result(questionnaire, model, record)
    return tagged_json(scorecard_document(card, questionnaire, model, language(), translate()))


def _report_request(record: AssessmentRecord) -> answer_documents.AdviceRequest:
    """The report's request: the frozen answers and the profile frozen with the result."""
    frozen = (record.scorecard or {}).get("profile") or {}
    qid, _, qversion = record.questionnaire_ref.partition("@")
    document = {"questionnaire": qid, "version": qversion, "model": record.model_ref.partition("@")[0],
                "answers": dict(record.answers), "data": dict(record.data)}
    profile = {"name": frozen.get("name"), "uscc": frozen.get("uscc"), "region": frozen.get("region_code"),
               "industry": frozen.get("industry_code"), "size_class": frozen.get("size_class")}
    body = {"answers": document, "profile": {k: str(v) for k, v in profile.items() if v}}
    return answer_documents.advice_request(body, frozenset(body))


@operation("/assessments/<int:assessment_id>/report", "GET",
           {"content_type": "application/pdf", "description": "the assessment report (PDF)"}, (404, 409),
           parameters=[ID])
def assessment_report(assessment_id: int) -> Response:
    """The PDF report of a submitted assessment, in the caller's language."""
    who = enterprise_caller(writes=False)
    if isinstance(who, Response):
        return who
    with api_state().sessions() as session:
        found = _frozen(session, who, assessment_id)
    if isinstance(found, Response):
        return found
    state = api_state()
    try:
        pdf = answer_documents.report_pdf(state.library, state.catalogues(), _report_request(found[0]), language(),
                                          translate())
    except (AnswersInvalid, ReportError):
        return problem(500)
    return tagged(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="assessment-{assessment_id}.pdf"'})
