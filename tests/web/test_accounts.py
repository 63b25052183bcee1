"""Accounts: register, log in and out with email and password; an account keeps all its assessments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from journey import Journey, registered

from assessment.web.app import create_app
from assessment.web.site import site

PASSWORD = "correct horse battery"


def register(journey: Journey, email: str = "owner@example.com", password: str = PASSWORD) -> int:
    """Register through the form and follow the emailed link; the status of the link's answer."""
    return registered(journey.client, email, password).status_code


def test_the_registration_link_signs_in_and_keeps_the_assessments_of_this_browser(journey: Journey,
                                                                                  app: Flask) -> None:
    assessment_id = journey.start()
    assert register(journey, "Owner@Example.com ") == 303
    assert journey.record(assessment_id).user_id is not None
    laptop = Journey(app.test_client())
    response = laptop.client.post("/auth/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/assessments"
    listing = laptop.client.get("/assessments").text
    assert f'id="open-{assessment_id}"' in listing
    assert laptop.client.get(f"/assess/{assessment_id}/profile").status_code == 200


def test_assessments_started_while_logged_in_belong_to_the_account(journey: Journey, app: Flask) -> None:
    register(journey)
    assessment_id = journey.start()
    phone = Journey(app.test_client())
    phone.client.post("/auth/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert phone.client.get(f"/assess/{assessment_id}/step/foundation").status_code == 200


def test_passwords_are_stored_as_scrypt_hashes(journey: Journey) -> None:
    register(journey)
    with site(journey.app).engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT password_hash FROM users").scalar_one()
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_registration_problems_are_shown_beside_the_fields(journey: Journey) -> None:
    register(journey)
    journey.client.post("/auth/logout")
    # a taken address is not a problem shown here: the answer is "check your email" (tests/web/security)
    taken = journey.client.post("/auth/register", data={"email": "owner@example.com", "password": PASSWORD,
                                                        "confirm": PASSWORD})
    assert taken.status_code == 200 and 'id="register-sent"' in taken.text
    short = journey.client.post("/auth/register", data={"email": "new@example.com", "password": "short",
                                                        "confirm": "short"})
    assert short.status_code == 422 and "密码至少需要 12 个字符" in short.text and 'id="password-error"' in short.text
    mismatch = journey.client.post("/auth/register", data={"email": "new@example.com", "password": PASSWORD,
                                                           "confirm": PASSWORD + "x"})
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.text
    malformed = journey.client.post("/auth/register", data={"email": "not-an-address", "password": PASSWORD,
                                                            "confirm": PASSWORD})
    assert malformed.status_code == 422 and 'id="email-error"' in malformed.text
    assert journey.client.get("/auth/register").status_code == 200


def test_a_wrong_password_or_unknown_address_gets_the_same_answer(journey: Journey) -> None:
    register(journey)
    journey.client.post("/auth/logout")
    wrong = journey.client.post("/auth/login", data={"email": "owner@example.com", "password": "wrong password"})
    unknown = journey.client.post("/auth/login", data={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert "邮箱或密码不正确" in wrong.text and "邮箱或密码不正确" in unknown.text
    assert journey.client.get("/auth/login").status_code == 200
    assert journey.client.post("/auth/login", data={"email": "", "password": ""}).status_code == 422


def test_logging_out_forgets_the_assessments_of_this_browser(journey: Journey) -> None:
    assessment_id = journey.start()
    register(journey)
    response = journey.client.post("/auth/logout")
    assert response.status_code == 303
    assert journey.client.get(f"/assess/{assessment_id}/profile").status_code == 404
    assert f'id="open-{assessment_id}"' not in journey.client.get("/assessments").text


def test_login_redirects_only_within_the_site(journey: Journey) -> None:
    register(journey)
    journey.client.post("/auth/logout")
    response = journey.client.post("/auth/login?next=https://evil.example/", data={"email": "owner@example.com",
                                                                                   "password": PASSWORD})
    assert response.headers["Location"] == "/assessments"


@pytest.fixture
def limited_app(database_url: str, app: Flask) -> Iterator[Flask]:
    """The app with a low limit on login attempts."""
    limited = create_app({**app.config, "LOGIN_RATE_LIMIT": "3 per minute"})
    yield limited
    site(limited).engine.dispose()


def test_login_attempts_are_rate_limited(limited_app: Flask) -> None:
    client = limited_app.test_client()
    statuses = [client.post("/auth/login", data={"email": "a@example.com", "password": f"guess {n}"}).status_code
                for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert client.get("/auth/login").status_code == 200  # reading the form is not an attempt
