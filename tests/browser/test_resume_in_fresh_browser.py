"""Leave midway and come back from the private resume link in a fresh browser: every answer is restored."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from wizard import (
    PROFILE,
    LiveServer,
    answer_section,
    expect_section_restored,
    fill_profile,
    start,
    step_path,
    stored,
    worked_example,
)

from assessment.content.loader import Library

pytestmark = pytest.mark.browser


def test_leaving_midway_and_resuming_from_the_link_in_a_fresh_browser_restores_every_answer(
        new_page: Callable[..., Page], live_server: LiveServer, library: Library) -> None:
    questionnaire = library.questionnaire("miit-2024")
    document = worked_example()
    first, second, third = questionnaire.sections[:3]
    page = new_page()
    assessment_id, link = start(page)
    fill_profile(page)
    for section in (first, second):
        page.wait_for_url(re.compile(re.escape(step_path(assessment_id, section.id)) + "$"))
        answer_section(page, section, document)
    page.wait_for_url(re.compile(re.escape(step_path(assessment_id, third.id)) + "$"))
    partly = {"answers": {"S05": 3, "S06": 2}}
    answer_section(page, third, partly, action="save-later")
    expect(page.locator(".flash-success")).to_have_text("答案已保存。")
    version = stored(live_server, assessment_id).version
    page.context.close()

    stranger = new_page()
    stranger.goto(f"/assess/{assessment_id}/profile")
    expect(stranger.locator("h1")).to_have_text("页面不存在")  # without the link, nothing is revealed

    later = new_page()
    later.goto(link)
    later.wait_for_url(re.compile(re.escape(step_path(assessment_id, third.id)) + "$"))  # the first unfinished step
    assert "/resume/" not in later.url
    expect_section_restored(later, questionnaire, third, partly)

    later.goto(f"/assess/{assessment_id}/profile")
    for field in ("name", "uscc", "province", "city", "county", "section", "division", "employees", "revenue_10k_cny"):
        expect(later.locator(f"#{field}")).to_have_value(PROFILE[field])
    expect(later.locator("#size-class")).to_contain_text("企业规模")
    for section in (first, second):
        later.goto(step_path(assessment_id, section.id))
        expect_section_restored(later, questionnaire, section, document)
        for item in section.items:
            if any(spec.id in document["data"] for spec in item.fields):
                expect(later.locator(f"#{item.id}-computed")).to_contain_text("根据您填写的数据计算")
    assert stored(live_server, assessment_id).version == version  # looking changed nothing
