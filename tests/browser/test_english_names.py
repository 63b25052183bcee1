"""English pages name regions and industries in English: the profile's lists and an official's dashboard."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer, start

from assessment.db import providers
from assessment.services import accounts, demo
from assessment.web.site import site

pytestmark = pytest.mark.browser

PASSWORD = "Harbour lights at seven, 42 boats"
EMAIL = "jiangsu-official-en@example.gov.cn"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def in_english(page: Page) -> None:
    """Switch the page to English with the site's own language link."""
    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def option(page: Page, select: str, value: str) -> str:
    """The text of one option of a list, once it is there."""
    page.wait_for_selector(f"#{select} option[value='{value}']", state="attached")
    return page.locator(f"#{select} option[value='{value}']").inner_text().strip()


def test_the_profiles_region_and_industry_lists_are_in_english_on_english_pages(
        new_page: Callable[..., Page]) -> None:
    page = new_page()
    start(page)
    assert option(page, "province", "320000") == "江苏省"
    in_english(page)
    assert option(page, "province", "320000") == "Jiangsu Province"
    assert option(page, "province", "610000") == "Shaanxi Province"
    page.select_option("#province", "320000")
    assert option(page, "city", "320500") == "Suzhou City"
    page.select_option("#city", "320500")
    assert option(page, "county", "320506") == "Wuzhong District"
    assert option(page, "section", "C") == "C Manufacturing"
    page.select_option("#section", "C")
    assert option(page, "division", "13") == "Processing of Food from Agricultural Products"
    for select in ("province", "city", "county", "section", "division"):
        texts = page.locator(f"#{select} option").all_inner_texts()
        assert not [t for t in texts if CHINESE.search(t)], (select, texts)


def test_the_region_lists_stay_english_without_javascript(new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/")
    in_english(page)
    page.click("#start-miit-2024")
    page.click("#continue")
    page.select_option("#province", "110000")
    page.click("#refresh-regions")
    assert option(page, "city", "110100") == "Municipal districts"


@pytest.fixture(scope="module")
def jiangsu_official(live_server: LiveServer) -> str:
    """A 江苏 official's e-mail on the module's live server with demo enterprises in 江苏 (made once)."""
    live_server.app.config["MFA_REQUIRED_ROLES"] = ()
    here = site(live_server.app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.regions, industries=here.industries, count=200,
                      seed=3, provinces=("32",), pool=100)
        providers.add_member(session, EMAIL, accounts.hash_password(PASSWORD), role="official", region_code="320000")
        session.commit()
    return EMAIL


def dashboard_in_chinese(page: Page, email: str) -> Page:
    """Log in as the official and open the dashboard in Chinese (the account remembers the language it chose)."""
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.goto("/official/")
    page.click("#lang-zh")
    return page


def test_an_officials_dashboard_names_its_regions_in_english_on_english_pages(
        new_page: Callable[..., Page], jiangsu_official: str) -> None:
    page = dashboard_in_chinese(new_page(), jiangsu_official)
    expect(page.locator("h1")).to_contain_text("江苏省")
    in_english(page)
    expect(page.locator("h1")).to_contain_text("Jiangsu Province")
    page.click("#filter-fold > summary")  # the filter is folded into one line above the figures
    assert option(page, "f-region", "320500") == "Suzhou City"
    page.select_option("#f-region", "320500")
    page.click("#apply")
    page.wait_for_url("**region=320500**")
    expect(page.locator("h1")).to_contain_text("Jiangsu Province / Suzhou City")
    page.click("#filter-fold > summary")
    regions = page.locator("#f-region option").all_inner_texts()
    assert not [t for t in regions if CHINESE.search(t)], regions


def test_an_officials_export_names_regions_in_the_language_of_the_request(
        new_page: Callable[..., Page], jiangsu_official: str) -> None:
    page = dashboard_in_chinese(new_page(), jiangsu_official)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    chinese = page.request.get("/official/export.csv?by=region,level").text()
    assert "苏州市" in chinese
    in_english(page)
    english = page.request.get("/official/export.csv?by=region,level").text()
    assert "Suzhou City" in english and "苏州市" not in english, english[:500]
