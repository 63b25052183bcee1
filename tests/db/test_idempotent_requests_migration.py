"""Migration 0008_idempotent_requests: one stored answer per account and Idempotency-Key, deleted with the account,
added to a database with accounts and taken out again, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError

from assessment.db.engine import make_engine
from assessment.db.migrate import alembic_config, current_revision, upgrade

BEFORE = "0007_access_tokens"
THIS = "0008_idempotent_requests"
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def _stored(connection: Connection, user_id: int, key: str) -> None:
    connection.execute(text("INSERT INTO idempotent_requests (user_id, key, fingerprint, status, body, created_at) "
                            "VALUES (:user, :key, :print, 200, '{}', :now)"),
                       {"user": user_id, "key": key, "print": "0" * 64, "now": NOW})


def test_one_answer_per_account_and_key_deleted_with_the_account(database_server: object, tmp_path: Path) -> None:
    engine = make_engine(database_server.empty(tmp_path))  # type: ignore[attr-defined]
    try:
        upgrade(engine, BEFORE)
        with engine.begin() as connection:
            for user in (1, 2):
                connection.execute(text("INSERT INTO users (id, email, password_hash, role, active, "
                                        "session_generation, created_at) VALUES (:id, :email, 'x', 'enterprise', "
                                        "true, 0, :now)"), {"id": user, "email": f"{user}@example.com", "now": NOW})
        upgrade(engine, THIS)
        assert current_revision(engine) == THIS
        with engine.begin() as connection:
            _stored(connection, 1, "k")
            _stored(connection, 2, "k")  # another account may use the same key
        with pytest.raises(IntegrityError), engine.begin() as connection:
            _stored(connection, 1, "k")
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.execute(text("PRAGMA foreign_keys = ON"))
            connection.execute(text("DELETE FROM users WHERE id = 1"))
            assert connection.execute(text("SELECT user_id FROM idempotent_requests")).scalars().all() == [2]
        command.downgrade(alembic_config(engine), BEFORE)
        assert "idempotent_requests" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
