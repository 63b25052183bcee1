"""Officials' accounts for the tests: an account with a role and region, a client logged in as it."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from assessment.db import providers, queries
from assessment.web.site import site
from assessment.web.tenancy import signed_in_state

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
    with site(app).sessions() as db_session:
        record = queries.get_user(db_session, user_id)
    assert record is not None
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session["_id"] = "test"
        session.update(signed_in_state(record, time.time()))
        session.permanent = True
    return client
