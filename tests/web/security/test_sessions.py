"""Sessions end on the server: a copied session cookie stops working at once after logout, password change or
reset, role change, switch-off and "sign out everywhere"; idle and absolute timeouts per role, checked on every
request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from world import PASSWORD, World

from assessment.db.models import SecurityEvent, User
from assessment.services import sessions
from assessment.services.mail import MemoryOutbox
from assessment.web.tenancy import MAIL

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC).timestamp()
MINUTE, HOUR = 60.0, 3600.0
ORGANISATION_ROLES = ("provider_staff", "provider_admin")


class Clock:
    """A clock the app reads through config CLOCK; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let time pass."""
        self.now += seconds


@pytest.fixture
def clock(app: Flask) -> Clock:
    """The app's clock, moved by the test."""
    moved = Clock()
    app.config["CLOCK"] = moved
    return moved


def _account(world: World, role: str = "enterprise", email: str = "owner@example.com") -> int:
    organisation = world.organisation("服务商") if role in ORGANISATION_ROLES else None
    return world.member(role, email, organisation_id=organisation, password=PASSWORD,
                        region_code="370100" if role == "official" else None)


def _signed_in(app: Flask, email: str = "owner@example.com", password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 303, response.text
    return client


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser with this one's session cookie, as someone who copied it would have."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _in(client: FlaskClient) -> bool:
    """Whether the client is signed in (the account page opens rather than sending it to log in)."""
    response = client.get("/account")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def _events(world: World) -> list[str]:
    with world.session() as session:
        return list(session.scalars(select(SecurityEvent.kind).order_by(SecurityEvent.id)))


def test_logging_out_ends_a_copied_session_cookie_too(world: World) -> None:
    _account(world)
    client = _signed_in(world.app)
    laptop = _signed_in(world.app)
    thief = _copy(world.app, client)
    assert _in(thief) and _in(laptop)
    assert client.post("/auth/logout").status_code == 303
    assert not _in(client) and not _in(thief)
    assert not _in(laptop), "logging out ends every session of the account"
    assert _events(world) == ["sign_in", "sign_in", "sign_out"]


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(world: World) -> None:
    _account(world)
    client = _signed_in(world.app)
    thief = _copy(world.app, client)
    new = "a brand new passphrase"
    response = client.post("/auth/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert _in(client) and not _in(thief)
    assert _signed_in(world.app, password=new)
    mails = world.app.extensions[MAIL]
    assert isinstance(mails, MemoryOutbox) and mails.sent[-1].subject == "您的密码已更改"
    assert "password_changed" in _events(world)


def test_a_password_change_needs_the_current_password_and_a_strong_new_one(world: World) -> None:
    _account(world)
    client = _signed_in(world.app)
    wrong = client.post("/auth/password", data={"current": "not my password", "password": "a brand new passphrase",
                                                "confirm": "a brand new passphrase"})
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.text
    weak = client.post("/auth/password", data={"current": PASSWORD, "password": "password1234",
                                               "confirm": "password1234"})
    assert weak.status_code == 422 and "这是一个非常常见的密码。" in weak.text
    assert _signed_in(world.app), "the password is unchanged"
    assert "password_changed" not in _events(world)


def test_the_password_page_asks_for_the_password_again_after_a_while(world: World, clock: Clock) -> None:
    _account(world)
    client = _signed_in(world.app)
    clock.advance(float(world.app.config["REAUTH_AFTER"]) + 1)
    client.get("/")  # active, so the session goes on
    response = client.get("/auth/password")
    assert response.status_code == 303 and "/account/reauth" in response.headers["Location"]


def test_a_password_reset_ends_every_session(world: World) -> None:
    _account(world)
    thief = _copy(world.app, _signed_in(world.app))
    fresh = world.app.test_client()
    fresh.post("/account/password/forgot", data={"email": "owner@example.com"})
    link = world.outbox.sent[-1].body.split("http://localhost", 1)[1].split()[0]
    assert fresh.post(link, data={"password": "long enough now", "confirm": "long enough now"}).status_code == 303
    assert not _in(thief)


def test_a_role_change_ends_every_session(world: World) -> None:
    user = _account(world)
    thief = _copy(world.app, _signed_in(world.app))
    with world.session() as session:
        session.execute(update(User).where(User.id == user).values(role="official", region_code="370100"))
        sessions.end_all_sessions(session, user)
    assert not _in(thief)


def test_switching_an_account_off_ends_its_sessions_for_good(world: World) -> None:
    organisation = world.organisation("服务商")
    admin = world.member("provider_admin", organisation_id=organisation)
    staff = world.member("provider_staff", "staff@example.com", organisation_id=organisation, password=PASSWORD)
    thief = _copy(world.app, _signed_in(world.app, "staff@example.com"))
    manager = world.client(admin)
    assert manager.post(f"/provider/staff/{staff}/active", data={"active": "0"}).status_code == 303
    assert not _in(thief)
    assert manager.post(f"/provider/staff/{staff}/active", data={"active": "1"}).status_code == 303
    assert not _in(thief), "switching the account on again does not bring old sessions back"


def test_signing_out_everywhere_ends_every_session_of_the_account_and_no_other(world: World) -> None:
    _account(world)
    _account(world, email="other@example.com")
    client = _signed_in(world.app)
    thief = _copy(world.app, client)
    other = _signed_in(world.app, "other@example.com")
    assert 'id="sign-out-everywhere"' in client.get("/account").text
    response = client.post("/account/sessions/end")
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert not _in(client) and not _in(thief)
    assert _in(other)
    assert _events(world)[-1] == "sign_out_everywhere"


def test_a_session_cookie_without_its_generation_is_not_signed_in(world: World) -> None:
    user = _account(world)
    client = world.app.test_client()
    with client.session_transaction() as state:
        state["_user_id"], state["_fresh"] = str(user), True
        state["session_started_at"] = state["session_seen_at"] = state["signed_in_at"] = START
    assert not _in(client)


IDLE = {"enterprise": 2 * HOUR, "provider_staff": 2 * HOUR, "provider_admin": 30 * MINUTE, "official": 30 * MINUTE,
        "site_admin": 15 * MINUTE}
MAX_AGE = {"enterprise": 12 * HOUR, "provider_staff": 12 * HOUR, "provider_admin": 8 * HOUR, "official": 8 * HOUR,
           "site_admin": 4 * HOUR}


@pytest.mark.parametrize("role", list(IDLE))
def test_a_session_ends_after_the_idle_time_of_its_role(world: World, clock: Clock, role: str) -> None:
    _account(world, role)
    client = _signed_in(world.app)
    clock.advance(IDLE[role] - MINUTE)
    assert _in(client), "a request just within the idle time keeps the session"
    clock.advance(IDLE[role] - MINUTE)
    assert _in(client), "idle time counts from the last request"
    clock.advance(IDLE[role] + 1)
    assert not _in(client)


@pytest.mark.parametrize("role", list(MAX_AGE))
def test_a_busy_session_still_ends_at_the_maximum_age_of_its_role(world: World, clock: Clock, role: str) -> None:
    _account(world, role)
    client = _signed_in(world.app)
    step = IDLE[role] - MINUTE
    while clock.now + step - START < MAX_AGE[role]:
        clock.advance(step)
        assert _in(client)
    clock.advance(MAX_AGE[role] - (clock.now - START) + 1)
    assert not _in(client)


def test_shorter_admin_sessions_are_the_defaults_and_config_overrides_them(world: World, clock: Clock) -> None:
    assert max(IDLE["site_admin"], IDLE["official"], IDLE["provider_admin"]) < IDLE["enterprise"]
    assert sessions.limits(world.app.config, "site_admin") == (IDLE["site_admin"], MAX_AGE["site_admin"])
    world.app.config["SESSION_IDLE_BY_ROLE"] = {"enterprise": 5 * MINUTE}
    _account(world)
    client = _signed_in(world.app)
    clock.advance(5 * MINUTE + 1)
    assert not _in(client)
