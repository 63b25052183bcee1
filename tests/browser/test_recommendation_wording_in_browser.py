"""The results page's recommendations as a reader sees them: 小快轻准 explained where it first appears, the demo
catalogue named by its title, each shortfall said for before and with the solution, and no internal id such as
`demo@2026.1` or developer words such as 已加载的目录 (issue 14, items 10 and 12)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer
from world import PASSWORD, Tenant, World

pytestmark = pytest.mark.browser

GLOSS = {"zh": "“小快轻准”即小型化、快速化、轻量化、精准化", "en": "小快轻准 (“small, fast, light and precise”) means"}
CATALOGUE = {"zh": "《“小快轻准”数字化产品与服务目录（演示数据）》", "en": "“小快轻准 digital solutions catalogue"}
BEFORE_AND_WITH = {"zh": re.compile(r"采用前距离四级的要求差 [\d.]+ 分，采用此方案后仍差 [\d.]+ 分"),
                   "en": re.compile(r"which was [\d.]+ points short of Level 4; with this solution [\d.]+ points")}
ALL_OF_THEM = {"zh": "即使全部采用，您也只有", "en": "with all of them you would have"}


@pytest.fixture(scope="module")
def result(live_server: LiveServer) -> int:
    """A guided result of the worked example (三级), which its provider's staff member opens."""
    world = World(live_server.app)
    organisation = world.organisation("服务商戊")
    staff = world.member("provider_staff", "staff-e@example.com", organisation_id=organisation, password=PASSWORD)
    owner = world.member("enterprise", "owner-e@example.com")
    enterprise = world.enterprise(owner, "企业戊", "91370100MA3C00005")
    tenant = Tenant(organisation, staff, staff, owner, enterprise, world.link(staff, organisation, enterprise, owner))
    return world.assessment(tenant, mode="guided", submit=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_recommendations_say_what_they_mean_in_words(
        live_server: LiveServer, result: int, new_page: Callable[..., Page], width: int) -> None:
    page = new_page(viewport={"width": width, "height": 900})
    page.goto("/auth/login")
    page.fill("#email", "staff-e@example.com")
    page.fill("#password", PASSWORD)
    page.click("#login")
    for lang in ("zh", "en"):
        page.goto(f"/results/{result}")
        page.click(f"#lang-{lang}")
        section = page.locator("#recommendations")
        section.evaluate("s => s.closest('details') && (s.closest('details').open = true)")
        expect(section.locator("#xkqz-gloss")).to_contain_text(GLOSS[lang])
        body = page.locator("body").inner_text()
        first = body.index("小快轻准")
        assert first <= body.index(GLOSS[lang]) + 1, body[max(0, first - 80):first + 80]
        text = section.inner_text()
        assert "@" not in text and "已加载" not in text and "loaded catalogue" not in text
        assert CATALOGUE[lang] in text
        assert BEFORE_AND_WITH[lang].search(text), text
        expect(page.locator("#roadmap .missing li").first).to_contain_text(ALL_OF_THEM[lang])
