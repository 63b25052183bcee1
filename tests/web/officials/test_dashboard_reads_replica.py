"""With ASSESSMENT_DATABASE_REPLICA_URL, the officials' dashboard and exports read their aggregates from the replica;
the sign-in, the official's own target and the access log stay on the primary; a replica that is down leaves the
reads to the primary, with a warning."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator

import pytest
from api_callers import account, bearer, token
from authority import Load, Login
from flask import Flask
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url

from assessment.content.loader import Library
from assessment.web.app import create_app
from assessment.web.database import READ_SESSIONS
from assessment.web.site import site

REPLICA_URL = os.environ.get("ASSESSMENT_TEST_POSTGRES_REPLICA_URL", "")
AGGREGATE_TABLES = ("assessment_facts", "rollup")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def replica() -> str:
    """Which replica the app is given: "live" (the pair's, same database) or "down" (a closed port)."""
    return "live"


@pytest.fixture
def app(database_url: str, library: Library, replica: str) -> Iterator[Flask]:
    """The web app in testing mode with a read replica configured."""
    if replica == "live":
        if not database_url.startswith("postgresql"):
            pytest.skip("the read replica is a PostgreSQL streaming replica")
        if not REPLICA_URL:
            if os.environ.get("ASSESSMENT_REQUIRE_POSTGRES") == "1":
                pytest.fail("ASSESSMENT_TEST_POSTGRES_REPLICA_URL is not set: run the tests through "
                            "`scripts/with-postgres --replica` (make test does)")
            pytest.skip("no replica: run through scripts/with-postgres --replica")
        given = make_url(REPLICA_URL)
        url = make_url(database_url).set(host=given.host, port=given.port)
    else:
        url = make_url("postgresql+psycopg://app:app@127.0.0.1/app_test").set(port=_closed_port())
    app = create_app({"TESTING": True, "SECRET_KEY": "test secret", "DATABASE_URL": database_url,
                      "DATABASE_REPLICA_URL": url.render_as_string(hide_password=False), "CONTENT_LIBRARY": library,
                      "WTF_CSRF_ENABLED": False, "MFA_REQUIRED_ROLES": ()})
    yield app
    app.extensions[READ_SESSIONS].dispose()
    site(app).engine.dispose()


def statements(engine: Engine) -> list[str]:
    """The SQL statements run on an engine from now on."""
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_rest: seen.append(sql.lower()))
    return seen


def caught_up(app: Flask, timeout: float = 20.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with site(app).engine.connect() as connection:
        written = connection.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
    deadline = time.monotonic() + timeout
    # outside a transaction: a transaction's snapshot would hold up the very replay it waits for
    with app.extensions[READ_SESSIONS].replica.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        while not connection.execute(text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"),
                                     {"lsn": str(written)}).scalar_one():
            assert time.monotonic() < deadline, f"the replica has not replayed {written} after {timeout} s"
            time.sleep(0.05)


def _aggregates(sql: list[str]) -> list[str]:
    return [s for s in sql if any(table in s for table in AGGREGATE_TABLES)]


def test_the_dashboard_and_exports_read_the_aggregates_from_the_replica(app: Flask, load_demo: Load,
                                                                       official: Login) -> None:
    load_demo(600, provinces=("32",), seed=3)
    client = official("320000")
    caught_up(app)
    on_primary, on_replica = statements(site(app).engine), statements(app.extensions[READ_SESSIONS].replica)
    page = client.get("/official/")
    assert page.status_code == 200 and 'id="target"' not in page.get_data(as_text=True)
    download = client.get("/official/export.csv")
    assert download.status_code == 200 and download.get_data(as_text=True).count("\n") > 1
    assert _aggregates(on_replica) and not _aggregates(on_primary)
    assert not [s for s in on_replica if s.lstrip().startswith(("insert", "update", "delete"))]
    assert [s for s in on_primary if "insert into official_access" in s]  # the views are logged on the primary


def test_the_official_sees_the_target_just_set_because_it_is_read_from_the_primary(app: Flask, load_demo: Load,
                                                                                   official: Login) -> None:
    load_demo(600, provinces=("32",), seed=4)
    client = official("320000")
    on_primary, on_replica = statements(site(app).engine), statements(app.extensions[READ_SESSIONS].replica)
    saved = client.post("/official/target", data={"level": "2", "share": "30", "year": "2027", "next": "/official/"})
    assert saved.status_code == 303
    assert '<dd id="target">30%' in client.get("/official/").get_data(as_text=True)  # at once, no waiting for lag
    assert [s for s in on_primary if "from official_targets" in s]
    assert not [s for s in on_replica if "official_targets" in s]


@pytest.mark.parametrize("replica", ["down"])
def test_the_dashboard_reads_the_primary_with_a_warning_when_the_replica_is_down(
        app: Flask, load_demo: Load, official: Login, caplog: pytest.LogCaptureFixture) -> None:
    load_demo(600, provinces=("32",), seed=5)
    on_primary = statements(site(app).engine)
    with caplog.at_level(logging.WARNING, logger="assessment.db.engine"):
        page = official("320000").get("/official/")
    assert page.status_code == 200
    assert _aggregates(on_primary)
    assert [r for r in caplog.records if "read replica unreachable" in r.message]


def test_the_api_dashboard_and_exports_read_the_aggregates_from_the_replica(app: Flask, load_demo: Load) -> None:
    load_demo(600, provinces=("32",), seed=6)
    secret = token(app, account(app, "api-official@example.gov.cn", "official", region="320000"))
    client = app.test_client()
    caught_up(app)
    on_primary, on_replica = statements(site(app).engine), statements(app.extensions[READ_SESSIONS].replica)
    figures = client.get("/api/v1/official/dashboard", headers=bearer(secret))
    assert figures.status_code == 200, figures.get_data(as_text=True)
    download = client.get("/api/v1/official/exports/csv", headers=bearer(secret))
    assert download.status_code == 200 and download.get_data(as_text=True).count("\n") > 1
    assert _aggregates(on_replica) and not _aggregates(on_primary)
    assert not [s for s in on_replica if s.lstrip().startswith(("insert", "update", "delete"))]
    assert [s for s in on_primary if "insert into official_access" in s or "insert into security_events" in s]
