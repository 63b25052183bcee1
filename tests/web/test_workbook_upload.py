"""A filled-in workbook uploaded on the review page replaces the draft's answers (and profile); a refused one lists
every problem as sheet!cell beside the form and writes nothing (docs/workbook.md, uploading)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from flask import Flask
from journey import USCC, Journey, registered

DRAFT_ANSWERS = {"Q1": ["B", "C"], "Q5": "D"}
PASSWORD = "correct horse battery staple 42"


def downloaded(journey: Journey, assessment_id: int) -> Any:
    """The draft's workbook as the review page's link gives it, opened for editing."""
    response = journey.client.get(f"/assess/{assessment_id}/workbook.xlsx")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def filled(book: Any, **answers: str) -> Any:
    """The workbook with answer cells (column D) set by their row ids (column A: `single_Q5` for `single:Q5`)."""
    wanted = {key.replace("_", ":"): value for key, value in answers.items()}
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_col=1, max_col=4):
            if row[0].value in wanted:
                row[3].value = wanted.pop(row[0].value)
    assert not wanted, f"no rows for {wanted}"
    return book


def as_file(book: Any, name: str = "filled.xlsx") -> tuple[io.BytesIO, str]:
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out, name


def upload(journey: Journey, assessment_id: int, file: tuple[io.BytesIO, str] | None,
           version: int | None = None) -> Any:
    form: dict[str, Any] = {"version": str(journey.record(assessment_id).version if version is None else version)}
    if file is not None:
        form["workbook"] = file
    return journey.client.post(f"/assess/{assessment_id}/workbook", data=form, content_type="multipart/form-data")


def answered_draft(journey: Journey) -> int:
    assessment_id = journey.start()
    assert journey.fill_profile(assessment_id).status_code == 303
    assert journey.answer(assessment_id, "foundation", DRAFT_ANSWERS).status_code == 303
    return assessment_id


def unchanged(journey: Journey, assessment_id: int, version: int) -> None:
    record = journey.record(assessment_id)
    assert record.answers == DRAFT_ANSWERS and record.version == version
    profile = journey.profile(assessment_id)
    assert profile is not None and profile.name == "北京精工机械有限公司"


def test_the_review_page_offers_the_upload_form(journey: Journey) -> None:
    assessment_id = answered_draft(journey)
    page = journey.client.get(f"/assess/{assessment_id}/review").text
    assert f'action="/assess/{assessment_id}/workbook#workbook-upload"' in page and 'enctype="multipart/form-data"' in page
    assert 'type="file" id="workbook-file" name="workbook" class="file-input"' in page
    assert "上传填好的工作簿" in page


def test_a_filled_workbook_replaces_the_answers_and_the_profile(journey: Journey) -> None:
    assessment_id = answered_draft(journey)
    book = filled(downloaded(journey, assessment_id), single_Q5="C", profile_name="北京精工机械股份有限公司")
    response = upload(journey, assessment_id, as_file(book))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/assess/{assessment_id}/review#main")
    assert journey.record(assessment_id).answers == {"Q1": ["B", "C"], "Q5": "C"}
    profile = journey.profile(assessment_id)
    assert profile is not None and profile.name == "北京精工机械股份有限公司" and profile.employees == 120
    page = journey.client.get(f"/assess/{assessment_id}/review").text
    assert "已从工作簿中接收 2 个答案。" in page


def test_a_file_that_is_not_a_workbook_is_refused_by_its_content(journey: Journey) -> None:
    assessment_id = answered_draft(journey)
    version = journey.record(assessment_id).version
    response = upload(journey, assessment_id, (io.BytesIO(b"PK\x03\x04 not really"), "answers.xlsx"))
    assert response.status_code == 422
    assert "answers.xlsx：不是 Excel 工作簿（.xlsx）" in response.text and 'id="workbook-problems"' in response.text
    unchanged(journey, assessment_id, version)


def test_a_missing_file_gets_the_fields_message(journey: Journey) -> None:
    assessment_id = answered_draft(journey)
    version = journey.record(assessment_id).version
    response = upload(journey, assessment_id, None)
    assert response.status_code == 422 and "请先选择填好的工作簿（.xlsx）。" in response.text
    unchanged(journey, assessment_id, version)


def test_a_file_over_the_cap_gets_the_fields_message_not_a_bare_413(journey: Journey) -> None:
    assessment_id = answered_draft(journey)
    version = journey.record(assessment_id).version
    for size, status in ((5 * 1024 * 1024 + 1, 422), (6 * 1024 * 1024, 413)):
        # the body is encoded here: the test client's own encoder leaves a temporary file open for a large one
        body = (f'--B\r\nContent-Disposition: form-data; name="version"\r\n\r\n{version}\r\n--B\r\n'
                'Content-Disposition: form-data; name="workbook"; filename="big.xlsx"\r\n'
                'Content-Type: application/octet-stream\r\n\r\n').encode() + b"x" * size + b"\r\n--B--\r\n"
        response = journey.client.post(f"/assess/{assessment_id}/workbook", data=body,
                                       content_type="multipart/form-data; boundary=B")
        assert response.status_code == status
        assert "文件大于 5 MB" in response.text and 'id="workbook-file"' in response.text
    unchanged(journey, assessment_id, version)


def test_a_workbook_of_another_questionnaire_version_is_refused_by_name(journey: Journey) -> None:
    assessment_id = answered_draft(journey)
    version = journey.record(assessment_id).version
    book = downloaded(journey, assessment_id)
    meta = book["_meta"]
    for row in meta.iter_rows(min_col=1, max_col=2):
        if row[0].value == "version":
            row[1].value = "1999.1"
    response = upload(journey, assessment_id, as_file(filled(book, single_Q5="C")))
    assert response.status_code == 422
    assert "此工作簿属于问卷 miit-2024@1999.1，而不是 miit-2024@" in response.text
    unchanged(journey, assessment_id, version)


def test_every_invalid_cell_is_listed_and_nothing_is_written(journey: Journey) -> None:
    assessment_id = answered_draft(journey)
    version = journey.record(assessment_id).version
    book = filled(downloaded(journey, assessment_id), single_Q5="Z", single_Q2="=1+1")
    response = upload(journey, assessment_id, as_file(book))
    assert response.status_code == 422
    problems = response.text.split('id="workbook-problems"')[1].split("</ul>")[0]
    assert problems.count("<li>") == 2
    assert "!D" in problems and "：Q5：未知选项 &#39;Z&#39;" in problems
    assert "此处应填写答案而不是公式" in problems
    unchanged(journey, assessment_id, version)


def test_a_draft_changed_since_the_page_was_shown_takes_nothing_over(journey: Journey) -> None:
    assessment_id = answered_draft(journey)
    version = journey.record(assessment_id).version
    book = filled(downloaded(journey, assessment_id), single_Q5="C")
    response = upload(journey, assessment_id, as_file(book), version=version - 1)
    assert response.status_code == 409 and "此页面显示之后" in response.text
    assert f'name="version" value="{version}"' in response.text
    unchanged(journey, assessment_id, version)


def test_a_submitted_assessment_cannot_be_uploaded_into(journey: Journey) -> None:
    assessment_id = journey.complete()
    before = journey.record(assessment_id)
    response = journey.client.post(f"/assess/{assessment_id}/workbook", data={
        "version": str(before.version), "workbook": (io.BytesIO(b"x"), "a.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/results/{assessment_id}")
    assert "已提交" in journey.client.get(response.headers["Location"]).text
    assert journey.record(assessment_id) == before


def test_another_visitors_draft_is_not_found(journey: Journey, other_journey: Journey) -> None:
    assessment_id = answered_draft(journey)
    version = journey.record(assessment_id).version
    book = filled(downloaded(journey, assessment_id), single_Q5="C")
    response = other_journey.client.post(f"/assess/{assessment_id}/workbook", data={
        "version": str(version), "workbook": as_file(book)}, content_type="multipart/form-data")
    assert response.status_code == 404
    unchanged(journey, assessment_id, version)


def test_an_upload_without_the_csrf_token_is_refused(journey: Journey, csrf_app: Flask) -> None:
    assessment_id = answered_draft(journey)
    version = journey.record(assessment_id).version
    book = filled(downloaded(journey, assessment_id), single_Q5="C")
    protected = Journey(csrf_app.test_client())
    with journey.client.session_transaction() as held, protected.client.session_transaction() as session:
        session.update(dict(held))
    response = protected.client.post(f"/assess/{assessment_id}/workbook", data={
        "version": str(version), "workbook": as_file(book)}, content_type="multipart/form-data")
    assert response.status_code == 400
    unchanged(journey, assessment_id, version)


def test_an_enterprise_account_uploads_into_its_own_draft(journey: Journey) -> None:
    registered(journey.client, "owner-upload@example.com", PASSWORD)
    assessment_id = answered_draft(journey)
    assert journey.record(assessment_id).user_id is not None
    book = filled(downloaded(journey, assessment_id), single_Q5="B")
    response = upload(journey, assessment_id, as_file(book))
    assert response.status_code == 303
    assert journey.record(assessment_id).answers == {"Q1": ["B", "C"], "Q5": "B"}


def test_a_profile_the_profile_page_would_refuse_is_listed_and_nothing_is_written(journey: Journey) -> None:
    assessment_id = answered_draft(journey)
    version = journey.record(assessment_id).version
    wrong = USCC[:17] + ("0" if USCC[17] != "0" else "1")
    book = filled(downloaded(journey, assessment_id), single_Q5="C", profile_uscc=wrong)
    response = upload(journey, assessment_id, as_file(book))
    assert response.status_code == 422
    problems = response.text.split('id="workbook-problems"')[1].split("</ul>")[0]
    assert problems.count("<li>") == 1 and "<li>企业基本信息：" in problems
    unchanged(journey, assessment_id, version)


def test_a_draft_without_a_profile_takes_over_the_answers_and_asks_for_the_profile(journey: Journey) -> None:
    assessment_id = journey.start()
    book = filled(downloaded(journey, assessment_id), single_Q5="C", profile_name="北京精工机械有限公司")
    response = upload(journey, assessment_id, as_file(book))
    assert response.status_code == 303
    assert journey.record(assessment_id).answers == {"Q5": "C"} and journey.profile(assessment_id) is None
    page = journey.client.get(f"/assess/{assessment_id}/review").text
    assert "工作簿中的企业基本信息未被接收" in page
