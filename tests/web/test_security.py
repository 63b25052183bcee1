"""CSRF on every form, security headers, cookie flags and error pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from journey import Journey

from assessment.web.app import create_app
from assessment.web.site import site


def test_security_headers_are_on_every_page(client: FlaskClient) -> None:
    for path in ("/", "/assessments", "/resume", "/auth/login", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts_or_styles(journey: Journey) -> None:
    assessment_id = journey.complete()
    for path in ("/", f"/results/{assessment_id}", f"/assess/{journey.start()}/step/foundation"):
        page = journey.client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert "<style" not in page and " style=" not in page and "onclick" not in page, path



def _token(client: FlaskClient, path: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match[1]


def test_csrf_is_enforced_on_every_form(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    for path, data in (("/assess/start", {"questionnaire": "miit-2024"}), ("/language", {"lang": "en"}),
                       ("/auth/login", {"email": "a@example.com", "password": "x"}),
                       ("/auth/register", {"email": "a@example.com", "password": "x" * 12, "confirm": "x" * 12}),
                       ("/auth/logout", {}), ("/resume", {"link": "abc"})):
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert "表单已过期或并非来自本网站" in response.text
    token = _token(client, "/")
    started = client.post("/assess/start", data={"questionnaire": "miit-2024", "csrf_token": token})
    assert started.status_code == 303
    assessment_id = int(re.findall(r"\d+", started.headers["Location"])[0])
    step = f"/assess/{assessment_id}/step/foundation"
    forged = client.post(step, data={"Q5": "D", "version": "1", "csrf_token": "forged"})
    assert forged.status_code == 400
    saved = client.post(step, data={"Q5": "D", "version": "1", "csrf_token": _token(client, step)})
    assert saved.status_code == 303
    for path in (f"/assess/{assessment_id}/profile", f"/assess/{assessment_id}/submit",
                 f"/assess/{assessment_id}/reassess", f"/assess/{assessment_id}/link"):
        assert client.post(path, data={"version": "2"}).status_code == 400, path


@pytest.fixture
def production_app(database_url: str, app: Flask) -> Iterator[Flask]:
    """The app configured as outside development and testing."""
    config = {**app.config, "TESTING": False}
    config.pop("COOKIE_SECURE")
    live = create_app(config)
    yield live
    site(live).engine.dispose()


def test_cookies_are_httponly_lax_and_secure_outside_development(production_app: Flask) -> None:
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    client = production_app.test_client()
    response = client.post("/language", data={"lang": "en", "next": "/"})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("HttpOnly" in c and "SameSite=Lax" in c and "Secure" in c for c in cookies)


def test_secure_cookies_are_off_while_testing(app: Flask) -> None:
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_unknown_pages_and_wrong_methods_have_pages_in_the_users_language(client: FlaskClient) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and "页面不存在" in missing.text
    wrong_method = client.get("/assess/start")
    assert wrong_method.status_code == 405 and "请使用页面上的按钮" in wrong_method.text


def test_oversized_forms_are_refused(client: FlaskClient) -> None:
    response = client.post("/resume", data={"link": "x" * 600_000})
    assert response.status_code == 413
