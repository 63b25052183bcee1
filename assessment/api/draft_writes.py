"""Writing a draft through the API, the same for every side that may (an enterprise its own, a provider its
client's): the JSON body, a change against the version in If-Match (412 on conflict, 428 without, 422 per item), and
a submission under an Idempotency-Key (the same key and request replay the first answer, another request is
refused). The adapters decide at the door who may; this module only carries out what they allowed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Response, json, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.api.access import Caller
from assessment.api.etags import json_body, precondition, tagged, tagged_json
from assessment.api.problems import problem
from assessment.api.state import api_state
from assessment.api.token_endpoints import code_lists
from assessment.domain.answers import N_, Problem
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.services import assessments, idempotent_requests
from assessment.services.assessments import Incomplete, VersionConflict
from assessment.services.draft_updates import DraftChange, update_draft
from assessment.services.records import AssessmentRecord

Document = Callable[[Session, AssessmentRecord], dict[str, Any]]
"""How the adapter shows an assessment: its ETag is what If-Match names."""
CHANGE_PARTS = ("answers", "data", "profile")
IF_MATCH = {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string", "maxLength": 200},
            "description": "the ETag of the assessment as read"}
IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": True,
                   "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                   "description": "a new key for each submission; the same key again replays the first answer"}
SUBMITTED = N_("The assessment is submitted and can no longer be changed.")
KEY_NEEDED = N_("Send an Idempotency-Key header: up to 255 printable ASCII characters, new for each submission.")
KEY_REUSED = N_("This Idempotency-Key was used for another request. Use a new key for a new request.")


def json_object() -> dict[str, Any] | Response:
    """The JSON object body: 415, 400 or 422 (not an object) as problems."""
    if request.mimetype != "application/json":
        return problem(415)
    try:
        body = json.loads(request.get_data(cache=True))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return problem(400)
    if not isinstance(body, dict):
        return problem(422, errors=[Problem(None, "type", N_("Send the body as a JSON object."))])
    return body


def content_of(record: AssessmentRecord) -> tuple[Questionnaire, ScoringModel] | None:
    """The exact questionnaire and model versions the assessment was made with, if installed."""
    library = api_state().library
    qid, _, qversion = record.questionnaire_ref.partition("@")
    mid, _, mversion = record.model_ref.partition("@")
    questionnaire = library.questionnaires.get(qid, {}).get(qversion)
    model = library.models.get(mid, {}).get(mversion)
    return None if questionnaire is None or model is None else (questionnaire, model)


def draft_change(body: dict[str, Any]) -> DraftChange | Response:
    """The change a body asks for; 422 for a part that is not an object."""
    wrong: list[str] = [key for key in CHANGE_PARTS if key in body and not isinstance(body[key], dict)]
    wrong += [str(key)[:100] for key in body if key not in CHANGE_PARTS]
    if wrong:
        return problem(422, errors=[Problem(key, "type", N_("Send {field} as a JSON object."), {"field": key})
                                    for key in wrong])
    return DraftChange(body.get("answers") or {}, body.get("data") or {}, body.get("profile"))


def change_draft(session: Session, record: AssessmentRecord, change: DraftChange, document: Document) -> Response:
    """Save the change against the version If-Match names, all or nothing (committed only when it all holds)."""
    refused = precondition(json_body(document(session, record)))
    if refused is not None:
        return refused
    content = content_of(record)
    if not record.draft or content is None:
        return problem(409, errors=[Problem(None, "submitted", SUBMITTED)])
    regions, industries = code_lists()
    try:
        updated = update_draft(session, content[0], record.id, change, record.version, regions, industries)
    except VersionConflict:
        session.rollback()
        return problem(412)
    if updated.problems:
        session.rollback()
        return problem(422, errors=updated.problems)
    shown = document(session, updated.record)
    session.commit()
    return tagged_json(shown)


def submit_draft(session: Session, record: AssessmentRecord, document: Document, location: str) -> Response:
    """Submit the draft (all answered, the profile filled in) or say what is missing; nothing is committed here."""
    content = content_of(record)
    if not record.draft or content is None:
        return problem(409, errors=[Problem(None, "submitted", SUBMITTED)])
    refused = precondition(json_body(document(session, record))) if "If-Match" in request.headers else None
    if refused is not None:
        return refused
    try:
        frozen, _card = assessments.submit(session, content[0], content[1], record.id, record.version)
    except Incomplete as missing:
        return problem(422, errors=missing.problems)
    except VersionConflict:
        return problem(412)
    return tagged_json(document(session, frozen), headers={"Location": location})


def _replayed(status: int, body: str) -> Response:
    response = tagged(body.encode("utf-8"), status=status)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def once(who: Caller, carry_out: Callable[[Session], Response]) -> Response:
    """Carry the request out once per Idempotency-Key: a stored answer is replayed, a key of another request is a
    422; only a 200 is kept (with the work it answers, in one commit)."""
    key = request.headers.get("Idempotency-Key")
    if not idempotent_requests.usable_key(key):
        return problem(422, errors=[Problem("Idempotency-Key", "missing", KEY_NEEDED)])
    assert key is not None and who.principal.user_id is not None
    user_id = who.principal.user_id
    print_ = idempotent_requests.fingerprint(request.method.encode(), request.path.encode(),
                                             request.headers.get("If-Match", "").encode(), request.get_data())
    with api_state().sessions() as session:
        seen = idempotent_requests.replay(session, user_id, key, print_)
        if seen.clash:
            return problem(422, errors=[Problem("Idempotency-Key", "reused", KEY_REUSED)])
        if seen.answer is not None:
            return _replayed(seen.answer.status, seen.answer.body)
        answer = carry_out(session)
        if answer.status_code != 200:
            session.rollback()
            return answer
        idempotent_requests.remember(session, user_id, key, print_, 200, answer.get_data(as_text=True),
                                     datetime.now(UTC))
        try:
            session.commit()
        except IntegrityError:  # the same key was stored by a request running at the same time: answer as it did
            session.rollback()
            again = idempotent_requests.replay(session, user_id, key, print_)
            if again.answer is None:
                return problem(422, errors=[Problem("Idempotency-Key", "reused", KEY_REUSED)])
            return _replayed(again.answer.status, again.answer.body)
    return answer
