"""Officials' fixtures: logged-in officials of a region, and demo data, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from authority import Load, Login, logged_in, make_account
from flask import Flask
from flask.testing import FlaskClient

from assessment.services import demo
from assessment.web.site import site


@pytest.fixture
def official(app: Flask) -> Login:
    """Log in a new official of a region: official("320000") → a client."""
    made: list[int] = []

    def login(region: str, email: str | None = None) -> FlaskClient:
        user_id = make_account(app, email or f"official-{region}-{len(made)}@example.gov.cn", "official", region)
        made.append(user_id)
        return logged_in(app, user_id)
    return login


@pytest.fixture
def load_demo(app: Flask) -> Load:
    """Generate demo assessments in some provinces: load_demo(300, provinces=("32",), seed=1) → how many."""

    def load(count: int, provinces: Sequence[str] = (), seed: int = 1) -> int:
        here = site(app)
        with here.sessions() as session:
            summary = demo.generate(session, library=here.library, regions=here.regions, industries=here.industries,
                                    count=count, seed=seed, provinces=provinces, pool=200)
        return summary.assessments
    return load
