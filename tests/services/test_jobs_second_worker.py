"""A bulk report job uses a second worker: the job's id queued again while it runs calls a helper that renders from
the end while the job's worker renders from the start; each report is in the ZIP once, a helper whose report fails
leaves the failure to the job's worker, and an id of a finished job helps with nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from scene import Scene, build
from world import World

from assessment.services import jobs
from assessment.services.authorization import Principal
from assessment.services.records import AssessmentRecord
from assessment.web.site import site

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def app(app: Flask, tmp_path: Path) -> Flask:
    """The app with evidence files kept in the test's own folder."""
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    return app


@pytest.fixture
def scene(app: Flask) -> Scene:
    """Tenant A with two submitted assessments, tenant B beside it."""
    return build(World(app))


class Renderer:
    """A stand-in for the PDF renderer that counts what it renders (and can fail one report)."""

    def __init__(self, broken: int | None = None) -> None:
        self.rendered: list[int] = []
        self.broken = broken

    def __call__(self, record: AssessmentRecord, lang: str) -> bytes | None:
        self.rendered.append(record.id)
        return None if record.id == self.broken else f"%PDF-1.7 report {record.id} {lang}".encode()


def _start(app: Flask, scene: Scene) -> int:
    with site(app).sessions() as session:
        job_id = jobs.start_bulk_reports(session, Principal(scene.a.staff_id, "provider_staff",
                                                            scene.a.organisation_id),
                                         [scene.earlier_id, scene.later_id], "zh", NOW)
        session.commit()
    return job_id


def _runner(app: Flask, folder: Path, render: Renderer, helper: Callable[[int], None] | None = None) -> jobs.Runner:
    return jobs.Runner(site(app).sessions, render, folder, timedelta(hours=72), lambda: datetime.now(UTC), helper=helper)


def _status(app: Flask, scene: Scene, job_id: int) -> tuple[str, int, str | None, str | None]:
    with site(app).sessions() as session:
        job = jobs.own_job(session, Principal(scene.a.staff_id, "provider_staff", scene.a.organisation_id), job_id)
    assert job is not None
    return job.status, job.done, job.result_key, job.error


def test_a_second_worker_renders_from_the_end_and_each_report_is_in_the_zip_once(app: Flask, scene: Scene,
                                                                                  tmp_path: Path) -> None:
    job_id = _start(app, scene)
    helping = Renderer()
    called: list[int] = []

    def second_worker(asked: int) -> None:  # as if a second worker took the id at once and ran to its end
        called.append(asked)
        jobs.run(_runner(app, tmp_path, helping), asked)

    own = Renderer()
    jobs.run(_runner(app, tmp_path, own, second_worker), job_id)
    status, done, key, _ = _status(app, scene, job_id)
    assert called == [job_id] and (status, done) == ("done", 2)
    assert sorted(helping.rendered + own.rendered) == [scene.earlier_id, scene.later_id]
    assert helping.rendered[0] == scene.later_id
    with zipfile.ZipFile(tmp_path / f"{key}.zip") as archive:
        assert archive.namelist() == [f"assessment-{scene.earlier_id}.pdf", f"assessment-{scene.later_id}.pdf"]
    late = Renderer()
    jobs.run(_runner(app, tmp_path, late), job_id)  # the id of a finished job: nothing to help with
    assert late.rendered == []


def test_a_helper_whose_report_fails_leaves_the_failure_to_the_jobs_own_worker(app: Flask, scene: Scene,
                                                                              tmp_path: Path) -> None:
    job_id = _start(app, scene)

    def second_worker(asked: int) -> None:
        jobs.run(_runner(app, tmp_path, Renderer(broken=scene.later_id)), asked)

    jobs.run(_runner(app, tmp_path, Renderer(broken=scene.later_id), second_worker), job_id)
    status, _, _, error = _status(app, scene, job_id)
    assert status == "failed" and error is not None and str(scene.later_id) in error
