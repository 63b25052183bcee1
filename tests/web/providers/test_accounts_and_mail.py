"""Accounts: email verification and password reset by signed, expiring, single-use links sent through the
configured outbox; sessions that expire; re-authentication before sensitive pages; the account CLI."""

from __future__ import annotations

import logging
import re
import smtplib
import time
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from world import PASSWORD, World

from assessment.db import queries
from assessment.db.models import AccountToken, utcnow
from assessment.services import accounts
from assessment.services.mail import LogOutbox, MailFailed, Message, SmtpOutbox, outbox_from_config
from assessment.web.site import site
from assessment.web.tenancy import SIGNED_IN_AT, STARTED_AT


def _link(world: World, path: str) -> str:
    message = world.outbox.sent[-1]
    found = re.search(r"http://localhost(/\S+)", message.body)
    assert found is not None, message.body
    assert found[1].startswith(path)
    return found[1]


def _register(client: FlaskClient, email: str = "owner@example.com") -> None:
    response = client.post("/auth/register", data={"email": email, "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 200 and 'id="register-sent"' in response.text


def _login(client: FlaskClient, email: str, password: str = PASSWORD) -> int:
    return client.post("/auth/login", data={"email": email, "password": password}).status_code


def test_registering_sends_a_link_that_confirms_the_address_and_signs_in(world: World, client: FlaskClient) -> None:
    _register(client)
    [message] = world.outbox.sent
    assert message.to == "owner@example.com" and message.subject == "确认您的邮箱地址"
    link = _link(world, "/account/verify/")
    assert client.get("/account").status_code == 302, "registering alone signs nobody in"
    assert client.get(link).status_code == 303
    assert "尚未确认" not in client.get("/account").text
    with world.session() as session:
        record = queries.user_by_email(session, "owner@example.com")
    assert record is not None and record.email_verified_at is not None


def test_a_verification_link_works_once(world: World, client: FlaskClient) -> None:
    _register(client)
    link = _link(world, "/account/verify/")
    assert client.get(link).status_code == 303
    again = client.get(link)
    assert again.status_code == 400 and "此链接已被使用" in again.text


def test_an_expired_verification_link_is_refused(world: World, client: FlaskClient) -> None:
    _register(client)
    link = _link(world, "/account/verify/")
    with world.session() as session:
        session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    response = client.get(link)
    assert response.status_code == 400 and "此链接已过期" in response.text
    with world.session() as session:
        record = queries.user_by_email(session, "owner@example.com")
    assert record is not None and record.email_verified_at is None


def test_a_tampered_link_is_refused(world: World, client: FlaskClient) -> None:
    _register(client)
    link = _link(world, "/account/verify/")
    response = client.get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert response.status_code == 400 and "此链接无效" in response.text


def test_a_token_for_one_purpose_does_not_work_for_another(world: World) -> None:
    user = world.member("enterprise", "owner@example.com", password=PASSWORD)
    secret = str(world.app.config["SECRET_KEY"])
    with world.session() as session:
        token = accounts.issue_token(session, secret, user, "verify")
    with world.session() as session:
        assert accounts.redeem_token(session, secret, token, "reset").status == "invalid"
        assert accounts.redeem_token(session, secret, token, "verify").status == "ok"
        assert accounts.redeem_token(session, secret, token, "verify").status == "used"


def test_a_token_past_its_lifetime_is_expired(world: World) -> None:
    user = world.member("enterprise", "owner@example.com", password=PASSWORD)
    secret = str(world.app.config["SECRET_KEY"])
    with world.session() as session:
        token = accounts.issue_token(session, secret, user, "reset")
    with world.session() as session:
        later = utcnow() + accounts.LIFETIMES["reset"] + timedelta(seconds=1)
        assert accounts.redeem_token(session, secret, token, "reset", now=later).status == "expired"


def test_a_password_reset_link_sets_a_new_password_once(world: World, client: FlaskClient) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    response = client.post("/account/password/forgot", data={"email": "Owner@Example.com "})
    assert response.status_code == 200 and "请查收邮件" in response.text
    link = _link(world, "/account/password/reset/")
    assert world.outbox.sent[-1].subject == "重置密码"
    new = "a new passphrase 2026"
    assert client.post(link, data={"password": new, "confirm": new}).status_code == 303
    assert _login(world.app.test_client(), "owner@example.com", new) == 303
    assert _login(world.app.test_client(), "owner@example.com", PASSWORD) == 401
    reused = client.post(link, data={"password": "yet another one 99", "confirm": "yet another one 99"})
    assert reused.status_code == 400 and "此链接已被使用" in reused.text
    assert _login(world.app.test_client(), "owner@example.com", new) == 303


def test_a_reset_with_a_short_password_is_refused_and_keeps_the_link_usable(world: World, client: FlaskClient) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    client.post("/account/password/forgot", data={"email": "owner@example.com"})
    link = _link(world, "/account/password/reset/")
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "密码至少需要 12 个字符" in short.text
    assert client.post(link, data={"password": "long enough now", "confirm": "long enough now"}).status_code == 303


def test_an_expired_reset_link_is_refused(world: World, client: FlaskClient) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    client.post("/account/password/forgot", data={"email": "owner@example.com"})
    link = _link(world, "/account/password/reset/")
    with world.session() as session:
        session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = client.post(link, data={"password": "long enough now", "confirm": "long enough now"})
    assert response.status_code == 400 and "此链接已过期" in response.text
    assert _login(world.app.test_client(), "owner@example.com") == 303


def test_asking_for_a_reset_of_an_unknown_address_looks_the_same_and_sends_nothing(world: World,
                                                                                  client: FlaskClient) -> None:
    response = client.post("/account/password/forgot", data={"email": "nobody@example.com"})
    assert response.status_code == 200 and "nobody@example.com" in response.text
    assert world.outbox.sent == []


def test_a_password_reset_ends_sessions_opened_before_it(world: World) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    old = world.app.test_client()
    assert _login(old, "owner@example.com") == 303
    assert old.get("/account").status_code == 200
    time.sleep(0.01)
    fresh = world.app.test_client()
    fresh.post("/account/password/forgot", data={"email": "owner@example.com"})
    link = _link(world, "/account/password/reset/")
    fresh.post(link, data={"password": "long enough now", "confirm": "long enough now"})
    assert old.get("/account").status_code == 302, "the old session is logged out"


def test_a_session_ends_after_its_maximum_age(world: World) -> None:
    user = world.member("provider_staff", organisation_id=world.organisation("服务商"))
    client = world.client(user)
    assert client.get("/provider/").status_code == 200
    with client.session_transaction() as session:
        session[STARTED_AT] = time.time() - float(world.app.config["SESSION_MAX_AGE"]) - 1
    response = client.get("/provider/")
    assert response.status_code == 303 and "/auth/login" in response.headers["Location"]


def test_a_login_is_permanent_for_the_configured_idle_lifetime(world: World, client: FlaskClient) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    response = client.post("/auth/login", data={"email": "owner@example.com", "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Expires=" in cookie
    assert world.app.permanent_session_lifetime == timedelta(hours=8)


def test_a_sensitive_page_asks_for_the_password_again_after_a_while(world: World) -> None:
    organisation = world.organisation("服务商")
    world.member("provider_admin", "admin@example.com", organisation_id=organisation, password=PASSWORD)
    client = world.app.test_client()
    assert _login(client, "admin@example.com") == 303
    assert client.get("/provider/staff").status_code == 200
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = time.time() - float(world.app.config["REAUTH_AFTER"]) - 1
    response = client.get("/provider/staff")
    assert response.status_code == 303 and "/account/reauth" in response.headers["Location"]
    wrong = client.post(response.headers["Location"], data={"password": "not it at all"})
    assert wrong.status_code == 401 and "密码不正确" in wrong.text
    right = client.post(response.headers["Location"], data={"password": PASSWORD})
    assert right.status_code == 303 and right.headers["Location"] == "/provider/staff"
    assert client.get("/provider/staff").status_code == 200


def test_an_account_switched_off_cannot_log_in_or_stay_logged_in(world: World) -> None:
    organisation = world.organisation("服务商")
    admin = world.member("provider_admin", organisation_id=organisation)
    staff = world.member("provider_staff", "staff@example.com", organisation_id=organisation, password=PASSWORD)
    logged_in = world.client(staff)
    assert world.client(admin).post(f"/provider/staff/{staff}/active", data={"active": "0"}).status_code == 303
    assert logged_in.get("/provider/").status_code == 303
    assert _login(world.app.test_client(), "staff@example.com") == 401


def test_a_provider_admin_adds_staff_who_get_a_link_to_choose_a_password(world: World) -> None:
    organisation = world.organisation("服务商")
    admin = world.member("provider_admin", organisation_id=organisation)
    client = world.client(admin)
    response = client.post("/provider/staff", data={"email": "new@example.com", "display_name": "李评定",
                                                    "role": "provider_staff"})
    assert response.status_code == 303
    assert world.outbox.sent[-1].subject == "设置密码"
    link = _link(world, "/account/password/reset/")
    fresh = world.app.test_client()
    assert fresh.post(link, data={"password": "chosen password 1", "confirm": "chosen password 1"}).status_code == 303
    assert _login(fresh, "new@example.com", "chosen password 1") == 303
    assert fresh.get("/provider/").status_code == 200
    again = client.post("/provider/staff", data={"email": "new@example.com", "display_name": "x",
                                                 "role": "provider_staff"})
    assert again.status_code == 422 and "该邮箱地址已有账户" in again.text


def test_the_log_outbox_names_the_message_but_keeps_its_link_out_of_the_log(caplog: pytest.LogCaptureFixture) -> None:
    # issue 12: no token in any log; development prints mail through the console outbox instead
    with caplog.at_level(logging.INFO, logger="assessment.mail"):
        LogOutbox("noreply@example.com").send(Message("a@example.com", "Subject", "http://x/account/verify/abc"))
    assert "a@example.com" in caplog.text and "Subject" in caplog.text and "verify/abc" not in caplog.text


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what the outbox does."""

    sent: ClassVar[list[Any]] = []
    calls: ClassVar[list[str]] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.calls.append(f"connect {host}:{port}")

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append("quit")

    def starttls(self, context: object) -> None:
        self.calls.append("starttls")

    def login(self, user: str, password: str) -> None:
        self.calls.append(f"login {user}")

    def send_message(self, message: Any) -> None:
        self.sent.append(message)


def test_the_smtp_outbox_sends_through_the_configured_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.calls = [], []
    outbox = outbox_from_config({"MAIL_HOST": "smtp.example.com", "MAIL_USERNAME": "bot", "MAIL_PASSWORD": "pw",
                                 "MAIL_SENDER": "评测工具 <noreply@example.com>"})
    assert isinstance(outbox, SmtpOutbox)
    outbox.send(Message("a@example.com", "确认您的邮箱地址", "链接 http://x"))
    assert FakeSMTP.calls == ["connect smtp.example.com:587", "starttls", "login bot", "quit"]
    [sent] = FakeSMTP.sent
    assert sent["To"] == "a@example.com" and sent["Subject"] == "确认您的邮箱地址"
    assert "http://x" in sent.get_content()


def test_a_mail_server_failure_is_told_and_the_account_still_made(world: World, client: FlaskClient,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_message: Message) -> None:
        raise MailFailed("connection refused")

    monkeypatch.setattr(world.outbox, "send", refuse)
    _register(client)
    with world.session() as session:
        assert queries.user_by_email(session, "owner@example.com") is not None
    assert _login(client, "owner@example.com") == 303
    response = client.post("/account/verify", follow_redirects=True)
    assert "邮件暂时无法发送" in response.text


def test_mail_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        outbox_from_config({"MAIL_BACKEND": "pigeon"})
    with pytest.raises(ValueError, match="MAIL_HOST"):
        outbox_from_config({"MAIL_BACKEND": "smtp"})
    assert isinstance(outbox_from_config({}), LogOutbox)


def test_admin_create_makes_the_first_site_admin(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["admin", "create", "--email", "Root@Example.com", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with site(app).sessions() as session:
        record = queries.user_by_email(session, "root@example.com")
    assert record is not None and record.role == "site_admin" and accounts.password_matches(record.password_hash,
                                                                                            PASSWORD)
    again = runner.invoke(args=["admin", "create", "--email", "root@example.com", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert again.exit_code == 1 and "exists already" in again.output
    short = runner.invoke(args=["admin", "create", "--email", "b@example.com", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output


def test_user_create_checks_the_role_organisation_and_region(app: Flask) -> None:
    runner = app.test_cli_runner()
    official = runner.invoke(args=["user", "create", "--email", "o@example.com", "--role", "official", "--region",
                                   "370100", "--password-stdin"], input=PASSWORD + "\n")
    assert official.exit_code == 0, official.output
    bad_region = runner.invoke(args=["user", "create", "--email", "p@example.com", "--role", "official", "--region",
                                     "999999", "--password-stdin"], input=PASSWORD + "\n")
    assert bad_region.exit_code == 1 and "GB/T 2260" in bad_region.output
    staff = runner.invoke(args=["user", "create", "--email", "s@example.com", "--role", "provider_staff",
                                "--password-stdin"], input=PASSWORD + "\n")
    assert staff.exit_code == 1 and "provider organisation" in staff.output
    with_org = runner.invoke(args=["user", "create", "--email", "s@example.com", "--role", "provider_admin",
                                   "--organisation", "济南数智服务", "--password-stdin"], input=PASSWORD + "\n")
    assert with_org.exit_code == 0, with_org.output
    with site(app).sessions() as session:
        record = queries.user_by_email(session, "o@example.com")
        staff_record = queries.user_by_email(session, "s@example.com")
    assert record is not None and (record.role, record.region_code) == ("official", "370100")
    assert staff_record is not None and staff_record.organisation_id is not None
