"""/api/v1/docs renders Swagger UI from the app's own files under the site's CSP: no violation, no outside request."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.parametrize(("width", "locale"), [(1280, "zh-CN"), (390, "en-US")])
def test_the_docs_page_renders_every_operation_under_the_csp(page: Page, api_server: str, width: int,
                                                             locale: str) -> None:
    console: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("request", lambda request: outside.append(request.url)
            if urlsplit(request.url).netloc not in ("", urlsplit(api_server).netloc) else None)
    page.set_viewport_size({"width": width, "height": 900})
    page.set_extra_http_headers({"Accept-Language": locale})
    response = page.goto(f"{api_server}/api/v1/docs")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".opblock").first.wait_for()
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert {s.replace("\u200b", "") for s in summaries} >= {"/api/v1/score", "/api/v1/report", "/api/v1/models"}
    page.locator(".opblock-summary", has_text="/api/v1/score").first.click()
    page.locator(".opblock-body").first.wait_for()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"api-docs-{width}.png"), full_page=False)
    assert [m for m in console if "Content Security Policy" in m or "Refused" in m] == []
    assert console == [] and outside == []
