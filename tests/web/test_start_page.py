"""The start page, the start of an assessment and its private resume link."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from journey import Journey


def test_start_page_explains_the_assessment_and_lists_every_questionnaire(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="zh-CN">' in page
    for heading in ("这是什么", "适合谁", "需要多长时间", "您将得到什么", "隐私"):
        assert heading in page, heading
    assert "中小企业数字化水平评测指标（2024年版）" in page
    assert 'id="start-miit-2024"' in page and 'id="start-eu-dma-sme"' in page
    assert re.search(r"\d+ 道题 · 约 \d+ 分钟", page)


def test_health_route_answers_without_touching_the_database(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.text == "ok\n"


def test_unknown_questionnaire_cannot_be_started(client: FlaskClient) -> None:
    response = client.post("/assess/start", data={"questionnaire": "no-such-thing"})
    assert response.status_code == 404


def test_resume_link_is_shown_once_with_its_qr_code(journey: Journey) -> None:
    response = journey.client.post("/assess/start", data={"questionnaire": "miit-2024"})
    first = journey.client.get(response.headers["Location"])
    assert first.status_code == 200
    assert 'id="resume-link"' in first.text
    assert '<svg' in first.text and 'class="qr"' in first.text
    again = journey.client.get(response.headers["Location"])
    assert 'id="resume-link"' not in again.text
    assert 'id="new-link"' in again.text


def test_new_assessment_records_the_questionnaire_and_model_versions(journey: Journey) -> None:
    record = journey.record(journey.start())
    assert record.questionnaire_ref == "miit-2024@2024.1"
    assert record.model_ref == "miit-2024@2024.1"
    assert record.status == "draft" and record.mode == "self" and record.version == 1


def test_continue_sends_a_new_assessment_to_the_profile_first(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.client.get(f"/assess/{assessment_id}")
    assert response.headers["Location"] == f"/assess/{assessment_id}/profile"
