"""Development messages are visible: the console backends print every mail and SMS (recipient, subject, link or
code) and keep them for the development outbox page, which exists only where it is enabled; production refuses to
start with a console backend unless told to."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from assessment.db.models import OutboxMessage
from assessment.services.mail import ConsoleOutbox, LogOutbox, Message, Printed, keep_printed, outbox_from_config
from assessment.services.sms import ConsoleSms, TextMessage, code_message
from assessment.web.app import create_app
from assessment.web.outbox import ConsoleMessagesRefused, pieces
from assessment.web.site import site

CONSOLE = {"MAIL_BACKEND": "console", "SMS_BACKEND": "console"}


@pytest.fixture
def console_app(app: Flask) -> Iterator[Flask]:
    """The app on the same database with both console backends and the outbox page switched on."""
    made = create_app({**app.config, **CONSOLE, "DEV_OUTBOX": True})
    yield made
    site(made).engine.dispose()


def _production(app: Flask, **settings: object) -> Flask:
    config = {k: v for k, v in app.config.items() if k not in ("TESTING", "DEBUG")}
    return create_app({**config, "TESTING": False, "DEBUG": False, **settings})


def _kept(app: Flask) -> list[OutboxMessage]:
    with site(app).sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_console_mail_backend_prints_recipient_subject_and_link(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleOutbox("noreply@example.com").send(Message("a@example.com", "确认您的邮箱地址",
                                                      "请确认：\n\nhttp://localhost/account/verify/abc.def"))
    printed = capsys.readouterr().out
    assert "a@example.com" in printed and "确认您的邮箱地址" in printed
    assert "http://localhost/account/verify/abc.def" in printed and "noreply@example.com" in printed


def test_the_console_sms_backend_prints_the_number_and_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleSms().send(code_message("+8613800138000", "042917", "zh"))
    printed = capsys.readouterr().out
    assert "+86 138 0013 8000" in printed and "042917" in printed and "验证码" in printed


def test_the_console_prints_at_once_to_the_real_standard_output(capfd: pytest.CaptureFixture[str]) -> None:
    ConsoleSms().send(TextMessage("+8613800138000", "code 123456", {"code": "123456"}))
    assert "123456" in capfd.readouterr().out


def test_registering_prints_the_verification_mail_and_keeps_it(console_app: Flask,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    client = console_app.test_client()
    response = client.post("/auth/register", data={"email": "owner@example.com", "password": "correct horse battery",
                                                   "confirm": "correct horse battery"})
    assert response.status_code < 400
    printed = capsys.readouterr().out
    link = re.search(r"http://localhost/account/\S+", printed)
    assert link is not None and "owner@example.com" in printed
    [kept] = _kept(console_app)
    assert (kept.channel, kept.recipient) == ("mail", "owner@example.com") and link.group(0) in kept.body


def test_the_outbox_page_lists_messages_newest_first_with_links_clickable(console_app: Flask,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    client = console_app.test_client()
    assert client.post("/auth/register", data={"email": "owner@example.com", "password": "correct horse battery",
                                               "confirm": "correct horse battery"}).status_code < 400
    other = console_app.test_client()
    assert other.post("/auth/phone", data={"phone": "138 0013 8000"}).status_code == 303
    code = re.search(r"Code:\s+(\d{6})", capsys.readouterr().out)
    assert code is not None
    page = client.get("/dev/outbox")
    assert page.status_code == 200
    assert page.text.index("+86 138 0013 8000") < page.text.index("owner@example.com")
    assert f'<dd class="outbox-subject">{code.group(1)}</dd>' in page.text
    assert re.search(r'<a href="http://localhost/account/[^"]+">http://localhost/account/', page.text)
    assert page.headers["Cache-Control"] == "no-store"


def test_links_are_cut_out_of_the_text_and_everything_is_escaped(console_app: Flask) -> None:
    assert pieces('see http://x/a?b=1&c=2 <b>"') == [("see ", False), ("http://x/a?b=1&c=2", True),
                                                     (' <b>"', False)]
    keep_printed(site(console_app).sessions, [Printed("mail", "a@example.com", "<i>hi</i>",
                                                      "<script>x</script> http://x/a?b=1&c=2")])
    page = console_app.test_client().get("/dev/outbox").text
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page and "&lt;i&gt;hi" in page
    assert '<a href="http://x/a?b=1&amp;c=2">http://x/a?b=1&amp;c=2</a>' in page


def test_the_outbox_page_answers_only_this_machine(console_app: Flask) -> None:
    client = console_app.test_client()
    assert client.get("/dev/outbox", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert client.get("/dev/outbox", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404


def test_the_outbox_page_is_absent_unless_enabled(app: Flask) -> None:
    assert app.test_client().get("/dev/outbox").status_code == 404  # tests keep messages in lists
    variants = [{**CONSOLE}, {"DEV_OUTBOX": True}, {"DEV_OUTBOX": True, "MAIL_BACKEND": "memory",
                                                     "SMS_BACKEND": "none"}]
    for settings in variants:
        made = create_app({**app.config, **settings})
        assert made.test_client().get("/dev/outbox").status_code == 404, settings
        site(made).engine.dispose()
    debug = create_app({**app.config, "TESTING": False, "DEBUG": True})  # no settings: debug prints and lists
    try:
        assert debug.test_client().get("/dev/outbox").status_code == 200
    finally:
        site(debug).engine.dispose()


def test_production_refuses_to_start_with_a_console_backend(app: Flask) -> None:
    for settings in (CONSOLE, {"MAIL_BACKEND": "console"}, {"SMS_BACKEND": "console"}):
        with pytest.raises(ConsoleMessagesRefused, match="ASSESSMENT_ALLOW_CONSOLE_MESSAGES"):
            _production(app, **settings)


def test_production_starts_with_console_backends_when_told_to(app: Flask) -> None:
    allowed = _production(app, **CONSOLE, ALLOW_CONSOLE_MESSAGES=1, DEV_OUTBOX=1)
    try:
        assert allowed.test_client().get("/dev/outbox").status_code == 200
    finally:
        site(allowed).engine.dispose()


def test_production_without_mail_settings_logs_no_link(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    made = _production(app)
    try:
        assert made.test_client().get("/dev/outbox").status_code == 404
        assert made.test_client().get("/auth/phone").status_code == 404  # no SMS gateway: no sign-in by SMS
    finally:
        site(made).engine.dispose()
    with caplog.at_level(logging.INFO, logger="assessment.mail"):
        LogOutbox("noreply@example.com").send(Message("a@example.com", "Subject", "http://x/account/verify/abc"))
    assert "a@example.com" in caplog.text and "abc" not in caplog.text and "MAIL_HOST" in caplog.text


def test_debug_mode_prints_mail_without_any_setting() -> None:
    assert isinstance(outbox_from_config({}, debug=True), ConsoleOutbox)
    assert isinstance(outbox_from_config({}), LogOutbox)
    assert not isinstance(outbox_from_config({"MAIL_HOST": "smtp.example.com"}, debug=True), ConsoleOutbox)


@pytest.mark.parametrize("command", [
    [sys.executable, "-c", "import assessment.web.wsgi"],
    [str(Path(sys.executable).with_name("assessment")), "routes"],
])
def test_the_server_commands_refuse_console_backends_in_production(command: list[str], tmp_path: Path) -> None:
    environment = {**os.environ, "ASSESSMENT_DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}",
                   "ASSESSMENT_SECRET_KEY": "x", "ASSESSMENT_MAIL_BACKEND": "console"}
    environment.pop("FLASK_DEBUG", None)
    refused = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=tmp_path, check=False)
    assert refused.returncode != 0 and "ASSESSMENT_ALLOW_CONSOLE_MESSAGES" in refused.stderr
    allowed = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False,
                             env={**environment, "ASSESSMENT_ALLOW_CONSOLE_MESSAGES": "1"})
    assert allowed.returncode == 0, allowed.stderr
