"""A large export as a job gives the same file as the download (same function, same rows, byte for byte), keeps
suppressed cells suppressed, is started by officials only and is its owner's alone. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from authority import logged_in, make_account
from flask import Flask

from assessment.services import demo, export_jobs, jobs
from assessment.services.authorization import Principal, Refused
from assessment.web.official import export_file
from assessment.web.site import site

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
QUERY = [("by", "region,size,level"), ("zeros", "1")]


def _load(app: Flask) -> None:
    here = site(app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.regions, industries=here.industries, count=400,
                      seed=21, provinces=("32",), pool=200)


def _runner(app: Flask, folder: Path) -> jobs.Runner:
    return jobs.Runner(site(app).sessions, lambda record, lang: None, folder, timedelta(hours=72),
                       lambda: datetime.now(UTC), exporter=export_file(app))


def _start(app: Flask, who: Principal, kind: str = "csv") -> int:
    with site(app).sessions() as session:
        job_id = export_jobs.start_export(session, who, QUERY, kind, "en", NOW)
        session.commit()
    return job_id


def test_the_jobs_file_is_the_downloads_file_byte_for_byte_with_suppressed_cells_suppressed(
        app: Flask, tmp_path: Path) -> None:
    _load(app)
    owner = make_account(app, "large-export@example.gov.cn", "official", "320000")
    client = logged_in(app, owner)
    client.set_cookie("lang", "en")
    download = client.get("/official/export.csv?by=region,size,level&zeros=1")
    assert download.status_code == 200
    job_id = _start(app, Principal(owner, "official"))
    jobs.run(_runner(app, tmp_path), job_id)
    with site(app).sessions() as session:
        path = jobs.result_file(session, Principal(owner, "official"), job_id, tmp_path)
    assert path is not None
    with zipfile.ZipFile(path) as archive:
        [name] = archive.namelist()
        content = archive.read(name)
    assert f'filename="{name}"' in download.headers["Content-Disposition"]
    assert content == download.data
    cells = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    hidden = [c for c in cells if c["suppressed"] == "true"]
    assert hidden and all(c["count"] == "" and c["mean_score"] == "" for c in hidden)
    assert all(int(c["count"]) == 0 or int(c["count"]) >= 5 for c in cells if c["suppressed"] == "false")


def test_only_officials_start_an_export_job_and_only_its_owner_sees_or_downloads_it(app: Flask,
                                                                                   tmp_path: Path) -> None:
    _load(app)
    owner = make_account(app, "owner@example.gov.cn", "official", "320000")
    colleague = make_account(app, "colleague@example.gov.cn", "official", "320000")
    job_id = _start(app, Principal(owner, "official"), "json")
    jobs.run(_runner(app, tmp_path), job_id)
    with site(app).sessions() as session:
        with pytest.raises(Refused):
            export_jobs.start_export(session, Principal(owner, "enterprise"), QUERY, "csv", "zh", NOW)
        assert jobs.result_file(session, Principal(owner, "official"), job_id, tmp_path) is not None
        for who in (Principal(colleague, "official"), Principal()):
            assert jobs.own_job(session, who, job_id) is None
            assert jobs.result_file(session, who, job_id, tmp_path) is None
