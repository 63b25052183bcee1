"""Keeping an installation current: migrations report where the database stood, content versions are recorded."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from assessment.content.loader import Library, content_root
from assessment.db.engine import make_engine
from assessment.db.migrate import head_revision
from assessment.services import maintenance


def test_migrating_an_empty_database_reports_both_revisions_and_then_nothing_to_do(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'site.sqlite3'}")  # its folder is made too
    try:
        assert maintenance.migrate(engine) == (None, head_revision())
        assert maintenance.schema_current(engine)
        assert maintenance.migrate(engine) == (head_revision(), head_revision())
    finally:
        engine.dispose()


def test_a_database_without_the_migrations_is_not_current(database_server: object, tmp_path: Path) -> None:
    engine = make_engine(database_server.empty(tmp_path))  # type: ignore[attr-defined]
    try:
        assert not maintenance.schema_current(engine)
    finally:
        engine.dispose()


def test_a_url_is_shown_without_its_password() -> None:
    assert maintenance.shown_url("postgresql://app:secret@db/assessment") == "postgresql://app:***@db/assessment"


def test_content_versions_are_new_then_the_same(session: Session, library: Library) -> None:
    first = list(maintenance.record_content(session, library, content_root()))
    assert ("questionnaire", "miit-2024@2024.1", "questionnaires/miit-2024.yaml", "new") in {
        (r.kind, r.ref, r.file, r.outcome) for r in first}
    assert [r.ref for r in first] == sorted(r.ref for r in first if r.kind == "model") + sorted(
        r.ref for r in first if r.kind == "questionnaire")
    again = list(maintenance.record_content(session, library, content_root()))
    assert {r.outcome for r in again} == {"same"}
