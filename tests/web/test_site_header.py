"""The page header of every page: the session's own token, the page's own address, the signed-in account's email."""

from __future__ import annotations

import re

from flask import Flask
from journey import Journey, registered

PASSWORD = "correct horse battery"


def _header(page: str) -> str:
    match = re.search(r'<header class="site-header">.*?</header>', page, re.S)
    assert match is not None, page[:500]
    return match[0]


def test_each_page_gets_its_own_address_and_the_sessions_token_in_the_header(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    first, second = client.get("/").text, client.get("/assessments?x=1").text
    assert "\x00" not in first and "\x00" not in second
    assert 'name="next" value="/"' in _header(first)
    assert 'name="next" value="/assessments?x=1"' in _header(second)
    tokens = re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', _header(second))
    assert tokens and all(token for token in tokens)
    # the header's token is accepted like any other form's: switching the language with it works
    response = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": tokens[0]})
    assert response.status_code == 303
    other = app.test_client()
    assert _header(other.get("/").text).count(tokens[0]) == 0  # another session, another token


def test_the_header_follows_the_language_and_the_account(journey: Journey, app: Flask) -> None:
    client = journey.client
    anonymous = _header(client.get("/").text)
    assert "登录" in anonymous and "logout" not in anonymous
    client.post("/language", data={"lang": "en", "next": "/"})
    assert "Log in" in _header(client.get("/").text)
    registered(client, "owner@example.com", PASSWORD)
    signed_in = _header(client.get("/").text)
    assert 'id="logout"' in signed_in and "owner@example.com" in signed_in and "Log in" not in signed_in
    client.post("/auth/logout")
    assert 'id="logout"' not in _header(client.get("/").text)
    # another account in the same language gets its own header, not the first account's
    other = app.test_client()
    other.post("/language", data={"lang": "en", "next": "/"})
    registered(other, "second@example.com", PASSWORD)
    header = _header(other.get("/").text)
    assert "second@example.com" in header and "owner@example.com" not in header
