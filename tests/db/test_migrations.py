"""The migrations build the schema of the models, on SQLite and PostgreSQL, and a second run changes nothing."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from assessment.db.engine import make_engine
from assessment.db.migrate import current_revision, head_revision, upgrade
from assessment.db.models import Base


def test_migrations_upgrade_an_empty_database_to_the_models(database_server: object, tmp_path: Path) -> None:
    url = database_server.empty(tmp_path)  # type: ignore[attr-defined]
    engine = make_engine(url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert {"users", "enterprises", "assessments", "content_versions"} <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        upgrade(engine)  # a second run changes nothing
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
