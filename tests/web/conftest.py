"""Web fixtures: browsers (`journey`, `other_journey`) walking through the assessment with the test client."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from journey import Journey


@pytest.fixture
def journey(client: FlaskClient) -> Journey:
    """The test client walking through the assessment."""
    return Journey(client)


@pytest.fixture
def other_journey(app: Flask) -> Journey:
    """A second browser (its own cookies) on the same site."""
    return Journey(app.test_client())
