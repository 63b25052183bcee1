"""An official sets up two-step verification from the QR page at the first login, then logs in again with a code."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pyotp
import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer

from assessment.db import providers
from assessment.services import accounts
from assessment.web.site import site

pytestmark = pytest.mark.browser

PASSWORD = "Harbour lights at seven, 42 boats"


def _log_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login")


def test_an_official_enrols_from_the_qr_page_and_logs_in_again_with_a_code(
        new_page: Callable[..., Page], live_server: LiveServer) -> None:
    with site(live_server.app).sessions() as session:
        providers.add_member(session, "official@example.gov.cn", accounts.hash_password(PASSWORD), role="official",
                             region_code="370100")
        session.commit()

    page = new_page()
    _log_in(page, "official@example.gov.cn")
    page.wait_for_url(re.compile(r"/mfa/enrol$"))
    expect(page.locator("h1")).to_have_text("设置两步验证")
    expect(page.locator("#mfa-required")).to_be_visible()
    expect(page.locator("#mfa-qr svg")).to_be_visible()
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("#confirm-mfa")
    expect(page.locator("#mfa-on")).to_have_text("两步验证已开启。")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.click("#codes-saved")
    page.wait_for_url(re.compile(r"/official/$"))  # an official's home (issue 14, bug 7)
    page.goto("/account")
    expect(page.locator("#account-mfa")).to_contain_text("已于")
    page.context.close()

    again = new_page()
    _log_in(again, "official@example.gov.cn")
    again.wait_for_url(re.compile(r"/mfa/verify$"))
    again.goto("/official/")
    again.wait_for_url(re.compile(r"/auth/login"))  # waiting for the code is not being signed in
    _log_in(again, "official@example.gov.cn")
    again.wait_for_url(re.compile(r"/mfa/verify$"))
    # the code used at enrolment is spent: the app's next one (one step ahead is still accepted)
    again.fill("#code", pyotp.TOTP(secret).at(time.time(), counter_offset=1))
    again.click("#verify")
    again.wait_for_url(re.compile(r"/official/$"))
    again.goto("/official/")
    expect(again.locator("h1")).not_to_have_text("登录")
    assert "/auth/login" not in again.url and "/mfa/" not in again.url
