"""The site admin picks an authority's or provider's region by name (province → city → county), with and without
JavaScript; no GB/T 2260 code is typed or shown, and a wrong pick gets its field's message (issue 14, item 10)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer

from assessment.db import providers, queries
from assessment.services import accounts
from assessment.web.site import site

pytestmark = pytest.mark.browser

PASSWORD = "Harbour lights at seven, 42 boats"
ADMIN = "root@example.com"


@pytest.fixture(scope="module")
def admin(live_server: LiveServer) -> str:
    """A site admin's e-mail (two-step verification off here: it has its own browser test)."""
    live_server.app.config["MFA_REQUIRED_ROLES"] = ()
    with site(live_server.app).sessions() as session:
        providers.add_member(session, ADMIN, accounts.hash_password(PASSWORD), role="site_admin")
        session.commit()
    return ADMIN


def sign_in(page: Page, email: str) -> None:
    """Log in and open the admin page."""
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.goto("/admin/")


def region_of(server: LiveServer, email: str) -> str | None:
    """The region stored for an account."""
    with site(server.app).sessions() as session:
        record = queries.user_by_email(session, email)
        return None if record is None else record.region_code


def pick(page: Page, form: str, codes: tuple[str, ...], *, javascript: bool) -> None:
    """Choose province, city, county by value; without JavaScript the button shows each next list."""
    for level, code in zip(("province", "city", "county"), codes, strict=False):
        select = f"#{form}-{level}"
        if javascript:
            expect(page.locator(f"{select} option[value='{code}']")).to_have_count(1)
        page.select_option(select, code)
        if not javascript and level != "county" and len(codes) > 1:
            page.click(f"#{form}-province-refresh")


def test_an_official_is_added_for_a_county_picked_by_name_with_javascript(
        new_page: Callable[..., Page], live_server: LiveServer, admin: str) -> None:
    page = new_page()
    sign_in(page, admin)
    expect(page.locator("#official-province-refresh")).to_be_hidden()
    expect(page.locator("#official-province option[value='320000']")).to_have_text("江苏省")
    page.fill("#official-email", "wuzhong@example.gov.cn")
    pick(page, "official", ("320000", "320500", "320506"), javascript=True)
    page.click("#add-official")
    expect(page.locator("#official-list")).to_contain_text("江苏省 / 苏州市 / 吴中区")
    expect(page.locator("#official-list")).not_to_contain_text("320506")
    assert region_of(live_server, "wuzhong@example.gov.cn") == "320506"


def test_the_picker_works_without_javascript_and_keeps_what_was_typed(
        new_page: Callable[..., Page], live_server: LiveServer, admin: str) -> None:
    page = new_page(java_script_enabled=False)
    sign_in(page, admin)
    page.fill("#official-email", "suzhou@example.gov.cn")
    page.fill("#official-display_name", "周科长")
    expect(page.locator("#official-province-refresh")).to_be_visible()
    pick(page, "official", ("320000", "320500"), javascript=False)
    expect(page.locator("#official-email")).to_have_value("suzhou@example.gov.cn")
    expect(page.locator("#official-city")).to_have_value("320500")
    expect(page.locator("#official-county option[value='320506']")).to_have_text("吴中区")
    page.click("#add-official")
    expect(page.locator("#official-list")).to_contain_text("江苏省 / 苏州市")
    assert region_of(live_server, "suzhou@example.gov.cn") == "320500"

    page.fill("#org-name", "苏州数智服务")
    page.fill("#org-email", "boss@example.com")
    pick(page, "org", ("320000", "320500", "320506"), javascript=False)
    page.click("#add-provider")
    expect(page.locator("#organisations")).to_contain_text("江苏省 / 苏州市 / 吴中区")


def test_a_missing_or_wrong_region_gets_the_fields_message(
        new_page: Callable[..., Page], live_server: LiveServer, admin: str) -> None:
    page = new_page()
    sign_in(page, admin)
    page.fill("#official-email", "nowhere@example.gov.cn")
    page.click("#add-official")
    expect(page.locator("#official-province-error")).to_contain_text("请选择省份，或选择“全国”。")
    expect(page.locator("#official-province")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary")).to_contain_text("省份")

    pick(page, "official", ("320000",), javascript=True)
    expect(page.locator("#official-city option[value='320500']")).to_have_count(1)
    page.evaluate("""() => { const city = document.getElementById('official-city');
                             city.add(new Option('别处', '330100')); city.value = '330100'; }""")
    page.click("#add-official")
    expect(page.locator("#official-city-error")).to_contain_text("请选择江苏省下辖的城市")
    expect(page.locator("#official-email")).to_have_value("nowhere@example.gov.cn")
    assert region_of(live_server, "nowhere@example.gov.cn") is None


def test_the_whole_country_is_a_choice_named_in_words(
        new_page: Callable[..., Page], live_server: LiveServer, admin: str) -> None:
    page = new_page()
    sign_in(page, admin)
    page.fill("#official-email", "nation@example.gov.cn")
    page.select_option("#official-province", label="全国")
    page.click("#add-official")
    expect(page.locator("#official-list")).to_contain_text("全国")
    expect(page.locator("#official-list")).not_to_contain_text("000000")
    assert region_of(live_server, "nation@example.gov.cn") == "000000"
