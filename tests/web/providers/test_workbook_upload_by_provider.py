"""Provider staff conducting a guided assessment upload a client's filled-in workbook into its draft; on site the
self-report stays the enterprise's (docs/workbook.md, uploading)."""

from __future__ import annotations

import io

import openpyxl
from world import World

from assessment.db import queries


def _workbook_with_q5(world: World, staff_id: int, assessment_id: int, answer: str) -> io.BytesIO:
    client = world.client(staff_id)
    response = client.get(f"/assess/{assessment_id}/workbook.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_col=1, max_col=4):
            if row[0].value == "single:Q5":
                row[3].value = answer
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _stored(world: World, assessment_id: int) -> queries.AssessmentRecord:
    with world.session() as session:
        record = queries.get_assessment(session, assessment_id)
    assert record is not None
    return record


def test_provider_staff_upload_a_clients_workbook_into_a_guided_draft(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    assessment_id = world.assessment(tenant, mode="guided")
    before = _stored(world, assessment_id)
    assert before.answers["Q5"] != "A"
    file = _workbook_with_q5(world, tenant.staff_id, assessment_id, "A")
    response = world.client(tenant.staff_id).post(f"/assess/{assessment_id}/workbook", data={
        "version": str(before.version), "workbook": (file, "client.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/assess/{assessment_id}/review#main")
    after = _stored(world, assessment_id)
    assert after.answers["Q5"] == "A" and after.version == before.version + 1
    # the other answers come back as they were (the options computed from figures are now stored with them)
    assert all(after.answers[key] == value for key, value in before.answers.items() if key != "Q5")


def test_on_site_the_assessor_cannot_replace_the_enterprises_answers(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    assessment_id = world.assessment(tenant, mode="onsite")
    before = _stored(world, assessment_id)
    file = _workbook_with_q5(world, tenant.staff_id, assessment_id, "A")
    response = world.client(tenant.staff_id).post(f"/assess/{assessment_id}/workbook", data={
        "version": str(before.version), "workbook": (file, "client.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/assessments/{assessment_id}/workspace")
    assert _stored(world, assessment_id) == before
