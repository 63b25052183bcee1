"""The public endpoints (no token): questionnaires, models, score, recommend and report for an answers document."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, json, request
from flask_smorest import Blueprint

from assessment.api.access import admit
from assessment.api.problems import PROBLEM, answer_as_problems, language, problem, translate
from assessment.api.schemas import AdviceSchema, ModelSchema, ProblemSchema, QuestionnaireSchema, QuestionnaireSummarySchema, ScoreSchema
from assessment.api.state import api_state
from assessment.domain.answers import AnswersInvalid
from assessment.reporting.render import ReportError
from assessment.services import answer_documents, questionnaire_documents
from assessment.services.answer_documents import AdviceRequest

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Public endpoints: no token, rate-limited per address")
bp.before_request(admit)
answer_as_problems(bp)
View = Callable[..., Response]
ADVICE_FIELDS = frozenset({"answers", "profile", "budget", "target_level", "limit"})
BODY_PROBLEMS = (400, 413, 415, 422)
LANGUAGE = {"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "zh (default) or en"}


def endpoint(rule: str, method: str, ok: Mapping[str, Any], problems: tuple[int, ...] = (),
             **doc: Any) -> Callable[[View], View]:
    """A view of the blueprint and its OpenAPI operation: the 200 response, the problem responses (and the rate
    limit's 429) and the Accept-Language parameter."""

    def register(view: View) -> View:
        documented: Any = view
        for status in (*problems, 429):
            documented = bp.alt_response(status, schema=ProblemSchema, content_type=PROBLEM,
                                         description=f"problem details ({status})")(documented)
        parameters = [LANGUAGE, *doc.pop("parameters", [])]
        documented = bp.doc(parameters=parameters, **doc)(bp.response(200, **ok)(documented))
        bp.route(rule, methods=[method])(documented)
        return view

    return register


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), mimetype="application/json")


def _body() -> Any:
    """The JSON body: 415 unless sent as application/json, 400 if it is not JSON text."""
    if request.mimetype != "application/json":
        return problem(415)
    try:
        return json.loads(request.get_data(cache=True))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        return problem(400)


def _body_schema(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


@endpoint("/questionnaires", "GET", {"schema": QuestionnaireSummarySchema(many=True)})
def questionnaires() -> Response:
    """Every questionnaire version there is."""
    return _json(questionnaire_documents.questionnaires(api_state().library, language()))


@endpoint("/questionnaires/<questionnaire_id>", "GET", {"schema": QuestionnaireSchema}, (404,), parameters=[
    {"name": "questionnaire_id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1},
     "example": "miit-2024"},
    {"name": "version", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 50},
     "description": "a version of the questionnaire (default: the latest)"}])
def questionnaire(questionnaire_id: str) -> Response:
    """One questionnaire: sections, items with their options, rating levels and data fields, and its scenarios."""
    library = api_state().library
    versions = library.questionnaires.get(questionnaire_id, {})
    version = request.args.get("version") or None
    if not versions or (version is not None and version not in versions):
        return problem(404)
    return _json(questionnaire_documents.questionnaire_detail(library, library.questionnaire(questionnaire_id, version),
                                                              language()))


@endpoint("/models", "GET", {"schema": ModelSchema(many=True)})
def models() -> Response:
    """Every scoring model version and its levels."""
    return _json(questionnaire_documents.models(api_state().library, language()))


@endpoint("/score", "POST", {"schema": ScoreSchema}, BODY_PROBLEMS, requestBody=_body_schema("AnswersDocument"))
def score() -> Response:
    """Score an answers document (the CLI's input); nothing is stored."""
    body = _body()
    if isinstance(body, Response):
        return body
    try:
        return _json(answer_documents.score_result(api_state().library, body, language(), translate()))
    except AnswersInvalid as refused:
        return problem(422, errors=refused.problems)


def _advice_request() -> AdviceRequest | Response:
    body = _body()
    if isinstance(body, Response):
        return body
    try:
        return answer_documents.advice_request(body, ADVICE_FIELDS)
    except AnswersInvalid as refused:
        return problem(422, errors=refused.problems)


@endpoint("/recommend", "POST", {"schema": AdviceSchema}, BODY_PROBLEMS, requestBody=_body_schema("AdviceRequest"))
def recommend() -> Response:
    """Gaps, ranked 小快轻准 solutions and a costed roadmap for the answers, matched to the optional profile."""
    asked = _advice_request()
    if isinstance(asked, Response):
        return asked
    state = api_state()
    try:
        return _json(answer_documents.advice(state.library, state.catalogues(), asked, language(), translate()))
    except AnswersInvalid as refused:
        return problem(422, errors=refused.problems)


@endpoint("/report", "POST", {"content_type": "application/pdf", "description": "the assessment report (PDF)"},
          BODY_PROBLEMS, requestBody=_body_schema("AdviceRequest"))
def report() -> Response:
    """The assessment report as PDF for the answers and the optional enterprise profile; nothing is stored."""
    asked = _advice_request()
    if isinstance(asked, Response):
        return asked
    state = api_state()
    try:
        pdf = answer_documents.report_pdf(state.library, state.catalogues(), asked, language(), translate())
    except AnswersInvalid as refused:
        return problem(422, errors=refused.problems)
    except ReportError:
        return problem(500)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="assessment-report.pdf"'})

