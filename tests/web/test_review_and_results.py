"""Review, submit (freeze and score), the results page, and re-assessment with the change since last time."""

from __future__ import annotations

import re
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

from journey import Journey, worked_example

from assessment.content.loader import Library
from assessment.domain.explanation import number
from assessment.services.scoring import score_document


def _expected(library: Library, document: dict[str, Any]) -> tuple[int, str, str]:
    questionnaire, model = library.questionnaire("miit-2024"), library.model("miit-2024")
    _answers, card = score_document(questionnaire, model, document)
    return card.level, model.level_def(card.level).name["zh"], number(card.total.value)


def test_review_lists_every_answer_with_an_edit_link_and_marks_missing_ones(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.fill_profile(assessment_id)
    journey.answer(assessment_id, "foundation", {"Q1": ["B", "C"], "Q5": "D"})
    page = journey.client.get(f"/assess/{assessment_id}/review").text
    assert "还有 29 道题尚未作答" in page
    assert re.search(r'<div class="" id="review-Q1">', page)
    assert re.search(r'<div class="missing" id="review-Q3">', page)
    assert f'href="/assess/{assessment_id}/step/foundation#item-Q1"' in page
    assert f'href="/assess/{assessment_id}/step/operations-g1#item-S01"' in page
    assert "企业车间建成工控网络，支持自动化控制应用" in page  # the chosen option's text, not its key
    assert "北京精工机械有限公司" in page and "北京市 / 海淀区" in page


def test_submit_with_missing_answers_lists_them_and_changes_nothing(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.fill_profile(assessment_id)
    journey.answer(assessment_id, "foundation", {"Q1": ["B"], "Q5": "D"})
    version = journey.record(assessment_id).version
    response = journey.submit(assessment_id)
    assert response.status_code == 422
    page = response.text
    assert "评测尚不能提交" in page
    assert f'href="/assess/{assessment_id}/step/foundation#item-Q3"' in page
    assert page.count("请回答此题。") == 29
    record = journey.record(assessment_id)
    assert record.status == "draft" and record.version == version


def test_submit_without_a_profile_is_refused(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.answer_all(assessment_id, worked_example())
    response = journey.submit(assessment_id)
    assert response.status_code == 422
    assert "尚未填写企业基本信息" in response.text
    assert f'href="/assess/{assessment_id}/profile"' in response.text


def test_submit_from_a_stale_page_is_refused(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.fill_profile(assessment_id)
    journey.answer_all(assessment_id, worked_example())
    stale = journey.record(assessment_id).version - 1
    response = journey.client.post(f"/assess/{assessment_id}/submit", data={"version": str(stale)})
    assert response.status_code == 409
    assert journey.record(assessment_id).status == "draft"


def test_submitting_freezes_the_assessment_with_the_engines_result(journey: Journey, library: Library) -> None:
    assessment_id = journey.complete()
    level, _name, total = _expected(library, worked_example())
    record = journey.record(assessment_id)
    assert record.status == "submitted" and record.submitted_at is not None
    assert record.level == level
    assert record.total is not None and number(Fraction(record.total)) == total
    assert record.scorecard is not None
    assert record.scorecard["zh"]["level"] == level and record.scorecard["profile"]["uscc"]


def test_results_page_shows_level_score_charts_explanation_equivalent_and_caveat(journey: Journey,
                                                                               library: Library) -> None:
    assessment_id = journey.complete()
    level, name, total = _expected(library, worked_example())
    response = journey.client.get(f"/results/{assessment_id}")
    assert response.status_code == 200
    page = response.text
    assert f"评测等级：{name}" in page
    assert f"基础得分：{total} 分（满分 100 分）" in page
    assert "集成协同" in page  # the level's descriptor
    assert page.count("<svg") >= 3 and 'id="radar"' in page and 'id="scenario-chart"' in page
    assert "为什么是这个等级" in page and "如何提升到四级" in page
    assert "专精特新认定“数字化水平”指标得分" in page and "工信部企业〔2022〕63号" in page
    assert "这是自评结果，不是官方评定结果" in page
    assert 'id="reassess"' in page
    assert level == 3


def test_results_page_in_english(journey: Journey) -> None:
    assessment_id = journey.complete()
    journey.client.post("/language", data={"lang": "en", "next": f"/results/{assessment_id}"})
    page = journey.client.get(f"/results/{assessment_id}").text
    assert '<html lang="en">' in page
    assert "Your level: Level 3" in page and "Why this level" in page and "Digital foundation" in page


def test_results_of_a_draft_lead_to_its_review(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.client.get(f"/results/{assessment_id}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/assess/{assessment_id}/review"


def test_reassessment_copies_the_answers_into_a_new_draft(journey: Journey) -> None:
    first = journey.complete()
    response = journey.client.post(f"/assess/{first}/reassess", data={"confirm": "yes"})
    assert response.status_code == 303
    second = int(re.fullmatch(r"/assess/(\d+)/link", response.headers["Location"])[1])  # type: ignore[index]
    assert second != first
    old, new = journey.record(first), journey.record(second)
    assert new.status == "draft" and new.previous_assessment_id == first
    assert new.enterprise_id == old.enterprise_id
    assert new.answers == old.answers and new.data == old.data
    assert "id=\"resume-link\"" in journey.client.get(response.headers["Location"]).text
    assert journey.record(first).status == "submitted"


def test_results_show_the_change_since_the_previous_assessment(journey: Journey) -> None:
    first = journey.complete()
    second = int(re.fullmatch(r"/assess/(\d+)/link",  # type: ignore[index]
                              journey.client.post(f"/assess/{first}/reassess", data={"confirm": "yes"}).headers["Location"])[1])
    assert "与上次评测相比的变化" not in journey.client.get(f"/results/{first}").text
    better = worked_example()
    better["answers"] = {**better["answers"], "Q8": "F", "S16": 3}
    journey.answer_all(second, better)
    assert journey.submit(second).status_code == 303
    page = journey.client.get(f"/results/{second}").text
    assert "与上次评测相比的变化" in page
    assert f'href="/results/{first}"' in page
    assert re.search(r"<th scope=\"row\">基础得分</th><td>64.5</td><td>[\d.]+</td><td>\+[\d.]+</td>", page)


def test_reassessing_a_draft_just_continues_it(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.client.post(f"/assess/{assessment_id}/reassess")
    assert response.headers["Location"] == f"/assess/{assessment_id}"


def test_report_downloads_as_a_pdf_with_the_enterprise_and_level(journey: Journey, tmp_path: Path) -> None:
    assessment_id = journey.complete()
    page = journey.client.get(f"/results/{assessment_id}").text
    assert f'href="/results/{assessment_id}/report.pdf"' in page
    response = journey.client.get(f"/results/{assessment_id}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert f'filename="assessment-{assessment_id}.pdf"' in response.headers["Content-Disposition"]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "北京精工机械有限公司" in text and "三级" in text


def test_report_of_a_draft_leads_to_its_review(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.client.get(f"/results/{assessment_id}/report.pdf")
    assert response.status_code == 303
