"""A new user completes the MIIT assessment in Chinese, end to end, and sees the level the engine gives."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from wizard import PROFILE, LiveServer, answer_all, engine_result, fill_profile, start, stored, submit, worked_example

from assessment.content.loader import Library
from assessment.domain.explanation import number

pytestmark = pytest.mark.browser


def test_a_new_user_completes_the_assessment_in_chinese_and_sees_the_engines_level(
        page: Page, live_server: LiveServer, library: Library) -> None:
    questionnaire, model = library.questionnaire("miit-2024"), library.default_model("miit-2024")
    document = worked_example()
    card = engine_result(questionnaire, model, document)

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator(".card h3").first).to_have_attribute("id", "q-miit-2024")  # the default questionnaire first
    assessment_id, _link = start(page)
    expect(page.locator("h1")).to_have_text("企业基本信息")
    fill_profile(page)
    answer_all(page, questionnaire, assessment_id, document)

    expect(page.locator("h1")).to_have_text("检查并提交")
    expect(page.locator("#missing-count")).to_have_count(0)
    expect(page.locator("#profile-title + dl")).to_contain_text(PROFILE["name"])
    expect(page.locator("#review-Q1")).to_contain_text("企业车间建成工控网络")
    submit(page, assessment_id)

    level_name = model.level_def(card.level).name["zh"]
    expect(page.locator("#level")).to_contain_text(f"评测等级：{level_name}")
    expect(page.locator("#total")).to_contain_text(f"基础得分：{number(card.total.value)} 分")
    expect(page.locator("#radar svg")).to_be_visible()
    page.click("#recommendations-details > summary")  # the recommendations are a collapsible section
    expect(page.locator("#demo-notice")).to_be_visible()
    expect(page.locator("#demo-notice")).to_contain_text("示例数据")
    record = stored(live_server, assessment_id)
    assert record.status == "submitted" and record.level == card.level
