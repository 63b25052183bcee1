"""In a real browser (Debian's chromium through Playwright), in Chinese, on a narrow phone screen: from the login
page to sign-in by mobile number, the code read from the development outbox page, as a developer running `make run`
would, and the new account named by its number."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import make_server

from assessment.content.loader import Library
from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.web.app import create_app
from assessment.web.site import site

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"  # Debian package `chromium`; `playwright install` is never run
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options with Debian's chromium."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, library: Library) -> Iterator[str]:
    """The app as `make run` starts it (console mail and SMS, the outbox page), CSRF on, on a free port."""
    url = f"sqlite:///{tmp_path_factory.mktemp('phone') / 'assessment.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "browser", "DATABASE_URL": url, "CONTENT_LIBRARY": library,
                      "WTF_CSRF_ENABLED": True, "COOKIE_SECURE": False, "MAIL_BACKEND": "console",
                      "SMS_BACKEND": "console", "ALLOW_CONSOLE_MESSAGES": True, "DEV_OUTBOX": True})
    live = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, name="phone-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live.server_port}"
    live.shutdown()
    thread.join(timeout=10)
    live.server_close()
    site(app).engine.dispose()


@pytest.fixture
def phone_context(new_context: Callable[..., BrowserContext], server: str) -> BrowserContext:
    """A browser context on the live server, in Chinese, phone-sized."""
    context = new_context(base_url=server, locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def test_a_new_visitor_signs_in_by_mobile_number_with_the_code_from_the_outbox(phone_context: BrowserContext,
                                                                               capfd: pytest.CaptureFixture[str],
                                                                               ) -> None:
    page: Page = phone_context.new_page()
    page.goto("/auth/login")
    page.click("#phone-login")
    expect(page.locator("h1")).to_have_text("手机号码登录")
    page.fill("#phone", "12345")
    page.click("#send-code")
    expect(page.locator("#phone-error")).to_contain_text("11 位中国大陆手机号码")
    page.fill("#phone", "+86 138-0013-8000")
    page.click("#send-code")
    expect(page.locator("#code-sent")).to_contain_text("+86 138 0013 8000")

    outbox = phone_context.new_page()
    outbox.goto("/dev/outbox")
    newest = outbox.locator(".outbox-message").first
    expect(newest.locator(".outbox-recipient")).to_have_text("+86 138 0013 8000")
    code = newest.locator(".outbox-subject").inner_text().strip()
    assert len(code) == 6 and code.isdigit()
    assert code in capfd.readouterr().out  # printed to the console too

    page.fill("#code", code)
    page.click("#check-code")
    expect(page).to_have_url(re.compile(r"/assessments$"))
    expect(page.locator("#logout")).to_contain_text("+86 138 0013 8000")
    page.goto("/account")
    expect(page.locator("#account-phone")).to_contain_text("+86 138 0013 8000")
    expect(page.locator("#account-email")).to_contain_text("尚未填写邮箱地址")
