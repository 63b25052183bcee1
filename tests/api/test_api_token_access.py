"""Token access to the API: a bearer token acts as its account; a malformed, unknown, expired or revoked token is a
401 with the Bearer challenge; no token on a token endpoint is a 401; another role or a read token writing is a 403;
each token has its own rate limit in the shared throttle storage, apart from the address quota."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from api_accounts import account_with_token, bearer
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from assessment.api.access import TOKEN_QUOTA
from assessment.db.models import AccessToken, Throttle, User
from assessment.services.request_quota import quota_from_config
from assessment.web.site import site

LIST = "/api/v1/assessments"


def _is_problem(response: object, status: int) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.mimetype == "application/problem+json"  # type: ignore[attr-defined]
    body = response.json  # type: ignore[attr-defined]
    assert body["status"] == status and body["title"] and body["detail"] and body["instance"]


def test_a_token_acts_as_its_account(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com", scope="read")
    response = client.get(LIST, headers=bearer(token))
    assert response.status_code == 200 and response.json == {"items": [], "next": None}


@pytest.mark.parametrize("header", ["Bearer sat_short", "Bearer " + "sat_" + "A" * 40, "Basic dXNlcjpwYXNz",
                                    "Bearer", "sat_" + "A" * 40])
def test_a_malformed_or_unknown_token_is_a_401_with_invalid_token(client: FlaskClient, header: str) -> None:
    for path in (LIST, "/api/v1/models"):  # a public endpoint too: a token that was sent must work
        response = client.get(path, headers={"Authorization": header, "Accept-Language": "en"})
        _is_problem(response, 401)
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_no_token_on_a_token_endpoint_is_a_401_challenge(client: FlaskClient) -> None:
    response = client.get(LIST)
    _is_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert client.get("/api/v1/models").status_code == 200


@pytest.mark.parametrize("stop", ["expired", "revoked", "switched_off"])
def test_an_expired_or_revoked_token_or_switched_off_account_is_a_401(app: Flask, client: FlaskClient,
                                                                      stop: str) -> None:
    user_id, token = account_with_token(app, "e@example.com")
    assert client.get(LIST, headers=bearer(token)).status_code == 200
    past = datetime.now(UTC) - timedelta(seconds=1)
    with site(app).sessions() as session:
        if stop == "switched_off":
            session.execute(update(User).where(User.id == user_id).values(active=False))
        else:
            column = {"expired": "expires_at", "revoked": "revoked_at"}[stop]
            session.execute(update(AccessToken).values({column: past, "created_at": past - timedelta(days=1)}))
        session.commit()
    response = client.get(LIST, headers=bearer(token))
    _is_problem(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_the_last_use_is_recorded(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com")
    client.get(LIST, headers=bearer(token), environ_base={"REMOTE_ADDR": "198.51.100.9"})
    with site(app).sessions() as session:
        used = session.execute(select(AccessToken.last_used_at, AccessToken.last_used_address)).one()
    assert used.last_used_at is not None and used.last_used_address == "198.51.100.9"


def test_a_read_token_may_not_write_a_403(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "e@example.com", scope="read")
    response = client.post(LIST, json={"questionnaire": "miit-2024"}, headers=bearer(token))
    _is_problem(response, 403)
    with site(app).sessions() as session:
        assert session.execute(select(User.id)).all()  # nothing else was made
    assert client.get(LIST, headers=bearer(token)).json["items"] == []


@pytest.mark.parametrize("role", ["provider_staff", "provider_admin", "official", "site_admin"])
def test_another_role_on_the_enterprise_endpoints_is_a_403(app: Flask, client: FlaskClient, role: str) -> None:
    _, token = account_with_token(app, f"{role}@example.com", role=role)
    _is_problem(client.get(LIST, headers=bearer(token)), 403)
    _is_problem(client.post(LIST, json={"questionnaire": "miit-2024"}, headers=bearer(token)), 403)


def test_each_token_has_its_own_rate_limit_apart_from_the_address(app: Flask, client: FlaskClient) -> None:
    app.extensions[TOKEN_QUOTA] = quota_from_config({**app.config, "API_RATE_REQUESTS": 2})
    _, first = account_with_token(app, "e@example.com")
    _, second = account_with_token(app, "f@example.com")
    assert [client.get(LIST, headers=bearer(first)).status_code for _ in range(2)] == [200, 200]
    over = client.get(LIST, headers=bearer(first))
    _is_problem(over, 429)
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert client.get(LIST, headers=bearer(second)).status_code == 200
    assert client.get("/api/v1/models").status_code == 200  # the address's own quota is untouched
    with site(app).sessions() as session:
        keys = {key.rsplit(":", 1)[0] for key in session.scalars(select(Throttle.key))}
    assert keys == {"api:token:1", "api:token:2", "api:address:127.0.0.1"}


def test_a_role_that_must_use_two_step_verification_without_it_is_a_401(app: Flask, client: FlaskClient) -> None:
    _, token = account_with_token(app, "admin@example.com", role="provider_admin")
    app.config["MFA_REQUIRED_ROLES"] = ("provider_admin",)
    _is_problem(client.get(LIST, headers=bearer(token)), 401)
