"""The web's side of the door (services/authorization.py): thin wrappers that turn a refusal into a 404 (the object's
existence is not revealed), and this browser's memory of the drafts a visitor without an account works on."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort, current_app, request, session
from flask_login import current_user

from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.services import assessments, authorization
from assessment.services.records import AssessmentRecord
from assessment.web.database import db
from assessment.web.site import site
from assessment.web.tenancy import onsite_guard, principal, refuse

SESSION_KEY = "drafts"
"""The session's list of [assessment id, secret] pairs: which drafts this browser works on, newest last."""


def user_id() -> int | None:
    """The logged-in account's id, if any."""
    return int(current_user.id) if current_user.is_authenticated else None


def held() -> dict[int, str]:
    """The drafts this browser session remembers, with the secrets their resume links gave (they grant nothing by
    themselves: the door compares each with the draft's current link)."""
    raw = session.get(SESSION_KEY, [])
    found: dict[int, str] = {}
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int) and isinstance(entry[1], str):
            found[entry[0]] = entry[1]
    return found


def granted() -> list[int]:
    """The ids of the drafts this browser session remembers (to list them; opening one asks the door)."""
    return list(held())


def remember(assessment_id: int, token: str) -> None:
    """Remember that this browser works on a draft, with the secret its new or just used resume link gives (newest
    last; the oldest fall off past SESSION_LIST_LIMIT)."""
    limit = int(current_app.config["SESSION_LIST_LIMIT"])
    entries = [[i, s] for i, s in held().items() if i != assessment_id]
    entries.append([assessment_id, authorization.secret_of_token(token)])
    session[SESSION_KEY] = entries[-limit:]


def forget(assessment_ids: Iterable[int]) -> None:
    """Stop remembering these drafts in this browser."""
    gone = set(assessment_ids)
    if gone:
        session[SESSION_KEY] = [[i, s] for i, s in held().items() if i not in gone]


def claim_drafts(account_id: int) -> list[int]:
    """Move the ownerless drafts this browser really holds into the account (each gets a new resume link)."""
    moved = authorization.claim_held(db(), held(), account_id)
    forget(moved)
    return moved


def listed() -> list[int]:
    """The ownerless drafts this browser may list: those whose secret still matches (a visitor without account)."""
    return authorization.held_assessments(db(), held()) if user_id() is None else []


def may_open(record: AssessmentRecord) -> bool:
    """Whether the current visitor may open this assessment (asked at the door)."""
    return authorization.may_open_assessment(db(), principal(), record, held().get(record.id))


def accessible(assessment_id: int) -> AssessmentRecord:
    """The assessment, if the visitor may open it; 404 otherwise (its existence is not revealed)."""
    record = assessments.find(db(), assessment_id)
    if record is None or not may_open(record):
        refuse("assessment", assessment_id)
    if record.mode == "onsite" and record.draft and request.method == "POST":
        onsite_guard(record)
    return record


def owner_side(record: AssessmentRecord) -> bool:
    """Whether the visitor is the assessment's enterprise side (its resume link, a re-assessment)."""
    return authorization.owns_assessment(db(), principal(), record, held().get(record.id))


def owned(assessment_id: int) -> AssessmentRecord:
    """The assessment, if the visitor is its enterprise side (resume link, re-assessment); 404 otherwise."""
    record = accessible(assessment_id)
    if not owner_side(record):
        refuse("assessment", assessment_id)
    return record


def workspace_record(assessment_id: int) -> AssessmentRecord:
    """The assessment, for an account that may open it (the workspace, evidence, respondents, audit trail)."""
    record = assessments.find(db(), assessment_id)
    if record is None or not authorization.may_use_workspace(db(), principal(), record):
        refuse("workspace", assessment_id)
    return record


def content_of(record: AssessmentRecord) -> tuple[Questionnaire, ScoringModel]:
    """The exact questionnaire and model versions the assessment was made with (503 if not installed)."""
    questionnaire = site().questionnaire(record.questionnaire_ref)
    model = site().model(record.model_ref)
    if questionnaire is None or model is None:
        abort(503, description="content-missing")
    return questionnaire, model
