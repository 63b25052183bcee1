"""Engines and session factories for SQLite and PostgreSQL URLs."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
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


REPLICA_CONNECT_TIMEOUT = 2
"""Seconds to wait for the read replica to answer a new connection before the primary serves the reads."""

REPLICA_RETRY_AFTER = 30.0
"""Seconds the primary serves the reads after the replica failed, before the replica is tried again."""

log = logging.getLogger(__name__)


def make_read_engine(url: str, **options: Any) -> Engine:
    """An engine for a read replica: read-only transactions, a short connect timeout, connections checked on use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        options["connect_args"] = {"connect_timeout": REPLICA_CONNECT_TIMEOUT,
                                   "options": "-c default_transaction_read_only=on",
                                   **options.get("connect_args", {})}
    return make_engine(url, pool_pre_ping=True, **options)


class ReadSessions:
    """Sessions for reads that may lag a little (the officials' aggregates): on the replica when one is configured and
    answers, otherwise on the primary, with a warning; a failed replica is tried again after REPLICA_RETRY_AFTER."""

    def __init__(self, primary: sessionmaker[Session], replica: Engine | None = None) -> None:
        self.primary = primary
        self.replica = replica
        self.replica_sessions = session_factory(replica) if replica is not None else None
        self.failed_at: float | None = None

    def __call__(self) -> Session:
        """A session on the replica if it answers now, else on the primary."""
        if self.replica is None or self.replica_sessions is None or self._resting():
            return self.primary()
        try:
            with self.replica.connect():  # the pool's pre-ping checks a kept connection; a new one connects
                pass
        except DBAPIError as exc:
            self.failed_at = time.monotonic()
            log.warning("read replica unreachable, reading from the primary for %.0f s: %s", REPLICA_RETRY_AFTER,
                        exc.orig)
            return self.primary()
        self.failed_at = None
        return self.replica_sessions()

    def _resting(self) -> bool:
        return self.failed_at is not None and time.monotonic() - self.failed_at < REPLICA_RETRY_AFTER

    def dispose(self) -> None:
        """Close the replica's pooled connections."""
        if self.replica is not None:
            self.replica.dispose()
