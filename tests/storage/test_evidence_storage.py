"""Evidence files through one storage interface: the same rules hold for the local directory and for a real
S3-compatible store (SeaweedFS), as create_app chooses them."""

from __future__ import annotations

import hashlib
import json
import zipfile
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart
from world import World

from assessment.db import providers
from assessment.db.queries import get_assessment
from assessment.services import evidence
from assessment.services.onsite import Actor
from assessment.services.storage import EVIDENCE_STORAGE, ObjectStore, Storage

MIB = 1024 * 1024
PDF = b"%PDF-1.4\n% network topology of the plant\n" + bytes(range(256)) * 8


def _storage(app: Flask) -> Storage:
    found: Storage = app.extensions[EVIDENCE_STORAGE]
    return found


def _upload(client: FlaskClient, assessment_id: int, content: bytes, name: str) -> TestResponse:
    boundary, body = encode_multipart({"file": FileStorage(BytesIO(content), filename=name)})
    return client.post(f"/assessments/{assessment_id}/items/Q1/files", data=body,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def _files(world: World, assessment_id: int) -> list[providers.EvidenceFileRecord]:
    with world.session() as session:
        return providers.files(session, assessment_id)


class _Breaking:
    """An upload whose connection drops after `after` bytes."""

    def __init__(self, after: int) -> None:
        self.left = after
        self.first = True

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            raise OSError("connection reset by peer")
        chunk = (b"%PDF-1.4\n" if self.first else b"") + b"x" * min(size if size > 0 else 65536, self.left)
        self.first = False
        self.left -= len(chunk)
        return chunk


def test_a_file_near_the_size_limit_streams_back_byte_identical_and_its_removal_deletes_the_object(world: World) -> None:
    limit = int(world.app.config["EVIDENCE_MAX_BYTES"])
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    content = b"%PDF-1.4\n" + hashlib.sha256(b"seed").digest() * ((limit - 4096) // 32)
    assert limit - 4096 <= len(content) <= limit
    staff = world.client(tenant.staff_id)
    assert _upload(staff, aid, content, "拓扑图.pdf").status_code == 303
    [file] = _files(world, aid)
    assert _storage(world.app).exists(file.storage_key)
    response = world.client(tenant.owner_id).get(f"/assessments/{aid}/files/{file.id}")
    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert (response.headers["X-Content-Type-Options"], response.headers["Cache-Control"]) == ("nosniff", "no-store")
    assert int(response.headers["Content-Length"]) == len(content) and response.headers["ETag"] == f"\"{file.sha256}\""
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()
    assert staff.post(f"/assessments/{aid}/files/{file.id}/remove").status_code == 303
    assert not _storage(world.app).exists(file.storage_key)
    assert list(_storage(world.app).keys()) == []


def test_a_file_over_the_limit_is_refused_and_leaves_no_row_and_no_object(world: World) -> None:
    world.app.config["EVIDENCE_MAX_BYTES"] = MIB
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    response = _upload(world.client(tenant.staff_id), aid, b"%PDF-1.4" + b"x" * MIB, "big.pdf")
    assert response.status_code == 413
    assert _files(world, aid) == []
    assert list(_storage(world.app).keys()) == []


@pytest.mark.parametrize("after", [300 * 1024, 9 * MIB], ids=["one-request", "multipart"])
def test_an_upload_that_fails_midway_leaves_no_row_and_no_object(world: World, storage_kind: str, after: int) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    storage = _storage(world.app)
    with world.session() as session:
        record = get_assessment(session, aid)
        assert record is not None
        with pytest.raises(OSError, match="connection reset"):
            evidence.store_evidence(session, storage, record, "Q1", "scan.pdf", _Breaking(after),
                                    Actor(tenant.staff_id, "staff"))
        session.rollback()
    assert _files(world, aid) == []
    assert list(storage.keys()) == []
    if storage_kind == "s3":
        assert isinstance(storage, ObjectStore)
        pending = storage.client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", [])
        assert [u for u in pending if u["Key"].startswith(storage.prefix)] == [], "a broken multipart upload is aborted"


def test_an_object_whose_row_cannot_be_added_is_deleted_again(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(providers, "add_file", refuse)
    with pytest.raises(RuntimeError, match="database gone"):
        _upload(world.client(tenant.staff_id), aid, PDF, "scan.pdf")
    assert list(_storage(world.app).keys()) == []


def test_evidence_downloads_through_the_door_and_another_tenant_gets_404(world: World) -> None:
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    aid = world.assessment(a)
    assert _upload(world.client(a.staff_id), aid, PDF, "网络拓扑.pdf").status_code == 303
    [file] = _files(world, aid)
    for allowed in (a.staff_id, a.owner_id):
        response = world.client(allowed).get(f"/assessments/{aid}/files/{file.id}")
        assert response.status_code == 200 and response.data == PDF
        response.close()
    for other in (b.staff_id, b.owner_id, b.admin_id):
        assert world.client(other).get(f"/assessments/{aid}/files/{file.id}").status_code == 404


def test_deleting_the_account_deletes_its_evidence_objects(world: World) -> None:
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    aid, other = world.assessment(a), world.assessment(b)
    assert _upload(world.client(a.staff_id), aid, PDF, "a.pdf").status_code == 303
    assert _upload(world.client(b.staff_id), other, PDF, "b.pdf").status_code == 303
    [mine], [theirs] = _files(world, aid), _files(world, other)
    response = world.client(a.owner_id).post("/account/delete", data={"confirm": "owner-A@example.com"})
    assert response.status_code == 303
    assert not _storage(world.app).exists(mine.storage_key)
    assert _storage(world.app).exists(theirs.storage_key), "another tenant's evidence stays"


def test_orphans_lists_and_deletes_objects_no_row_names_but_leaves_young_ones_and_recorded_files(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    assert _upload(world.client(tenant.staff_id), aid, PDF, "kept.pdf").status_code == 303
    [kept] = _files(world, aid)
    storage = _storage(world.app)
    orphan = "ab" * 32
    storage.put(orphan, BytesIO(b"left by a crash"), 1024)
    runner = world.app.test_cli_runner()
    young = runner.invoke(args=["evidence", "orphans"])
    assert young.exit_code == 0 and orphan not in young.output, "an upload in progress is not an orphan"
    listed = runner.invoke(args=["evidence", "orphans", "--older-than", "0"])
    assert listed.exit_code == 0 and listed.stdout.split() == [orphan]
    assert storage.exists(orphan), "listing deletes nothing"
    deleted = runner.invoke(args=["evidence", "orphans", "--older-than", "0", "--delete"])
    assert deleted.exit_code == 0 and "1 orphaned object(s) deleted" in deleted.output
    assert not storage.exists(orphan) and storage.exists(kept.storage_key)


def test_the_account_data_export_carries_the_evidence_file_from_the_storage(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant)
    assert _upload(world.client(tenant.staff_id), aid, PDF, "网络拓扑.pdf").status_code == 303
    response = world.client(tenant.owner_id).get("/account/data/export.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(BytesIO(response.data))
    [draft] = json.loads(archive.read("data.json"))["assessments"]
    [file] = draft["evidence_files"]
    assert file["filename"] == "网络拓扑.pdf" and archive.read(file["file"]) == PDF
