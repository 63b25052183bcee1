"""Engines and session factories for SQLite and PostgreSQL URLs."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from typing import Any, Self

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

WRITER_LOCK_SUFFIX = "-writer.lock"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriterLock:
    """One database file's writer lock in this process: a thread lock, then an flock on a file beside it.

    SQLite has one writer at a time. A writer that finds the write lock taken sleeps in SQLite's busy handler for
    1, 2, 5, 10 … ms however soon the lock comes free, and with two gunicorn workers saving drafts that sleep, not
    the work, set the saves' throughput and p95 (bench/web.py). Writers that queue on this lock first wait no
    longer than the writer before them needs, and then find SQLite's lock free. Like SQLite's busy timeout, a
    writer gives up with "database is locked" after `timeout` seconds, so a second writer in the same thread
    fails instead of waiting for itself forever.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.threads = threading.Lock()
        self.fd: int | None = None
        self.pid = 0

    def _file(self) -> int:
        if self.fd is None or self.pid != os.getpid():  # a forked worker needs its own open file for flock
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self.pid = os.getpid()
        return self.fd

    def acquire(self, timeout: float) -> None:
        """Take the lock, or raise sqlite3.OperationalError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        delay = 0.00005
        try:
            while True:
                try:
                    fcntl.flock(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise sqlite3.OperationalError("database is locked") from None
                    time.sleep(delay)  # another process writes: poll in steps far finer than SQLite's
                    delay = min(delay * 2, 0.001)
        except BaseException:
            self.threads.release()
            raise

    def release(self) -> None:
        """Let the next writer in."""
        fcntl.flock(self._file(), fcntl.LOCK_UN)
        self.threads.release()


_LOCKS: dict[str, WriterLock] = {}
_LOCKS_GUARD = threading.Lock()


def writer_lock(database: str) -> WriterLock:
    """The writer lock of a database file in this process."""
    path = os.path.abspath(database) + WRITER_LOCK_SUFFIX
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, WriterLock(path))


class _WriterCursor(sqlite3.Cursor):
    """A cursor that takes its connection's writer lock before the statement that starts a write transaction."""

    def _before(self, sql: str) -> SerialWriters | None:
        connection = self.connection
        if isinstance(connection, SerialWriters) and not connection.writing and sql.lstrip()[:7].upper().startswith(
                _WRITES):
            connection.begin_writing()
            return connection
        return None

    @staticmethod
    def _after(connection: SerialWriters | None) -> None:
        # no transaction after the write (autocommit, or a statement refused before it began): nothing to wait for
        if connection is not None and not connection.in_transaction:
            connection.end_writing()

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        """Execute one statement (see sqlite3.Cursor.execute)."""
        writer = self._before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self._after(writer)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Self:
        """Execute one statement for many parameter sets (see sqlite3.Cursor.executemany)."""
        writer = self._before(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self._after(writer)


class SerialWriters(sqlite3.Connection):
    """A SQLite file connection whose write transactions queue on the file's WriterLock; readers do not."""

    def __init__(self, database: str, timeout: float = 5.0, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, timeout, *args, **kwargs)
        self.lock = writer_lock(database)
        self.lock_timeout = timeout
        self.writing = False

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        """A cursor that takes the writer lock before a write."""
        return super().cursor(factory or _WriterCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        """Execute one statement on a new cursor (the C shortcut would bypass the cursor's lock check)."""
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:
        """Execute one statement for many parameter sets on a new cursor (see execute)."""
        return self.cursor().executemany(sql, seq_of_parameters)

    def begin_writing(self) -> None:
        """Take the writer lock for the transaction about to write."""
        self.lock.acquire(self.lock_timeout)
        self.writing = True

    def end_writing(self) -> None:
        """Let the next writer in, if this connection holds the writer lock."""
        if self.writing:
            self.writing = False
            self.lock.release()

    def commit(self) -> None:
        """Commit, then let the next writer in."""
        try:
            super().commit()
        finally:
            self.end_writing()

    def rollback(self) -> None:
        """Roll back, then let the next writer in."""
        try:
            super().rollback()
        finally:
            self.end_writing()

    def close(self) -> None:
        """Close, and let the next writer in if this connection was writing."""
        try:
            super().close()
        finally:
            self.end_writing()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, per connection; WAL lets readers run beside a writer, and in WAL
    # mode synchronous=NORMAL cannot corrupt the file (a power cut may lose the last commits, not earlier ones).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    database = parsed.database or ""
    return parsed.get_backend_name() == "sqlite" and parsed.get_driver_name() in ("", "pysqlite") \
        and database not in ("", ":memory:") and not database.startswith("file:") and not parsed.query.get("uri")


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for a database URL; SQLite with foreign keys on, WAL, and writers queued on a lock file."""
    if _sqlite_file(url):
        connect_args = dict(options.pop("connect_args", {}))
        connect_args.setdefault("factory", SerialWriters)
        options["connect_args"] = connect_args
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to an engine; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
