"""The same names everywhere, as a provider's staff member sees them: levels as 一级…四级 (Level 1…4) in the client
list and its filter, the results page's times in Beijing time (never UTC), the questionnaire by title and version
(never `miit-2024@2024.1`), and the comparison column headed 变化 (Change) with the changed scenarios in it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer
from world import PASSWORD, Tenant, World, worked_example

SHOTS = Path("test-artifacts") / "same-names"
LEVEL_3 = {"zh": "三级", "en": "Level 3"}
CHANGE = {"zh": "变化", "en": "Change"}


@pytest.fixture(scope="module")
def reassessed(live_server: LiveServer) -> int:
    """The second guided result of a client (one scenario a level up), whose provider's staff signs in."""
    world = World(live_server.app)
    organisation = world.organisation("服务商丁")
    staff = world.member("provider_staff", "staff-d@example.com", organisation_id=organisation, password=PASSWORD)
    owner = world.member("enterprise", "owner-d@example.com")
    enterprise = world.enterprise(owner, "企业丁", "91370100MA3C00004")
    tenant = Tenant(organisation, staff, staff, owner, enterprise, world.link(staff, organisation, enterprise, owner))
    world.assessment(tenant, mode="guided", submit=True)
    improved = worked_example()
    improved["answers"] = {**improved["answers"], "S05": improved["answers"]["S05"] + 1}
    return world.assessment(tenant, mode="guided", document=improved, submit=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_levels_times_titles_and_changes_read_the_same_everywhere(
        live_server: LiveServer, reassessed: int, new_page: Callable[..., Page], width: int) -> None:
    page = new_page(viewport={"width": width, "height": 900})
    page.goto("/auth/login")
    page.fill("#email", "staff-d@example.com")
    page.fill("#password", PASSWORD)
    page.click("#login")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "en"):
        page.goto("/provider/")
        page.click(f"#lang-{lang}")
        expect(page.locator("td.level").first).to_have_text(LEVEL_3[lang])
        expect(page.locator("#level option[value='3']")).to_have_text(LEVEL_3[lang])
        page.screenshot(path=str(SHOTS / f"clients-{lang}-{width}.png"), full_page=True)
        page.goto(f"/results/{reassessed}")
        text = page.locator("body").inner_text()
        assert "UTC" not in text and "miit-2024@" not in text
        change = page.locator("section.change")
        expect(change.locator("thead th").nth(3)).to_have_text(CHANGE[lang])
        expect(change.locator("#scenario-changes li")).to_have_count(1)
        change.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"comparison-{lang}-{width}.png"))
        page.locator("p.meta").last.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"meta-{lang}-{width}.png"))
