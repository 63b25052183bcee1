"""Impossible figures in the browser: the live hint refuses a part larger than its whole, naming both figures,
ticks nothing and is not shown as a green result; the save is refused beside the field and nothing is stored."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer, fill_profile, start, stored

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/helper-bug2/shots")
ERROR_RED = "rgb(179, 38, 30)"


def _foundation(page: Page) -> int:
    assessment_id, _link = start(page)
    fill_profile(page)
    page.wait_for_url(re.compile(r"/step/foundation$"))
    return assessment_id


def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#item-Q2").screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("width", [390, 1280])
def test_the_live_hint_refuses_more_digitized_devices_than_devices_and_ticks_nothing(
        new_page: Callable[..., Page], live_server: LiveServer, width: int) -> None:
    page = new_page(viewport={"width": width, "height": 900})
    assessment_id = _foundation(page)
    hint = page.locator("#Q2-computed")
    page.fill("#Q2-total_devices", "100")
    page.fill("#Q2-digitized_devices", "15")
    expect(hint).to_contain_text("15%")
    expect(page.locator("#Q2-B")).to_be_checked()
    page.fill("#Q2-digitized_devices", "150")
    expect(hint).to_have_text("实现数字化的生产设备数量（150）不能多于生产设备总数（100）。")
    expect(hint).to_have_class(re.compile(r"\brefused\b"))
    expect(hint).to_have_css("color", ERROR_RED)
    expect(hint).not_to_contain_text("%")
    expect(page.locator("#item-Q2 input[type=radio]:checked")).to_have_count(0)
    _shoot(page, f"live-hint-zh-{width}")

    page.click("#save-next")
    beside = page.locator("#Q2-digitized_devices-error")
    expect(beside).to_contain_text("实现数字化的生产设备数量（150）不能多于生产设备总数（100）。")
    expect(page.locator("#error-summary a[href='#Q2-digitized_devices']")).to_have_count(1)
    record = stored(live_server, assessment_id)
    assert "Q2" not in record.answers and "digitized_devices" not in record.data
    _shoot(page, f"refused-zh-{width}")

    page.fill("#Q2-digitized_devices", "60")
    expect(hint).to_contain_text("60%")
    expect(hint).not_to_have_class(re.compile(r"\brefused\b"))
    expect(page.locator("#Q2-D")).to_be_checked()


def test_the_live_hint_refuses_in_english_too(new_page: Callable[..., Page], live_server: LiveServer) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    _foundation(page)
    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.fill("#Q2-total_devices", "100")
    page.fill("#Q2-digitized_devices", "150")
    expect(page.locator("#Q2-computed")).to_have_text(
        "Digitized production devices (150) cannot be more than Production devices in total (100).")
    _shoot(page, "live-hint-en-1280")


def test_a_negative_count_says_the_count_cannot_be_below_zero(
        new_page: Callable[..., Page], live_server: LiveServer) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    _foundation(page)
    page.fill("#Q2-total_devices", "-5")
    page.click("#save-next")
    beside = page.locator("#Q2-total_devices-error")
    expect(beside).to_contain_text("生产设备总数：请输入不小于 0 的整数。")
    expect(beside).not_to_contain_text("∞")
