"""`assessment db upgrade` migrates and reports where the database stood; `assessment content sync` records the
content versions served and warns when a file changed under an unchanged version."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from assessment.web.app import create_app
from assessment.web.site import site


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
