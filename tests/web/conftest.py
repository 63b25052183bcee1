"""Web fixtures: browsers (`journey`, `other_journey`) walking through the assessment with the test client, and
the app with CSRF protection on (`csrf_app`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from journey import Journey

from assessment.web.app import create_app
from assessment.web.site import site


@pytest.fixture
def journey(client: FlaskClient) -> Journey:
    """The test client walking through the assessment."""
    return Journey(client)


@pytest.fixture
def other_journey(app: Flask) -> Journey:
    """A second browser (its own cookies) on the same site."""
    return Journey(app.test_client())


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    """The app on the same database with CSRF protection switched on, as in production."""
    protected = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    yield protected
    site(protected).engine.dispose()
