"""Evidence per item: notes kept with their history, files of allowed types and sizes stored outside the database
with their SHA-256, served only as attachments to those who may open the assessment."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart
from world import World

from assessment.db import providers

PDF = b"%PDF-1.4\n% network topology of the plant\n" + bytes(range(256)) * 8


def _upload(client: FlaskClient, assessment_id: int, content: bytes, name: str, item: str = "Q1") -> TestResponse:
    # encoded in memory: the test client would spool a large body to a temporary file it never closes
    boundary, body = encode_multipart({"file": FileStorage(BytesIO(content), filename=name)})
    return client.post(f"/assessments/{assessment_id}/items/{item}/files", data=body,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def _files(world: World, assessment_id: int) -> list[providers.EvidenceFileRecord]:
    with world.session() as session:
        return providers.files(session, assessment_id)


def test_an_attached_file_is_stored_outside_the_database_with_its_sha256(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    response = _upload(world.client(tenant.staff_id), aid, PDF, "../../网络拓扑.pdf")
    assert response.status_code == 303
    [file] = _files(world, aid)
    assert (file.item_id, file.filename, file.size, file.content_type) == ("Q1", "网络拓扑.pdf", len(PDF),
                                                                           "application/pdf")
    assert file.sha256 == hashlib.sha256(PDF).hexdigest()
    stored = Path(world.app.config["EVIDENCE_DIR"]) / file.storage_key[:2] / file.storage_key
    assert stored.read_bytes() == PDF
    assert "网络拓扑" not in file.storage_key


def test_a_file_is_served_as_an_attachment_with_nosniff_to_the_enterprise(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    _upload(world.client(tenant.staff_id), aid, PDF, "拓扑图.pdf")
    [file] = _files(world, aid)
    response = world.client(tenant.owner_id).get(f"/assessments/{aid}/files/{file.id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%8B%93%E6%89%91%E5%9B%BE.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()


def test_a_file_above_the_size_limit_is_refused_and_nothing_is_stored(world: World) -> None:
    limit = 1024 * 1024
    world.app.config["EVIDENCE_MAX_BYTES"] = limit
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    client = world.client(tenant.staff_id)
    response = _upload(client, aid, b"%PDF-1.4" + b"x" * (limit - 7), "big.pdf")
    assert response.status_code == 413
    assert "文件超过 1.0 MB" in response.text
    assert _files(world, aid) == []
    assert list(Path(world.app.config["EVIDENCE_DIR"]).rglob("*")) == [], "no partial file is left"
    far_too_big = _upload(client, aid, b"%PDF-1.4" + b"x" * (2 * limit), "huge.pdf")
    assert far_too_big.status_code == 413 and "可上传不超过 1.0 MB 的文件" in far_too_big.text
    exactly = _upload(client, aid, b"%PDF-1.4" + b"x" * (limit - 8), "fits.pdf")
    assert exactly.status_code == 303


def test_files_of_other_types_are_refused_with_the_allowed_types(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    client = world.client(tenant.staff_id)
    response = _upload(client, aid, b"MZ\x90\x00", "setup.exe")
    assert response.status_code == 422
    assert "不能上传此类文件" in response.text and "pdf" in response.text
    assert _files(world, aid) == []


def test_a_file_whose_content_is_not_its_type_is_refused(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    client = world.client(tenant.staff_id)
    response = _upload(client, aid, b"<html><script>alert(1)</script>", "scan.pdf")
    assert response.status_code == 422 and "不是 PDF 文件" in response.text
    assert _upload(client, aid, b"", "empty.txt").status_code == 422
    assert _upload(client, aid, b"a\x00b", "notes.txt").status_code == 422
    assert _files(world, aid) == []


def test_uploading_without_a_file_asks_for_one(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    response = world.client(tenant.staff_id).post(f"/assessments/{aid}/items/Q1/files", data={},
                                                  content_type="multipart/form-data")
    assert response.status_code == 422 and "请选择要上传的文件" in response.text


def test_a_file_changed_on_disk_is_not_served(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    _upload(world.client(tenant.staff_id), aid, PDF, "拓扑图.pdf")
    [file] = _files(world, aid)
    stored = Path(world.app.config["EVIDENCE_DIR"]) / file.storage_key[:2] / file.storage_key
    stored.write_bytes(PDF + b"tampered")
    assert world.client(tenant.owner_id).get(f"/assessments/{aid}/files/{file.id}").status_code == 410


def test_a_file_of_another_assessment_is_not_found_by_id(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    first, second = world.assessment(tenant), world.assessment(tenant)
    _upload(world.client(tenant.staff_id), first, PDF, "拓扑图.pdf")
    [file] = _files(world, first)
    assert world.client(tenant.owner_id).get(f"/assessments/{second}/files/{file.id}").status_code == 404


def test_evidence_notes_keep_their_history_and_show_the_current_one(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    client = world.client(tenant.staff_id)
    assert client.post(f"/assessments/{aid}/items/Q1/note", data={"note": "拓扑图 v1"}).status_code == 303
    assert client.post(f"/assessments/{aid}/items/Q1/note", data={"note": "拓扑图 v2，含5G专网"}).status_code == 303
    page = client.get(f"/assessments/{aid}/interview/foundation").text
    assert "拓扑图 v2，含5G专网" in page and "拓扑图 v1" not in page
    with world.session() as session:
        assert providers.notes(session, aid)["Q1"].text == "拓扑图 v2，含5G专网"


def test_a_note_that_is_too_long_is_refused_and_kept_in_the_form(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    client = world.client(tenant.staff_id)
    text = "很长的说明" * 1000
    response = client.post(f"/assessments/{aid}/items/Q1/note", data={"note": text})
    assert response.status_code == 422
    assert "说明超过 4000 个字符" in response.text and text in response.text
    with world.session() as session:
        assert providers.notes(session, aid) == {}


def test_the_interview_page_lists_the_evidence_typically_asked_for(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant, mode="guided")
    page = world.client(tenant.staff_id).get(f"/assessments/{aid}/interview/foundation").text
    asked = page.split('id="item-Q1"', 1)[1].split('id="item-Q2"', 1)[0]
    assert "通常需要的佐证材料" in asked
    assert "拓扑" in asked, "Q1's evidence from the questionnaire (network topology) is listed"
    assert "validate-form" not in page, "guided mode records no validated answers"
