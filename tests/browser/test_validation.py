"""Validation errors in the browser: beside the field and in the error summary, and nothing saved is lost."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from wizard import (
    PROFILE,
    WRONG_CHECK_CHARACTER,
    LiveServer,
    answer_all,
    answer_section,
    fill_profile,
    start,
    step_path,
    stored,
    stored_profile,
    submit,
    worked_example,
)

from assessment.content.loader import Library

pytestmark = pytest.mark.browser


def test_none_with_another_option_without_javascript_is_refused_beside_the_field_and_keeps_the_saved_answer(
        new_page: Callable[..., Page], live_server: LiveServer, library: Library) -> None:
    foundation = library.questionnaire("miit-2024").sections[0]
    page = new_page(java_script_enabled=False)
    assessment_id, _link = start(page)
    fill_profile(page, javascript=False)
    answer_section(page, foundation, worked_example())
    page.wait_for_url(re.compile(r"/step/operations-g1$"))
    saved = stored(live_server, assessment_id)

    page.goto(step_path(assessment_id, "foundation"))
    page.check("#Q1-A")  # without the script nothing unticks B, C and D
    page.click("#save-next")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("“无”不能与")
    expect(summary.locator("a[href='#Q1-A']")).to_have_count(1)
    beside = page.locator("#item-Q1 #Q1-error")
    expect(beside).to_contain_text("“无”不能与“企业车间建成工控网络")
    expect(page.locator("#item-Q1")).to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator("#item-Q1")).to_have_attribute("aria-describedby", re.compile(r"\bQ1-error\b"))
    for key in "ABCD":  # what the user ticked is still ticked, to be corrected
        expect(page.locator(f"#Q1-{key}")).to_be_checked()
    assert stored(live_server, assessment_id).answers["Q1"] == saved.answers["Q1"] == ["B", "C", "D"]

    summary.locator("a[href='#Q1-A']").click()
    expect(page.locator("#Q1-A")).to_be_focused()
    page.uncheck("#Q1-A")
    page.click("#save-next")
    page.wait_for_url(re.compile(r"/step/operations-g1$"))


def test_none_unticks_the_other_options_in_the_page_and_they_untick_it(page: Page, live_server: LiveServer) -> None:
    assessment_id, _link = start(page)
    page.goto(step_path(assessment_id, "foundation"))
    page.check("#Q4-B")
    page.check("#Q4-C")
    page.check("#Q4-A")
    expect(page.locator("#Q4-B")).not_to_be_checked()
    expect(page.locator("#Q4-C")).not_to_be_checked()
    page.check("#Q4-D")
    expect(page.locator("#Q4-A")).not_to_be_checked()


def test_submitting_with_a_missing_answer_lists_it_in_the_summary_and_changes_nothing(
        page: Page, live_server: LiveServer, library: Library) -> None:
    questionnaire = library.questionnaire("miit-2024")
    document = worked_example()
    del document["answers"]["S16"]
    assessment_id, _link = start(page)
    fill_profile(page)
    answer_all(page, questionnaire, assessment_id, document)
    expect(page.locator("#missing-count")).to_contain_text("还有 1 道题尚未作答")
    expect(page.locator("#review-S16")).to_have_class(re.compile(r"\bmissing\b"))
    version = stored(live_server, assessment_id).version

    page.click("#submit")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("评测尚不能提交")
    link = summary.locator(f"a[href='{step_path(assessment_id, 'operations-g4')}#item-S16']")
    expect(link).to_contain_text("请回答此题。")
    record = stored(live_server, assessment_id)
    assert record.status == "draft" and record.version == version

    link.click()
    page.wait_for_url(re.compile(r"/step/operations-g4#item-S16$"))
    page.check("#S16-1")
    page.click("#save-next")
    page.wait_for_url(re.compile(r"/step/management$"))
    expect(page.locator("#progress-text")).to_contain_text("已回答 31 / 31 题")
    page.click(f".stages a[href='/assess/{assessment_id}/review']")
    page.wait_for_url(re.compile(rf"/assess/{assessment_id}/review$"))
    submit(page, assessment_id)
    expect(page.locator("#level")).to_contain_text("评测等级")


def test_a_wrong_check_character_is_shown_beside_the_code_and_in_the_summary_and_the_saved_profile_stays(
        page: Page, live_server: LiveServer) -> None:
    assessment_id, _link = start(page)
    fill_profile(page, {**PROFILE, "uscc": WRONG_CHECK_CHARACTER})
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#uscc']")).to_contain_text(f"校验码应为 {PROFILE['uscc'][-1]}")
    expect(page.locator("#uscc-error")).to_contain_text("请检查代码是否输入有误")
    expect(page.locator("#uscc")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#uscc")).to_have_value(WRONG_CHECK_CHARACTER)
    expect(page.locator("#name")).to_have_value(PROFILE["name"])
    expect(page.locator("#county")).to_have_value(PROFILE["county"])
    assert stored_profile(live_server, assessment_id) is None

    page.fill("#uscc", PROFILE["uscc"])
    page.click("#save-next")
    page.wait_for_url(re.compile(r"/step/foundation$"))
    page.goto(f"/assess/{assessment_id}/profile")
    page.fill("#name", "改过的名称")
    page.fill("#uscc", WRONG_CHECK_CHARACTER)
    page.click("#save-next")
    expect(page.locator("#uscc-error")).to_be_visible()
    profile = stored_profile(live_server, assessment_id)
    assert profile is not None and profile.uscc == PROFILE["uscc"] and profile.name == PROFILE["name"]
