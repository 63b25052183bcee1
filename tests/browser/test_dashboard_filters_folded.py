"""The officials' filter is folded into one line that says what is chosen, so the headline tiles lead on a phone:
it opens (without JavaScript too), opens by itself at a refused value with that field's message, and after a new
industry so that its divisions can be chosen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer

from assessment.db import providers
from assessment.services import accounts, demo
from assessment.web.site import site

pytestmark = pytest.mark.browser

PASSWORD = "Harbour lights at seven, 42 boats"
PROVINCE = "jiangsu-filters@example.gov.cn"
PHONE = {"width": 390, "height": 844}
SUZHOU, HANGZHOU = "320500", "330100"


@pytest.fixture(scope="module")
def official(live_server: LiveServer) -> LiveServer:
    """A 江苏 official on a live server with generated assessments in 江苏."""
    live_server.app.config["MFA_REQUIRED_ROLES"] = ()  # two-step verification has its own browser test
    here = site(live_server.app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.regions, industries=here.industries, count=600,
                      seed=1, provinces=("32",), pool=200)
        providers.add_member(session, PROVINCE, accounts.hash_password(PASSWORD), role="official", region_code="320000")
        session.commit()
    return live_server


def dashboard(new_page: Callable[..., Page], server: LiveServer, *, language: str = "zh", query: str = "",
              **options: object) -> Page:
    """Log in as the 江苏 official and open the dashboard (on a phone unless told otherwise)."""
    page = new_page(**{"viewport": PHONE, **options})
    page.context.add_cookies([{"name": "lang", "value": language, "url": server.url}])
    page.goto("/auth/login")
    page.fill("#email", PROVINCE)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.goto("/official/" + query)
    return page


def chosen(page: Page) -> list[str]:
    """The parts of the folded filter's line that are highlighted as chosen."""
    return page.locator("#filter-fold > summary .chosen").all_inner_texts()


def test_the_headline_tiles_are_on_the_first_screen_of_a_phone(new_page: Callable[..., Page],
                                                              official: LiveServer) -> None:
    page = dashboard(new_page, official)
    expect(page.locator("#filter-fold")).not_to_have_attribute("open", "")
    expect(page.locator("#f-region")).to_be_hidden()
    first_tile = page.locator("#headline .figures-list > div").first.bounding_box()
    grid = page.locator("#region-tiles").bounding_box()
    assert first_tile and grid
    assert first_tile["y"] < PHONE["height"], first_tile
    assert grid["y"] < 2 * PHONE["height"], grid  # the picture of the jurisdiction follows on the next screen


@pytest.mark.parametrize(("language", "words"), [
    ("zh", ["筛选：", "江苏省全部", "全部行业", "其他条件不限"]),
    ("en", ["Filter:", "All of Jiangsu Province", "All industries", "no other filter"]),
])
def test_the_folded_filter_names_the_current_selection_in_words(
        new_page: Callable[..., Page], official: LiveServer, language: str, words: list[str]) -> None:
    page = dashboard(new_page, official, language=language, viewport={"width": 1280, "height": 900})
    line = page.locator("#filter-fold > summary")
    year = page.locator("#f-period option:checked").inner_text()
    for word in [year, *words]:
        expect(line).to_contain_text(word)
    assert chosen(page) == []  # nothing differs from the unfiltered dashboard
    page = dashboard(new_page, official, language=language, query=f"?region={SUZHOU}&size=small")
    suzhou, small = ("苏州市", "小型") if language == "zh" else ("Suzhou City", "Small")
    assert chosen(page) == [suzhou, small]
    expect(page.locator("#filter-fold > summary")).to_contain_text("全部行业" if language == "zh" else "All industries")


def test_the_filter_opens_and_applies_without_javascript(new_page: Callable[..., Page], official: LiveServer) -> None:
    page = dashboard(new_page, official, java_script_enabled=False)
    page.locator("#filter-fold > summary").click()
    expect(page.locator("#f-region")).to_be_visible()
    page.select_option("#f-region", SUZHOU)
    page.click("#apply")
    page.wait_for_url(f"**region={SUZHOU}**")
    expect(page.locator("h1")).to_contain_text("江苏省 / 苏州市")
    assert chosen(page) == ["苏州市"]
    expect(page.locator("#filter-fold")).not_to_have_attribute("open", "")


def test_a_new_industry_opens_the_filter_at_its_divisions(new_page: Callable[..., Page], official: LiveServer) -> None:
    page = dashboard(new_page, official, java_script_enabled=False)
    page.locator("#filter-fold > summary").click()
    page.select_option("#f-section", "C")
    page.click("#apply")
    page.wait_for_url("**section=C**")
    expect(page.locator("#filter-fold")).to_have_attribute("open", "")
    expect(page.locator("#f-division")).to_be_visible()
    assert chosen(page)[0].startswith("C ")
    division = page.locator("#f-division option").nth(1).get_attribute("value")
    assert division
    page.select_option("#f-division", division)
    page.click("#apply")
    page.wait_for_url(f"**division={division}**")
    expect(page.locator("#filter-fold")).not_to_have_attribute("open", "")  # the choice is made: fold it again
    assert any(part.startswith(division) for part in chosen(page)), chosen(page)
    page.locator("#filter-fold > summary").click()
    page.select_option("#f-section", "A")  # another section: the old division is not one of its divisions
    page.click("#apply")
    page.wait_for_url("**section=A**")
    expect(page.locator("#filter-errors")).to_have_count(0)
    expect(page.locator("#f-division")).to_be_visible()


@pytest.mark.parametrize("region", ["999999", HANGZHOU])
def test_a_refused_filter_shows_the_form_open_with_the_fields_message(
        new_page: Callable[..., Page], official: LiveServer, region: str) -> None:
    page = dashboard(new_page, official, query=f"?region={region}")
    expect(page.locator("#filter-fold")).to_have_attribute("open", "")
    message = page.locator("#filter-errors a[href='#f-region']")
    expect(message).to_be_visible()
    expect(message).to_have_text("请选择本辖区内的地区。")
    message.click()
    expect(page.locator("#f-region")).to_be_focused()
    expect(page.locator("#population")).to_be_visible()  # the jurisdiction's figures are still there, unfiltered
