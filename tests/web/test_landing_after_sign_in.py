"""After signing in each role lands on its own home: a site admin on /admin/, provider staff and admins on their
clients, an official on the dashboard, an enterprise user on 我的评测; a same-site `next` wins, and a second
factor the account needs still comes first. On SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse
from world import PASSWORD, World

from assessment.services import mfa, sms
from assessment.web.outbox import sms_gateway
from assessment.web.site import site

HOMES = {"site_admin": "/admin/", "provider_staff": "/provider/", "provider_admin": "/provider/",
         "official": "/official/", "enterprise": "/assessments"}


def account(app: Flask, role: str, email: str) -> int:
    """An account of this role that signs in with PASSWORD (an organisation or a region where the role needs one)."""
    world = World(app)
    organisation = world.organisation(f"服务商 {email}") if role.startswith("provider") else None
    return world.member(role, email, organisation_id=organisation,
                        region_code="370100" if role == "official" else None, password=PASSWORD)


def log_in(client: FlaskClient, email: str, target: str | None = None) -> TestResponse:
    """Post the login form (with `next` when given)."""
    return client.post("/auth/login" + (f"?next={target}" if target else ""),
                       data={"email": email, "password": PASSWORD})


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_its_own_home_after_signing_in(app: Flask, role: str) -> None:
    account(app, role, f"{role}@example.com")
    client = app.test_client()
    landed = log_in(client, f"{role}@example.com")
    assert landed.status_code == 303 and landed.headers["Location"] == HOMES[role]
    assert client.get(HOMES[role]).status_code == 200


def test_a_same_site_next_wins_over_the_home(app: Flask) -> None:
    account(app, "official", "official@example.com")
    assert log_in(app.test_client(), "official@example.com", "/account").headers["Location"] == "/account"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "admin"])
def test_a_next_to_another_site_gives_the_home(app: Flask, target: str) -> None:
    account(app, "site_admin", "root@example.com")
    assert log_in(app.test_client(), "root@example.com", target).headers["Location"] == "/admin/"


def test_a_required_second_factor_comes_first_then_the_home(app: Flask) -> None:
    app.config["MFA_REQUIRED_ROLES"] = mfa.REQUIRED_ROLES
    now = float((int(time.time()) // 30) * 30 + 7)
    app.config["CLOCK"] = lambda: now
    account(app, "official", "official@example.com")
    client = app.test_client()
    assert log_in(client, "official@example.com").headers["Location"] == "/mfa/enrol"
    page = client.get("/mfa/enrol").text
    secret = page.split('id="mfa-secret">', 1)[1].split("<", 1)[0].replace(" ", "")
    done = client.post("/mfa/enrol", data={"code": pyotp.TOTP(secret).at(now)})
    assert done.status_code == 200 and 'href="/official/"' in done.text
    now += 30
    again = app.test_client()
    assert log_in(again, "official@example.com").headers["Location"] == "/mfa/verify"
    verified = again.post("/mfa/verify", data={"code": pyotp.TOTP(secret).at(now)})
    assert verified.status_code == 303 and verified.headers["Location"] == "/official/"
    assert again.get("/mfa/verify").headers["Location"] == "/official/"


def test_signing_in_by_text_message_lands_on_the_home_too(app: Flask) -> None:
    staff = account(app, "provider_staff", "staff@example.com")
    with site(app).sessions() as session:
        record = sms.account(session, staff)
        assert record is not None
        sms.change_phone(session, record, "+8613800138000")
        session.commit()
    client = app.test_client()
    assert client.post("/auth/phone", data={"phone": "138 0013 8000"}).status_code == 303
    gateway = sms_gateway(app)
    assert isinstance(gateway, sms.MemorySms)
    landed = client.post("/auth/phone/code", data={"code": gateway.sent[-1].params["code"]})
    assert landed.status_code == 303 and landed.headers["Location"] == "/provider/"
