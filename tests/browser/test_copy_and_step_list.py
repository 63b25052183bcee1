"""Small things users expect: a copy button for the resume link, and the step list folded away on phones."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer, fill_profile, start, step_path

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 667}  # a small phone: the first screen is 667 px tall


def test_the_copy_button_copies_the_resume_link_and_says_so(new_page: Callable[..., Page],
                                                             live_server: LiveServer) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto("/")
    page.click("#start-miit-2024")
    link = page.locator("#resume-link").input_value()
    button = page.locator("#copy-resume-link")
    expect(button).to_have_text("复制链接")
    button.click()
    expect(page.locator("#copy-resume-link-status")).to_have_text("已复制")
    expect(page.locator("#copy-resume-link-status")).to_have_attribute("aria-live", "polite")
    assert page.evaluate("navigator.clipboard.readText()") == link


def test_without_script_the_resume_link_stays_selectable_and_no_dead_button_shows(
        new_page: Callable[..., Page], live_server: LiveServer) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/")
    page.click("#start-miit-2024")
    expect(page.locator("#resume-link")).to_be_visible()
    expect(page.locator("#resume-link")).to_have_attribute("readonly", "")
    expect(page.locator("#copy-resume-link")).to_be_hidden()


def test_on_a_phone_the_first_question_and_its_first_option_are_on_the_first_screen_and_the_steps_unfold(
        new_page: Callable[..., Page], live_server: LiveServer) -> None:
    page = new_page(viewport=PHONE)
    assessment_id, _link = start(page)
    fill_profile(page)
    page.wait_for_url(re.compile(re.escape(step_path(assessment_id, "")) + r"[\w-]+$"))
    first_option = page.locator("#step-form fieldset.item .choice").first
    box = first_option.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    expect(page.locator(".stages-wide")).to_be_hidden()
    folded = page.locator(".stages-narrow")
    expect(folded.locator("a").first).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.locator("a").first).to_be_visible()
    expect(folded.locator("a[aria-current='step']")).to_be_visible()


def test_on_a_desktop_the_step_list_is_shown_as_before(new_page: Callable[..., Page], live_server: LiveServer) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    start(page)
    expect(page.locator(".stages-wide a").first).to_be_visible()
    expect(page.locator(".stages-narrow")).to_be_hidden()
