"""Officials' fixtures: accounts scoped to a region, logged-in clients, and demo data on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessment.db import providers
from assessment.services import demo
from assessment.web.site import site
from assessment.web.tenancy import PASSWORD_AT, SIGNED_IN_AT

Login = Callable[..., FlaskClient]
Load = Callable[..., int]


def make_account(app: Flask, email: str, role: str = "official", region: str | None = None) -> int:
    """An account with a role (and, for an official, a region); its id."""
    with site(app).sessions() as session:
        record = providers.add_member(session, email, "not-a-password-hash", role=role, region_code=region)
        session.commit()
        return record.id


def logged_in(app: Flask, user_id: int) -> FlaskClient:
    """A test client whose session is that of this account after logging in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session["_id"] = "test"
        session[SIGNED_IN_AT] = time.time()
        session[PASSWORD_AT] = 0.0
        session.permanent = True
    return client


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
