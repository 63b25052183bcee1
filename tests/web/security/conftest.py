"""Fixtures for the security tests: the provider `world` (tests/web/providers/world.py), the web journey helpers
(tests/web/journey.py) and officials (tests/web/officials/authority.py), on SQLite and PostgreSQL through `app`."""

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
