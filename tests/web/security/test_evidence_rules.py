"""Evidence is kept only on guided and on-site drafts and is frozen at submission; quotas per assessment and per
provider are checked before any byte is kept; a draft's file can be removed (row and bytes) by those who may work
on it, and the removal is logged."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart
from world import Tenant, World

from assessment.db import providers, queries
from assessment.db.models import SecurityEvent
from assessment.services import assessments, security_log
from assessment.web.site import site

PDF = b"%PDF-1.4\n% evidence\n"


def pdf(size: int) -> bytes:
    return PDF + b"x" * (size - len(PDF))


def upload(client: FlaskClient, assessment_id: int, content: bytes, name: str = "拓扑图.pdf",
           item: str = "Q1") -> TestResponse:
    boundary, body = encode_multipart({"file": FileStorage(BytesIO(content), filename=name)})
    return client.post(f"/assessments/{assessment_id}/items/{item}/files", data=body,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def files(world: World, assessment_id: int) -> list[providers.EvidenceFileRecord]:
    with world.session() as session:
        return providers.files(session, assessment_id)


def on_disk(world: World) -> list[Path]:
    """Every file under the evidence folder (stored bytes and any temporary upload left behind)."""
    root = Path(world.app.config["EVIDENCE_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def stored_path(world: World, file: providers.EvidenceFileRecord) -> Path:
    return Path(world.app.config["EVIDENCE_DIR"]) / file.storage_key[:2] / file.storage_key


def submit(world: World, assessment_id: int) -> None:
    library = site(world.app).library
    with world.session() as session:
        record = queries.get_assessment(session, assessment_id)
        assert record is not None
        assessments.submit(session, library.questionnaire("miit-2024"), library.default_model("miit-2024"),
                           record.id, record.version)


def self_assessment(world: World, tenant: Tenant) -> int:
    library = site(world.app).library
    with world.session() as session:
        started = assessments.start(session, library.questionnaire("miit-2024"), library.default_model("miit-2024"),
                                    user_id=tenant.owner_id)
    return started.record.id


# --- which assessments keep evidence -------------------------------------------------------------------------

def test_evidence_is_attached_to_guided_and_on_site_drafts(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    for mode in ("guided", "onsite"):
        aid = world.assessment(tenant, mode)
        assert upload(staff, aid, pdf(2000)).status_code == 303
        assert staff.post(f"/assessments/{aid}/items/Q1/note", data={"note": "看过拓扑图"}).status_code == 303
        assert len(files(world, aid)) == 1


def test_a_self_assessment_keeps_no_evidence(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = self_assessment(world, tenant)
    owner = world.client(tenant.owner_id)
    response = upload(owner, aid, pdf(2000))
    assert response.status_code == 422 and "只有辅导评测和现场评测可以保存佐证材料。" in response.text
    note = owner.post(f"/assessments/{aid}/items/Q1/note", data={"note": "自评说明"})
    assert note.status_code == 422 and "只有辅导评测和现场评测可以保存佐证材料。" in note.text
    assert files(world, aid) == [] and on_disk(world) == []
    with world.session() as session:
        assert providers.notes(session, aid) == {}
    page = owner.get(f"/assessments/{aid}/interview/foundation")
    assert page.status_code == 200 and "upload-form" not in page.text and "note-form" not in page.text


def test_a_submitted_assessment_takes_no_more_evidence_and_its_page_offers_none(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    for mode in ("guided", "onsite"):
        aid = world.assessment(tenant, mode, submit=True)
        response = upload(staff, aid, pdf(2000))
        assert response.status_code == 422 and "本次评测已提交，佐证材料不能再更改。" in response.text
        note = staff.post(f"/assessments/{aid}/items/Q1/note", data={"note": "提交后补充"})
        assert note.status_code == 422 and "本次评测已提交" in note.text
        assert files(world, aid) == []
        page = staff.get(f"/assessments/{aid}/interview/foundation")
        assert page.status_code == 200 and "upload-form" not in page.text and "note-form" not in page.text
    assert on_disk(world) == []


# --- quotas --------------------------------------------------------------------------------------------------

def test_the_number_of_files_per_assessment_is_capped(world: World) -> None:
    world.app.config["EVIDENCE_MAX_FILES_PER_ASSESSMENT"] = 2
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant, "guided")
    staff = world.client(tenant.staff_id)
    assert upload(staff, aid, pdf(1000)).status_code == 303
    assert upload(staff, aid, pdf(1000)).status_code == 303
    third = upload(staff, aid, pdf(1000))
    assert third.status_code == 422 and "本次评测已有 2 个文件，已达上限。" in third.text
    assert len(files(world, aid)) == 2 and len(on_disk(world)) == 2


def test_the_bytes_per_assessment_are_capped_and_nothing_is_kept_beyond(world: World) -> None:
    world.app.config["EVIDENCE_MAX_BYTES_PER_ASSESSMENT"] = 300 * 1024
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant, "guided")
    staff = world.client(tenant.staff_id)
    assert upload(staff, aid, pdf(200 * 1024)).status_code == 303
    over = upload(staff, aid, pdf(150 * 1024))
    assert over.status_code == 422
    assert "本次评测的佐证材料将超过 0.3 MB。请删除不再需要的文件，或上传较小的文件。" in over.text
    assert len(files(world, aid)) == 1 and len(on_disk(world)) == 1, "no partial or temporary file is left"
    assert upload(staff, aid, pdf(90 * 1024)).status_code == 303, "what fits is taken"
    full = upload(staff, aid, pdf(20 * 1024))
    assert full.status_code == 422 and "0.3 MB" in full.text


def test_a_used_up_quota_refuses_a_file_before_reading_it(world: World) -> None:
    world.app.config["EVIDENCE_MAX_BYTES_PER_ASSESSMENT"] = 2000
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant, "guided")
    staff = world.client(tenant.staff_id)
    assert upload(staff, aid, pdf(2000)).status_code == 303
    refused = upload(staff, aid, b"")
    assert refused.status_code == 422 and "本次评测的佐证材料将超过" in refused.text, "the quota comes first"


def test_the_bytes_per_provider_are_capped_across_its_assessments(world: World) -> None:
    world.app.config["EVIDENCE_MAX_BYTES_PER_ORGANISATION"] = 500 * 1024
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    first, second = world.assessment(a, "guided"), world.assessment(a, "onsite")
    staff = world.client(a.staff_id)
    assert upload(staff, first, pdf(300 * 1024)).status_code == 303
    over = upload(staff, second, pdf(300 * 1024))
    assert over.status_code == 422
    assert "该服务商开展的全部评测的佐证材料将超过 0.5 MB。请删除不再需要的文件，或请网站管理员增加空间。" in over.text
    owner = world.client(a.owner_id)
    assert upload(owner, second, pdf(300 * 1024)).status_code == 422, "whoever uploads, the provider's room counts"
    assert files(world, second) == []
    other = world.assessment(b, "guided")
    assert upload(world.client(b.staff_id), other, pdf(300 * 1024)).status_code == 303, "another provider's room"


# --- removal -------------------------------------------------------------------------------------------------

def test_a_drafts_file_is_removed_with_its_bytes_and_the_removal_is_logged(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant, "onsite")
    staff = world.client(tenant.staff_id)
    upload(staff, aid, pdf(3000), "旧拓扑图.pdf")
    [file] = files(world, aid)
    path = stored_path(world, file)
    assert path.is_file()
    page = staff.get(f"/assessments/{aid}/interview/foundation").text
    assert f'id="remove-file-{file.id}"' in page
    response = staff.post(f"/assessments/{aid}/files/{file.id}/remove")
    assert response.status_code == 303 and response.headers["Location"].endswith("#item-Q1")
    assert files(world, aid) == [] and not path.exists()
    assert staff.get(f"/assessments/{aid}/files/{file.id}").status_code == 404
    with world.session() as session:
        [event] = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == security_log.EVIDENCE_REMOVED))
    assert event.user_id == tenant.staff_id
    assert event.detail["assessment_id"] == aid and event.detail["filename"] == "旧拓扑图.pdf"
    assert event.detail["sha256"] == file.sha256


def test_the_enterprise_owner_may_remove_a_file_of_its_guided_draft(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant, "guided")
    upload(world.client(tenant.staff_id), aid, pdf(3000))
    [file] = files(world, aid)
    assert world.client(tenant.owner_id).post(f"/assessments/{aid}/files/{file.id}/remove").status_code == 303
    assert files(world, aid) == [] and not stored_path(world, file).exists()


def test_a_file_cannot_be_removed_once_the_assessment_is_submitted(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant, "guided")
    staff = world.client(tenant.staff_id)
    upload(staff, aid, pdf(3000))
    [file] = files(world, aid)
    submit(world, aid)
    response = staff.post(f"/assessments/{aid}/files/{file.id}/remove")
    assert response.status_code == 422 and "本次评测已提交，佐证材料不能再更改。" in response.text
    assert files(world, aid) == [file] and stored_path(world, file).read_bytes() == pdf(3000)
    page = staff.get(f"/assessments/{aid}/interview/foundation")
    assert page.status_code == 200 and f'id="file-{file.id}"' in page.text
    assert f'id="remove-file-{file.id}"' not in page.text
    download = world.client(tenant.owner_id).get(f"/assessments/{aid}/files/{file.id}")
    assert download.status_code == 200 and download.data == pdf(3000), "the frozen evidence can still be read"
    download.close()


def test_a_file_is_not_removed_by_another_tenant_or_through_another_assessment(world: World) -> None:
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    aid, other = world.assessment(a, "onsite"), world.assessment(a, "guided")
    upload(world.client(a.staff_id), aid, pdf(3000))
    [file] = files(world, aid)
    for client, path in ((world.client(b.staff_id), f"/assessments/{aid}/files/{file.id}/remove"),
                         (world.client(b.owner_id), f"/assessments/{aid}/files/{file.id}/remove"),
                         (world.client(a.staff_id), f"/assessments/{other}/files/{file.id}/remove"),
                         (world.app.test_client(), f"/assessments/{aid}/files/{file.id}/remove")):
        assert client.post(path).status_code in (302, 404)
    assert files(world, aid) == [file] and stored_path(world, file).is_file()
    with world.session() as session:
        assert list(session.scalars(select(SecurityEvent).where(
            SecurityEvent.kind == security_log.EVIDENCE_REMOVED))) == []


def test_removal_is_a_post(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant, "onsite")
    staff = world.client(tenant.staff_id)
    upload(staff, aid, pdf(3000))
    [file] = files(world, aid)
    assert staff.get(f"/assessments/{aid}/files/{file.id}/remove").status_code == 405
    assert files(world, aid) == [file]
