"""Passwords per ASVS 2.1: at least 12 characters, at most 128, no composition rules, common and easily guessed
ones refused (zxcvbn), the rule stated on every form that sets one; the account CLI follows it; a new reset link
voids the older ones."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from world import PASSWORD, World

from assessment.db.models import utcnow
from assessment.services import accounts

RULE = "至少 12 个字符。常见或容易被猜到的密码不能使用"


@pytest.mark.parametrize(("password", "problem"), [
    ("password12", "The password must have at least 12 characters"),
    ("short  words", "The password must have at least 12 characters"),  # a run of spaces counts as one
    ("password1234", "This is a very common password."),
    ("qwertyuiop12", "This is similar to a commonly used password."),
    ("abcdefghijkl", 'Sequences like "abc" or "6543" are easy to guess.'),
    ("x" * 129, "The password must have at most 128 characters"),
])
def test_short_long_common_and_guessable_passwords_are_refused(password: str, problem: str) -> None:
    assert accounts.password_problem(password) == problem


@pytest.mark.parametrize("password", [
    "correct horse battery",  # lower case words: no composition rules
    "长城 故宫 颐和园 天坛 walk",
    "Tr0ub4dor&3 plus",
    "granite lantern orbit " * 5 + "x" * 18,  # 128 characters
])
def test_long_uncommon_passwords_of_any_composition_are_accepted(password: str) -> None:
    assert len(password) <= accounts.MAX_PASSWORD
    assert accounts.password_problem(password) is None


def test_every_warning_of_the_estimator_is_translated(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        from flask_babel import gettext
        untranslated = [w for w in accounts.ESTIMATOR_WARNINGS if gettext(w) == w]
    assert untranslated == []


def test_the_forms_that_set_a_password_state_the_rule_and_refuse_a_weak_one(world: World) -> None:
    client = world.app.test_client()
    assert RULE in client.get("/auth/register").text
    weak = client.post("/auth/register", data={"email": "new@example.com", "password": "password1234",
                                               "confirm": "password1234"})
    assert weak.status_code == 422 and "这是一个非常常见的密码。" in weak.text and 'id="password-error"' in weak.text
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    client.post("/account/password/forgot", data={"email": "owner@example.com"})
    link = re.search(r"http://localhost(/\S+)", world.outbox.sent[-1].body)
    assert link is not None
    assert RULE in client.get(link[1], follow_redirects=True).text
    refused = client.post(link[1], data={"password": "password12", "confirm": "password12"})
    assert refused.status_code == 422 and "密码至少需要 12 个字符" in refused.text
    assert client.post(link[1], data={"password": "long enough now", "confirm": "long enough now"}).status_code == 303
    signed_in = world.client(world.member("enterprise", "other@example.com", password=PASSWORD))
    assert RULE in signed_in.get("/auth/password").text


def test_a_new_member_chooses_a_first_password_under_the_same_rule(world: World) -> None:
    organisation = world.organisation("服务商")
    admin = world.client(world.member("provider_admin", organisation_id=organisation))
    admin.post("/provider/staff", data={"email": "new@example.com", "display_name": "李评定", "role": "provider_staff"})
    link = re.search(r"http://localhost(/\S+)", world.outbox.sent[-1].body)
    assert link is not None
    fresh = world.app.test_client()
    assert RULE in fresh.get(link[1], follow_redirects=True).text
    assert fresh.post(link[1], data={"password": "iloveyou1234", "confirm": "iloveyou1234"}).status_code == 422


def test_the_account_commands_refuse_weak_passwords(app: Flask) -> None:
    runner = app.test_cli_runner()
    common = runner.invoke(args=["admin", "create", "--email", "root@example.com", "--password-stdin"],
                           input="password1234\n")
    assert common.exit_code == 1 and "This is a very common password." in common.output
    short = runner.invoke(args=["user", "create", "--email", "o@example.com", "--role", "official", "--region",
                                "370100", "--password-stdin"], input="password12\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    good = runner.invoke(args=["admin", "create", "--email", "root@example.com", "--password-stdin"],
                         input=PASSWORD + "\n")
    assert good.exit_code == 0, good.output


def test_a_new_reset_link_voids_every_older_one(world: World) -> None:
    user = world.member("enterprise", "owner@example.com", password=PASSWORD)
    secret = str(world.app.config["SECRET_KEY"])
    with world.session() as session:
        first = accounts.issue_token(session, secret, user, "reset")
        second = accounts.issue_token(session, secret, user, "reset")
        verify = accounts.issue_token(session, secret, user, "verify")
        third = accounts.issue_token(session, secret, user, "reset", now=utcnow() + timedelta(seconds=1))
    with world.session() as session:
        assert accounts.redeem_token(session, secret, first, "reset").status == "expired"
        assert accounts.redeem_token(session, secret, second, "reset").status == "expired"
        assert accounts.redeem_token(session, secret, verify, "verify").status == "ok", "other purposes stay"
        assert accounts.redeem_token(session, secret, third, "reset").status == "ok"


def test_an_older_emailed_reset_link_stops_working_when_a_newer_one_is_sent(world: World) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    client = world.app.test_client()
    links = []
    for _ in range(2):
        client.post("/account/password/forgot", data={"email": "owner@example.com"})
        found = re.search(r"http://localhost(/\S+)", world.outbox.sent[-1].body)
        assert found is not None
        links.append(found[1])
    older = client.post(links[0], data={"password": "long enough now", "confirm": "long enough now"})
    assert older.status_code == 400 and "此链接已过期" in older.text
    assert client.post(links[1], data={"password": "long enough now", "confirm": "long enough now"}).status_code == 303
