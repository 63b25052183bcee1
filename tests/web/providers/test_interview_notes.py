"""The interview page is one form per section: whichever button is pressed, every note, chosen file and reason
typed on the page is saved together, so nothing typed is lost; each note is bounded with its field's message."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart
from world import World

from assessment.db import providers

PDF = b"%PDF-1.4\n% network topology of the plant\n" + bytes(range(256)) * 8


def _save(client: FlaskClient, assessment_id: int, fields: dict[str, Any], section: str = "foundation") -> TestResponse:
    boundary, body = encode_multipart(fields)
    return client.post(f"/assessments/{assessment_id}/interview/{section}", data=body,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def _notes(world: World, assessment_id: int) -> dict[str, str]:
    with world.session() as session:
        return {k: v.text for k, v in providers.notes(session, assessment_id).items()}


def test_the_interview_page_holds_every_note_of_the_section_in_one_form(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    page = world.client(tenant.staff_id).get(f"/assessments/{aid}/interview/foundation").text
    forms = re.findall(r"<form\b[^>]*>.*?</form>", page, re.S)
    [section_form] = [f for f in forms if 'id="section-form"' in f]
    assert 'name="note-Q1"' in section_form and 'name="note-Q2"' in section_form
    assert 'name="file-Q1"' in section_form and 'enctype="multipart/form-data"' in section_form
    assert 'id="save-note-Q1"' in section_form and 'id="save-note-Q2"' in section_form


def test_saving_one_items_note_saves_the_other_notes_of_the_section(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    response = _save(world.client(tenant.staff_id), aid,
                     {"note-Q1": "看过网络拓扑图", "note-Q2": "设备台账共 120 台", "item": "Q1"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/interview/foundation#item-Q1")
    assert _notes(world, aid) == {"Q1": "看过网络拓扑图", "Q2": "设备台账共 120 台"}


def test_a_note_too_long_gets_its_field_message_and_the_other_notes_are_saved(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    long_note = "很长的说明" * 801
    response = _save(world.client(tenant.staff_id), aid, {"note-Q1": long_note, "note-Q2": "设备台账", "item": "Q2"})
    assert response.status_code == 422
    q1 = response.text.split('id="item-Q1"', 1)[1].split("</section>", 1)[0]
    assert "说明超过 4000 个字符。" in q1 and long_note in q1, "the message at its field, the text kept"
    assert 'aria-invalid="true"' in q1
    assert _notes(world, aid) == {"Q2": "设备台账"}


def test_attaching_a_file_saves_the_notes_typed_beside_it(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    response = _save(world.client(tenant.staff_id), aid, {
        "file-Q1": FileStorage(BytesIO(PDF), filename="拓扑图.pdf"), "note-Q1": "见拓扑图", "note-Q2": "未查看台账",
        "item": "Q1"})
    assert response.status_code == 303
    with world.session() as session:
        [file] = providers.files(session, aid)
    assert (file.item_id, file.filename) == ("Q1", "拓扑图.pdf")
    assert _notes(world, aid) == {"Q1": "见拓扑图", "Q2": "未查看台账"}


def test_a_refused_file_keeps_its_message_and_the_notes_are_still_saved(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    response = _save(world.client(tenant.staff_id), aid, {
        "file-Q2": FileStorage(BytesIO(b"MZ\x90\x00"), filename="setup.exe"), "note-Q2": "台账见附件"})
    assert response.status_code == 422
    q2 = response.text.split('id="item-Q2"', 1)[1].split("</section>", 1)[0]
    assert "不能" in q2 and "台账见附件" in q2
    assert _notes(world, aid) == {"Q2": "台账见附件"}


def test_removing_a_file_saves_the_notes_typed_on_the_page(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    staff = world.client(tenant.staff_id)
    _save(staff, aid, {"file-Q1": FileStorage(BytesIO(PDF), filename="旧拓扑图.pdf")})
    with world.session() as session:
        [file] = providers.files(session, aid)
    response = _save(staff, aid, {"remove": str(file.id), "note-Q1": "拓扑图已更新", "note-Q2": "台账"})
    assert response.status_code == 303
    with world.session() as session:
        assert providers.files(session, aid) == []
    assert _notes(world, aid) == {"Q1": "拓扑图已更新", "Q2": "台账"}


def test_recording_a_validated_answer_saves_the_notes_typed_on_the_page(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    response = _save(world.client(tenant.staff_id), aid, {
        "value-Q1": "A", "reason-Q1": "网络拓扑图只显示办公网", "validate": "Q1", "note-Q1": "看过拓扑图",
        "note-Q2": "台账 120 台"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#item-Q1")
    with world.session() as session:
        trail = providers.audit_trail(session, aid)
    assert [(e.item_id, e.value, e.reason) for e in trail] == [("Q1", ["A"], "网络拓扑图只显示办公网")]
    assert _notes(world, aid) == {"Q1": "看过拓扑图", "Q2": "台账 120 台"}


def test_a_validation_without_a_reason_keeps_everything_typed(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    response = _save(world.client(tenant.staff_id), aid, {
        "value-Q1": "A", "reason-Q1": " ", "validate": "Q1", "note-Q2": "台账 120 台"})
    assert response.status_code == 422
    with world.session() as session:
        assert providers.audit_trail(session, aid) == []
    assert _notes(world, aid) == {"Q2": "台账 120 台"}


def test_the_enterprise_cannot_record_a_validated_answer_through_the_section_form(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    response = _save(world.client(tenant.owner_id), aid, {"value-Q1": "A", "reason-Q1": "自己改", "validate": "Q1"})
    assert response.status_code in (303, 404)
    with world.session() as session:
        assert providers.audit_trail(session, aid) == []
