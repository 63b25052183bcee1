"""Small things users expect: 我的评测 shows each assessment's mode and, once submitted, its level in the words of
the results page; link fields carry a copy button that stays hidden without script; the step list folds on phones."""

from __future__ import annotations

import re

from flask import Flask
from journey import Journey
from world import World


def _row(page: str, assessment_id: int) -> str:
    found = re.search(rf'<tr>((?:(?!</tr>).)*id="open-{assessment_id}".*?)</tr>', page, re.S)
    assert found is not None, page
    return found[1]


def _cell(row: str, name: str) -> str:
    found = re.search(rf'<td class="{name}">(.*?)</td>', row, re.S)
    assert found is not None, row
    return re.sub(r"<[^>]+>", "", found[1]).strip()


def test_my_assessments_shows_the_mode_and_the_level_of_a_submitted_self_assessment(journey: Journey) -> None:
    submitted = journey.complete()
    draft = journey.start()
    results = journey.client.get(f"/results/{submitted}").text
    page = journey.client.get("/assessments").text
    assert "<th scope=\"col\">评测方式</th>" in page and "<th scope=\"col\">等级</th>" in page
    heading = re.search(r'<h1 id="level">(.*?)</h1>', results, re.S)
    level = _cell(_row(page, submitted), "level")
    assert heading is not None and level and level != "—" and level in heading[1]
    assert _cell(_row(page, submitted), "mode") == "企业自评"
    assert _cell(_row(page, draft), "mode") == "企业自评"
    assert _cell(_row(page, draft), "level") == "—提交后才会评定等级。"


def test_my_assessments_names_a_guided_assessment_and_its_level_like_the_results_page(app: Flask) -> None:
    world = World(app)
    tenant = world.tenant("甲", "91370100MA3C00001")
    guided = world.assessment(tenant, mode="guided", submit=True)
    owner = world.client(tenant.owner_id)
    page = owner.get("/assessments").text
    row = _row(page, guided)
    assert _cell(row, "mode") == "辅导评测"
    record = world.client(tenant.staff_id).get(f"/results/{guided}").text
    heading = re.search(r'<h1 id="level">(.*?)</h1>', record, re.S)
    assert heading is not None
    assert _cell(row, "level") in heading[1] and _cell(row, "level") != "—"


def test_the_resume_link_has_a_copy_button_hidden_until_script_runs(journey: Journey) -> None:
    response = journey.client.post("/assess/start", data={"questionnaire": "miit-2024"})
    page = journey.client.get(response.headers["Location"]).text
    assert re.search(r'<input type="text" id="resume-link" class="copy-field" readonly', page)
    button = re.search(r'<button type="button"[^>]*data-copy="resume-link"[^>]*>', page)
    assert button is not None and " hidden" in button[0]
    assert 'role="status" aria-live="polite"' in page and "copy.js" in page
    assert 'data-copied="已复制"' in page and "复制链接" in page


def test_the_invitation_and_respondent_links_have_a_copy_button(app: Flask) -> None:
    world = World(app)
    tenant = world.tenant("乙", "91370100MA3C00002")
    staff = world.client(tenant.staff_id)
    assert staff.post("/provider/invitations", data={"note": "北京精工"}).status_code == 303
    assert 'data-copy="invitation-link"' in staff.get("/provider/invitations").text
    onsite = world.assessment(tenant, mode="onsite")
    response = staff.post(f"/assessments/{onsite}/respondents", data={"name": "王工", "function": "", "sections": []})
    assert response.status_code == 303
    assert 'data-copy="respondent-link"' in staff.get(f"/assessments/{onsite}/respondents").text


def test_the_step_list_has_a_folded_copy_for_phones_and_the_full_list_for_wider_screens(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.fill_profile(assessment_id)
    section = journey.questionnaire().sections[0]
    page = journey.client.get(f"/assess/{assessment_id}/step/{section.id}").text
    assert '<ol class="stages stages-wide">' in page
    assert re.search(r'<details class="stages-narrow"><summary>全部步骤</summary>', page)
    assert page.count('aria-current="step"') == 2
