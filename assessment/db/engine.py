"""Engines and session factories for SQLite and PostgreSQL URLs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT = 5.0
"""Seconds a SQLite writer waits for another's write transaction to end before it fails with "database is locked"."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection; WAL lets readers run beside a writer, and in WAL
    # mode synchronous=NORMAL cannot corrupt the file (a power cut may lose the last commits, not earlier ones).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_transactions(connect_args: Mapping[str, Any]) -> dict[str, Any]:
    """The sqlite3 connect arguments for SQLite's own locking: a busy timeout and `BEGIN IMMEDIATE` for writers.

    sqlite3 runs reads outside a transaction and opens one just before the first INSERT, UPDATE or DELETE; with
    `isolation_level="IMMEDIATE"` it opens it with `BEGIN IMMEDIATE`, which takes the write lock at once, waiting
    up to the busy timeout for a writer before it. So readers never queue behind writers (WAL), and a writer never
    fails for having read an older snapshot than the last commit, as a deferred transaction that first reads and
    then writes does. A session's transaction starts at its first statement, usually a read, so SQLAlchemy's own
    BEGIN could not know whether the transaction will write.
    """
    return {"timeout": BUSY_TIMEOUT, "isolation_level": "IMMEDIATE", **connect_args}


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for a database URL; SQLite with foreign keys on, WAL, and writers that begin immediately."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.get_driver_name() == "pysqlite":
        options["connect_args"] = _sqlite_transactions(options.get("connect_args", {}))
    engine = create_engine(parsed, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to an engine; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
