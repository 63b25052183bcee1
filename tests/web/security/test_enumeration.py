"""Registration, login and password reset answer the same, and do the same work before answering, whether an
address has an account or not; what differs goes by email to the address, after the answer."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from journey import Journey
from sqlalchemy import select
from werkzeug.test import TestResponse
from world import PASSWORD, World

from assessment.db import queries
from assessment.db.models import SecurityEvent
from assessment.services import accounts

KNOWN, UNKNOWN = "owner@example.com", "nobody@example.com"
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"|(value=")[^"]{40,}"')


def _same_page(known: TestResponse, unknown: TestResponse) -> None:
    """Status and body alike, once the address typed and the forms' CSRF tokens are set aside."""
    assert known.status_code == unknown.status_code
    bodies = [TOKEN.sub(r"\1\2…", r.text).replace(KNOWN, "ADDRESS").replace(UNKNOWN, "ADDRESS")
              for r in (known, unknown)]
    assert bodies[0] == bodies[1]


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every scrypt computation (password hashing and checking) made from now on."""
    counted: list[int] = []
    scrypt = hashlib.scrypt

    def counting(*args: Any, **kwargs: Any) -> bytes:
        counted.append(1)
        return scrypt(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return counted


def _register(client: FlaskClient, email: str, password: str = "another passphrase 7") -> TestResponse:
    return client.post("/auth/register", data={"email": email, "password": password, "confirm": password})


def test_registering_a_known_or_a_new_address_answers_the_same(world: World, hashes: list[int]) -> None:
    world.member("enterprise", KNOWN, password=PASSWORD)
    hashes.clear()
    known = _register(world.app.test_client(), KNOWN)
    work_known = len(hashes)
    unknown = _register(world.app.test_client(), UNKNOWN)
    _same_page(known, unknown)
    assert known.status_code == 200 and 'id="register-sent"' in known.text
    assert work_known == len(hashes) - work_known == 1, "the password is hashed either way"


def test_a_new_address_gets_an_account_and_a_link_a_known_one_a_note_to_its_owner(world: World) -> None:
    world.member("enterprise", KNOWN, password=PASSWORD)
    _register(world.app.test_client(), KNOWN, "the intruders passphrase")
    _register(world.app.test_client(), UNKNOWN)
    to_known = [m for m in world.outbox.sent if m.to == KNOWN]
    to_unknown = [m for m in world.outbox.sent if m.to == UNKNOWN]
    assert [m.subject for m in to_known] == ["有人尝试用您的邮箱地址注册"]
    assert "/auth/login" in to_known[0].body and "/account/password/forgot" in to_known[0].body
    assert [m.subject for m in to_unknown] == ["确认您的邮箱地址"]
    with world.session() as session:
        owner = queries.user_by_email(session, KNOWN)
        new = queries.user_by_email(session, UNKNOWN)
        outcomes = session.execute(select(SecurityEvent.user_id, SecurityEvent.outcome)
                                   .where(SecurityEvent.kind == "registered").order_by(SecurityEvent.id)).all()
    assert owner is not None and accounts.password_matches(owner.password_hash, PASSWORD), "nothing changed"
    assert new is not None and new.email_verified_at is None
    assert [tuple(o) for o in outcomes] == [(owner.id, "failure"), (new.id, "success")]


def test_registering_signs_nobody_in_and_the_link_does_keeping_this_browsers_drafts(world: World) -> None:
    journey = Journey(world.app.test_client())
    assessment_id = journey.start()
    answer = _register(journey.client, UNKNOWN)
    assert "owner" not in answer.text and journey.client.get("/account").status_code == 302
    link = re.search(r"http://localhost(/\S+)", world.outbox.sent[-1].body)
    assert link is not None
    followed = journey.client.get(link[1])
    assert followed.status_code == 303
    assert journey.client.get("/account").status_code == 200
    with world.session() as session:
        user = queries.user_by_email(session, UNKNOWN)
    assert user is not None and user.email_verified_at is not None
    assert journey.record(assessment_id).user_id == user.id
    with world.session() as session:
        kinds = set(session.scalars(select(SecurityEvent.kind)))
    assert {"registered", "email_verified", "sign_in"} <= kinds


def test_a_wrong_password_and_an_unknown_address_answer_the_same_after_the_same_work(world: World,
                                                                                    hashes: list[int]) -> None:
    world.member("enterprise", KNOWN, password=PASSWORD)
    hashes.clear()
    known = world.app.test_client().post("/auth/login", data={"email": KNOWN, "password": "wrong password 1"})
    work_known = len(hashes)
    unknown = world.app.test_client().post("/auth/login", data={"email": UNKNOWN, "password": "wrong password 1"})
    _same_page(known, unknown)
    assert known.status_code == 401 and work_known == len(hashes) - work_known == 1
    with world.session() as session:
        failures = session.scalars(select(SecurityEvent.outcome).where(SecurityEvent.kind == "sign_in")).all()
    assert failures == ["failure", "failure"], "failed sign-ins are logged (and committed)"


def test_asking_to_reset_a_known_or_unknown_address_answers_the_same(world: World, hashes: list[int]) -> None:
    world.member("enterprise", KNOWN, password=PASSWORD)
    hashes.clear()
    known = world.app.test_client().post("/account/password/forgot", data={"email": KNOWN})
    unknown = world.app.test_client().post("/account/password/forgot", data={"email": UNKNOWN})
    _same_page(known, unknown)
    assert known.status_code == 200 and hashes == []
    assert [m.to for m in world.outbox.sent] == [KNOWN], "only an account's address gets a link"
    with world.session() as session:
        outcomes = session.scalars(select(SecurityEvent.outcome)
                                   .where(SecurityEvent.kind == "password_reset_requested")
                                   .order_by(SecurityEvent.id)).all()
    assert outcomes == ["success", "failure"]


def test_the_register_and_login_forms_find_the_same_problems_for_any_address(world: World) -> None:
    world.member("enterprise", KNOWN, password=PASSWORD)
    known = _register(world.app.test_client(), KNOWN, "password1234")
    unknown = _register(world.app.test_client(), UNKNOWN, "password1234")
    _same_page(known, unknown)
    assert known.status_code == 422 and world.outbox.sent == []
