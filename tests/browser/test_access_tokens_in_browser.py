"""A person makes an API access token on the account page: the token is shown once with a working copy button and a
warning, the list shows it by its prefix, revoking asks first; on a phone nothing runs off the screen."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer

from assessment.db import providers
from assessment.services import accounts
from assessment.web.site import site

pytestmark = pytest.mark.browser

PASSWORD = "Harbour lights at seven, 42 boats"
PHONE = {"width": 390, "height": 844}


def _signed_in(page: Page, live_server: LiveServer, email: str) -> None:
    with site(live_server.app).sessions() as session:
        providers.add_member(session, email, accounts.hash_password(PASSWORD), role="enterprise")
        session.commit()
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(re.compile(r"/assessments"))


def test_a_new_token_is_shown_once_with_a_copy_button_and_revoked_after_confirmation(
        new_page: Callable[..., Page], live_server: LiveServer) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    _signed_in(page, live_server, "tokens@example.com")
    page.goto("/account")
    page.click("#my-tokens")
    expect(page.locator("h1")).to_have_text("API 访问令牌")
    page.fill("#name", "CRM 同步")
    page.check("#scope-read-write")
    page.fill("#days", "30")
    page.click("#make-token")
    secret = page.locator("#token-secret").input_value()
    assert re.fullmatch(r"sat_[0-9A-Za-z]{40}", secret)
    expect(page.locator("#new-token-warning")).to_contain_text("仅显示这一次")
    button = page.locator("#copy-token-secret")
    expect(button).to_have_text("复制令牌")
    button.click()
    expect(page.locator("#copy-token-secret-status")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    row = page.locator("#token-list tbody tr").first
    expect(row).to_contain_text(secret[:12] + "…")
    expect(row).to_contain_text("读写")
    expect(row).to_contain_text("从未使用")
    page.goto("/account/tokens")
    expect(page.locator("#token-secret")).to_have_count(0)
    assert secret not in page.content()
    page.locator("#token-list a[id^=revoke-]").first.click()
    expect(page.locator("h1")).to_contain_text("CRM 同步")
    page.click("#confirm-revoke")
    expect(page.locator("#token-list tbody tr").first).to_contain_text("已撤销")


def test_on_a_phone_the_tokens_page_stays_within_the_screen(new_page: Callable[..., Page],
                                                            live_server: LiveServer) -> None:
    page = new_page(viewport=PHONE)
    _signed_in(page, live_server, "phone-tokens@example.com")
    page.goto("/account/tokens")
    page.fill("#name", "自动化报表")
    page.click("#make-token")
    expect(page.locator("#token-secret")).to_be_visible()
    box = page.locator("#token-secret").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
