"""SQLite writers take the write lock with BEGIN IMMEDIATE and wait for it up to the busy timeout; readers do not."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from assessment.db.engine import make_engine


def _engine(path: Path, **options: object) -> Engine:
    engine = make_engine(f"sqlite:///{path}", **options)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE)"))
    return engine


def _write_lock_is_free(path: Path) -> bool:
    """Whether another connection could begin writing now, without waiting."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        if "database is locked" not in str(error):
            raise
        return False
    finally:
        other.close()
    return True


def test_a_write_holds_the_write_lock_until_commit(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    engine = _engine(db)
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM notes"))
        assert _write_lock_is_free(db)  # a read takes no write lock
        connection.execute(text("INSERT INTO notes (body) VALUES ('x')"))
        assert not _write_lock_is_free(db)
        connection.commit()
        assert _write_lock_is_free(db)


def test_a_transaction_begins_immediate_at_its_first_write_and_reads_begin_none(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "g.sqlite3")
    statements: list[str] = []
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        driver.set_trace_callback(statements.append)
        connection.execute(text("SELECT count(*) FROM notes"))
        assert not driver.in_transaction
        connection.execute(text("INSERT INTO notes (body) VALUES ('x')"))
        connection.execute(text("SELECT count(*) FROM notes"))
        connection.commit()
        driver.set_trace_callback(None)
    assert [s.split()[0] for s in statements] == ["SELECT", "BEGIN", "INSERT", "SELECT", "COMMIT"]
    assert statements[1] == "BEGIN IMMEDIATE"


def test_rollback_and_close_let_the_next_writer_in(tmp_path: Path) -> None:
    db = tmp_path / "b.sqlite3"
    engine = _engine(db)
    with engine.connect() as connection:
        connection.execute(text("UPDATE notes SET body = 'y'"))
        assert not _write_lock_is_free(db)
        connection.rollback()
        assert _write_lock_is_free(db)
        connection.execute(text("DELETE FROM notes"))
        assert not _write_lock_is_free(db)
    assert _write_lock_is_free(db)  # returned to the pool: rolled back


def test_a_failed_write_is_rolled_back_and_lets_the_next_writer_in(tmp_path: Path) -> None:
    db = tmp_path / "f.sqlite3"
    engine = _engine(db)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES ('same')"))
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO notes (body) VALUES ('other')"))
        with pytest.raises(IntegrityError):
            connection.execute(text("INSERT INTO notes (body) VALUES ('same')"))
        connection.rollback()
    assert _write_lock_is_free(db)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT body FROM notes")).scalars().all() == ["same"]


def test_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    engine = _engine(db)
    with engine.connect() as writer, engine.connect() as reader:
        writer.execute(text("INSERT INTO notes (body) VALUES ('w')"))
        started = time.monotonic()
        assert reader.execute(text("SELECT count(*) FROM notes")).scalar_one() == 0  # WAL: the committed state
        assert time.monotonic() - started < 1
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


def _read_then_insert_many(path: str, who: str, count: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    for n in range(count):
        with engine.begin() as connection:  # reads, then writes what it read: the way a request saves
            seen = connection.execute(text("SELECT count(*) FROM notes")).scalar_one()
            connection.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": f"{who}-{n}-{seen}"})
    engine.dispose()


def test_writers_in_two_processes_all_commit(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    _engine(db).dispose()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_read_then_insert_many, args=(str(db), who, 150)) for who in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM notes")).scalars().all()
    assert len(bodies) == 300 and len(set(bodies)) == 300
    assert _write_lock_is_free(db)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_databases_without_a_file_write_in_transactions(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        connection.rollback()
        connection.execute(text("INSERT INTO t VALUES (2)"))
        connection.commit()
        assert connection.execute(text("SELECT x FROM t")).scalars().all() == [2]
