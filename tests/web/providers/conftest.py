"""Provider-workspace fixtures: a `world` of accounts, providers, enterprises and assessments, on SQLite and
PostgreSQL through tests/conftest.py's `app`."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from world import World


@pytest.fixture
def app(app: Flask, tmp_path: Path) -> Flask:
    """The app with evidence files kept in the test's own folder."""
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    return app


@pytest.fixture
def world(app: Flask) -> World:
    """Accounts, providers and assessments made through the services."""
    return World(app)
