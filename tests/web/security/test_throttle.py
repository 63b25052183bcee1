"""Sign-in throttling: failures counted per address typed and per client address, in storage every worker shares
(the database by default, Redis when configured), growing delays, one notice per blocking episode, and a blocked
attempt that answers like a wrong password with 429 and checks no password."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from world import PASSWORD, World

from assessment.db.models import SecurityEvent, Throttle
from assessment.services import throttle
from assessment.services.mail import MemoryOutbox
from assessment.services.throttle import DatabaseThrottle, Policy, RedisThrottle
from assessment.web.app import create_app
from assessment.web.security import limiter
from assessment.web.site import site
from assessment.web.tenancy import MAIL

POLICY = Policy(free_failures=3, free_failures_by_kind={"address": 10}, first_delay=1.0, max_delay=8.0, window=3600.0)
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PAUSED = "您的账号登录已暂停"


class Clock:
    """A clock the app reads through config CLOCK; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = START.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let time pass."""
        self.now += seconds


# --- the store ------------------------------------------------------------------------------------------------

@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest, app: Flask) -> throttle.Throttle:
    """Each kind of shared store, with a small policy (3 free failures, 1 s doubling to 8 s, an hour's window)."""
    if request.param == "database":
        return DatabaseThrottle(POLICY)
    return RedisThrottle(POLICY, request.getfixturevalue("redis_url"), prefix=f"test:{uuid.uuid4().hex}:")


def _failures(app: Flask, store: throttle.Throttle, keys: list[str], times: int, now: datetime) -> list[float]:
    waits = []
    for _ in range(times):
        with site(app).sessions() as session:
            waits.append(throttle.failed(store, session, keys, now))
            session.commit()
    return waits


def _wait(app: Flask, store: throttle.Throttle, keys: list[str], now: datetime) -> float:
    with site(app).sessions() as session:
        return throttle.wait_seconds(store, session, keys, now)


def test_the_first_failures_are_free_then_the_delay_doubles_up_to_the_cap(app: Flask,
                                                                          store: throttle.Throttle) -> None:
    keys = [throttle.email_key("owner@example.com")]
    assert _failures(app, store, keys, 8, START) == [0.0, 0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert _wait(app, store, keys, START) == 8.0
    assert _wait(app, store, keys, START + timedelta(seconds=5)) == pytest.approx(3.0)
    assert _wait(app, store, keys, START + timedelta(seconds=8.5)) == 0.0


def test_failures_are_forgotten_after_a_quiet_window(app: Flask, store: throttle.Throttle) -> None:
    keys = [throttle.email_key("owner@example.com")]
    _failures(app, store, keys, 5, START)
    later = START + timedelta(seconds=POLICY.window + 1)
    assert _wait(app, store, keys, later) == 0.0
    assert _failures(app, store, keys, 3, later) == [0.0, 0.0, 0.0], "the count started again"


def test_a_success_clears_the_key(app: Flask, store: throttle.Throttle) -> None:
    keys = [throttle.email_key("owner@example.com")]
    _failures(app, store, keys, 4, START)
    assert _wait(app, store, keys, START) == 1.0
    with site(app).sessions() as session:
        throttle.succeeded(store, session, keys)
        session.commit()
    assert _wait(app, store, keys, START) == 0.0
    assert _failures(app, store, keys, 3, START) == [0.0, 0.0, 0.0]


def test_each_key_counts_alone_and_an_address_has_its_own_free_failures(app: Flask,
                                                                        store: throttle.Throttle) -> None:
    address = throttle.address_key("203.0.113.5")
    for n in range(10):
        _failures(app, store, [throttle.email_key(f"guess{n}@example.com"), address], 1, START)
    assert _wait(app, store, [address], START) == 0.0, "ten failures of one address are free"
    assert _failures(app, store, [throttle.email_key("guess10@example.com"), address], 1, START) == [1.0]
    assert _wait(app, store, [throttle.address_key("198.51.100.7")], START) == 0.0


@pytest.mark.redis
def test_the_database_is_the_store_unless_redis_is_configured(redis_url: str) -> None:
    assert isinstance(throttle.throttle_from_config({}), DatabaseThrottle)
    assert isinstance(throttle.throttle_from_config({"REDIS_URL": redis_url}), RedisThrottle)


# --- signing in through several workers -----------------------------------------------------------------------

Workers = Callable[..., list[Flask]]


@pytest.fixture
def clock() -> Clock:
    """The time every worker of a test reads."""
    return Clock()


@pytest.fixture
def workers(app: Flask, clock: Clock) -> Iterator[Workers]:
    """`workers(n, **config)`: n apps on the test's database, as n gunicorn workers would be."""
    made: list[Flask] = []

    def build(count: int = 2, **config: Any) -> list[Flask]:
        settings = {**app.config, "LOGIN_RATE_LIMIT": "1000 per minute", "THROTTLE_FIRST_DELAY": 60.0,
                    "CLOCK": clock, **config}
        apps = [create_app(settings) for _ in range(count)]
        made.extend(apps)
        return apps

    yield build
    for worker in made:
        site(worker).engine.dispose()


def _login(client: FlaskClient, email: str, password: str) -> Any:
    return client.post("/auth/login", data={"email": email, "password": password})


def _mails(worker: Flask) -> list[Any]:
    outbox = worker.extensions[MAIL]
    assert isinstance(outbox, MemoryOutbox)
    return outbox.sent


def _alternating(apps: list[Flask], email: str, attempts: int, password: str = "wrong password 1") -> list[int]:
    clients = [worker.test_client() for worker in apps]
    return [_login(clients[n % len(clients)], email, password).status_code for n in range(attempts)]


def test_two_workers_sharing_the_database_count_the_same_failures(world: World, workers: Workers) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    first, second = workers(2)
    assert _alternating([first, second], "owner@example.com", 7) == [401] * 6 + [429]
    assert _login(second.test_client(), "owner@example.com", PASSWORD).status_code == 429, \
        "while it waits, not even the right password gets in, on any worker"
    with world.session() as session:
        # the address typed and the client (the login rate limit's own counter is a `limit:` row beside them)
        assert session.scalar(select(func.count()).select_from(Throttle).where(~Throttle.key.startswith("limit:"))) == 2


@pytest.mark.redis
def test_two_workers_sharing_redis_count_the_same_failures(world: World, workers: Workers, redis_url: str) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    first, second = workers(2, REDIS_URL=redis_url, REDIS_THROTTLE_PREFIX=f"test:{uuid.uuid4().hex}:")
    assert _alternating([first, second], "owner@example.com", 7) == [401] * 6 + [429]
    assert _login(first.test_client(), "owner@example.com", PASSWORD).status_code == 429
    with world.session() as session:
        assert session.scalar(select(func.count()).select_from(Throttle)) == 0, "counted in Redis, not the database"
    assert type(limiter.storage).__name__ == "RedisStorage", "the rate limits live in Redis too"


def test_the_wait_grows_with_each_failure_and_a_right_password_after_it_signs_in(world: World, workers: Workers,
                                                                                 clock: Clock) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    [worker] = workers(1)
    client = worker.test_client()
    answers = [_login(client, "owner@example.com", "wrong password 1") for _ in range(6)]
    assert [a.status_code for a in answers] == [401] * 6
    assert "60 秒后再试" in answers[-1].text
    clock.advance(61)
    seventh = _login(client, "owner@example.com", "wrong password 1")
    assert seventh.status_code == 401 and "120 秒后再试" in seventh.text
    clock.advance(61)
    waiting = _login(client, "owner@example.com", PASSWORD)
    assert waiting.status_code == 429 and "59 秒后再试" in waiting.text
    clock.advance(60)
    assert _login(client, "owner@example.com", PASSWORD).status_code == 303
    client.post("/auth/logout")
    assert [_login(client, "owner@example.com", "wrong password 1").status_code for _ in range(5)] == [401] * 5, \
        "a success forgets the address's failures"


def test_one_address_trying_many_accounts_is_slowed_down(world: World, workers: Workers) -> None:
    [worker] = workers(1, THROTTLE_FREE_FAILURES_BY_KIND={"address": 4})
    client = worker.test_client()
    statuses = [_login(client, f"guess{n}@example.com", "wrong password 1").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]


def test_a_blocked_attempt_answers_like_a_wrong_password_with_429_and_checks_no_password(
        world: World, workers: Workers, monkeypatch: pytest.MonkeyPatch) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    [worker] = workers(1)
    client = worker.test_client()
    wrong = [_login(client, "owner@example.com", "wrong password 1") for _ in range(6)][-1]
    hashed: list[int] = []
    scrypt = hashlib.scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        hashed.append(1)
        return scrypt(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    blocked = _login(client, "owner@example.com", PASSWORD)
    assert blocked.status_code == 429 and hashed == []
    for answer in (wrong, blocked):
        assert "邮箱或密码不正确" in answer.text and "秒后再试" in answer.text
    with world.session() as session:
        kinds = session.scalars(select(SecurityEvent.kind).order_by(SecurityEvent.id)).all()
    assert kinds == ["sign_in"] * 6 + ["sign_in_throttled"]


def test_the_account_holder_is_told_once_per_blocking_episode(world: World, workers: Workers, clock: Clock) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    first, second = workers(2)
    _alternating([first, second], "owner@example.com", 6)
    _alternating([first, second], "owner@example.com", 3)  # waiting: not even counted
    clock.advance(61)
    _alternating([second, first], "owner@example.com", 2)
    notices = [m for worker in (first, second) for m in _mails(worker) if m.subject == PAUSED]
    assert len(notices) == 1 and notices[0].to == "owner@example.com"
    assert "忘记密码" in notices[0].body and PASSWORD not in notices[0].body
    clock.advance(throttle.WINDOW + 1)  # a quiet day: a new episode
    _alternating([first, second], "owner@example.com", 6)
    assert len([m for worker in (first, second) for m in _mails(worker) if m.subject == PAUSED]) == 2


def test_an_unknown_address_waits_like_a_known_one_and_nobody_is_told(world: World, workers: Workers) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    [worker] = workers(1)
    known = [_login(worker.test_client(), "owner@example.com", "wrong password 1") for _ in range(7)]
    unknown = [_login(worker.test_client(), "nobody@example.com", "wrong password 1") for _ in range(7)]
    assert [a.status_code for a in known] == [a.status_code for a in unknown] == [401] * 6 + [429]
    assert [m.to for m in _mails(worker) if m.subject == PAUSED] == ["owner@example.com"]


def test_giving_the_password_again_is_throttled_per_account(world: World, workers: Workers) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    [worker] = workers(1)
    client = worker.test_client()
    assert _login(client, "owner@example.com", PASSWORD).status_code == 303
    statuses = [client.post("/account/reauth", data={"password": "wrong password 1"}).status_code for _ in range(7)]
    assert statuses == [401] * 6 + [429]
    right = client.post("/account/reauth", data={"password": PASSWORD})
    assert right.status_code == 429 and "秒后再试" in right.text
