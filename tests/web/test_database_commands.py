"""Migrations on SQLite and PostgreSQL, `assessment db upgrade`, `assessment content sync`, and start-up checks."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import inspect

from assessment.content.loader import ContentInvalid, content_root
from assessment.db.engine import make_engine
from assessment.db.migrate import current_revision, head_revision, upgrade
from assessment.db.models import Base
from assessment.web.app import create_app, instance_secret
from assessment.web.site import site


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


def test_db_upgrade_command_migrates_and_reports(app: Flask, tmp_path: Path) -> None:
    fresh = create_app({**app.config, "DATABASE_URL": f"sqlite:///{tmp_path / 'new' / 'site.sqlite3'}"})
    try:
        runner = fresh.test_cli_runner()
        first = runner.invoke(args=["db", "upgrade"])
        assert first.exit_code == 0, first.output
        assert "upgraded from empty to" in first.output
        again = runner.invoke(args=["db", "upgrade"])
        assert again.exit_code == 0 and "is up to date" in again.output
    finally:
        site(fresh).engine.dispose()


def test_content_sync_records_every_version_with_its_file_hash(runner: FlaskCliRunner, app: Flask) -> None:
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert "questionnaire miit-2024@2024.1\tquestionnaires/miit-2024.yaml\tnew" in result.output
    assert "model miit-2024@2024.1\tscoring_models/miit-2024.yaml\tnew" in result.output
    again = runner.invoke(args=["content", "sync"])
    assert "questionnaire miit-2024@2024.1\tquestionnaires/miit-2024.yaml\tsame" in again.output
    with site(app).engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT kind, ref, sha256 FROM content_versions").all()
    assert ("questionnaire", "miit-2024@2024.1") in {(r[0], r[1]) for r in rows}
    assert all(len(r[2]) == 64 for r in rows)


def test_content_sync_warns_when_a_file_changed_without_a_new_version(runner: FlaskCliRunner, app: Flask) -> None:
    runner.invoke(args=["content", "sync"])
    with site(app).engine.begin() as connection:
        connection.exec_driver_sql("UPDATE content_versions SET sha256 = 'old' WHERE ref = 'miit-2024@2024.1'")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0
    assert "changed" in result.output
    assert "warning: questionnaire miit-2024@2024.1 changed since it was last recorded" in result.stderr


def test_content_sync_refuses_a_database_that_is_not_migrated(app: Flask, tmp_path: Path) -> None:
    bare = create_app({**app.config, "DATABASE_URL": f"sqlite:///{tmp_path / 'bare.sqlite3'}"})
    try:
        result = bare.test_cli_runner().invoke(args=["content", "sync"])
        assert result.exit_code == 1
        assert "run `assessment db upgrade` first" in result.output
    finally:
        site(bare).engine.dispose()


def test_the_app_refuses_to_start_with_broken_content(tmp_path: Path) -> None:
    (tmp_path / "questionnaires").mkdir()
    (tmp_path / "questionnaires" / "broken.yaml").write_text("format: questionnaire/1\nid: broken\n", "utf-8")
    with pytest.raises(ContentInvalid) as caught:
        create_app({"TESTING": True, "SECRET_KEY": "x", "CONTENT_DIR": str(tmp_path), "DATABASE_URL": "sqlite://"})
    assert "questionnaires/broken.yaml" in str(caught.value)


def test_content_comes_from_the_configured_directory(database_url: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "CONTENT_DIR": str(content_root()),
                      "DATABASE_URL": database_url})
    try:
        assert "miit-2024" in site(app).library.questionnaires
    finally:
        site(app).engine.dispose()


def test_configuration_comes_from_prefixed_environment_variables(monkeypatch: pytest.MonkeyPatch,
                                                                 database_url: str, app: Flask) -> None:
    monkeypatch.setenv("ASSESSMENT_DATABASE_URL", database_url)
    monkeypatch.setenv("ASSESSMENT_SECRET_KEY", "from the environment")
    monkeypatch.setenv("ASSESSMENT_RESUME_RATE_LIMIT", "7 per minute")
    configured = create_app({"TESTING": True, "CONTENT_LIBRARY": app.config["CONTENT_LIBRARY"]})
    try:
        assert configured.config["SECRET_KEY"] == "from the environment"
        assert configured.config["RESUME_RATE_LIMIT"] == "7 per minute"
        assert str(site(configured).engine.url.render_as_string(hide_password=False)) == database_url
    finally:
        site(configured).engine.dispose()


def test_development_secret_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = instance_secret(str(tmp_path / "instance"))
    assert len(first) == 64
    assert instance_secret(str(tmp_path / "instance")) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "instance" / "secret_key").st_mode)
    assert mode == 0o600
