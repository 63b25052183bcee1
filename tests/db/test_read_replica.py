"""The read replica: a streaming copy of PostgreSQL that catches up, refuses writes, and, when down, leaves the reads
to the primary (scripts/with-postgres --replica starts the pair; `make test` does)."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from assessment.db.engine import ReadSessions, make_engine, make_read_engine, session_factory

PRIMARY_URL = os.environ.get("ASSESSMENT_TEST_POSTGRES_URL", "")
REPLICA_URL = os.environ.get("ASSESSMENT_TEST_POSTGRES_REPLICA_URL", "")
READ_ONLY_TRANSACTION = "25006"
UNDEFINED_TABLE = "42P01"  # a standby a moment behind resolves the table before it refuses the write


def replica_url() -> str:
    """The replica's URL, or a skip (a failure when `make test` requires PostgreSQL) when no pair was started."""
    if not REPLICA_URL:
        if os.environ.get("ASSESSMENT_REQUIRE_POSTGRES") == "1":
            pytest.fail("ASSESSMENT_TEST_POSTGRES_REPLICA_URL is not set: run the tests through "
                        "`scripts/with-postgres --replica` (make test does)")
        pytest.skip("no replica: run through scripts/with-postgres --replica")
    return REPLICA_URL


def caught_up(primary: Engine, replica: Engine, timeout: float = 20.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with primary.connect() as connection:
        written = connection.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
    deadline = time.monotonic() + timeout
    # outside a transaction: a transaction's snapshot would hold up the very replay it waits for
    with replica.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        while not connection.execute(text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"),
                                     {"lsn": str(written)}).scalar_one():
            assert time.monotonic() < deadline, f"the replica has not replayed {written} after {timeout} s"
            time.sleep(0.05)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def pair(worker_id: str) -> Iterator[tuple[Engine, Engine, str]]:
    """The primary, the replica (read engine) and a table of this worker's on both."""
    replica = make_read_engine(replica_url())
    primary = make_engine(PRIMARY_URL)
    table = f"replica_probe_{worker_id}"
    with primary.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
        connection.execute(text(f"CREATE TABLE {table} (fact text PRIMARY KEY)"))
    yield primary, replica, table
    with primary.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    primary.dispose()
    replica.dispose()


@pytest.mark.postgres
def test_a_fact_written_on_the_primary_is_read_on_the_replica_once_it_caught_up(
        pair: tuple[Engine, Engine, str]) -> None:
    primary, replica, table = pair
    fact = uuid.uuid4().hex
    with primary.begin() as connection:
        connection.execute(text(f"INSERT INTO {table} VALUES (:fact)"), {"fact": fact})
    caught_up(primary, replica)
    with replica.connect() as connection:
        assert connection.execute(text("SELECT pg_is_in_recovery()")).scalar_one() is True
        assert connection.execute(text(f"SELECT fact FROM {table}")).scalars().all() == [fact]


@pytest.mark.postgres
def test_a_write_through_the_read_session_fails_as_a_read_only_transaction(pair: tuple[Engine, Engine, str]) -> None:
    primary, replica, table = pair
    caught_up(primary, replica)
    for url in (replica_url(), PRIMARY_URL):  # read-only even where the server would take it
        engine = make_read_engine(url)
        try:
            with pytest.raises(DBAPIError) as refused, session_factory(engine)() as session:
                session.execute(text(f"INSERT INTO {table} VALUES ('written')"))
            # a write that names no existing table: refused as read-only, whatever the catalogue holds
            with pytest.raises(DBAPIError) as created, session_factory(engine)() as session:
                session.execute(text(f"CREATE TABLE {table}_written (fact text)"))
        finally:
            engine.dispose()
        assert getattr(created.value.orig, "sqlstate", None) == READ_ONLY_TRANSACTION, created.value
        assert getattr(refused.value.orig, "sqlstate", None) in (READ_ONLY_TRANSACTION, UNDEFINED_TABLE)


@pytest.mark.postgres
def test_read_sessions_use_the_replica_when_it_answers(pair: tuple[Engine, Engine, str]) -> None:
    primary, replica, _table = pair
    reads = ReadSessions(session_factory(primary), replica)
    with reads() as session:
        assert session.get_bind() is replica
        assert session.execute(text("SELECT pg_is_in_recovery()")).scalar_one() is True


def test_read_sessions_fall_back_to_the_primary_with_a_warning_when_the_replica_is_down(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    primary = make_engine(f"sqlite:///{tmp_path}/primary.sqlite3")
    down = make_read_engine(make_url("postgresql+psycopg://app:app@127.0.0.1/app_test").set(port=closed_port())
                            .render_as_string(hide_password=False))
    reads = ReadSessions(session_factory(primary), down)
    with caplog.at_level(logging.WARNING, logger="assessment.db.engine"):
        with reads() as session:
            assert session.get_bind() is primary
            assert session.execute(text("SELECT 1")).scalar_one() == 1
        started = time.monotonic()
        with reads() as session:  # not tried again at once: no connect timeout on every request
            assert session.get_bind() is primary
        assert time.monotonic() - started < 0.5
    assert [r.message for r in caplog.records if "read replica unreachable" in r.message]
    assert len(caplog.records) == 1
    down.dispose()
    primary.dispose()
