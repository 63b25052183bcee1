"""What a provider's staff member sees: signing in lands on the client list, and a guided result says once, as the
PDF does, that it was made with a provider's guidance and is not an official rating (never "这是自评结果")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer
from world import PASSWORD, Tenant, World

SHOTS = Path("test-artifacts") / "result-caveats"
GUIDED = {"zh": "本次评测在服务商辅导下完成，不是官方评定结果", "en": "made with the guidance of a service provider"}
NOT_OFFICIAL = {"zh": "不是官方评定结果", "en": "not an official rating"}


@pytest.fixture(scope="module")
def guided_result(live_server: LiveServer) -> int:
    """A submitted guided assessment of a client of a provider whose staff member signs in with PASSWORD."""
    world = World(live_server.app)
    organisation = world.organisation("服务商丙")
    staff = world.member("provider_staff", "staff-c@example.com", organisation_id=organisation, password=PASSWORD)
    owner = world.member("enterprise", "owner-c@example.com")
    enterprise = world.enterprise(owner, "企业丙", "91370100MA3C00003")
    tenant = Tenant(organisation, staff, staff, owner, enterprise, world.link(staff, organisation, enterprise, owner))
    return world.assessment(tenant, mode="guided", submit=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_staff_land_on_their_clients_and_a_guided_result_says_what_the_pdf_says_once(
        live_server: LiveServer, guided_result: int, new_page: Callable[..., Page], width: int) -> None:
    page = new_page(viewport={"width": width, "height": 900})
    page.goto("/auth/login")
    page.fill("#email", "staff-c@example.com")
    page.fill("#password", PASSWORD)
    page.click("#login")
    expect(page).to_have_url(f"{live_server.url}/provider/")
    for lang in ("zh", "en"):
        page.goto(f"/results/{guided_result}")
        page.click(f"#lang-{lang}")
        caveat = page.locator("#disclaimer")
        expect(caveat).to_contain_text(GUIDED[lang])
        assert page.locator("body").inner_text().count(NOT_OFFICIAL[lang]) == 1
        assert "这是自评结果" not in page.content()
        SHOTS.mkdir(parents=True, exist_ok=True)
        caveat.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"guided-result-{lang}-{width}.png"))
