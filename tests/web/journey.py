"""A browser walking through the SME self-assessment with the test client: start, profile, steps, submit."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from assessment.content.loader import load_library
from assessment.db import queries
from assessment.db.queries import AssessmentRecord
from assessment.domain.enterprise import EnterpriseProfile, uscc_check_character
from assessment.domain.questionnaire import Questionnaire
from assessment.web.app import create_app
from assessment.web.site import site
from assessment.web.tenancy import MAIL, signed_in_state

WORKED_EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "miit-2024-worked-example.json"
USCC = "91110108MA01B2C3X" + uscc_check_character("91110108MA01B2C3X")
OTHER_USCC = "91310115MA1K4L5M6" + uscc_check_character("91310115MA1K4L5M6")

PROFILE = {
    "name": "北京精工机械有限公司",
    "uscc": USCC,
    "province": "110000",
    "city": "110100",
    "county": "110108",
    "section": "C",
    "division": "34",
    "employees": "120",
    "revenue_10k_cny": "8000",
    "zhuanjingtexin": "none",
    "contact_name": "",
    "contact_email": "",
    "contact_phone": "",
}


def worked_example() -> dict[str, Any]:
    """The MIIT worked example's answers document (tests/fixtures)."""
    document: dict[str, Any] = json.loads(WORKED_EXAMPLE.read_text(encoding="utf-8"))
    return document


def step_form(questionnaire: Questionnaire, section_id: str, answers: Mapping[str, Any],
              data: Mapping[str, Any]) -> dict[str, Any]:
    """The form a browser posts for one wizard step, from answers-document values."""
    section = next(s for s in questionnaire.sections if s.id == section_id)
    form: dict[str, Any] = {}
    for item in section.items:
        value = answers.get(item.id)
        if item.type == "grid" and isinstance(value, dict):
            for row, cell in value.items():
                form[f"{item.id}-{row}"] = [str(c) for c in cell] if isinstance(cell, list) else str(cell)
        elif isinstance(value, list):
            form[item.id] = [str(v) for v in value]
        elif value is not None:
            form[item.id] = str(value)
        for spec in item.fields:
            if spec.id in data:
                form[f"{item.id}-{spec.id}"] = str(data[spec.id])
    return form


class Journey:
    """One browser going through the assessment: start, profile, steps, review, submit."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.app: Flask = client.application
        self.tokens: dict[int, str] = {}

    def questionnaire(self, qid: str = "miit-2024") -> Questionnaire:
        """The latest version of a shipped questionnaire."""
        return site(self.app).library.questionnaire(qid)

    def record(self, assessment_id: int) -> AssessmentRecord:
        """The assessment as stored now."""
        with site(self.app).sessions() as session:
            found = queries.get_assessment(session, assessment_id)
        assert found is not None
        return found

    def profile(self, assessment_id: int) -> EnterpriseProfile | None:
        """The assessment's stored enterprise profile."""
        record = self.record(assessment_id)
        if record.enterprise_id is None:
            return None
        with site(self.app).sessions() as session:
            return queries.get_profile(session, record.enterprise_id)

    def start(self, qid: str = "miit-2024") -> int:
        """Start an assessment and read its resume link (shown once); the new assessment's id."""
        response = self.client.post("/assess/start", data={"questionnaire": qid})
        assert response.status_code == 303, response.text
        match = re.fullmatch(r"/assess/(\d+)/link", response.headers["Location"])
        assert match is not None
        assessment_id = int(match[1])
        page = self.client.get(response.headers["Location"])
        token = re.search(r'id="resume-link"[^>]*value="https?://[^"]+/resume/([^"]+)"', page.text)
        assert token is not None, page.text
        self.tokens[assessment_id] = token[1]
        return assessment_id

    def fill_profile(self, assessment_id: int, **changes: Any) -> TestResponse:
        """Post the enterprise profile (a valid one, with any field changed)."""
        form = {**PROFILE, "version": str(self.record(assessment_id).version), "action": "next", **changes}
        return self.client.post(f"/assess/{assessment_id}/profile", data=form)

    def answer(self, assessment_id: int, section_id: str, answers: Mapping[str, Any],
               data: Mapping[str, Any] | None = None, *, action: str = "next", version: int | None = None,
               qid: str = "miit-2024", extra: Mapping[str, Any] | None = None) -> TestResponse:
        """Post one wizard step with these answers and figures."""
        form = step_form(self.questionnaire(qid), section_id, answers, data or {})
        form["version"] = str(self.record(assessment_id).version if version is None else version)
        form["action"] = action
        form.update(extra or {})
        return self.client.post(f"/assess/{assessment_id}/step/{section_id}", data=form)

    def answer_all(self, assessment_id: int, document: Mapping[str, Any], qid: str = "miit-2024") -> None:
        """Post every step with the answers of a document."""
        for section in self.questionnaire(qid).sections:
            response = self.answer(assessment_id, section.id, document.get("answers", {}),
                                   document.get("data", {}), qid=qid)
            assert response.status_code == 303, response.text

    def submit(self, assessment_id: int) -> TestResponse:
        """Press the submit button on the review page."""
        version = self.record(assessment_id).version
        return self.client.post(f"/assess/{assessment_id}/submit", data={"version": str(version)})

    def complete(self, document: Mapping[str, Any] | None = None, **profile: Any) -> int:
        """Start, fill the profile, answer everything and submit; the submitted assessment's id."""
        assessment_id = self.start()
        assert self.fill_profile(assessment_id, **profile).status_code == 303
        self.answer_all(assessment_id, document or worked_example())
        response = self.submit(assessment_id)
        assert response.status_code == 303, response.text
        return assessment_id


def registered(client: FlaskClient, email: str, password: str) -> TestResponse:
    """Register through the form, then follow the emailed link as the person would: signed in in this browser.

    Registration itself signs nobody in (it answers the same for known and new addresses); the link does.
    """
    answer = client.post("/auth/register", data={"email": email, "password": password, "confirm": password})
    assert answer.status_code == 200 and 'id="register-sent"' in answer.text, answer.text
    outbox = client.application.extensions[MAIL]
    address = email.strip().lower()
    mails = [m for m in outbox.sent if m.to == address]
    assert mails, f"no mail to {address}"
    link = re.search(r"https?://[^/\s]+(/\S+)", mails[-1].body)
    assert link is not None, mails[-1].body
    response = client.get(link[1])
    if response.status_code == 303:
        client.get(response.headers["Location"])  # where the link leads, with its one-time message
    return response


def logged_in(app: Flask, user_id: int) -> FlaskClient:
    """A client whose session is that of this account after logging in."""
    with site(app).sessions() as session:
        record = queries.get_user(session, user_id)
    assert record is not None
    client = app.test_client()
    with client.session_transaction() as state:
        state["_user_id"], state["_fresh"], state["_id"] = str(user_id), True, "test"
        state.update(signed_in_state(record, time.time()))
    return client


@contextmanager
def app_with_content(database_url: str, folder: Path, name: str, questionnaire: str, model: str) -> Iterator[Flask]:
    """An app serving only this questionnaire and model (YAML text), written to `folder` as `name`.yaml."""
    (folder / "questionnaires").mkdir()
    (folder / "scoring_models").mkdir()
    (folder / "questionnaires" / f"{name}.yaml").write_text(questionnaire, encoding="utf-8")
    (folder / "scoring_models" / f"{name}.yaml").write_text(model, encoding="utf-8")
    library = load_library(folder)
    assert not library.errors
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url,
                      "CONTENT_LIBRARY": library, "WTF_CSRF_ENABLED": False})
    yield app
    site(app).engine.dispose()
