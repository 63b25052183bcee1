"""Flask-Limiter's fixed-window counters in the database (services/rate_limits.py): hits add up across storages
over one database, a window past its end starts again, and clearing forgets only the limiter's rows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assessment.db.engine import make_engine
from assessment.db.models import Throttle
from assessment.services.rate_limits import DatabaseLimits
from assessment.services.throttle import DatabaseThrottle, Policy


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions of the test's database."""
    engine = make_engine(database_url)
    yield sessionmaker(engine)
    engine.dispose()


def _storage(sessions: sessionmaker[Session]) -> DatabaseLimits:
    storage = storage_from_string("assessment+database://")
    assert isinstance(storage, DatabaseLimits)
    storage.bind(sessions)
    return storage


def test_two_storages_over_one_database_count_the_same_hits(sessions: sessionmaker[Session]) -> None:
    one, other = FixedWindowRateLimiter(_storage(sessions)), FixedWindowRateLimiter(_storage(sessions))
    limit = parse("3 per minute")
    assert [one.hit(limit, "127.0.0.1"), other.hit(limit, "127.0.0.1"), one.hit(limit, "127.0.0.1")] == [True] * 3
    assert not other.hit(limit, "127.0.0.1") and not one.hit(limit, "127.0.0.1")
    assert one.hit(limit, "198.51.100.7"), "another address counts on its own"
    assert other.get_window_stats(limit, "127.0.0.1").remaining == 0


def test_a_window_past_its_end_starts_again(sessions: sessionmaker[Session]) -> None:
    storage = _storage(sessions)
    assert [storage.incr("k", 1), storage.incr("k", 1)] == [1, 2]
    assert storage.get("k") == 2 and storage.get_expiry("k") > time.time()
    time.sleep(1.1)
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1


def test_clearing_forgets_the_limiters_rows_and_keeps_the_sign_in_throttle(sessions: sessionmaker[Session]) -> None:
    storage = _storage(sessions)
    storage.incr("a", 60)
    storage.incr("b", 60)
    with sessions() as session:
        DatabaseThrottle(Policy()).fail(session, "email:someone", datetime.now(UTC))
        session.commit()
    storage.clear("a")
    assert storage.get("a") == 0 and storage.get("b") == 1
    assert storage.reset() == 1 and storage.check()
    with sessions() as session:
        assert session.scalars(select(Throttle.key)).all() == ["email:someone"]
