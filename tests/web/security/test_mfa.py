"""Two-step verification (TOTP, RFC 6238): enrolment with a QR code, sign-in with a code, replay and time window,
recovery codes, throttling, the waiting sign-in, switching it off, and a site admin's reset; on SQLite and PostgreSQL.

Time is the app's clock (config CLOCK), frozen and moved by the tests; codes are computed with pyotp for it.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from assessment.db import providers
from assessment.db.models import RecoveryCode, SecurityEvent, User
from assessment.services import accounts, mfa, security_log
from assessment.services.throttle import DatabaseThrottle, Policy
from assessment.web.site import site

PASSWORD = "Harbour lights at seven, 42 boats"
STEP = 30


class Clock:
    """The app's clock: frozen at the start of a time step (plus a little), moved on by the test."""

    def __init__(self) -> None:
        self.now = float((int(time.time()) // STEP) * STEP + 7)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let time pass."""
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    """A clock the test moves."""
    return Clock()


@pytest.fixture
def app(app: Flask, clock: Clock) -> Flask:
    """The app with two-step verification required for site admins, provider admins and officials, on a clock."""
    app.config["MFA_REQUIRED_ROLES"] = mfa.REQUIRED_ROLES
    app.config["CLOCK"] = clock
    return app


def member(app: Flask, role: str, email: str) -> int:
    """An account of this role (an organisation for a provider admin, a region for an official) with PASSWORD."""
    with site(app).sessions() as session:
        organisation = providers.add_organisation(session, f"服务商 {email}", "provider", "370100").id \
            if role == "provider_admin" else None
        record = providers.add_member(session, email, accounts.hash_password(PASSWORD), role=role,
                                      organisation_id=organisation,
                                      region_code="370100" if role == "official" else None)
        session.commit()
        return record.id


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, target: str | None = None) -> TestResponse:
    """Post the login form."""
    path = "/auth/login" + (f"?next={target}" if target else "")
    return client.post(path, data={"email": email, "password": password})


def code(secret: str, clock: Clock, steps: int = 0) -> str:
    """The app's code at the clock's time, `steps` time steps later (or earlier)."""
    return pyotp.TOTP(secret).at(clock.now, counter_offset=steps)


def secret_on(page: str) -> str:
    """The key shown for typing by hand, without its spaces."""
    found = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page)
    assert found is not None, page
    return found[1].replace(" ", "")


def codes_on(page: str) -> list[str]:
    """The recovery codes listed on the page."""
    return re.findall(r"<li><code>([0-9a-z]{5}-[0-9a-z]{5})</code></li>", page)


def enrol(client: FlaskClient, clock: Clock) -> tuple[str, list[str]]:
    """Open the enrolment page, scan (read the key), confirm with the app's code; the secret and recovery codes."""
    page = client.get("/mfa/enrol")
    assert page.status_code == 200, page.text
    secret = secret_on(page.text)
    done = client.post("/mfa/enrol", data={"code": code(secret, clock)})
    assert done.status_code == 200, done.text
    return secret, codes_on(done.text)


def enrolled_member(app: Flask, clock: Clock, role: str, email: str) -> tuple[int, str, list[str]]:
    """An account that has set up two-step verification through the pages; its id, secret and recovery codes."""
    user = member(app, role, email)
    client = app.test_client()
    assert log_in(client, email).status_code == 303
    secret, codes = enrol(client, clock)
    clock.advance(STEP)  # the code used at enrolment is spent; the next sign-in uses the next one
    return user, secret, codes


def stored(app: Flask, user_id: int) -> User:
    """The account's row as stored now."""
    with site(app).sessions() as session:
        row = session.get(User, user_id)
        assert row is not None
        session.expunge(row)
        return row


def events(app: Flask, kind: str, user_id: int | None = None) -> list[SecurityEvent]:
    """The security log entries of a kind (for one account)."""
    with site(app).sessions() as session:
        query = select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id)
        if user_id is not None:
            query = query.where(SecurityEvent.user_id == user_id)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def signed_in(client: FlaskClient) -> bool:
    """Whether the client's session opens the account page."""
    return client.get("/account").status_code == 200


# --- enrolment ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["site_admin", "provider_admin", "official"])
def test_required_roles_must_enrol_before_any_other_page(app: Flask, clock: Clock, role: str) -> None:
    user = member(app, role, f"{role}@example.com")
    client = app.test_client()
    response = log_in(client, f"{role}@example.com")
    assert response.status_code == 303 and response.headers["Location"] == "/mfa/enrol"
    for path in ("/account", "/admin/", "/provider/", "/official/", "/mfa", "/account/providers"):
        refused = client.get(path)
        assert refused.status_code in (302, 303, 404), path
        assert "/auth/login" in refused.headers.get("Location", "/auth/login"), path
    assert client.post("/account/name", data={"display_name": "x"}).status_code in (302, 303)
    assert stored(app, user).display_name is None
    page = client.get("/mfa/enrol")
    assert page.status_code == 200 and 'id="mfa-required"' in page.text and "<svg" in page.text
    assert client.post("/mfa/enrol", data={"code": code(secret_on(page.text), clock)}).status_code == 200
    assert signed_in(client)


def test_a_signed_in_account_whose_role_now_requires_it_opens_only_the_enrolment(app: Flask, clock: Clock) -> None:
    user = member(app, "official", "official@example.com")
    client = app.test_client()
    app.config["MFA_REQUIRED_ROLES"] = ()
    assert log_in(client, "official@example.com").status_code == 303 and signed_in(client)
    app.config["MFA_REQUIRED_ROLES"] = mfa.REQUIRED_ROLES
    for path in ("/account", "/official/", "/assessments", "/mfa", "/account/providers"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/mfa/enrol", path
    posted = client.post("/account/name", data={"display_name": "王处长"})
    assert posted.status_code == 303 and posted.headers["Location"] == "/mfa/enrol"
    assert stored(app, user).display_name is None
    enrol(client, clock)
    assert client.get("/official/").status_code == 200


def test_a_wrong_confirmation_code_does_not_switch_it_on(app: Flask, clock: Clock) -> None:
    user = member(app, "site_admin", "root@example.com")
    client = app.test_client()
    log_in(client, "root@example.com")
    secret = secret_on(client.get("/mfa/enrol").text)
    wrong = client.post("/mfa/enrol", data={"code": code(secret, clock, steps=3)})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.text
    assert secret_on(wrong.text) == secret, "the same key is shown again"
    empty = client.post("/mfa/enrol", data={"code": ""})
    assert empty.status_code == 422
    row = stored(app, user)
    assert row.mfa_enabled_at is None and row.mfa_secret == secret
    assert not signed_in(client)
    [failure] = events(app, security_log.MFA_VERIFIED, user)
    assert failure.outcome == "failure" and failure.detail == {"purpose": "enrol", "reason": "wrong_code"}
    assert events(app, security_log.MFA_ENROLLED) == []


def test_enrolment_signs_in_and_shows_ten_single_use_recovery_codes_once(app: Flask, clock: Clock) -> None:
    user = member(app, "provider_admin", "admin@example.com")
    client = app.test_client()
    assert log_in(client, "admin@example.com", target="/provider/").headers["Location"] == "/mfa/enrol"
    secret, codes = enrol(client, clock)
    assert len(codes) == 10 == len(set(codes))
    row = stored(app, user)
    assert row.mfa_enabled_at is not None and row.mfa_secret == secret
    with site(app).sessions() as session:
        hashes = list(session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user)))
    assert len(hashes) == 10 and not any(c.replace("-", "") in h or c in h for c in codes for h in hashes)
    assert client.get("/provider/").status_code == 200, "signed in, going where the login was headed"
    again = client.get("/mfa")
    assert "10 个未使用的恢复码" in again.text and codes[0] not in again.text, "the codes are shown only once"
    [enrolled] = events(app, security_log.MFA_ENROLLED, user)
    assert enrolled.outcome == "success"
    assert [e.detail.get("method") for e in events(app, security_log.SIGN_IN, user)] == ["password"]


def test_the_qr_code_carries_the_issuer_and_the_account_name(app: Flask) -> None:
    member(app, "official", "official@example.com")
    client = app.test_client()
    log_in(client, "official@example.com")
    page = client.get("/mfa/enrol").text
    assert "中小企业数字化水平评测" in page and "official@example.com" in page
    uri = mfa.provisioning_uri(secret_on(page), "official@example.com", "中小企业数字化水平评测")
    parsed = pyotp.parse_uri(uri)
    assert parsed.issuer == "中小企业数字化水平评测" and parsed.name == "official@example.com"
    assert parsed.secret == secret_on(page) and parsed.interval == STEP and parsed.digits == 6


# --- sign-in with a code -----------------------------------------------------------------------------------------

def test_sign_in_with_two_step_verification_needs_a_valid_code(app: Flask, clock: Clock) -> None:
    user, secret, _ = enrolled_member(app, clock, "site_admin", "root@example.com")
    client = app.test_client()
    response = log_in(client, "root@example.com", target="/admin/")
    assert response.status_code == 303 and response.headers["Location"] == "/mfa/verify"
    assert not signed_in(client)
    wrong = client.post("/mfa/verify", data={"code": code(secret, clock, steps=5)})
    assert wrong.status_code == 401 and "验证码不正确" in wrong.text
    assert client.post("/mfa/verify", data={"code": "１２３"}).status_code == 401
    right = client.post("/mfa/verify", data={"code": code(secret, clock)})
    assert right.status_code == 303 and right.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    verified = [e for e in events(app, security_log.MFA_VERIFIED, user) if e.detail.get("purpose") == "sign_in"]
    assert [(e.outcome, e.detail.get("reason"), e.detail.get("method")) for e in verified] == [
        ("failure", "wrong_code", None), ("failure", "wrong_code", None), ("success", None, "totp")]


def test_a_pending_sign_in_does_not_count_as_signed_in(app: Flask, clock: Clock) -> None:
    enrolled_member(app, clock, "enterprise", "owner@example.com")
    client = app.test_client()
    assert log_in(client, "owner@example.com").headers["Location"] == "/mfa/verify"
    for path in ("/account", "/mfa", "/account/providers", "/account/shares"):
        response = client.get(path)
        assert response.status_code in (302, 303) and "/auth/login" in response.headers["Location"], path
    assert client.post("/mfa/recovery-codes", data={"renew-password": PASSWORD}).status_code in (302, 303)


def test_the_password_of_another_account_signs_the_browser_out(app: Flask, clock: Clock) -> None:
    member(app, "enterprise", "owner@example.com")
    enrolled_member(app, clock, "official", "official@example.com")
    client = app.test_client()
    assert log_in(client, "owner@example.com").status_code == 303 and signed_in(client)
    assert log_in(client, "official@example.com").headers["Location"] == "/mfa/verify"
    assert not signed_in(client)


def test_a_code_is_accepted_only_once(app: Flask, clock: Clock) -> None:
    user, secret, _ = enrolled_member(app, clock, "official", "official@example.com")
    first, second = app.test_client(), app.test_client()
    log_in(first, "official@example.com")
    log_in(second, "official@example.com")
    used = code(secret, clock)
    assert first.post("/mfa/verify", data={"code": used}).status_code == 303
    replay = second.post("/mfa/verify", data={"code": used})
    assert replay.status_code == 401 and "已经用过" in replay.text
    assert second.post("/mfa/verify", data={"code": code(secret, clock, steps=-1)}).status_code == 401, \
        "an earlier step than the one used is refused too"
    assert not signed_in(second)
    assert second.post("/mfa/verify", data={"code": code(secret, clock, steps=1)}).status_code == 303
    assert stored(app, user).mfa_last_step == int(clock.now) // STEP + 1


def test_codes_one_step_either_side_are_accepted_and_two_steps_off_are_not(app: Flask) -> None:
    user = member(app, "enterprise", "owner@example.com")
    store = DatabaseThrottle(Policy())
    start = datetime(2026, 3, 2, 9, 0, 7, tzinfo=UTC)
    totp = lambda moment, steps: pyotp.TOTP(secret).at(moment, counter_offset=steps)  # noqa: E731
    with site(app).sessions() as session:
        secret = mfa.enrolment_secret(session, user)
        assert mfa.confirm_enrolment(session, store, user, totp(start, 0), address="", now=start).ok
        later = datetime(2026, 3, 2, 9, 10, 7, tzinfo=UTC)
        assert mfa.verify(session, store, user, totp(later, -2), address="", now=later).status == "wrong_code"
        assert mfa.verify(session, store, user, totp(later, -1), address="", now=later).status == "ok"
        later = datetime(2026, 3, 2, 9, 20, 7, tzinfo=UTC)
        assert mfa.verify(session, store, user, totp(later, 2), address="", now=later).status == "wrong_code"
        assert mfa.verify(session, store, user, totp(later, 1), address="", now=later).status == "ok"
        assert mfa.verify(session, store, user, totp(later, 1), address="", now=later).status == "used_code"
        assert mfa.verify(session, store, user, totp(later, 0), address="", now=later).status == "used_code"
        session.commit()


def test_a_recovery_code_works_once(app: Flask, clock: Clock) -> None:
    user, _, codes = enrolled_member(app, clock, "provider_admin", "admin@example.com")
    client = app.test_client()
    log_in(client, "admin@example.com")
    response = client.post("/mfa/verify", data={"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 303
    assert "还剩 9 个" in client.get(response.headers["Location"]).text
    assert "9 个未使用的恢复码" in client.get("/mfa").text
    again = app.test_client()
    log_in(again, "admin@example.com")
    assert again.post("/mfa/verify", data={"code": codes[3]}).status_code == 401
    assert not signed_in(again)
    [used] = events(app, security_log.MFA_RECOVERY_USED, user)
    assert used.detail == {"purpose": "sign_in", "recovery_left": 9}
    assert codes[3] not in str(used.detail)


def test_new_recovery_codes_need_the_password_and_void_the_old_ones(app: Flask, clock: Clock) -> None:
    user, secret, old = enrolled_member(app, clock, "enterprise", "owner@example.com")
    client = app.test_client()
    log_in(client, "owner@example.com")
    client.post("/mfa/verify", data={"code": code(secret, clock)})
    wrong = client.post("/mfa/recovery-codes", data={"renew-password": "not the password at all"})
    assert wrong.status_code == 401 and "密码不正确" in wrong.text
    renewed = client.post("/mfa/recovery-codes", data={"renew-password": PASSWORD})
    new = codes_on(renewed.text)
    assert renewed.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    assert events(app, security_log.MFA_RECOVERY_CODES_RENEWED, user)
    other = app.test_client()
    log_in(other, "owner@example.com")
    assert other.post("/mfa/verify", data={"code": old[0]}).status_code == 401
    assert other.post("/mfa/verify", data={"code": new[0]}).status_code == 303


# --- throttling and the waiting sign-in --------------------------------------------------------------------------

def test_repeated_wrong_codes_make_the_account_wait(app: Flask, clock: Clock) -> None:
    user, secret, _ = enrolled_member(app, clock, "official", "official@example.com")
    client = app.test_client()
    log_in(client, "official@example.com")
    statuses = [client.post("/mfa/verify", data={"code": f"{n:06d}"}).status_code for n in range(6)]
    assert statuses == [401] * 6
    blocked = client.post("/mfa/verify", data={"code": code(secret, clock)})
    assert blocked.status_code == 429 and "错误次数过多" in blocked.text
    other = app.test_client()  # counted per account, whichever browser asks
    log_in(other, "official@example.com")
    assert other.post("/mfa/verify", data={"code": code(secret, clock)}).status_code == 429
    assert not signed_in(client)
    throttled = [e for e in events(app, security_log.MFA_VERIFIED, user) if e.detail.get("reason") == "throttled"]
    assert len(throttled) == 2 and all(e.outcome == "failure" for e in throttled)
    clock.advance(2)
    assert client.post("/mfa/verify", data={"code": code(secret, clock)}).status_code == 303


def test_a_pending_sign_in_expires(app: Flask, clock: Clock) -> None:
    _, secret, _ = enrolled_member(app, clock, "site_admin", "root@example.com")
    client = app.test_client()
    log_in(client, "root@example.com")
    clock.advance(float(app.config["MFA_PENDING_SECONDS"]) + 1)
    late = client.post("/mfa/verify", data={"code": code(secret, clock)})
    assert late.status_code == 303 and late.headers["Location"] == "/auth/login"
    assert "登录已过期" in client.get("/auth/login").text
    assert not signed_in(client)
    assert client.get("/mfa/verify").headers["Location"] == "/auth/login"


def test_a_pending_sign_in_ends_when_the_account_is_signed_out_everywhere(app: Flask, clock: Clock) -> None:
    user, secret, _ = enrolled_member(app, clock, "official", "official@example.com")
    client = app.test_client()
    log_in(client, "official@example.com")
    with site(app).sessions() as session:
        session.execute(User.__table__.update().where(User.id == user)
                        .values(session_generation=User.session_generation + 1))
        session.commit()
    assert client.post("/mfa/verify", data={"code": code(secret, clock)}).headers["Location"] == "/auth/login"
    assert not signed_in(client)


def test_cancelling_a_pending_sign_in_forgets_it(app: Flask, clock: Clock) -> None:
    _, secret, _ = enrolled_member(app, clock, "enterprise", "owner@example.com")
    client = app.test_client()
    log_in(client, "owner@example.com")
    assert client.post("/mfa/cancel").headers["Location"] == "/auth/login"
    assert client.post("/mfa/verify", data={"code": code(secret, clock)}).headers["Location"] == "/auth/login"
    assert not signed_in(client)


# --- optional roles: on and off ----------------------------------------------------------------------------------

def test_optional_roles_sign_in_without_a_code_until_they_switch_it_on(app: Flask, clock: Clock) -> None:
    user = member(app, "enterprise", "owner@example.com")
    client = app.test_client()
    assert log_in(client, "owner@example.com").headers["Location"] == "/assessments"
    page = client.get("/mfa")
    assert "未开启" in page.text and 'id="enable-mfa"' in page.text
    assert "两步验证" in client.get("/account").text
    enrol(client, clock)
    assert stored(app, user).mfa_enabled_at is not None and signed_in(client)
    clock.advance(STEP)
    again = app.test_client()
    assert log_in(again, "owner@example.com").headers["Location"] == "/mfa/verify"


def test_switching_it_on_ends_the_other_sessions(app: Flask, clock: Clock) -> None:
    member(app, "enterprise", "owner@example.com")
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here, "owner@example.com")
    log_in(elsewhere, "owner@example.com")
    assert signed_in(elsewhere)
    enrol(here, clock)
    assert signed_in(here), "the browser that switched it on goes on"
    assert not signed_in(elsewhere), "a session signed in with the password only ends"


def test_an_optional_role_switches_it_off_with_password_and_code(app: Flask, clock: Clock) -> None:
    user, secret, codes = enrolled_member(app, clock, "provider_staff", "staff@example.com")
    with site(app).sessions() as session:
        session.execute(User.__table__.update().where(User.id == user)
                        .values(organisation_id=providers.add_organisation(session, "服务商", "provider",
                                                                           "370100").id))
        session.commit()
    client = app.test_client()
    log_in(client, "staff@example.com")
    client.post("/mfa/verify", data={"code": code(secret, clock)})
    clock.advance(STEP)
    no_password = client.post("/mfa/disable", data={"off-password": "wrong wrong wrong", "off-code": code(secret, clock)})
    assert no_password.status_code == 401 and stored(app, user).mfa_enabled_at is not None
    no_code = client.post("/mfa/disable", data={"off-password": PASSWORD, "off-code": "000000"})
    assert no_code.status_code == 401 and stored(app, user).mfa_enabled_at is not None
    assert client.post("/mfa/disable", data={"off-password": PASSWORD, "off-code": ""}).status_code == 422
    off = client.post("/mfa/disable", data={"off-password": PASSWORD, "off-code": codes[0]})
    assert off.status_code == 303
    row = stored(app, user)
    assert row.mfa_enabled_at is None and row.mfa_secret is None and signed_in(client)
    with site(app).sessions() as session:
        assert session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user)).first() is None
    [disabled] = events(app, security_log.MFA_DISABLED, user)
    assert disabled.actor_id == user
    assert log_in(app.test_client(), "staff@example.com").headers["Location"] == "/provider/"


def test_a_required_role_cannot_switch_it_off(app: Flask, clock: Clock) -> None:
    user, secret, _ = enrolled_member(app, clock, "official", "official@example.com")
    client = app.test_client()
    log_in(client, "official@example.com")
    client.post("/mfa/verify", data={"code": code(secret, clock)})
    assert 'id="mfa-cannot-disable"' in client.get("/mfa").text
    clock.advance(STEP)
    refused = client.post("/mfa/disable", data={"off-password": PASSWORD, "off-code": code(secret, clock)})
    assert refused.status_code == 403 and stored(app, user).mfa_enabled_at is not None
    assert events(app, security_log.MFA_DISABLED) == []


# --- a site admin's reset ----------------------------------------------------------------------------------------

@pytest.fixture
def admin(app: Flask, clock: Clock) -> FlaskClient:
    """A site admin signed in with two-step verification."""
    _, secret, _ = enrolled_member(app, clock, "site_admin", "root@example.com")
    client = app.test_client()
    log_in(client, "root@example.com")
    assert client.post("/mfa/verify", data={"code": code(secret, clock)}).status_code == 303
    return client


def test_a_site_admin_resets_a_lost_phone_and_the_sessions_end(app: Flask, clock: Clock, admin: FlaskClient) -> None:
    user, secret, _ = enrolled_member(app, clock, "official", "official@example.com")
    official = app.test_client()
    log_in(official, "official@example.com")
    official.post("/mfa/verify", data={"code": code(secret, clock)})
    assert signed_in(official)
    assert 'id="reset-mfa"' in admin.get("/admin/").text
    response = admin.post("/admin/mfa/reset", data={"mfa-contact": "official@example.com"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    row = stored(app, user)
    assert row.mfa_enabled_at is None and row.mfa_secret is None
    assert not signed_in(official), "the official's sessions ended"
    [action] = events(app, security_log.ADMIN_ACTION, user)
    assert action.detail == {"action": "mfa_reset"} and action.actor_id != user
    [disabled] = events(app, security_log.MFA_DISABLED, user)
    assert disabled.actor_id == action.actor_id
    assert log_in(app.test_client(), "official@example.com").headers["Location"] == "/mfa/enrol"


def test_only_a_site_admin_resets_and_only_an_account_that_uses_it(app: Flask, clock: Clock,
                                                                   admin: FlaskClient) -> None:
    user, secret, _ = enrolled_member(app, clock, "enterprise", "owner@example.com")
    owner = app.test_client()
    log_in(owner, "owner@example.com")
    owner.post("/mfa/verify", data={"code": code(secret, clock)})
    assert owner.post("/admin/mfa/reset", data={"mfa-contact": "owner@example.com"}).status_code == 404
    assert stored(app, user).mfa_enabled_at is not None
    anonymous = app.test_client().post("/admin/mfa/reset", data={"mfa-contact": "owner@example.com"})
    assert anonymous.status_code in (302, 303) and stored(app, user).mfa_enabled_at is not None
    member(app, "enterprise", "plain@example.com")
    for contact in ("nobody@example.com", "plain@example.com", ""):
        response = admin.post("/admin/mfa/reset", data={"mfa-contact": contact})
        assert response.status_code == 303
    assert events(app, security_log.ADMIN_ACTION) == []


def test_a_site_admin_finds_the_account_by_its_mobile_number(app: Flask, clock: Clock, admin: FlaskClient) -> None:
    user, _, _ = enrolled_member(app, clock, "provider_admin", "admin@example.com")
    with site(app).sessions() as session:
        session.execute(User.__table__.update().where(User.id == user).values(phone="+8613800138000"))
        session.commit()
    assert admin.post("/admin/mfa/reset", data={"mfa-contact": "138 0013 8000"}).status_code == 303
    assert stored(app, user).mfa_enabled_at is None
    assert [e.detail for e in events(app, security_log.ADMIN_ACTION, user)] == [{"action": "mfa_reset"}]


# --- configuration and the log -----------------------------------------------------------------------------------

def test_the_roles_that_must_use_it_are_configurable(app: Flask) -> None:
    member(app, "site_admin", "root@example.com")
    app.config["MFA_REQUIRED_ROLES"] = ()
    client = app.test_client()
    assert log_in(client, "root@example.com", target="/admin/").headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert "/mfa" in client.get("/account").text


def test_no_secret_or_code_reaches_the_security_log(app: Flask, clock: Clock) -> None:
    _, secret, codes = enrolled_member(app, clock, "official", "official@example.com")
    client = app.test_client()
    log_in(client, "official@example.com")
    typed = [code(secret, clock, steps=4), codes[0], code(secret, clock)]
    for value in typed:
        client.post("/mfa/verify", data={"code": value})
    with site(app).sessions() as session:
        logged = " ".join(str(e.detail) for e in session.scalars(select(SecurityEvent)))
    assert secret not in logged and not any(value in logged for value in typed)
    assert not any(c in logged or c.replace("-", "") in logged for c in codes)
