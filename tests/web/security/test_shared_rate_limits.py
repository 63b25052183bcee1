"""The rate limits (login, resume links) are counted where every node counts: the database by default, Redis when
configured; a node that starts afresh (a new limiter storage) still sees the hits the other node counted."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from assessment.web.app import create_app
from assessment.web.security import limiter
from assessment.web.site import site


def _login(worker: Flask, n: int) -> int:
    answer = worker.test_client().post("/auth/login", data={"email": f"guess{n}@example.com", "password": "wrong"})
    return answer.status_code


def _node(app: Flask, **config: Any) -> Flask:
    return create_app({**app.config, "LOGIN_RATE_LIMIT": "3 per minute", **config})


def test_a_login_rate_limit_counted_on_one_node_holds_on_another_over_the_same_database(app: Flask) -> None:
    first = _node(app)
    try:
        assert [_login(first, n) for n in range(3)] == [401] * 3
        second = _node(app)  # another node: its own, new limiter storage, over the same database
        try:
            assert type(limiter.storage).__name__ == "DatabaseLimits"
            assert _login(second, 3) == 429, "the fourth try in the minute waits, whichever node it reaches"
        finally:
            site(second).engine.dispose()
    finally:
        site(first).engine.dispose()


@pytest.mark.redis
def test_with_redis_configured_the_rate_limits_are_counted_in_redis(app: Flask, redis_url: str) -> None:
    first = _node(app, REDIS_URL=redis_url, LOGIN_RATE_LIMIT="2 per minute")
    try:
        assert type(limiter.storage).__name__ == "RedisStorage"
        limiter.storage.reset()
        assert [_login(first, n) for n in range(3)] == [401, 401, 429]
        limiter.storage.reset()
    finally:
        site(first).engine.dispose()
