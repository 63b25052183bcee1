"""The results page leads with a summary a manager reads in ten seconds: on a 390 px phone the level, the base score,
the gap to the next level (one sentence) and the PDF button are on the first screen, followed by the radar and the
16-scenario matrix; the details are collapsible sections that open without JavaScript, so the page is a few
screens long instead of a dozen (before: 11,935–17,483 px at 390 px and 8,622–10,840 px at 1280 px).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from test_chart_text import build_demo_site, open_shot
from wizard import LiveServer

pytestmark = pytest.mark.browser

FIRST_SCREEN_PX = 844  # a 390 × 844 phone
LONGEST_PX = {390: 6000, 1280: 4000}
SME_RESULTS = ["results-self", "results-onsite"]  # without and with an earlier result to compare with
GAP = {"zh": ("距离四级还需：", "15.5 分", "再有 10 个业务场景达到四级及以上"),
       "en": ("To reach Level 4: ", "15.5 more points", "10 more of Business scenarios at Level 4 or above")}
SENTENCE_END = {"zh": "。", "en": "."}


@pytest.fixture(scope="module")
def demo_site(live_server: LiveServer, browser: Browser) -> Any:
    """The demo site of `make screenshots` on this module's live server."""
    return build_demo_site(live_server, browser)


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("name", SME_RESULTS)
def test_at_390_px_level_score_gap_and_pdf_button_are_on_the_first_screen(browser: Browser, demo_site: Any,
                                                                         name: str, language: str) -> None:
    page = open_shot(browser, demo_site, name, 390, language)
    try:
        for element in ("#level", "#level-descriptor", "#total", "#next-gap", "#download-report"):
            box = page.locator(element).bounding_box()
            assert box is not None and box["y"] + box["height"] <= FIRST_SCREEN_PX, f"{element}: {box}"
        expect(page.locator("#download-report")).to_have_attribute("href", re.compile(r"^/results/\d+/report\.pdf$"))
        radar, matrix = page.locator("#radar svg").bounding_box(), page.locator("#scenario-chart").bounding_box()
        assert radar is not None and matrix is not None
        assert radar["width"] >= 340 and matrix["width"] >= 340  # large: the whole column of a phone
    finally:
        page.context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", SME_RESULTS)
def test_the_result_page_is_a_few_screens_not_a_dozen(browser: Browser, demo_site: Any, name: str, width: int,
                                                      language: str) -> None:
    page = open_shot(browser, demo_site, name, width, language)
    try:
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= LONGEST_PX[width], f"{name} at {width} px, {language}: {height} px"
    finally:
        page.context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_gap_to_the_next_level_is_one_sentence_from_the_explanation(browser: Browser, demo_site: Any,
                                                                        language: str) -> None:
    page = open_shot(browser, demo_site, "results-self", 390, language)
    try:
        gap = page.locator("#next-gap").inner_text().strip()
        start, points, scenarios = GAP[language]
        assert gap.startswith(start) and points in gap and scenarios in gap, gap
        words = re.sub(r"\d\.\d", "", gap)  # a decimal point is no full stop
        assert words.endswith(SENTENCE_END[language]) and words.count(SENTENCE_END[language]) == 1, gap
    finally:
        page.context.close()


def test_the_scenario_matrix_is_a_table_a_screen_reader_can_read(browser: Browser, demo_site: Any) -> None:
    page = open_shot(browser, demo_site, "results-self", 390, "zh")
    try:
        matrix = page.locator("#scenario-chart")
        expect(matrix.locator("thead th")).to_have_text(["场景", "一级", "二级", "三级", "四级"])
        expect(matrix.locator("tbody tr")).to_have_count(16)
        expect(matrix.locator("tbody tr.constraint")).to_have_count(10)
        first = matrix.locator("tbody tr").first
        expect(first.locator("th")).to_have_text("★ 产品设计 （约束性场景）")
        expect(first.locator("td.reached")).to_have_count(3)
        expect(first.locator("td.reached").first).to_contain_text("已达到")
        expect(first.locator("td.open")).to_contain_text("未达到")
    finally:
        page.context.close()


def test_the_details_are_collapsible_sections_that_open_without_javascript(browser: Browser, demo_site: Any) -> None:
    shot = next(s for s in demo_site.shots if s.name == "results-self")
    context = browser.new_context(base_url=demo_site.url, java_script_enabled=False,
                                  viewport={"width": 390, "height": FIRST_SCREEN_PX})
    context.add_cookies([{"name": name, "value": value, "url": demo_site.url}
                         for name, value in {**demo_site.cookies["visitor"], "lang": "zh"}.items()])
    page = context.new_page()
    try:
        page.goto(shot.path)
        for section in ("#scores-details", "#why-details", "#equivalents-details", "#recommendations-details"):
            expect(page.locator(section)).not_to_have_attribute("open", "")
        indicators = page.locator("#scores-details .indicators svg").first
        expect(indicators).to_be_hidden()
        page.click("#scores-details > summary")
        expect(indicators).to_be_visible()
        expect(page.locator("#recommendations")).to_be_hidden()
        page.click("#recommendations-details > summary")
        expect(page.locator("#recommendations")).to_be_visible()
        page.goto(f"{shot.path}?budget=50000")  # a filtered page opens the recommendations it filtered
        expect(page.locator("#recommendations")).to_be_visible()
        expect(page.locator("#disclaimer")).to_be_visible()  # the caveat is never folded away
    finally:
        context.close()
