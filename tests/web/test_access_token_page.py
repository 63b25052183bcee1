"""The account's API access tokens page: a token is made with bounded fields and shown once, listed with its prefix,
scope and times, revoked only after confirmation and only by its owner; old logins give the password again, and an
account with two-step verification gives a code."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from world import World

from assessment.db.models import AccessToken, User, utcnow
from assessment.services import tokens
from assessment.web.site import site

PAGE = "/account/tokens"
GOOD = {"name": "CRM 同步", "scope": "read", "days": "90"}


@pytest.fixture
def world(app: Flask) -> World:
    """Accounts made through the services."""
    return World(app)


@pytest.fixture
def owner(world: World) -> int:
    """An enterprise account."""
    return world.member("enterprise", "owner@example.com")


def _stored(app: Flask) -> list[AccessToken]:
    with site(app).sessions() as session:
        return list(session.scalars(select(AccessToken).order_by(AccessToken.id)))


def _secret(page: str) -> str:
    found = re.search(r'id="token-secret" value="(sat_[0-9A-Za-z]{40})"', page)
    assert found is not None, page
    return found[1]


def _english(client: FlaskClient) -> FlaskClient:
    client.post("/language", data={"lang": "en", "next": PAGE})
    return client


def _made(client: FlaskClient, **changes: str) -> str:
    response = client.post(PAGE, data={**GOOD, **changes})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_account_page_leads_to_the_tokens_page(world: World, owner: int) -> None:
    client = world.client(owner)
    assert f'href="{PAGE}"' in client.get("/account").get_data(as_text=True)
    page = client.get(PAGE).get_data(as_text=True)
    assert "API 访问令牌" in page and "您还没有令牌。" in page
    assert "API access tokens" in _english(client).get(PAGE).get_data(as_text=True)


def test_a_new_token_is_shown_once_and_listed_by_its_prefix(app: Flask, world: World, owner: int) -> None:
    client = world.client(owner)
    response = client.post(PAGE, data={**GOOD, "scope": "read-write", "days": "30"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secret = _secret(page)
    assert 'id="new-token-warning"' in page and 'data-copy="token-secret"' in page
    [row] = _stored(app)
    assert row.secret_hash == tokens.secret_hash(secret) and (row.scope, row.name) == ("read-write", "CRM 同步")
    listed = _english(client).get(PAGE).get_data(as_text=True)
    assert secret not in listed and secret[:12] + "…" in listed and 'id="new-token"' not in listed
    line = re.search(rf'<tr id="token-{row.id}">.*?</tr>', listed, re.S)
    assert line is not None and "Read and write" in line[0] and "Never" in line[0] and "Active" in line[0]


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"), ({"name": "   "}, "name"), ({"name": "x" * 61}, "name"), ({"name": "x" * 5000}, "name"),
    ({"name": "a\x07b"}, "name"), ({"scope": "admin"}, "scope"), ({"scope": ""}, "scope"), ({"days": "0"}, "days"),
    ({"days": "367"}, "days"), ({"days": "ninety"}, "days"), ({"days": ""}, "days"), ({"days": "9" * 5000}, "days")])
def test_every_field_of_a_new_token_has_its_own_message(app: Flask, world: World, owner: int,
                                                        changes: dict[str, str], field: str) -> None:
    response = world.client(owner).post(PAGE, data={**GOOD, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error"' in page and 'id="error-summary"' in page
    assert page.count("field-error") == 1 and _stored(app) == []


def test_a_token_is_not_made_without_the_csrf_token(csrf_app: Flask, world: World, owner: int) -> None:
    signed_in = world.client(owner).get_cookie("session")
    assert signed_in is not None
    protected = csrf_app.test_client()
    protected.set_cookie(signed_in.key, signed_in.value)
    assert protected.get(PAGE).status_code == 200
    assert protected.post(PAGE, data=GOOD).status_code == 400
    assert _stored(csrf_app) == []


def test_an_old_login_gives_the_password_again_before_a_token_is_made(app: Flask, world: World, owner: int) -> None:
    client = world.client(owner)
    with client.session_transaction() as session:
        session["signed_in_at"] = time.time() - 2 * float(app.config["REAUTH_AFTER"])
    response = client.post(PAGE, data=GOOD, headers={"Referer": f"http://localhost{PAGE}"})
    assert response.status_code == 303 and response.headers["Location"].startswith("/account/reauth")
    assert _stored(app) == []


def test_another_account_s_token_is_not_found(app: Flask, world: World, owner: int) -> None:
    _made(world.client(owner))
    [row] = _stored(app)
    other = world.client(world.member("enterprise", "other@example.com"))
    assert other.get(f"{PAGE}/{row.id}/revoke").status_code == 404
    assert other.post(f"{PAGE}/{row.id}/revoke", data={"confirm": "yes"}).status_code == 404
    assert other.post(f"{PAGE}/{row.id + 1}/revoke", data={"confirm": "yes"}).status_code == 404
    assert _stored(app)[0].revoked_at is None


def test_a_token_is_revoked_only_from_its_confirmation_page(app: Flask, world: World, owner: int) -> None:
    client = world.client(owner)
    secret = _secret(_made(client))
    [row] = _stored(app)
    response = client.post(f"{PAGE}/{row.id}/revoke", data={})
    assert response.status_code == 303 and response.headers["Location"] == f"{PAGE}/{row.id}/revoke"
    assert _stored(app)[0].revoked_at is None
    confirm = client.get(f"{PAGE}/{row.id}/revoke").get_data(as_text=True)
    assert 'name="confirm" value="yes"' in confirm and row.prefix in confirm
    response = client.post(f"{PAGE}/{row.id}/revoke", data={"confirm": "yes"})
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    assert _stored(app)[0].revoked_at is not None
    with site(app).sessions() as session:
        assert tokens.authenticate(session, secret, utcnow()) is None
    listed = _english(client).get(PAGE).get_data(as_text=True)
    assert "Revoked" in listed and f'id="revoke-{row.id}"' not in listed


@pytest.fixture
def admin(app: Flask, world: World) -> tuple[int, str]:
    """A provider admin, which must use two-step verification, with it set up; and its secret."""
    app.config["MFA_REQUIRED_ROLES"] = ("site_admin", "provider_admin", "official")
    admin_id = world.member("provider_admin", "admin@example.com", organisation_id=world.organisation("服务商"))
    secret = pyotp.random_base32()
    with site(app).sessions() as session:
        session.execute(update(User).where(User.id == admin_id).values(mfa_secret=secret, mfa_enabled_at=utcnow()))
        session.commit()
    return admin_id, secret


def test_an_account_with_two_step_verification_gives_a_code_for_a_token(app: Flask, world: World,
                                                                        admin: tuple[int, str]) -> None:
    admin_id, secret = admin
    client = world.client(admin_id)
    assert 'id="code"' in client.get(PAGE).get_data(as_text=True)
    for code in ("", "1" * 65):  # none, or longer than any code
        missing = client.post(PAGE, data={**GOOD, "code": code})
        assert missing.status_code == 422 and 'id="code-error"' in missing.get_data(as_text=True)
    right = pyotp.TOTP(secret).now()
    wrong = client.post(PAGE, data={**GOOD, "code": "000000" if right != "000000" else "111111"})
    assert wrong.status_code == 401 and 'id="code-error"' in wrong.get_data(as_text=True)
    assert _stored(app) == []
    _secret(_made(client, code=right))
    assert len(_stored(app)) == 1


def test_a_role_that_must_use_two_step_verification_sets_it_up_before_any_token(app: Flask, world: World) -> None:
    app.config["MFA_REQUIRED_ROLES"] = ("official",)
    official = world.member("official", "official@example.com", region_code="370000")
    response = world.client(official).post(PAGE, data=GOOD)
    assert response.status_code == 303 and response.headers["Location"] == "/mfa/enrol"
    assert _stored(app) == []
