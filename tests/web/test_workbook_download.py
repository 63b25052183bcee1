"""The review page offers the draft as an Excel workbook, pre-filled with its answers and profile; reading it back
gives the draft's answers. Who may download it is the door's answer (tests/web/security: workbooks.draft)."""

from __future__ import annotations

import io

from journey import Journey

from assessment.services.workbook import read_workbook


def test_the_review_page_links_the_draft_workbook(journey: Journey) -> None:
    assessment_id = journey.start()
    page = journey.client.get(f"/assess/{assessment_id}/review").text
    assert f'href="/assess/{assessment_id}/workbook.xlsx"' in page
    assert "下载问卷的 Excel 工作簿（可离线填写）" in page


def test_the_draft_workbook_is_pre_filled_with_the_answers_and_the_profile(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.fill_profile(assessment_id)
    journey.answer(assessment_id, "foundation", {"Q1": ["B", "C"], "Q5": "D"})
    response = journey.client.get(f"/assess/{assessment_id}/workbook.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="assessment-{assessment_id}.xlsx"'
    assert response.headers["Cache-Control"] == "no-store"
    document = read_workbook(io.BytesIO(response.data), [journey.questionnaire()])
    assert document["answers"] == {"Q1": ["B", "C"], "Q5": "D"}
    assert document["enterprise"]["name"] == "北京精工机械有限公司"


def test_a_submitted_assessment_has_no_draft_workbook(journey: Journey) -> None:
    assessment_id = journey.complete()
    response = journey.client.get(f"/assess/{assessment_id}/workbook.xlsx")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/results/{assessment_id}")
