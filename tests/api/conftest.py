"""API fixtures: the app served on a free port (for schemathesis and Chromium), and Debian's chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from assessment.content.loader import Library
from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.web.app import create_app
from assessment.web.site import site

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options with Debian's chromium (`playwright install` is never run)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory, library: Library) -> Iterator[str]:
    """The whole app (CSRF on, as in production) on a fresh migrated SQLite file, served on a free port; its URL."""
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'assessment.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"SECRET_KEY": "api tests", "DATABASE_URL": url, "CONTENT_LIBRARY": library,
                      "WTF_CSRF_ENABLED": True, "COOKIE_SECURE": False, "API_RATE_REQUESTS": 1_000_000})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="api-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    site(app).engine.dispose()
