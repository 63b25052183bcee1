"""Live hints of the year-on-year items, in Chinese and in English: Q14 and Q15 read the revenue typed at Q12, say
so, and their hint appears and ticks the option the server picks (exact arithmetic: a tie is a tie)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer, fill_profile, start, step_path, stored

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/small-things/shots")

WORDS = {
    "zh": {"sentence": "根据您填写的数据计算：{figure} → “{option}”", "up": "增加", "down": "降低", "same": "持平",
           "borrowed": "此题还会用到在 Q12 填写的数据：上年营业收入、前年营业收入。"},
    "en": {"sentence": "Computed from your figures: {figure} → “{option}”", "up": "Increased", "down": "Decreased",
           "same": "Unchanged",
           "borrowed": "This answer also uses figures typed at Q12: Revenue last year, Revenue the year before."},
}


def _effectiveness(page: Page, lang: str) -> int:
    assessment_id, _link = start(page)
    fill_profile(page)
    page.wait_for_url(re.compile(r"/step/foundation$"))
    page.goto(step_path(assessment_id, "effectiveness"))
    if lang == "en":
        page.click("#lang-en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    return assessment_id


def _type(page: Page, figures: dict[str, str]) -> None:
    for name, value in figures.items():
        page.fill(f"#{name}", value)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_q14_and_q15_hints_use_the_revenue_typed_at_q12_and_tick_the_option(
        new_page: Callable[..., Page], live_server: LiveServer, lang: str) -> None:
    words = WORDS[lang]
    page = new_page(viewport={"width": 1280, "height": 900})
    assessment_id = _effectiveness(page, lang)
    expect(page.locator("#item-Q14 .borrowed")).to_have_text(words["borrowed"])
    expect(page.locator("#item-Q15 .borrowed")).to_have_text(words["borrowed"])
    expect(page.locator("#item-Q12 .borrowed")).to_have_count(0)

    _type(page, {"Q14-employees_last_year": "100", "Q14-employees_year_before": "100"})
    expect(page.locator("#Q14-computed")).to_have_text("")  # no revenue yet: nothing to compute
    _type(page, {"Q12-revenue_last_year": "1200", "Q12-revenue_year_before": "1000"})
    expect(page.locator("#Q14-computed")).to_have_text(words["sentence"].format(figure="20%", option=words["up"]))
    expect(page.locator("#Q14-C")).to_be_checked()

    _type(page, {"Q15-cost_last_year": "900", "Q15-cost_year_before": "800"})  # 75 against 80 per 100 CNY
    expect(page.locator("#Q15-computed")).to_have_text(
        words["sentence"].format(figure="-6.25%", option=words["down"]))
    expect(page.locator("#Q15-C")).to_be_checked()
    page.locator("#item-Q14").screenshot(path=str(SHOTS / f"q14-live-{lang}-1280.png"))

    # 0.7 of 7 and 0.1 of 1 are the same cost per 100 CNY; in floating point 0.7 / 7 is a little below 0.1 / 1.
    _type(page, {"Q12-revenue_last_year": "7", "Q12-revenue_year_before": "1",
                 "Q15-cost_last_year": "0.7", "Q15-cost_year_before": "0.1"})
    expect(page.locator("#Q15-computed")).to_have_text(words["sentence"].format(figure="0%", option=words["same"]))
    expect(page.locator("#Q15-B")).to_be_checked()
    expect(page.locator("#Q14-computed")).to_have_text(words["sentence"].format(figure="600%", option=words["up"]))
    page.locator("#item-Q15").screenshot(path=str(SHOTS / f"q15-live-{lang}-1280.png"))

    page.click("#save-later")
    page.wait_for_url(re.compile(r"/link$"))
    record = stored(live_server, assessment_id)
    assert record.answers["Q14"] == "C" and record.answers["Q15"] == "B"
    page.goto(step_path(assessment_id, "effectiveness"))  # the server says what the page script said
    expect(page.locator("#Q14-computed")).to_have_text(words["sentence"].format(figure="600%", option=words["up"]))
    expect(page.locator("#Q15-computed")).to_have_text(words["sentence"].format(figure="0%", option=words["same"]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_q14_step_on_a_phone(new_page: Callable[..., Page], live_server: LiveServer, lang: str) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    _effectiveness(page, lang)
    _type(page, {"Q12-revenue_last_year": "1200", "Q12-revenue_year_before": "1000",
                 "Q14-employees_last_year": "120", "Q14-employees_year_before": "100"})
    expect(page.locator("#Q14-computed")).to_have_text(
        WORDS[lang]["sentence"].format(figure="0%", option=WORDS[lang]["same"]))
    expect(page.locator("#Q14-B")).to_be_checked()
    page.locator("#item-Q14").screenshot(path=str(SHOTS / f"q14-live-{lang}-390.png"))
