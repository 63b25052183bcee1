"""The public API is rate-limited per client address in the throttle storage every worker shares: 429 + Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.db.models import Throttle
from assessment.services.request_quota import quota_from_config, spend
from assessment.web.site import site


def limited(app: Flask, requests: int, **config: object) -> None:
    app.extensions["assessment.api"].quota = quota_from_config({**app.config, "API_RATE_REQUESTS": requests, **config})


def test_the_call_over_the_quota_is_a_429_problem_with_retry_after(app: Flask, client: FlaskClient) -> None:
    limited(app, 3)
    assert [client.get("/api/v1/models").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/models", headers={"Accept-Language": "en"})
    assert response.status_code == 429 and response.mimetype == "application/problem+json"
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 60 and f"Wait {wait} seconds" in response.json["detail"]


def test_every_endpoint_counts_against_the_same_address(app: Flask, client: FlaskClient) -> None:
    limited(app, 2)
    client.get("/api/v1/questionnaires")
    client.post("/api/v1/score", json={"answers": {}})
    assert client.get("/api/v1/models").status_code == 429
    other = client.get("/api/v1/models", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_the_count_is_kept_in_the_database_by_default(app: Flask, client: FlaskClient) -> None:
    limited(app, 5)
    client.get("/api/v1/models")
    with site(app).sessions() as session:
        keys = session.execute(select(Throttle.key, Throttle.failures)).all()
    assert [(key.startswith("api:address:127.0.0.1:"), failures) for key, failures in keys] == [(True, 1)]


def test_a_new_window_starts_afresh_and_forgets_the_last_one(app: Flask) -> None:
    quota = quota_from_config({"API_RATE_REQUESTS": 1, "API_RATE_PERIOD": 60})
    start = datetime(2026, 12, 7, 10, 0, 0, tzinfo=UTC)
    with site(app).sessions() as session:
        assert spend(quota, session, "address:x", start) == 0
        assert spend(quota, session, "address:x", start + timedelta(seconds=15)) == 45
        assert spend(quota, session, "address:x", start + timedelta(seconds=61)) == 0
        assert len(session.execute(select(Throttle.key)).all()) == 1


@pytest.mark.redis
def test_the_count_is_kept_in_redis_when_configured(app: Flask, client: FlaskClient, redis_url: str) -> None:
    limited(app, 1, REDIS_URL=redis_url, REDIS_THROTTLE_PREFIX=f"assessment:test-api:{id(app)}:")
    assert client.get("/api/v1/models").status_code == 200
    assert client.get("/api/v1/models").status_code == 429
    with site(app).sessions() as session:
        assert session.execute(select(Throttle.key)).all() == []
