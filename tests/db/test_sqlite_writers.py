"""SQLite writers queue on a lock file beside the database; readers do not, and nobody waits forever."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from assessment.db.engine import WRITER_LOCK_SUFFIX, SerialWriters, make_engine


def _engine(path: Path, **options: object) -> Engine:
    engine = make_engine(f"sqlite:///{path}", **options)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT)"))
    return engine


def _lock_is_free(path: Path) -> bool:
    """Whether another open file could take the writer lock now (flock conflicts between open files)."""
    descriptor = os.open(str(path) + WRITER_LOCK_SUFFIX, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)
    return True


def test_a_write_holds_the_writer_lock_until_commit(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    engine = _engine(db)
    with engine.connect() as connection:
        assert isinstance(connection.connection.dbapi_connection, SerialWriters)
        connection.execute(text("INSERT INTO notes (body) VALUES ('x')"))
        assert not _lock_is_free(db)
        connection.commit()
        assert _lock_is_free(db)


def test_rollback_and_close_let_the_next_writer_in(tmp_path: Path) -> None:
    db = tmp_path / "b.sqlite3"
    engine = _engine(db)
    with engine.connect() as connection:
        connection.execute(text("UPDATE notes SET body = 'y'"))
        assert not _lock_is_free(db)
        connection.rollback()
        assert _lock_is_free(db)
        connection.execute(text("DELETE FROM notes"))
        assert not _lock_is_free(db)
    assert _lock_is_free(db)  # returned to the pool: rolled back
    engine.dispose()
    raw = SerialWriters(str(db))
    raw.execute("INSERT INTO notes (body) VALUES ('z')")  # Connection.execute goes through cursor()
    assert not _lock_is_free(db)
    raw.close()
    assert _lock_is_free(db)


def test_readers_do_not_take_the_writer_lock(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    engine = _engine(db)
    with engine.connect() as writer, engine.connect() as reader:
        writer.execute(text("INSERT INTO notes (body) VALUES ('w')"))
        assert reader.execute(text("SELECT count(*) FROM notes")).scalar_one() == 0  # WAL: the committed state
        writer.commit()
        assert reader.execute(text("SELECT count(*) FROM notes")).scalar_one() == 1


def test_a_second_writer_in_the_same_thread_gives_up_after_the_timeout(tmp_path: Path) -> None:
    db = tmp_path / "d.sqlite3"
    engine = _engine(db, connect_args={"timeout": 0.3})
    with engine.connect() as first, engine.connect() as second:
        first.execute(text("INSERT INTO notes (body) VALUES ('1')"))
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            second.execute(text("INSERT INTO notes (body) VALUES ('2')"))
        assert 0.25 <= time.monotonic() - started < 3
        second.rollback()
        first.commit()
        second.execute(text("INSERT INTO notes (body) VALUES ('2')"))
        second.commit()
        assert second.execute(text("SELECT count(*) FROM notes")).scalar_one() == 2


def _insert_many(path: str, who: str, count: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    for n in range(count):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": f"{who}-{n}"})
    engine.dispose()


def test_writers_in_two_processes_all_commit(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    _engine(db).dispose()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_insert_many, args=(str(db), who, 150)) for who in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM notes")).scalars().all()
    assert len(bodies) == 300 and len(set(bodies)) == 300
    assert _lock_is_free(db)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_databases_without_a_file_keep_plain_connections(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        assert not isinstance(connection.connection.dbapi_connection, SerialWriters)
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))


def test_a_write_outside_a_transaction_does_not_keep_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "f.sqlite3"
    _engine(db).dispose()
    raw = SerialWriters(str(db), isolation_level=None)  # autocommit: each statement commits by itself
    raw.execute("INSERT INTO notes (body) VALUES ('a')")
    assert _lock_is_free(db)
    with pytest.raises(sqlite3.OperationalError):
        raw.execute("INSERT INTO no_such_table VALUES (1)")
    assert _lock_is_free(db)
    raw.close()
    transactional = SerialWriters(str(db))
    with pytest.raises(sqlite3.OperationalError):
        transactional.execute("UPDATE no_such_table SET x = 1")  # refused before any transaction began
    assert _lock_is_free(db)
    transactional.close()
