"""Bulk import for providers: each row checked on its own (`row N, column X`), a rejected row creates nothing,
a re-run creates nothing twice, on-site rows become submitted results with the assessor named and need consent,
and the job runs the rows with progress and seals a summary. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from scene import Scene, build
from sqlalchemy import func, select
from world import World, uscc, worked_example

from assessment.db.models import Assessment, BulkImportRow, ProviderClient
from assessment.services import jobs
from assessment.services.authorization import Principal
from assessment.services.bulk_import.carrying import ImportContext, RowRefused, Settings, one_row
from assessment.services.bulk_import.columns import answer_columns, column_ids, template_csv
from assessment.services.bulk_import.importing import start_import, summary
from assessment.services.bulk_import.rows import FileRefused, Row, read_rows
from assessment.web.site import site

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
REF = "miit-2024"


@pytest.fixture
def scene(app: Flask, tmp_path: Path) -> Scene:
    """Tenant A (client 企业A) and tenant B."""
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    return build(World(app))


def _context(app: Flask) -> ImportContext:
    found = site(app)
    return ImportContext(found.library, found.region_list, found.industry_list)


def _answer_cells(document: dict[str, Any], app: Flask) -> dict[str, str]:
    questionnaire = site(app).library.questionnaire(REF)
    cells: dict[str, str] = {}
    for column in answer_columns(questionnaire):
        if column.id.startswith("data:"):
            value = document.get("data", {}).get(column.part)
        elif column.part:
            value = document["answers"].get(column.item.id, {}).get(column.part)
        else:
            value = document["answers"].get(column.item.id)
        cells[column.id] = ",".join(value) if isinstance(value, list) else ("" if value is None else str(value))
    return cells


def _row(app: Flask, name: str, code: str, **changed: str) -> dict[str, str]:
    cells = {"name": name, "uscc": code, "region": "370102", "industry": "34", "employees": "120",
             "revenue_10k_cny": "8000", "contact_email": "boss@example.com", **_answer_cells(worked_example(), app)}
    cells.update(changed)
    return cells


def _csv(app: Flask, rows: list[dict[str, str]]) -> bytes:
    questionnaire = site(app).library.questionnaire(REF)
    out = io.StringIO()
    writer = csv.writer(out)
    ids = column_ids(questionnaire)
    writer.writerow(ids)
    for row in rows:
        writer.writerow([row.get(i, "") for i in ids])
    return out.getvalue().encode()


def _import(app: Flask, scene: Scene, content: bytes, mode: str = "invite", assessor: int | None = None,
            before_run: Callable[[int], None] | None = None) -> jobs.JobRecord:
    folder = Path(app.config["EVIDENCE_DIR"]).parent / "jobs"
    who = Principal(scene.a.staff_id, "provider_staff", scene.a.organisation_id)
    with site(app).sessions() as session:
        job_id = start_import(session, who, _context(app), folder, content, "f.csv", f"{REF}@"
                              f"{site(app).library.questionnaire(REF).version}", mode, assessor, NOW)
        session.commit()
    if before_run is not None:
        before_run(job_id)
    runner = jobs.Runner(site(app).sessions, lambda r, lang: None, folder, timedelta(hours=1),
                         lambda: datetime.now(UTC), _context(app))
    jobs.run(runner, job_id)
    with site(app).sessions() as session:
        job = jobs.own_job(session, who, job_id)
    assert job is not None
    return job


def _counts(app: Flask) -> tuple[int, int, int]:
    with site(app).sessions() as session:
        return (session.scalar(select(func.count()).select_from(ProviderClient)) or 0,
                session.scalar(select(func.count()).select_from(Assessment)) or 0,
                session.scalar(select(func.count()).select_from(BulkImportRow)) or 0)


def _summary(app: Flask, job: jobs.JobRecord) -> Any:
    assert job.status == "done", job.error
    folder = Path(app.config["EVIDENCE_DIR"]).parent / "jobs"
    return summary(folder / f"{job.result_key}.zip")


def test_each_row_is_checked_on_its_own_and_a_rejected_row_creates_nothing(app: Flask, scene: Scene) -> None:
    before = _counts(app)
    rows = [_row(app, "新企业甲", uscc("91370102MA3C00011")),
            _row(app, "", "91370102MA3C0001X", region="99", Q2="Z"),
            _row(app, "新企业乙", uscc("91370102MA3C00012"), employees="-3")]
    done = _summary(app, _import(app, scene, _csv(app, rows)))
    assert [(o.row, o.status) for o in done.outcomes] == [(2, "accepted"), (3, "rejected"), (4, "rejected")]
    columns = {p[0] for p in done.outcomes[1].problems}
    assert {"name", "uscc", "region", "Q2"} <= columns
    assert [p[0] for p in done.outcomes[2].problems] == ["employees"]
    assert done.outcomes[0].created == "invitation" and done.outcomes[0].link
    after = _counts(app)
    assert (after[0] - before[0], after[1] - before[1], after[2] - before[2]) == (1, 0, 1)


def test_the_same_file_imported_again_creates_nothing_twice(app: Flask, scene: Scene) -> None:
    content = _csv(app, [_row(app, "新企业甲", uscc("91370102MA3C00011")),
                         _row(app, "企业A", uscc("91370102MA3C00001"))])
    first = _summary(app, _import(app, scene, content))
    assert [o.created for o in first.outcomes] == ["invitation", "draft"]
    counts = _counts(app)
    again = _summary(app, _import(app, scene, content))
    assert [o.status for o in again.outcomes] == ["already", "already"]
    assert _counts(app) == counts


def test_an_onsite_row_becomes_a_submitted_result_with_the_assessor_named(app: Flask, scene: Scene) -> None:
    content = _csv(app, [_row(app, "企业A", uscc("91370102MA3C00001")),
                         _row(app, "新企业甲", uscc("91370102MA3C00011")),
                         _row(app, "企业A", uscc("91370102MA3C00001"), Q5="")])
    done = _summary(app, _import(app, scene, content, "onsite", scene.a.staff_id))
    assert [o.status for o in done.outcomes] == ["accepted", "rejected", "rejected"]
    assert done.outcomes[1].problems[0][0] == "uscc"  # not a client: it has not consented
    assert any(p[0] == "Q5" for p in done.outcomes[2].problems)  # an on-site result needs every answer
    with site(app).sessions() as session:
        result = session.get(Assessment, done.outcomes[0].assessment_id)
        assert result is not None and (result.status, result.mode) == ("submitted", "onsite")
    from assessment.db import providers
    with site(app).sessions() as session:
        conduct = providers.conduct(session, done.outcomes[0].assessment_id)
    assert conduct is not None and conduct.assessor_id == scene.a.staff_id and conduct.assessor_name == "评定人A"


def test_the_assessor_must_be_the_providers_own_staff(app: Flask, scene: Scene) -> None:
    with pytest.raises(RowRefused):
        _import(app, scene, _csv(app, [_row(app, "企业A", uscc("91370102MA3C00001"))]), "onsite", scene.b.staff_id)


def test_a_file_too_large_or_with_unknown_columns_or_too_many_rows_is_refused(app: Flask) -> None:
    questionnaire = site(app).library.questionnaire(REF)
    with pytest.raises(FileRefused, match="larger"):
        read_rows(b"x" * (5 * 1024 * 1024 + 1), "f.csv", questionnaire)
    with pytest.raises(FileRefused, match="unknown columns"):
        read_rows(b"name,uscc,evil\n", "f.csv", questionnaire)
    with pytest.raises(FileRefused, match="more than 1000"):
        read_rows(b"name,uscc\n" + b"a,b\n" * 1001, "f.csv", questionnaire)
    with pytest.raises(FileRefused, match="Excel"):
        read_rows(b"PK\x03\x04 broken", "f.xlsx", questionnaire)


def test_the_template_has_the_ids_then_chinese_headers_and_reads_back_with_no_rows(app: Flask) -> None:
    questionnaire = site(app).library.questionnaire(REF)
    content = template_csv(questionnaire, "zh")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0][:2] == ["name", "uscc"] and lines[1][:2] == ["企业名称", "统一社会信用代码"]
    assert read_rows(content, "t.csv", questionnaire) == []


def test_a_job_resumed_after_its_worker_died_creates_nothing_twice(app: Flask, scene: Scene) -> None:
    rows = [_row(app, "新企业甲", uscc("91370102MA3C00011")), _row(app, "新企业乙", uscc("91370102MA3C00012"))]
    before = _counts(app)
    library = site(app).library

    def first_worker_did_row_one_and_died(job_id: int) -> None:
        who = Principal(scene.a.staff_id, "provider_staff", scene.a.organisation_id)
        settings = Settings(library.questionnaire(REF), library.default_model(REF), "invite")
        with site(app).sessions() as session:
            one_row(session, who, settings, _context(app), Row(2, rows[0]), job_id, NOW)
            session.commit()

    done = _summary(app, _import(app, scene, _csv(app, rows), before_run=first_worker_did_row_one_and_died))
    assert [o.status for o in done.outcomes] == ["accepted", "accepted"]
    after = _counts(app)
    assert (after[0] - before[0], after[2] - before[2]) == (2, 2)


def test_an_invited_enterprise_that_accepts_gets_a_guided_draft_with_the_rows_answers(app: Flask, scene: Scene) -> None:
    from assessment.services import providers as tenancy
    world = World(app)
    done = _summary(app, _import(app, scene, _csv(app, [_row(app, "新企业甲", uscc("91370102MA3C00011")),
                                                        _row(app, "新企业乙", uscc("91370102MA3C00012"))])))
    owner = world.member("enterprise", "new-owner@example.com")
    matching = world.enterprise(owner, "新企业甲", "91370102MA3C00011")
    other = world.enterprise(owner, "别的企业", "91370102MA3C00013")
    with site(app).sessions() as session:
        tenancy.accept(session, done.outcomes[0].link, matching, owner)
        tenancy.accept(session, done.outcomes[1].link, other, owner)  # not the row's enterprise: no answers
        session.commit()
        drafts = session.scalars(select(Assessment).where(Assessment.enterprise_id.in_([matching, other]))).all()
    assert [(a.enterprise_id, a.mode, a.status) for a in drafts] == [(matching, "guided", "draft")]
    assert drafts[0].answers == done_answers(app)


def done_answers(app: Flask) -> dict[str, Any]:
    """The worked example's answers as a checked draft keeps them."""
    from assessment.domain.answers import answers_to_document, parse_answers
    questionnaire = site(app).library.questionnaire(REF)
    return answers_to_document(parse_answers(questionnaire, worked_example(), complete=False))["answers"]
