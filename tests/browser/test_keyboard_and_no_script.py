"""The whole assessment with the keyboard only (Tab, Space, Enter, arrow keys), and with JavaScript switched off."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from wizard import (
    LiveServer,
    answer_all,
    engine_result,
    fill_profile,
    keyboard_profile,
    keyboard_section,
    level_two_example,
    start,
    step_path,
    stored,
    submit,
    tab_to,
    worked_example,
)

from assessment.content.loader import Library

pytestmark = pytest.mark.browser


def test_the_assessment_can_be_completed_with_the_keyboard_only(
        page: Page, live_server: LiveServer, library: Library) -> None:
    questionnaire, model = library.questionnaire("miit-2024"), library.default_model("miit-2024")
    document = level_two_example()
    card = engine_result(questionnaire, model, document)
    page.goto("/")
    tab_to(page, id="start-miit-2024")
    page.keyboard.press("Enter")
    expect(page.locator("#resume-link")).to_be_visible()
    tab_to(page, id="continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/assess/\d+/profile$"))
    assessment_id = int(re.findall(r"/assess/(\d+)/", page.url)[0])
    keyboard_profile(page)
    for section in questionnaire.sections:
        page.wait_for_url(re.compile(re.escape(step_path(assessment_id, section.id)) + "$"))
        expect(page.locator("h1")).to_have_text(section.title["zh"])
        keyboard_section(page, section, document)
    page.wait_for_url(re.compile(rf"/assess/{assessment_id}/review$"))
    expect(page.locator("#missing-count")).to_have_count(0)
    tab_to(page, id="submit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/results/{assessment_id}$"))
    expect(page.locator("#level")).to_contain_text(f"评测等级：{model.level_def(card.level).name['zh']}")
    assert stored(live_server, assessment_id).level == card.level == 2


def test_the_assessment_can_be_completed_without_javascript(
        new_page: Callable[..., Page], live_server: LiveServer, library: Library) -> None:
    questionnaire, model = library.questionnaire("miit-2024"), library.default_model("miit-2024")
    document = worked_example()
    card = engine_result(questionnaire, model, document)
    page = new_page(java_script_enabled=False)
    assessment_id, _link = start(page)
    expect(page.locator("#refresh-regions")).to_be_visible()  # the lists are refreshed by a button instead
    fill_profile(page, javascript=False)
    answer_all(page, questionnaire, assessment_id, document)
    submit(page, assessment_id)
    expect(page.locator("#level")).to_contain_text(f"评测等级：{model.level_def(card.level).name['zh']}")
    page.click("#recommendations-details > summary")  # a collapsible section: <details>, no script needed
    page.fill("#budget", "50000")  # the recommendation filters are a plain GET form
    page.check("#deployment-saas")
    page.click("#apply-filters")
    page.wait_for_url(re.compile(r"\?budget=50000&.*deployment=saas"))
    expect(page.locator("#budget")).to_have_value("50000")
    expect(page.locator("#deployment-saas")).to_be_checked()
    expect(page.locator("#reset-filters")).to_be_visible()
    assert stored(live_server, assessment_id).level == card.level
