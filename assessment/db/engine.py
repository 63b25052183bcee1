"""Engines and session factories for SQLite and PostgreSQL URLs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection; WAL lets readers run beside a writer, and in WAL
    # mode synchronous=NORMAL cannot corrupt the file (a power cut may lose the last commits, not earlier ones).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for a database URL, with SQLite's foreign keys switched on."""
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to an engine; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
