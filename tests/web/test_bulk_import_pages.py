"""The bulk import pages: a provider downloads the template, uploads a file of many enterprises, follows the job
and reads its summary (`row N, column X: reason`, rejected rows as CSV); every field refuses bad input with its
message; another provider's import is 404."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from scene import Scene, build
from world import World, uscc, worked_example

from assessment.services.bulk_import.columns import answer_columns, column_ids
from assessment.web.site import site

REF = "miit-2024"


@pytest.fixture
def app(app: Flask, tmp_path: Path) -> Flask:
    """The app with evidence and job results kept in the test's own folder."""
    app.config.update(EVIDENCE_DIR=str(tmp_path / "evidence"), JOBS_DIR=str(tmp_path / "jobs"))
    return app


@pytest.fixture
def scene(app: Flask) -> Scene:
    """Tenant A (staff, client 企业A) and tenant B."""
    return build(World(app))


def _ref(app: Flask) -> str:
    return site(app).library.questionnaire(REF).ref


def _file(app: Flask, rows: list[dict[str, str]]) -> bytes:
    questionnaire = site(app).library.questionnaire(REF)
    document = worked_example()
    answers: dict[str, str] = {}
    for column in answer_columns(questionnaire):
        if column.id.startswith("data:"):
            value = document.get("data", {}).get(column.part)
        elif column.part:
            value = document["answers"].get(column.item.id, {}).get(column.part)
        else:
            value = document["answers"].get(column.item.id)
        answers[column.id] = ",".join(value) if isinstance(value, list) else ("" if value is None else str(value))
    out = io.StringIO()
    writer = csv.writer(out)
    ids = column_ids(questionnaire)
    writer.writerow(ids)
    for row in rows:
        cells = {"region": "370102", "industry": "34", "employees": "120", "revenue_10k_cny": "8000", **answers, **row}
        writer.writerow([cells.get(i, "") for i in ids])
    return out.getvalue().encode()


def _post(client: object, app: Flask, content: bytes | None, **fields: str) -> object:
    """A multipart post encoded here: the test client's own encoder leaves a temporary file open for a large one."""
    data = {"questionnaire": _ref(app), "mode": "invite", **fields}
    body = b"".join(f'--B\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in data.items())
    if content is not None:
        body += (b'--B\r\nContent-Disposition: form-data; name="file"; filename="clients.csv"\r\n'
                 b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n")
    return client.post("/provider/import", data=body + b"--B--\r\n",  # type: ignore[attr-defined]
                       content_type="multipart/form-data; boundary=B")


def test_a_provider_imports_a_file_and_reads_the_summary_with_rejected_rows(app: Flask, scene: Scene) -> None:
    staff = World(app).client(scene.a.staff_id)
    page = staff.get("/provider/import").get_data(as_text=True)
    assert 'class="file-input"' in page and "/provider/import/template.xlsx" in page
    template = staff.get(f"/provider/import/template.csv?questionnaire={_ref(app)}")
    assert template.status_code == 200 and "统一社会信用代码" in template.get_data(as_text=True)
    content = _file(app, [{"name": "新企业甲", "uscc": uscc("91370102MA3C00011")},
                          {"name": "", "uscc": "91370102MA3C0001X"}])
    started = _post(staff, app, content)
    assert started.status_code == 303  # type: ignore[attr-defined]
    job_id = int(re.findall(r"/jobs/(\d+)", started.headers["Location"])[0])  # type: ignore[attr-defined]
    assert 'id="import-summary"' in staff.get(f"/jobs/{job_id}").get_data(as_text=True)
    summary = staff.get(f"/provider/import/{job_id}").get_data(as_text=True)
    assert "新企业甲" in summary and re.search(r'id="link-field-2" value="http://[^"]+/invitation/[^"]+"', summary)
    assert "第 3 行，name 列：请输入企业的注册名称" in summary
    rejected = staff.get(f"/provider/import/{job_id}/rejected.csv")
    assert rejected.status_code == 200 and rejected.mimetype == "text/csv"
    assert rejected.headers["Cache-Control"] == "no-store"  # enterprises' figures: no copy in any cache
    lines = list(csv.reader(io.StringIO(rejected.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0][0] == "name" and lines[0][-1] == "_reason" and lines[2][1] == "91370102MA3C0001X"
    again = _post(staff, app, rejected.data)  # the rejected rows' CSV reads back as an import file
    assert again.status_code == 303  # type: ignore[attr-defined]


def test_another_providers_import_is_not_found(app: Flask, scene: Scene) -> None:
    staff = World(app).client(scene.a.staff_id)
    started = _post(staff, app, _file(app, [{"name": "新企业甲", "uscc": uscc("91370102MA3C00011")}]))
    job_id = int(re.findall(r"/jobs/(\d+)", started.headers["Location"])[0])  # type: ignore[attr-defined]
    other = World(app).client(scene.b.staff_id)
    assert other.get(f"/provider/import/{job_id}").status_code == 404
    assert other.get(f"/provider/import/{job_id}/rejected.csv").status_code == 404
    owner = World(app).client(scene.a.owner_id)
    assert owner.get("/provider/import").status_code == 404


@pytest.mark.parametrize(("fields", "content", "field", "message"), [
    ({}, None, "file", "CSV"),
    ({}, b"name,uscc,evil\n", "file", "evil"),
    ({}, b"x" * (5 * 1024 * 1024 + 10), "file", "5 MB"),
    ({}, b"PK\x03\x04 broken", "file", "Excel"),
    ({"questionnaire": "nope@1"}, b"name,uscc\n", "questionnaire", "questionnaire"),
    ({"mode": "magic"}, b"name,uscc\n", "mode", "on-site"),
    ({"mode": "onsite"}, b"name,uscc\n", "assessor", "assessor"),
    ({"mode": "onsite", "assessor": "x" * 50}, b"name,uscc\n", "assessor", "assessor"),
])
def test_each_field_refuses_bad_input_with_its_message(app: Flask, scene: Scene, fields: dict[str, str],
                                                      content: bytes | None, field: str, message: str) -> None:
    staff = World(app).client(scene.a.staff_id)
    staff.set_cookie("lang", "en")
    answer = _post(staff, app, content, **fields)
    assert answer.status_code == 422, answer.status_code  # type: ignore[attr-defined]
    page = answer.get_data(as_text=True)  # type: ignore[attr-defined]
    assert 'class="field-error"' in page and message.lower() in page.lower()


def test_an_assessor_of_another_provider_is_refused(app: Flask, scene: Scene) -> None:
    staff = World(app).client(scene.a.staff_id)
    staff.set_cookie("lang", "en")
    answer = _post(staff, app, b"name,uscc\n", mode="onsite", assessor=str(scene.b.staff_id))
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert "Choose the assessor from your organisation" in answer.get_data(as_text=True)  # type: ignore[attr-defined]
