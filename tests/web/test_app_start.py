"""Start-up: create_app refuses broken content, reads content and configuration from where it is told, and makes a
private development secret key once."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from flask import Flask

from assessment.content.errors import ContentInvalid
from assessment.content.loader import content_root
from assessment.web.app import create_app, instance_secret
from assessment.web.site import site


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
