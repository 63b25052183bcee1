"""Shared fixtures: the web app with its test client and CLI runner (flaskr style), on SQLite and PostgreSQL.

The database fixtures are parametrised over SQLite (a file per test, copied from a migrated template) and
PostgreSQL (a database per xdist worker, migrated once, emptied after each test). PostgreSQL comes from
ASSESSMENT_TEST_POSTGRES_URL (set by `make test` through scripts/with-postgres). Without it, the PostgreSQL
cases are deselected, unless ASSESSMENT_REQUIRE_POSTGRES=1, which makes them fail loudly instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from assessment.content.loader import Library, content_root, load_library
from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.db.models import Base
from assessment.web.app import create_app
from assessment.web.site import site

POSTGRES_URL = os.environ.get("ASSESSMENT_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("ASSESSMENT_REQUIRE_POSTGRES") == "1"
REDIS_URL = os.environ.get("ASSESSMENT_TEST_REDIS_URL", "")
REQUIRE_REDIS = os.environ.get("ASSESSMENT_REQUIRE_REDIS") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the PostgreSQL (Redis) cases when no server is given and none is required."""
    missing = [marker for marker, given in (("postgres", POSTGRES_URL or REQUIRE_POSTGRES),
                                            ("redis", REDIS_URL or REQUIRE_REDIS)) if not given]
    deselected = [item for item in items if any(item.get_closest_marker(marker) for marker in missing)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The throw-away redis-server of scripts/with-redis (tests marked `redis` use it)."""
    if not REDIS_URL:
        pytest.fail("ASSESSMENT_REQUIRE_REDIS=1 but ASSESSMENT_TEST_REDIS_URL is not set: run the tests through "
                    "`make test` (scripts/with-redis starts a throw-away redis-server)")
    return REDIS_URL


class SQLiteServer:
    """SQLite: every test gets its own file, copied from one migrated template."""

    kind = "sqlite"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = directory / "template.sqlite3"
        engine = make_engine(f"sqlite:///{self.template}")
        upgrade(engine)
        engine.dispose()

    def fresh(self, where: Path) -> str:
        """A migrated, empty database for one test."""
        target = where / "assessment.sqlite3"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def empty(self, where: Path) -> str:
        """A database without any table."""
        return f"sqlite:///{where / 'empty.sqlite3'}"

    def clean(self) -> None:
        """Nothing to do: the next test copies the template again."""

    def close(self) -> None:
        """Nothing to do: pytest removes the files."""


class PostgresServer:
    """PostgreSQL: one database per xdist worker (the role may CREATEDB), migrated once, emptied per test."""

    kind = "postgresql"

    def __init__(self, url: str, worker: str) -> None:
        self.admin = make_engine(url, isolation_level="AUTOCOMMIT")
        self.names: list[str] = []
        self.base = make_url(url)
        self.url = self._create(f"app_test_{worker}")
        self.engine: Engine = make_engine(self.url)
        upgrade(self.engine)
        self.worker = worker

    def _create(self, name: str) -> str:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def fresh(self, where: Path) -> str:
        """The worker's migrated database (emptied after every test)."""
        return self.url

    def empty(self, where: Path) -> str:
        """A new database without any table."""
        return self._create(f"app_test_{self.worker}_empty")

    def clean(self) -> None:
        """Delete every row, so the next test starts from an empty database."""
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with self.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))

    def close(self) -> None:
        """Drop the worker's databases."""
        self.engine.dispose()
        with self.admin.connect() as connection:
            for name in self.names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


DatabaseServer = SQLiteServer | PostgresServer


@pytest.fixture(scope="session")
def library() -> Library:
    """The shipped questionnaires and models, loaded once."""
    loaded = load_library(content_root())
    assert not loaded.errors, "\n".join(map(str, loaded.errors))
    return loaded


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                    worker_id: str) -> Iterator[DatabaseServer]:
    """A database server of each kind the suite runs against."""
    server: DatabaseServer
    if request.param == "sqlite":
        server = SQLiteServer(tmp_path_factory.mktemp("sqlite"))
    else:
        if not POSTGRES_URL:
            pytest.fail("ASSESSMENT_REQUIRE_POSTGRES=1 but ASSESSMENT_TEST_POSTGRES_URL is not set: run the tests "
                        "through `make test` (scripts/with-postgres starts a throw-away PostgreSQL)")
        server = PostgresServer(POSTGRES_URL, worker_id)
    yield server
    server.close()


@pytest.fixture
def database_url(database_server: DatabaseServer, tmp_path: Path) -> Iterator[str]:
    """A migrated database with no rows, for one test."""
    yield database_server.fresh(tmp_path)
    database_server.clean()


@pytest.fixture
def app(database_url: str, library: Library) -> Iterator[Flask]:
    """The web app in testing mode (CSRF off; a dedicated test switches it on)."""
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test secret",
        "DATABASE_URL": database_url,
        "CONTENT_LIBRARY": library,
        "WTF_CSRF_ENABLED": False,
        # Two-step verification has its own tests (tests/web/security/test_mfa.py, with the three roles that need it);
        # here admins and officials sign in as before, so the other tests stay about what they test.
        "MFA_REQUIRED_ROLES": (),
    })
    yield app
    site(app).engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner of the app's commands."""
    return app.test_cli_runner()
