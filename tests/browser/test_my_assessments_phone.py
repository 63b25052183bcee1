"""我的评测 on a phone: each assessment's action (continue, see the result) is on the screen without scrolling
sideways, in Chinese and in English; on a desktop the list is read the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer
from world import PASSWORD, Tenant, World

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/small-things/shots")
OWNER = "owner-my-list@example.com"
ACTIONS = {"zh": ("查看结果", "继续"), "en": ("See the result", "Continue")}

# Where each row's action link sits, against the window, and whether it is what a person sees there (not cut off
# by the table's own sideways-scrolling box).
ACTION_BOXES = """() => Array.from(document.querySelectorAll('main table a[id^="open-"]')).map((a) => {
  a.scrollIntoView({block: 'center', inline: 'nearest'});
  const r = a.getBoundingClientRect(), lines = Array.from(a.getClientRects());
  const at = (x, y) => { const e = document.elementFromPoint(x, y); return !!e && a.contains(e); };
  return {id: a.id, text: a.textContent.trim(), left: r.left, right: r.right, width: r.width, window: window.innerWidth,
          lines: lines.length, seen: lines.every((l) => at(l.left + 2, l.top + l.height / 2) && at(l.right - 3, l.top + l.height / 2))};
})"""


@pytest.fixture(scope="module")
def owner_with_assessments(live_server: LiveServer) -> list[int]:
    """An enterprise owner with a submitted guided result, an on-site draft and a long enterprise name."""
    world = World(live_server.app)
    organisation = world.organisation("服务商戊")
    staff = world.member("provider_staff", "staff-my-list@example.com", organisation_id=organisation)
    owner = world.member("enterprise", OWNER, password=PASSWORD)
    enterprise = world.enterprise(owner, "北京精工智能装备制造股份有限公司", "91370100MA3C00005")
    tenant = Tenant(organisation, staff, staff, owner, enterprise, world.link(staff, organisation, enterprise, owner))
    return [world.assessment(tenant, mode="guided", submit=True), world.assessment(tenant, mode="onsite")]


def _my_assessments(page: Page, lang: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", OWNER)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.goto("/assessments")
    page.click(f"#lang-{lang}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if lang == "zh" else "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_action_link_is_on_a_390_px_screen(new_page: Callable[..., Page], live_server: LiveServer,
                                                 owner_with_assessments: list[int], lang: str) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    _my_assessments(page, lang)
    boxes = page.evaluate(ACTION_BOXES)
    assert sorted(box["id"] for box in boxes) == sorted(f"open-{n}" for n in owner_with_assessments)
    assert {box["text"] for box in boxes} == set(ACTIONS[lang])
    for box in boxes:
        assert box["width"] > 0 and box["left"] >= 0 and box["right"] <= box["window"] and box["seen"], str(box)
        assert box["lines"] == 1, str(box)  # "查看结果" on one line, not one character a line
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SHOTS / f"my-assessments-{lang}-390.png"), full_page=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_my_assessments_on_a_desktop(new_page: Callable[..., Page], live_server: LiveServer,
                                     owner_with_assessments: list[int], lang: str) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    _my_assessments(page, lang)
    for box in page.evaluate(ACTION_BOXES):
        assert box["left"] >= 0 and box["right"] <= box["window"] and box["seen"], str(box)
    page.screenshot(path=str(SHOTS / f"my-assessments-{lang}-1280.png"), full_page=True)
