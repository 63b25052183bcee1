"""Migration 0007_access_tokens: the table of token hashes with its checks and cascade, added to a database with
accounts and taken out again, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError

from assessment.db.engine import make_engine
from assessment.db.migrate import alembic_config, current_revision, upgrade

BEFORE = "0006_pseudonymise"
THIS = "0007_access_tokens"
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def _token(connection: Connection, user_id: int, scope: str = "read", days: int = 90) -> None:
    connection.execute(text(
        "INSERT INTO access_tokens (user_id, name, prefix, secret_hash, scope, created_at, created_address, "
        "expires_at, last_used_address) VALUES (:user, '脚本', 'sat_abcdefgh', :hash, :scope, :now, '', :until, '')"),
        {"user": user_id, "hash": "0" * 64, "scope": scope, "now": NOW, "until": NOW + timedelta(days=days)})


def test_the_token_table_comes_with_its_checks_and_goes_again(database_server: object, tmp_path: Path) -> None:
    engine = make_engine(database_server.empty(tmp_path))  # type: ignore[attr-defined]
    try:
        upgrade(engine, BEFORE)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO users (id, email, password_hash, role, active, session_generation, "
                                    "created_at) VALUES (1, 'a@example.com', 'x', 'enterprise', true, 0, :now)"),
                               {"now": NOW})
        upgrade(engine, THIS)
        assert current_revision(engine) == THIS
        columns = {c["name"] for c in inspect(engine).get_columns("access_tokens")}
        assert "secret_hash" in columns and not {"secret", "token"} & columns
        with engine.begin() as connection:
            _token(connection, 1)
        for scope, days in (("admin", 90), ("read", 0)):  # a scope not in the list; an expiry not after creation
            with pytest.raises(IntegrityError), engine.begin() as connection:
                _token(connection, 1, scope, days)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM users WHERE id = 1"))
            assert connection.scalar(text("SELECT count(*) FROM access_tokens")) == 0  # they go with the account
        command.downgrade(alembic_config(engine), BEFORE)
        assert "access_tokens" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert "access_tokens" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
