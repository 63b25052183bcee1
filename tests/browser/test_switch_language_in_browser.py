"""Switching the language: English and back to Chinese, on the same page, with the answers kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from wizard import LiveServer, answer_section, fill_profile, start, step_path, worked_example

from assessment.content.loader import Library

pytestmark = pytest.mark.browser


def test_switching_to_english_and_back_keeps_the_page_and_the_saved_answers(
        page: Page, live_server: LiveServer, library: Library) -> None:
    foundation = library.questionnaire("miit-2024").sections[0]
    page.goto("/")
    expect(page.locator("h1")).to_have_text("您的企业数字化水平如何？")
    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("How digital is your enterprise?")
    expect(page.locator("#lang-en")).to_have_attribute("aria-current", "true")

    assessment_id, _link = start(page)  # the choice holds on the next pages
    expect(page.locator("h1")).to_have_text("Enterprise profile")
    expect(page.locator("label[for=name]")).to_have_text("Registered name of the enterprise")
    fill_profile(page)
    page.wait_for_url(re.compile(r"/step/foundation$"))
    expect(page.locator("h1")).to_have_text("Digital foundation")
    expect(page.locator("label[for=Q1-A]")).to_contain_text("None")
    answer_section(page, foundation, worked_example())
    page.wait_for_url(re.compile(r"/step/operations-g1$"))

    page.goto(step_path(assessment_id, "foundation"))
    page.click("#lang-zh")
    page.wait_for_url(re.compile(re.escape(step_path(assessment_id, "foundation")) + "$"))  # the same page
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("数字化基础")
    expect(page.locator("label[for=Q1-A]")).to_contain_text("无")
    for key in ("B", "C", "D"):
        expect(page.locator(f"#Q1-{key}")).to_be_checked()

    page.click("#lang-en")
    expect(page.locator("#save-next")).to_have_text("Save and continue")
    page.click("#lang-zh")
    expect(page.locator("#save-next")).to_have_text("保存并继续")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("您的企业数字化水平如何？")  # remembered
