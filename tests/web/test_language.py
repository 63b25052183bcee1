"""Chinese by default, English on request; the choice is remembered in the session, a cookie and the account."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from journey import Journey, registered

PASSWORD = "correct horse battery"


def test_chinese_is_the_default_language(client: FlaskClient) -> None:
    page = client.get("/").text
    assert '<html lang="zh-CN">' in page
    assert "您的企业数字化水平如何？" in page
    assert 'id="lang-zh" lang="zh-CN"\n                aria-current="true"' in page or 'aria-current="true" class="current">中文' in page


def test_language_switch_is_remembered_in_a_cookie(client: FlaskClient, app: Flask) -> None:
    response = client.post("/language", data={"lang": "en", "next": "/assessments"})
    assert response.status_code == 303 and response.headers["Location"] == "/assessments"
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("lang="))
    assert "lang=en" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/").text
    assert '<html lang="en">' in page and "How digital is your enterprise?" in page
    # a new session in the same browser keeps English through the cookie
    fresh = app.test_client()
    fresh.set_cookie("lang", "en")
    assert '<html lang="en">' in fresh.get("/").text


def test_language_is_remembered_on_the_account(journey: Journey, app: Flask) -> None:
    registered(journey.client, "owner@example.com", PASSWORD)
    journey.client.post("/language", data={"lang": "en", "next": "/"})
    elsewhere = app.test_client()
    assert '<html lang="zh-CN">' in elsewhere.get("/").text
    elsewhere.post("/auth/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert '<html lang="en">' in elsewhere.get("/").text


def test_language_switch_ignores_unknown_languages_and_other_sites(client: FlaskClient) -> None:
    response = client.post("/language", data={"lang": "fr", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="zh-CN">' in client.get("/").text
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_field_errors_are_in_the_users_language(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.client.post("/language", data={"lang": "en", "next": "/"})
    response = journey.answer(assessment_id, "foundation", {"Q1": ["A", "B"]})
    assert "“None” cannot be chosen together with" in response.text
    journey.client.post("/language", data={"lang": "zh", "next": "/"})
    response = journey.answer(assessment_id, "foundation", {"Q1": ["A", "B"]})
    assert "“无”不能与" in response.text
