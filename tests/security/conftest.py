"""Fixtures for the security tests: the provider `world` (tests/providers/world.py), the web journey helpers
(tests/web/journey.py) and officials (tests/officials/authority.py), on SQLite and PostgreSQL through `app`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask import Flask

TESTS = Path(__file__).resolve().parents[1]
for folder in ("providers", "web", "officials"):
    if str(TESTS / folder) not in sys.path:
        sys.path.insert(0, str(TESTS / folder))

from world import World  # noqa: E402  (found through the folders added above)


@pytest.fixture
def app(app: Flask, tmp_path: Path) -> Flask:
    """The app with evidence files kept in the test's own folder."""
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    return app


@pytest.fixture
def world(app: Flask) -> World:
    """Accounts, providers and assessments made through the services."""
    return World(app)
