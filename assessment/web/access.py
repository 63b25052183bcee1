"""Who may open an assessment: the browser that started or resumed it, or the account that owns it."""

from __future__ import annotations

from flask import abort, current_app, request, session
from flask_login import current_user

from assessment.db import queries
from assessment.db.queries import AssessmentRecord
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.services.providers import may_see_assessment
from assessment.web.database import db
from assessment.web.site import site
from assessment.web.tenancy import onsite_guard, principal

SESSION_KEY = "assessments"


def user_id() -> int | None:
    """The logged-in account's id, if any."""
    return int(current_user.id) if current_user.is_authenticated else None


def granted() -> list[int]:
    """Assessments this browser session may open (started or resumed here)."""
    raw = session.get(SESSION_KEY, [])
    return [int(i) for i in raw if isinstance(i, int)]


def grant(assessment_id: int) -> None:
    """Let this browser session open an assessment (newest last; the oldest fall off past the limit)."""
    limit = int(current_app.config["SESSION_LIST_LIMIT"])
    ids = [i for i in granted() if i != assessment_id] + [assessment_id]
    session[SESSION_KEY] = ids[-limit:]


def may_open(record: AssessmentRecord) -> bool:
    """Whether the current visitor may open this assessment (its enterprise and consented providers may too)."""
    if record.id in granted():  # before the account: loading the user costs more than reading the session
        return True
    uid = user_id()
    return uid is not None and (record.user_id == uid or may_see_assessment(db(), principal(), record))


def accessible(assessment_id: int) -> AssessmentRecord:
    """The assessment, if the visitor may open it; 404 otherwise (its existence is not revealed)."""
    record = queries.get_assessment(db(), assessment_id)
    if record is None or not may_open(record):
        abort(404)
    if record.mode == "onsite" and record.draft and request.method == "POST":
        onsite_guard(record)
    return record


def content_of(record: AssessmentRecord) -> tuple[Questionnaire, ScoringModel]:
    """The exact questionnaire and model versions the assessment was made with (503 if not installed)."""
    questionnaire = site().questionnaire(record.questionnaire_ref)
    model = site().model(record.model_ref)
    if questionnaire is None or model is None:
        abort(503, description="content-missing")
    return questionnaire, model
