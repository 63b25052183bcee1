"""Chart text is at least 12 px on screen at 1x: every `svg text` of a result page, measured as its font size times
the scale its SVG is drawn at (getScreenCTM), with every collapsible section opened; and the HTML scenario matrix's
text by its computed size. Pages: the SME result without and with a comparison, the guided and on-site results and
the official's view of a shared result (the demo site of `make screenshots`), at 390 px and 1280 px, zh and en.
"""

from __future__ import annotations

import importlib.util
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from wizard import LiveServer

pytestmark = pytest.mark.browser

MINIMUM_PX = 12.0
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots"
RESULT_PAGES = {  # the demo site's result pages, by who opens them
    "results-self": "a self-assessment, no earlier result",
    "results-guided": "a guided assessment, no earlier result",
    "results-onsite": "an on-site assessment compared with the earlier one",
    "official-shared-result": "the official's view of a shared result",
}

# Every chart text on the page, with every <details> opened: [text, rendered px]; -1 when it is not drawn at all.
CHART_TEXT_SIZES = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const sizes = [];
  document.querySelectorAll('svg text').forEach((t) => {
    const ctm = t.getScreenCTM();
    const box = t.getBoundingClientRect();
    const label = t.textContent.trim().slice(0, 40);
    if (!ctm || box.width === 0) { sizes.push([label, -1]); return; }
    const scale = Math.sqrt(Math.abs(ctm.a * ctm.d - ctm.b * ctm.c));
    sizes.push([label, parseFloat(getComputedStyle(t).fontSize) * scale]);
  });
  document.querySelectorAll('.scenario-matrix th, .scenario-matrix caption, .scenario-matrix figcaption').forEach((e) => {
    if (e.textContent.trim()) sizes.push([e.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(e).fontSize)]);
  });
  return sizes;
}"""


def small_chart_text(page: Page, minimum: float = MINIMUM_PX) -> list[str]:
    """Each chart text on the open page drawn smaller than `minimum` px (or not drawn), as “text” size px."""
    sizes: list[list[Any]] = page.evaluate(CHART_TEXT_SIZES)
    return [f"“{label}” {size:.1f} px" for label, size in sizes if size < minimum - 0.05]


def chart_texts(page: Page) -> int:
    """How many chart texts the open page has (with its sections opened)."""
    return len(page.evaluate(CHART_TEXT_SIZES))


def screenshots_script() -> ModuleType:
    """scripts/screenshots as a module: the demo site it photographs."""
    if "screenshots_script" in sys.modules:
        return sys.modules["screenshots_script"]
    loader = SourceFileLoader("screenshots_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # its dataclasses look their module up
    loader.exec_module(module)
    return module


def build_demo_site(live_server: LiveServer, browser: Browser) -> Any:
    """The live server filled with the screenshots' demo data: every role's cookies and pages."""
    script = screenshots_script()
    live_server.app.config["MFA_REQUIRED_ROLES"] = ()  # the demo officials have no authenticator app
    return script.build_demo_site(browser, live_server.url, script.World(live_server.app))


def open_shot(browser: Browser, demo_site: Any, name: str, width: int, language: str) -> Page:
    """The demo site's page of this name, opened by its role at this width (900 px high, 1x) and language."""
    script = screenshots_script()
    shot = next(s for s in demo_site.shots if s.name == name)
    context = script.open_as(browser, demo_site.url, demo_site.cookies.get(shot.as_user, {}), width, language)
    context.set_default_timeout(15_000)
    page: Page = context.new_page()
    page.goto(shot.path)
    return page


@pytest.fixture(scope="module")
def demo_site(live_server: LiveServer, browser: Browser) -> Any:
    """The demo site of `make screenshots` on this module's live server."""
    return build_demo_site(live_server, browser)


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", list(RESULT_PAGES))
def test_chart_text_on_result_pages_is_at_least_12_px(browser: Browser, demo_site: Any, name: str, width: int,
                                                      language: str) -> None:
    """Every chart text of the result page is drawn at 12 px or more at 1x, details opened."""
    page = open_shot(browser, demo_site, name, width, language)
    try:
        assert chart_texts(page) > 0, f"{name}: no chart on the page"
        assert small_chart_text(page) == [], f"{name} ({RESULT_PAGES[name]}) at {width} px, {language}"
    finally:
        page.context.close()
