"""Sign-in by mobile number: mainland numbers only, 6-digit codes that expire, work once and die after wrong tries,
sending limited per number and address, checking throttled, the same answer for known and unknown numbers, new
phone-only accounts, the HTTP gateway against a real local server, and the number on the account page."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from world import PASSWORD, World

from assessment.db.models import SecurityEvent, SmsCode, User
from assessment.services import security_log, sms
from assessment.services.sms import (
    CODE_LIFETIME,
    MAX_TRIES,
    HttpSms,
    MemorySms,
    PhoneInvalid,
    SendLimits,
    SmsFailed,
    TextMessage,
)
from assessment.web.app import create_app
from assessment.web.outbox import sms_gateway
from assessment.web.site import site

SECRET = "test secret"
NUMBER = "+8613800138000"
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _memory(app: Flask) -> MemorySms:
    gateway = sms_gateway(app)
    assert isinstance(gateway, MemorySms)
    return gateway


def _last_code(app: Flask) -> str:
    return _memory(app).sent[-1].params["code"]


def _other(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** 6:06d}"


def _ask(client: FlaskClient, phone: str = "138 0013 8000") -> Any:
    return client.post("/auth/phone", data={"phone": phone})


def _sign_in(app: Flask, client: FlaskClient, phone: str = "138 0013 8000") -> Any:
    assert _ask(client, phone).status_code == 303
    return client.post("/auth/phone/code", data={"code": _last_code(app)})


def _users(app: Flask) -> list[User]:
    with site(app).sessions() as session:
        return list(session.scalars(select(User).order_by(User.id)))


def _events(app: Flask, kind: str) -> list[SecurityEvent]:
    with site(app).sessions() as session:
        return list(session.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind)))


# --- numbers -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000",
                                   "+86-138-0013-8000", "0086 13800138000", "008613800138000", "86 13800138000",
                                   " 138 0013 8000 ", "１３８ ００１３ ８０００", "＋８６１３８００１３８０００"])
def test_mainland_mobile_numbers_are_normalised_to_e164(typed: str) -> None:
    assert sms.normalised_phone(typed) == NUMBER


@pytest.mark.parametrize("typed", ["", "   ", "1380013800", "138001380001", "23800138000", "12800138000",
                                   "+1 415 555 2671", "+852 9123 4567", "+86 10 6552 9988", "0086 138 0013 800",
                                   "138O0138000", "13800138000x", "1e10", "١٣٨٠٠١٣٨٠٠٠", "138\x0000138000",
                                   "1" * 1_000_000, None, ["13800138000"]])
def test_anything_else_is_refused_with_the_fields_message(typed: Any) -> None:
    with pytest.raises(PhoneInvalid) as refused:
        sms.normalised_phone(typed)
    assert str(refused.value) in ("Enter your mobile number",
                                  "Enter a mainland China mobile number of 11 digits, like 138 0013 8000")


def test_the_page_refuses_a_number_with_the_fields_message_and_sends_nothing(app: Flask, client: FlaskClient) -> None:
    response = _ask(client, "+1 415 555 2671")
    assert response.status_code == 422
    assert 'id="phone-error"' in response.text and 'aria-invalid="true"' in response.text
    assert _memory(app).sent == []


# --- codes ---------------------------------------------------------------------------------------------------

def _issue(app: Flask, phone: str = NUMBER, purpose: str = "sign_in", now: datetime = T0,
           address: str = "192.0.2.1") -> str:
    with site(app).sessions() as session:
        message = sms.issue_code(session, SECRET, phone, purpose, address=address, now=now)
        session.commit()
    return message.params["code"]


def _check(app: Flask, code: str, now: datetime, phone: str = NUMBER, purpose: str = "sign_in") -> sms.CodeCheck:
    with site(app).sessions() as session:
        outcome = sms.check_code(session, SECRET, phone, purpose, code, now)
        session.commit()
    return outcome


def test_a_code_has_six_digits_and_is_stored_only_as_a_keyed_hash(app: Flask) -> None:
    code = _issue(app)
    assert re.fullmatch(r"[0-9]{6}", code)
    with site(app).sessions() as session:
        [row] = session.scalars(select(SmsCode))
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == CODE_LIFETIME == timedelta(minutes=5)


def test_a_code_works_for_five_minutes_and_not_after(app: Flask) -> None:
    code = _issue(app)
    assert _check(app, code, T0 + timedelta(minutes=5, seconds=1)).status == "spent"
    fresh = _issue(app, now=T0 + timedelta(minutes=10))
    assert _check(app, fresh, T0 + timedelta(minutes=14, seconds=59)).ok


def test_a_code_works_once(app: Flask) -> None:
    code = _issue(app)
    assert _check(app, code, T0 + timedelta(seconds=30)).ok
    assert _check(app, code, T0 + timedelta(seconds=31)).status == "spent"


def test_a_few_wrong_tries_void_the_code(app: Flask) -> None:
    code = _issue(app)
    for tried in range(1, MAX_TRIES):
        assert _check(app, _other(code), T0 + timedelta(seconds=tried)) == sms.CodeCheck("wrong", MAX_TRIES - tried)
    assert _check(app, _other(code), T0 + timedelta(seconds=10)).status == "spent"
    assert _check(app, code, T0 + timedelta(seconds=11)).status == "spent"


def test_a_new_code_voids_the_older_ones(app: Flask) -> None:
    first = _issue(app)
    second = _issue(app, now=T0 + timedelta(seconds=61))
    with site(app).sessions() as session:
        rows = list(session.scalars(select(SmsCode).order_by(SmsCode.id)))
    assert [r.expires_at for r in rows] == [T0 + timedelta(seconds=61), T0 + timedelta(seconds=61) + CODE_LIFETIME]
    if first != second:  # the same six digits come up again once in a million
        assert _check(app, first, T0 + timedelta(seconds=62)).status == "wrong"
    assert _check(app, second, T0 + timedelta(seconds=63)).ok


def test_codes_older_than_a_day_are_deleted_whatever_their_number(app: Flask) -> None:
    _issue(app, phone="+8613900139000")
    _issue(app, now=T0 + timedelta(days=1, seconds=1))
    with site(app).sessions() as session:
        assert [row.phone for row in session.scalars(select(SmsCode))] == [NUMBER]


def test_the_codes_of_a_number_can_be_forgotten(app: Flask) -> None:
    _issue(app)
    _issue(app, phone="+8613900139000")
    with site(app).sessions() as session:
        sms.forget_codes(session, NUMBER)
        session.commit()
        assert [row.phone for row in session.scalars(select(SmsCode))] == ["+8613900139000"]


def test_a_code_for_one_purpose_does_not_serve_another(app: Flask) -> None:
    code = _issue(app, purpose="change")
    assert _check(app, code, T0 + timedelta(seconds=5), purpose="sign_in").status == "spent"
    assert _check(app, code, T0 + timedelta(seconds=6), purpose="change").ok


def test_sending_waits_a_minute_per_number_and_stops_after_five_an_hour(app: Flask) -> None:
    limits = SendLimits()
    with site(app).sessions() as session:
        assert sms.send_wait(session, NUMBER, "192.0.2.1", limits, T0) == 0
    _issue(app)
    with site(app).sessions() as session:
        assert sms.send_wait(session, NUMBER, "192.0.2.1", limits, T0 + timedelta(seconds=20)) == 40
        assert sms.send_wait(session, "+8613900139000", "192.0.2.1", limits, T0 + timedelta(seconds=20)) == 0
    for minute in range(1, 5):
        _issue(app, now=T0 + timedelta(minutes=minute))
    with site(app).sessions() as session:
        assert sms.send_wait(session, NUMBER, "198.51.100.7", limits, T0 + timedelta(minutes=10)) == 50 * 60
        assert sms.send_wait(session, NUMBER, "198.51.100.7", limits, T0 + timedelta(minutes=60)) == 0


def test_sending_is_limited_per_asking_address(app: Flask) -> None:
    limits = SendLimits(per_address_hour=3)
    for n in range(3):
        _issue(app, phone=f"+861390013900{n}", now=T0 + timedelta(minutes=n))
    with site(app).sessions() as session:
        assert sms.send_wait(session, "+8613900139009", "192.0.2.1", limits, T0 + timedelta(minutes=5)) == 55 * 60
        assert sms.send_wait(session, "+8613900139009", "198.51.100.7", limits, T0 + timedelta(minutes=5)) == 0


def test_the_page_refuses_a_second_code_within_a_minute(app: Flask, client: FlaskClient) -> None:
    assert _ask(client).status_code == 303
    again = _ask(client, "+86 138-0013-8000")
    assert again.status_code == 429 and "秒" in again.text
    assert len(_memory(app).sent) == 1


def test_the_page_refuses_more_codes_from_one_address(app: Flask, client: FlaskClient) -> None:
    app.config["SMS_PER_ADDRESS_HOUR"] = 2
    assert _ask(client, "13900139001").status_code == 303
    assert _ask(client, "13900139002").status_code == 303
    assert _ask(client, "13900139003").status_code == 429
    assert len(_memory(app).sent) == 2


# --- signing in ----------------------------------------------------------------------------------------------

def test_an_unknown_number_gets_a_new_enterprise_account_with_that_number_only(app: Flask,
                                                                               client: FlaskClient) -> None:
    response = _sign_in(app, client)
    assert response.status_code == 303 and response.headers["Location"].endswith("/assessments")
    [user] = _users(app)
    assert (user.email, user.phone, user.role) == (None, NUMBER, "enterprise")
    assert user.phone_verified_at is not None and user.email_verified_at is None
    page = client.get("/account")
    assert page.status_code == 200 and "+86 138 0013 8000" in page.text and 'id="add-email"' in page.text
    assert 'id="no-password"' in page.text
    assert "+86 138 0013 8000" in client.get("/assessments").text  # the header names the account by its number
    assert [e.detail.get("method") for e in _events(app, security_log.REGISTERED)] == ["sms"]
    assert [e.detail.get("method") for e in _events(app, security_log.SIGN_IN)] == ["sms"]  # logged once


def test_a_known_number_signs_into_its_account(app: Flask, world: World, client: FlaskClient) -> None:
    owner = world.member("enterprise", "owner@example.com", password=PASSWORD)
    with site(app).sessions() as session:
        record = sms.account(session, owner)
        assert record is not None
        sms.change_phone(session, record, NUMBER)
        session.commit()
    assert _sign_in(app, client, "0086 138 0013 8000").status_code == 303
    assert [u.id for u in _users(app)] == [owner]
    assert "owner@example.com" in client.get("/account").text


def test_the_answer_is_the_same_for_known_and_unknown_numbers(app: Flask, world: World) -> None:
    owner = world.member("enterprise", "owner@example.com", password=PASSWORD)
    with site(app).sessions() as session:
        record = sms.account(session, owner)
        assert record is not None
        sms.change_phone(session, record, "+8613900139000")
        session.commit()
    answers = []
    for number in ("13900139000", "13700137000"):
        client = app.test_client()
        sent = _ask(client, number)
        page = client.get(sent.headers["Location"])
        text = page.text.replace(sms.shown_phone("+86" + number), "NUMBER").replace("+86" + number, "NUMBER")
        answers.append((sent.status_code, sent.headers["Location"], page.status_code,
                        re.sub(r'value="[A-Za-z0-9._-]{20,}"', 'value="TOKEN"', text)))
    assert answers[0] == answers[1]
    assert len(_memory(app).sent) == 2
    assert [e.user_id for e in _events(app, security_log.PHONE_CODE_SENT)] == [owner, None]


def test_the_code_sent_event_carries_no_code(app: Flask, client: FlaskClient) -> None:
    assert _ask(client).status_code == 303
    code = _last_code(app)
    [event] = _events(app, security_log.PHONE_CODE_SENT)
    assert code not in json.dumps(event.detail) and NUMBER not in json.dumps(event.detail)
    assert event.detail["phone"] == "138****8000"


def test_a_wrong_code_is_refused_and_the_right_one_then_signs_in(app: Flask, client: FlaskClient) -> None:
    assert _ask(client).status_code == 303
    code = _last_code(app)
    wrong = client.post("/auth/phone/code", data={"code": _other(code)})
    assert wrong.status_code == 401 and 'id="code-error"' in wrong.text
    assert client.post("/auth/phone/code", data={"code": "12 34"}).status_code == 422
    assert client.post("/auth/phone/code", data={"code": code}).status_code == 303
    again = app.test_client()
    with again.session_transaction() as state:
        state["phone_sign_in"] = NUMBER
    assert again.post("/auth/phone/code", data={"code": code}).status_code == 401  # used


def test_wrong_codes_are_throttled_per_number_through_the_shared_throttle(app: Flask) -> None:
    slow = create_app({**app.config, "THROTTLE_FIRST_DELAY": 600.0})
    client = slow.test_client()
    assert client.post("/auth/phone", data={"phone": "13800138000"}).status_code == 303
    code = _last_code(slow)
    statuses = [client.post("/auth/phone/code", data={"code": _other(code)}).status_code for _ in range(6)]
    assert statuses == [401] * 6
    blocked = client.post("/auth/phone/code", data={"code": code})
    assert blocked.status_code == 429 and "秒" in blocked.text
    other_browser = slow.test_client()
    with other_browser.session_transaction() as state:
        state["phone_sign_in"] = NUMBER
    assert other_browser.post("/auth/phone/code", data={"code": code}).status_code == 429
    site(slow).engine.dispose()


def test_a_switched_off_account_is_not_signed_in_by_code(app: Flask, world: World, client: FlaskClient) -> None:
    organisation = world.organisation("服务商")
    staff = world.member("provider_staff", "staff@example.com", organisation_id=organisation, password=PASSWORD)
    with site(app).sessions() as session:
        record = sms.account(session, staff)
        assert record is not None
        sms.change_phone(session, record, NUMBER)
        session.query(User).filter(User.id == staff).update({"active": False})
        session.commit()
    refused = _sign_in(app, client)
    assert refused.status_code == 403
    assert client.get("/account").status_code in (302, 303)


def test_the_login_page_and_the_phone_page_link_to_each_other(client: FlaskClient) -> None:
    assert 'href="/auth/phone"' in client.get("/auth/login").text
    assert 'href="/auth/phone"' in client.get("/auth/register").text
    assert 'href="/auth/login"' in client.get("/auth/phone").text


def test_forgot_password_tells_phone_accounts_they_sign_in_by_code(client: FlaskClient) -> None:
    page = client.get("/account/password/forgot")
    assert 'id="phone-no-password"' in page.text and 'href="/auth/phone"' in page.text


def test_without_an_sms_gateway_phone_sign_in_is_offered_nowhere(app: Flask) -> None:
    off = create_app({**app.config, "SMS_BACKEND": "none"})
    client = off.test_client()
    assert client.get("/auth/phone").status_code == 404
    assert client.post("/auth/phone", data={"phone": "13800138000"}).status_code == 404
    assert "/auth/phone" not in client.get("/auth/login").text
    site(off).engine.dispose()


# --- the HTTP gateway against a real server on 127.0.0.1 ------------------------------------------------------

class Gateway(BaseHTTPRequestHandler):
    """A tiny SMS gateway: records each request; answers with the status the test sets, or too late."""

    status: ClassVar[int] = 200
    delay: ClassVar[float] = 0.0
    received: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append((self.path, dict(self.headers.items()), body))
        if self.delay:
            time.sleep(self.delay)
        answer = json.dumps({"ok": self.status == 200}).encode()
        try:
            self.send_response(self.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def gateway_url() -> Iterator[str]:
    """A real HTTP server on a free port of 127.0.0.1, standing in for the SMS provider."""
    Gateway.status, Gateway.delay, Gateway.received = 200, 0.0, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="sms-gateway", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms/send"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


MESSAGE = TextMessage(NUMBER, "您的验证码是 123456", {"code": "123456", "minutes": "5"})


def test_the_http_gateway_posts_json_with_template_sign_name_and_key(gateway_url: str) -> None:
    config = {"SMS_BACKEND": "http", "SMS_URL": gateway_url, "SMS_TEMPLATE_ID": "SMS_001", "SMS_SIGN_NAME": "评测工具",
              "SMS_API_KEY": "k-123", "SMS_API_KEY_HEADER": "X-Api-Key", "SMS_API_KEY_PREFIX": ""}
    gateway = sms.gateway_from_config(config)
    assert isinstance(gateway, HttpSms) and "k-123" not in repr(gateway)
    gateway.send(MESSAGE)
    [(path, headers, body)] = Gateway.received
    assert path == "/sms/send" and headers["X-Api-Key"] == "k-123"
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"phone": NUMBER, "template_id": "SMS_001", "sign_name": "评测工具",
                                "params": {"code": "123456", "minutes": "5"}}


def test_the_http_gateway_can_post_a_form(gateway_url: str) -> None:
    gateway = sms.gateway_from_config({"SMS_URL": gateway_url, "SMS_TEMPLATE_ID": "T1", "SMS_ENCODING": "form",
                                       "SMS_API_KEY": "secret"})
    assert gateway is not None
    gateway.send(MESSAGE)
    [(_path, headers, body)] = Gateway.received
    assert headers["Authorization"] == "Bearer secret"
    fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert fields["phone"] == NUMBER and fields["template_id"] == "T1"
    assert json.loads(fields["params"]) == {"code": "123456", "minutes": "5"}


def test_an_http_error_from_the_gateway_is_a_failure(gateway_url: str, caplog: pytest.LogCaptureFixture) -> None:
    Gateway.status = 503
    with pytest.raises(SmsFailed, match="HTTP 503"):
        HttpSms(gateway_url, "T1", "签名").send(MESSAGE)
    assert "123456" not in caplog.text and "138****8000" in caplog.text


def test_a_gateway_that_answers_too_late_is_a_failure(gateway_url: str) -> None:
    Gateway.delay = 2.0
    with pytest.raises(SmsFailed, match="in time"):
        HttpSms(gateway_url, "T1", "签名", timeout=0.2).send(MESSAGE)


def test_a_gateway_that_cannot_be_reached_is_a_failure() -> None:
    with pytest.raises(SmsFailed, match="could not be reached"):
        HttpSms("http://127.0.0.1:9/none", "T1", "签名", timeout=2).send(MESSAGE)


def test_sms_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="SMS_BACKEND"):
        sms.gateway_from_config({"SMS_BACKEND": "pigeon"})
    with pytest.raises(ValueError, match="SMS_URL"):
        sms.gateway_from_config({"SMS_BACKEND": "http"})
    with pytest.raises(ValueError, match="SMS_TEMPLATE_ID"):
        sms.gateway_from_config({"SMS_URL": "https://sms.example.cn/send"})
    assert sms.gateway_from_config({}) is None
    assert isinstance(sms.gateway_from_config({}, testing=True), MemorySms)


def test_the_page_says_when_the_gateway_could_not_send(app: Flask, gateway_url: str) -> None:
    Gateway.status = 500
    failing = create_app({**app.config, "SMS_BACKEND": "http", "SMS_URL": gateway_url, "SMS_TEMPLATE_ID": "T1"})
    response = failing.test_client().post("/auth/phone", data={"phone": "13800138000"})
    assert response.status_code == 503 and "短信暂时无法发送" in response.text
    assert len(Gateway.received) == 1
    site(failing).engine.dispose()


# --- the account's mobile number -----------------------------------------------------------------------------

def _change(app: Flask, client: FlaskClient, typed: str) -> Any:
    sent = client.post("/account/phone", data={"phone": typed})
    assert sent.status_code == 303, sent.text
    return client.post("/account/phone/confirm", data={"code": _last_code(app)})


def test_a_mobile_number_is_added_with_a_code_sent_to_it(app: Flask, world: World) -> None:
    app.config["SMS_INTERVAL"] = 0  # the same number gets a second code at once below
    owner = world.member("enterprise", "owner@example.com", password=PASSWORD)
    client = world.client(owner)
    assert 'id="change-phone"' in client.get("/account").text
    wrong = client.post("/account/phone", data={"phone": "12345"})
    assert wrong.status_code == 422
    assert client.post("/account/phone", data={"phone": "13800138000"}).status_code == 303
    assert _memory(app).sent[-1].to == NUMBER
    refused = client.post("/account/phone/confirm", data={"code": _other(_last_code(app))})
    assert refused.status_code == 401
    assert _users(app)[0].phone is None
    saved = client.post("/account/phone/confirm", data={"code": _last_code(app)})
    assert saved.status_code == 303
    [user] = _users(app)
    assert (user.email, user.phone) == ("owner@example.com", NUMBER) and user.phone_verified_at is not None
    assert [e.user_id for e in _events(app, security_log.PHONE_CHANGED)] == [owner]
    fresh = app.test_client()
    assert _sign_in(app, fresh).status_code == 303
    assert "owner@example.com" in fresh.get("/account").text


def test_a_mobile_number_is_changed_and_the_old_one_no_longer_signs_in(app: Flask, world: World) -> None:
    app.config["SMS_INTERVAL"] = 0
    owner = world.member("enterprise", "owner@example.com", password=PASSWORD)
    client = world.client(owner)
    assert _change(app, client, "13800138000").status_code == 303
    assert _change(app, client, "13900139000").status_code == 303
    assert _users(app)[0].phone == "+8613900139000"
    other = app.test_client()
    assert _sign_in(app, other, "13800138000").status_code == 303
    assert [u.phone for u in _users(app)] == ["+8613900139000", NUMBER]  # the old number made a new account


def test_a_number_of_another_account_is_not_taken_over(app: Flask, world: World) -> None:
    app.config["SMS_INTERVAL"] = 0
    first = world.member("enterprise", "first@example.com", password=PASSWORD)
    second = world.member("enterprise", "second@example.com", password=PASSWORD)
    assert _change(app, world.client(first), "13800138000").status_code == 303
    taken = _change(app, world.client(second), "13800138000")
    assert taken.status_code == 409 and "另一个账户" in taken.text
    assert [u.phone for u in _users(app)] == [NUMBER, None]


def test_a_phone_only_account_adds_an_email_address_confirmed_by_link(app: Flask, world: World,
                                                                      client: FlaskClient) -> None:
    world.member("enterprise", "taken@example.com", password=PASSWORD)
    assert _sign_in(app, client).status_code == 303
    assert client.post("/account/email", data={"email": "not an address"}).status_code == 422
    taken = client.post("/account/email", data={"email": "Taken@example.com"})
    assert taken.status_code == 422
    assert client.post("/account/email", data={"email": "Owner@Example.com"}).status_code == 303
    user = _users(app)[1]
    assert (user.email, user.phone, user.email_verified_at) == ("owner@example.com", NUMBER, None)
    [mail] = world.outbox.sent
    assert mail.to == "owner@example.com"
    link = re.search(r"http://\S+/account/verify/\S+", mail.body)
    assert link is not None and client.get(link.group(0)).status_code == 200
    assert _users(app)[1].email_verified_at is not None
    assert client.get("/account/email").status_code == 303  # one address only: it is changed elsewhere


def test_nothing_is_mailed_to_an_account_without_an_email_address(app: Flask, world: World,
                                                                  client: FlaskClient) -> None:
    assert _sign_in(app, client).status_code == 303
    response = client.post("/account/verify")
    assert response.status_code == 303 and response.headers["Location"].endswith("/account/email")
    assert world.outbox.sent == []


def test_a_phone_only_account_confirms_it_is_itself_by_code(app: Flask, client: FlaskClient) -> None:
    assert _sign_in(app, client).status_code == 303
    page = client.get("/account/reauth/phone?next=/account/phone")
    assert page.status_code == 200 and "+86 138 0013 8000" in page.text
    too_soon = client.post("/account/reauth/phone?next=/account/phone", data={"send": "1"})
    assert too_soon.status_code == 429 and 'id="code-error"' in too_soon.text  # the sign-in code went a moment ago
    app.config["SMS_INTERVAL"] = 0
    assert client.post("/account/reauth/phone?next=/account/phone", data={"send": "1"}).status_code == 303
    wrong = client.post("/account/reauth/phone?next=/account/phone", data={"code": _other(_last_code(app))})
    assert wrong.status_code == 401
    done = client.post("/account/reauth/phone?next=/account/phone", data={"code": _last_code(app)})
    assert done.status_code == 303 and done.headers["Location"].endswith("/account/phone")
