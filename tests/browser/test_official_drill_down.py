"""An official drills into a city: the page names it, and every hidden figure says why next to its table."""

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
EMAIL = "jiangsu-official@example.gov.cn"


@pytest.fixture
def jiangsu_official(live_server: LiveServer) -> str:
    """A 江苏 official's e-mail on a live server with the demo data where 苏州市's count must be hidden."""
    live_server.app.config["MFA_REQUIRED_ROLES"] = ()  # two-step verification has its own browser test
    here = site(live_server.app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.regions, industries=here.industries, count=600,
                      seed=1, provinces=("32",), pool=200)
        providers.add_member(session, EMAIL, accounts.hash_password(PASSWORD), role="official", region_code="320000")
        session.commit()
    return EMAIL


def drill_into_suzhou(page: Page, email: str) -> None:
    """Log in, open the dashboard and choose 苏州市 in the region filter."""
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.goto("/official/")
    page.click("#filter-fold > summary")  # the filter is folded into one line above the figures
    page.select_option("#f-region", "320500")
    page.click("#apply")
    page.wait_for_url("**region=320500**")


def test_a_drilled_into_city_is_named_and_its_hidden_figures_explain_themselves(
        new_page: Callable[..., Page], jiangsu_official: str) -> None:
    page = new_page()
    drill_into_suzhou(page, jiangsu_official)
    expect(page.locator("h1")).to_contain_text("江苏省 / 苏州市")
    expect(page.locator("#population-note")).to_be_visible()
    expect(page.locator("#population-note")).to_contain_text("不少于 20 家企业")
    for summary in page.locator("main section.fold > details > summary").all():
        summary.click()  # the breakdowns are folded away: open each, as a person reading it would
    for table in page.locator("main table").all():
        if table.locator(".suppressed").count():
            note = table.locator("xpath=following-sibling::p[contains(@class, 'hidden-note')][1]")
            expect(note).to_be_visible()
            expect(note).to_contain_text("企业数少于 5 家")
