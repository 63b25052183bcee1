"""Save and resume: the private link opens exactly one assessment, on any device, and restores what was saved."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from journey import Journey

from assessment.services.assessments import token_hash
from assessment.web.app import create_app
from assessment.web.site import site


def test_resume_token_opens_only_its_own_assessment(journey: Journey, other_journey: Journey, app: Flask) -> None:
    first = journey.start()
    second = other_journey.start()
    device = Journey(app.test_client())
    response = device.client.get(f"/resume/{journey.tokens[first]}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/assess/{first}"
    assert device.client.get(f"/assess/{first}/profile").status_code == 200
    assert device.client.get(f"/assess/{second}/profile").status_code == 404
    assert device.client.get(f"/assess/{second}/review").status_code == 404
    assert device.client.get(f"/results/{second}").status_code == 404


def test_an_assessment_of_another_browser_is_404(journey: Journey, other_journey: Journey) -> None:
    assessment_id = journey.start()
    for path in ("", "/profile", "/step/foundation", "/review", "/link"):
        assert other_journey.client.get(f"/assess/{assessment_id}{path}").status_code == 404, path
    response = other_journey.answer(assessment_id, "foundation", {"Q5": "D"}, version=1)
    assert response.status_code == 404
    assert journey.record(assessment_id).answers == {}


def test_wrong_resume_token_is_404_with_a_clear_message(client: Flask) -> None:
    response = client.get("/resume/not-a-real-token")
    assert response.status_code == 404
    assert "此链接无法打开任何评测" in response.text


def test_resume_restores_exactly_what_was_entered_on_another_device(journey: Journey, app: Flask) -> None:
    assessment_id = journey.start()
    journey.fill_profile(assessment_id)
    journey.answer(assessment_id, "foundation", {"Q1": ["B", "D"], "Q5": "C"}, {"total_devices": 120,
                                                                              "digitized_devices": 30})
    journey.answer(assessment_id, "operations-g1", {"S01": 2, "S03": 0})
    device = Journey(app.test_client())
    device.client.get(f"/resume/{journey.tokens[assessment_id]}")
    foundation = device.client.get(f"/assess/{assessment_id}/step/foundation").text
    assert re.search(r'id="Q1-B"[^>]*checked', foundation) and re.search(r'id="Q1-D"[^>]*checked', foundation)
    assert not re.search(r'id="Q1-C"[^>]*checked', foundation)
    assert re.search(r'id="Q5-C"[^>]*checked', foundation)
    assert re.search(r'id="Q2-total_devices"[^>]*value="120"', foundation)
    scenarios = device.client.get(f"/assess/{assessment_id}/step/operations-g1").text
    assert re.search(r'id="S01-2"[^>]*checked', scenarios) and re.search(r'id="S03-0"[^>]*checked', scenarios)
    profile = device.client.get(f"/assess/{assessment_id}/profile").text
    assert 'value="北京精工机械有限公司"' in profile
    assert re.search(r'<option value="110108" selected>', profile)


def test_resume_continues_at_the_first_unfinished_step(journey: Journey, app: Flask) -> None:
    assessment_id = journey.start()
    journey.fill_profile(assessment_id)
    journey.answer(assessment_id, "foundation", {"Q1": ["B"], "Q3": "A", "Q4": ["B"], "Q5": "A", "Q6": ["B"],
                                                 "Q7": ["B"]}, {"total_devices": 10, "digitized_devices": 1})
    device = Journey(app.test_client())
    device.client.get(f"/resume/{journey.tokens[assessment_id]}")
    response = device.client.get(f"/assess/{assessment_id}")
    assert response.headers["Location"] == f"/assess/{assessment_id}/step/operations-g1"


def test_resume_form_accepts_the_whole_link_or_just_the_token(journey: Journey, app: Flask) -> None:
    assessment_id = journey.start()
    token = journey.tokens[assessment_id]
    for pasted in (f"http://localhost/resume/{token}", f"  {token}  "):
        device = Journey(app.test_client())
        assert device.client.get("/resume").status_code == 200
        response = device.client.post("/resume", data={"link": pasted})
        assert response.status_code == 303
        assert device.client.get(f"/assess/{assessment_id}/profile").status_code == 200


def test_resume_form_rejects_an_unknown_or_empty_link(client: Flask) -> None:
    unknown = client.post("/resume", data={"link": "http://localhost/resume/abc"})
    assert unknown.status_code == 404
    assert 'id="error-summary"' in unknown.text and 'id="link-error"' in unknown.text
    empty = client.post("/resume", data={"link": ""})
    assert empty.status_code == 422
    assert "请粘贴您获得的继续填写链接" in empty.text


def test_a_new_link_replaces_the_old_one(journey: Journey, app: Flask) -> None:
    assessment_id = journey.start()
    old = journey.tokens[assessment_id]
    response = journey.client.post(f"/assess/{assessment_id}/link")
    assert response.status_code == 303
    page = journey.client.get(f"/assess/{assessment_id}/link").text
    new = re.search(r'/resume/([^"]+)"', page)
    assert new is not None and new[1] != old
    device = Journey(app.test_client())
    assert device.client.get(f"/resume/{old}").status_code == 404
    assert device.client.get(f"/resume/{new[1]}").status_code == 303


def test_resume_tokens_are_stored_only_as_hashes(journey: Journey) -> None:
    assessment_id = journey.start()
    token = journey.tokens[assessment_id]
    assert len(token) >= 43  # secrets.token_urlsafe(32)
    with site(journey.app).engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT resume_token_hash FROM assessments").scalar_one()
    assert stored == token_hash(token) and token not in stored


@pytest.fixture
def limited_app(database_url: str, app: Flask) -> Iterator[Flask]:
    """The app with a low limit on resume attempts."""
    limited = create_app({**app.config, "RESUME_RATE_LIMIT": "3 per minute"})
    yield limited
    site(limited).engine.dispose()


def test_resume_attempts_are_rate_limited(limited_app: Flask) -> None:
    client = limited_app.test_client()
    statuses = [client.get(f"/resume/guess-{n}").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert "尝试次数过多" in client.get("/resume/guess-5").text
    assert client.post("/resume", data={"link": "guess"}).status_code == 429
