"""Service fixtures: a session on a migrated, empty database (SQLite and PostgreSQL), with no web app around it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from assessment.db.engine import make_engine, session_factory


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session of its own on the test's database; what a test commits stays until the database is emptied."""
    engine = make_engine(database_url)
    with session_factory(engine)() as opened:
        yield opened
    engine.dispose()
