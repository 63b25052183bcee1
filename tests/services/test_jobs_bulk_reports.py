"""Bulk PDF reports as a background job: a provider queues its clients' submitted assessments only (bounded), the
worker renders each report once into one ZIP, resumes an abandoned job without rendering a report twice, stops
when cancelled, retries, fails with its reason, and removes results when their time is up; only the job's owner
sees, downloads, cancels or retries it. On SQLite and PostgreSQL."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from scene import Scene, build
from sqlalchemy import update
from world import World

from assessment.db.models import Job
from assessment.services import jobs
from assessment.services.authorization import Principal, Refused
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
    """Tenant A with two submitted assessments and an on-site draft, tenant B beside it."""
    return build(World(app))


class Renderer:
    """A stand-in for the PDF renderer that counts what it renders and can act on the side."""

    def __init__(self, side: Callable[[int], None] | None = None, broken: int | None = None) -> None:
        self.rendered: list[int] = []
        self.side = side
        self.broken = broken

    def __call__(self, record: AssessmentRecord, lang: str) -> bytes | None:
        self.rendered.append(record.id)
        if self.side is not None:
            self.side(record.id)
        return None if record.id == self.broken else f"%PDF-1.7 report {record.id} {lang}".encode()


def _staff(scene: Scene) -> Principal:
    return Principal(scene.a.staff_id, "provider_staff", scene.a.organisation_id)


def _runner(app: Flask, folder: Path, render: Renderer) -> jobs.Runner:
    return jobs.Runner(site(app).sessions, render, folder, timedelta(hours=72), lambda: datetime.now(UTC))


def _start(app: Flask, scene: Scene, ids: list[int]) -> int:
    with site(app).sessions() as session:
        job_id = jobs.start_bulk_reports(session, _staff(scene), ids, "zh", NOW)
        session.commit()
    return job_id


def _job(app: Flask, job_id: int) -> jobs.JobRecord:
    with site(app).sessions() as session:
        job = jobs.own_job(session, Principal(_owner_of(app, job_id)), job_id)
    assert job is not None
    return job


def _owner_of(app: Flask, job_id: int) -> int:
    with site(app).sessions() as session:
        row = session.get(Job, job_id)
        assert row is not None
        return row.owner_id


def _entries(folder: Path, job: jobs.JobRecord) -> list[str]:
    assert job.result_key is not None
    with zipfile.ZipFile(folder / f"{job.result_key}.zip") as archive:
        return archive.namelist()


def test_a_provider_queues_its_clients_submitted_assessments_only_and_at_most_500(app: Flask, scene: Scene) -> None:
    with site(app).sessions() as session:
        staff = _staff(scene)
        assert [r.assessment_id for r in jobs.submitted_of_clients(session, staff)] == [scene.earlier_id, scene.later_id]
        for ids, reason in (([], "none_chosen"), ([scene.onsite_id], "not_yours"), (list(range(1, 502)), "too_many")):
            with pytest.raises(jobs.JobRefused) as refused:
                jobs.start_bulk_reports(session, staff, ids, "zh", NOW)
            assert refused.value.reason == reason
        other = Principal(scene.b.staff_id, "provider_staff", scene.b.organisation_id)
        with pytest.raises(jobs.JobRefused):
            jobs.start_bulk_reports(session, other, [scene.earlier_id], "zh", NOW)
        with pytest.raises(Refused):
            jobs.start_bulk_reports(session, Principal(scene.a.owner_id, "enterprise"), [scene.earlier_id], "zh", NOW)
    job = _job(app, _start(app, scene, [scene.later_id, scene.earlier_id, scene.later_id]))
    assert (job.status, job.done, job.total, job.kind) == ("queued", 0, 2, jobs.BULK_REPORTS)
    assert job.parameters["assessment_ids"] == [scene.earlier_id, scene.later_id]


def test_the_worker_renders_each_report_once_into_one_zip(app: Flask, scene: Scene, tmp_path: Path) -> None:
    job_id = _start(app, scene, [scene.earlier_id, scene.later_id])
    render = Renderer()
    jobs.run(_runner(app, tmp_path, render), job_id)
    job = _job(app, job_id)
    assert (job.status, job.done, job.total, job.attempts) == ("done", 2, 2, 1)
    assert job.expires_at is not None and job.finished_at is not None
    assert render.rendered == [scene.earlier_id, scene.later_id]
    assert _entries(tmp_path, job) == [f"assessment-{scene.earlier_id}.pdf", f"assessment-{scene.later_id}.pdf"]
    jobs.run(_runner(app, tmp_path, render), job_id)  # the same id delivered twice renders nothing again
    assert render.rendered == [scene.earlier_id, scene.later_id]


def test_an_abandoned_job_is_queued_again_and_resumes_without_rendering_twice(app: Flask, scene: Scene,
                                                                              tmp_path: Path) -> None:
    job_id = _start(app, scene, [scene.earlier_id, scene.later_id])

    def worker_dies(assessment_id: int) -> None:
        if assessment_id == scene.later_id:
            raise SystemExit("killed")  # not an Exception: the job stays running, as with kill -9

    with pytest.raises(SystemExit):
        jobs.run(_runner(app, tmp_path, Renderer(worker_dies)), job_id)
    assert _job(app, job_id).status == "running"
    with site(app).sessions() as session:
        assert jobs.requeue_abandoned(session, datetime.now(UTC)) == []  # the heartbeat is fresh
        session.execute(update(Job).values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=5)))
        assert jobs.requeue_abandoned(session, datetime.now(UTC)) == [job_id]
        session.commit()
    again = Renderer()
    jobs.run(_runner(app, tmp_path, again), job_id)
    job = _job(app, job_id)
    assert (job.status, job.attempts) == ("done", 2)
    assert again.rendered == [scene.later_id]
    assert _entries(tmp_path, job) == [f"assessment-{scene.earlier_id}.pdf", f"assessment-{scene.later_id}.pdf"]


def test_a_cancelled_job_stops_before_the_next_report_and_a_retry_finishes_it(app: Flask, scene: Scene,
                                                                              tmp_path: Path) -> None:
    job_id = _start(app, scene, [scene.earlier_id, scene.later_id])

    def owner_cancels(_: int) -> None:
        with site(app).sessions() as session:
            assert jobs.cancel(session, _staff(scene), job_id, NOW)
            session.commit()

    first = Renderer(owner_cancels)
    jobs.run(_runner(app, tmp_path, first), job_id)
    assert first.rendered == [scene.earlier_id]
    assert _job(app, job_id).status == "cancelled"
    with site(app).sessions() as session:
        assert not jobs.cancel(session, _staff(scene), job_id, NOW)  # only queued or running jobs
        assert jobs.retry(session, _staff(scene), job_id)
        assert not jobs.retry(session, _staff(scene), job_id)  # queued already
        session.commit()
    second = Renderer()
    jobs.run(_runner(app, tmp_path, second), job_id)
    assert second.rendered == [scene.later_id]
    assert _job(app, job_id).status == "done"


def test_a_report_that_cannot_be_rendered_fails_the_job_with_its_reason(app: Flask, scene: Scene,
                                                                         tmp_path: Path) -> None:
    job_id = _start(app, scene, [scene.earlier_id, scene.later_id])
    jobs.run(_runner(app, tmp_path, Renderer(broken=scene.later_id)), job_id)
    job = _job(app, job_id)
    assert job.status == "failed" and job.error is not None and str(scene.later_id) in job.error
    with site(app).sessions() as session:
        assert jobs.result_file(session, _staff(scene), job_id, tmp_path) is None


def test_only_the_owner_sees_downloads_cancels_or_retries_a_job(app: Flask, scene: Scene, tmp_path: Path) -> None:
    job_id = _start(app, scene, [scene.earlier_id])
    jobs.run(_runner(app, tmp_path, Renderer()), job_id)
    colleague = Principal(scene.a.admin_id, "provider_admin", scene.a.organisation_id)
    others = (colleague, Principal(scene.b.staff_id, "provider_staff", scene.b.organisation_id),
              Principal(scene.a.owner_id, "enterprise"), Principal(scene.site_admin_id, "site_admin"), Principal())
    with site(app).sessions() as session:
        assert jobs.result_file(session, _staff(scene), job_id, tmp_path) is not None
        assert [job.id for job in jobs.own_jobs(session, _staff(scene))] == [job_id]
        for who in others:
            assert jobs.own_job(session, who, job_id) is None
            assert jobs.own_jobs(session, who) == []
            assert jobs.result_file(session, who, job_id, tmp_path) is None
            assert not jobs.cancel(session, who, job_id, NOW)
            assert not jobs.retry(session, who, job_id)


def test_a_result_is_removed_and_its_job_expired_when_its_time_is_up(app: Flask, scene: Scene, tmp_path: Path) -> None:
    job_id = _start(app, scene, [scene.earlier_id])
    jobs.run(_runner(app, tmp_path, Renderer()), job_id)
    job = _job(app, job_id)
    assert job.expires_at is not None
    with site(app).sessions() as session:
        assert jobs.expire_results(session, tmp_path, job.expires_at - timedelta(minutes=1)) == 0
        assert jobs.expire_results(session, tmp_path, job.expires_at) == 1
        session.commit()
        assert jobs.result_file(session, _staff(scene), job_id, tmp_path) is None
    assert _job(app, job_id).status == "expired"
    assert list(tmp_path.glob("*.zip")) == []
