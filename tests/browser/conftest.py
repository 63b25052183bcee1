"""Browser fixtures: Debian's chromium through pytest-playwright, and the app served on a free port.

Each test module gets its own live server (werkzeug, port 0) on its own SQLite file migrated by the app's own
migration code, with CSRF switched on, so the forms are the real ones. Under xdist every worker runs its own
modules, so servers and databases never meet. When a test fails, every open page is saved as a screenshot in
test-artifacts/ (gitignored).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from werkzeug.serving import make_server
from wizard import LiveServer

from assessment.content.loader import Library
from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.web.app import create_app
from assessment.web.site import site

CHROMIUM = "/usr/bin/chromium"  # Debian package `chromium`; `playwright install` is never run
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = "test-artifacts"
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options (keeps --headed, --slowmo) with Debian's chromium."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, library: Library) -> Iterator[LiveServer]:
    """The app with CSRF on, on a fresh migrated SQLite database, served on a free port for one test module."""
    database = tmp_path_factory.mktemp("live") / "assessment.sqlite3"
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({
        "SECRET_KEY": "browser tests",
        "DATABASE_URL": url,
        "CONTENT_LIBRARY": library,
        "WTF_CSRF_ENABLED": True,
        "COOKIE_SECURE": False,  # plain http on 127.0.0.1
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    site(app).engine.dispose()


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], live_server: LiveServer) -> dict[str, Any]:
    """Every context opens pages relative to the live server, in Chinese (the default) on a desktop-sized window."""
    return {**browser_context_args, "base_url": live_server.url, "locale": "zh-CN"}


def with_timeouts(context: BrowserContext) -> BrowserContext:
    """Nothing here takes seconds: give up after TIMEOUT_MS instead of Playwright's 30 s."""
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """pytest-playwright's browser context, with short timeouts."""
    return with_timeouts(new_context())


@pytest.fixture
def new_page(new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    """Open a page in a fresh browser context (own cookies), e.g. new_page(java_script_enabled=False)."""

    def open_page(**options: Any) -> Page:
        return with_timeouts(new_context(**options)).new_page()

    return open_page


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test, for the screenshot fixture."""
    report: pytest.TestReport = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:150]


@pytest.fixture(autouse=True)
def screenshots_on_failure(request: pytest.FixtureRequest, browser: Browser,
                           new_context: Callable[..., BrowserContext]) -> Iterator[None]:
    """After a failed test, save every page it left open (before the contexts close) to test-artifacts/."""
    yield
    reports = request.node.stash.get(REPORTS, {})
    if not any(r.failed for r in reports.values()):
        return
    folder = Path(request.config.rootpath) / ARTIFACTS
    folder.mkdir(exist_ok=True)
    pages = [page for context in browser.contexts for page in context.pages]
    for number, page in enumerate(pages, start=1):
        path = folder / f"{_artifact_name(request.node.nodeid)}-{number}.png"
        try:
            page.screenshot(path=str(path), full_page=True, timeout=TIMEOUT_MS)
        except Exception as error:  # a crashed page must not hide the test's own failure
            request.node.add_report_section("teardown", "screenshot", f"{path}: {error}")
