"""Every chart on the officials' dashboard is legible: its text is at least 12 px on the screen at 1× (the SVG
font size times the scale the chart is drawn at), on a 390 px phone and a 1280 px desktop, in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from wizard import LiveServer

from assessment.db import providers
from assessment.services import accounts, demo
from assessment.web.site import site

pytestmark = pytest.mark.browser

PASSWORD = "Harbour lights at seven, 42 boats"
OFFICIALS = {"province": ("jiangsu@example.gov.cn", "320000"), "city": ("suzhou@example.gov.cn", "320500")}
SMALLEST = 12.0
# every <text> of every chart in the page, with the size it is drawn at: font size × the chart's scale on screen
CHART_TEXT = """() => [...document.querySelectorAll('main svg text')].map(text => {
  const size = parseFloat(text.getAttribute('font-size') || getComputedStyle(text).fontSize);
  const scale = text.getScreenCTM() ? Math.hypot(text.getScreenCTM().a, text.getScreenCTM().b) : 0;
  return {text: text.textContent, px: size * scale};
})"""


@pytest.fixture(scope="module")
def officials(live_server: LiveServer) -> LiveServer:
    """A province's and a city's official on a live server with generated assessments in 江苏."""
    live_server.app.config["MFA_REQUIRED_ROLES"] = ()  # two-step verification has its own browser test
    here = site(live_server.app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.regions, industries=here.industries, count=600,
                      seed=1, provinces=("32",), pool=200)
        for email, region in OFFICIALS.values():
            providers.add_member(session, email, accounts.hash_password(PASSWORD), role="official",
                                 region_code=region)
        session.commit()
    return live_server


def chart_text_sizes(page: Page) -> list[dict[str, float | str]]:
    """Open every folded section and measure the drawn size of every chart's text."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return list(page.evaluate(CHART_TEXT))


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("who", sorted(OFFICIALS))
def test_chart_text_on_the_dashboard_is_at_least_12_px(new_page: Callable[..., Page], officials: LiveServer,
                                                        who: str, language: str, width: int) -> None:
    page = new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
    page.context.add_cookies([{"name": "lang", "value": language, "url": officials.url}])
    page.goto("/auth/login")
    page.fill("#email", OFFICIALS[who][0])
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.goto("/official/")
    sizes = chart_text_sizes(page)
    assert len(sizes) > 20  # the charts are there
    small = [s for s in sizes if float(s["px"]) < SMALLEST - 0.01]
    assert small == [], small[:5]
