"""A worker killed with SIGKILL in the middle of a bulk report job leaves the job to the next worker, which queues it
again on start (its heartbeat is old) and finishes it once: every report once in the ZIP, the job not left running.
Real worker processes (`python -m assessment.jobs`, huey with SQLite storage) on the test's database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from scene import build
from world import World

from assessment.services import jobs
from assessment.services.authorization import Principal
from assessment.web.jobs import queue
from assessment.web.site import site

REPORTS = 6
WAIT = 180.0


@pytest.fixture
def app(app: Flask, tmp_path: Path) -> Flask:
    """The app with a real job queue (SQLite in the test's folder) that only worker processes read."""
    app.config.update(EVIDENCE_DIR=str(tmp_path / "evidence"), JOBS_DIR=str(tmp_path / "jobs"), JOBS_IMMEDIATE=False)
    return app


@pytest.fixture
def workers(app: Flask, tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Starts worker processes on the test's database and queue; any left running are killed at the end."""
    started: list[subprocess.Popen[bytes]] = []
    env = {**os.environ, "ASSESSMENT_DATABASE_URL": str(app.config["DATABASE_URL"]),
           "ASSESSMENT_JOBS_DIR": str(tmp_path / "jobs"), "ASSESSMENT_JOB_STALE_SECONDS": "1",
           "ASSESSMENT_JOBS_IMMEDIATE": "false", "ASSESSMENT_SECRET_KEY": "test secret"}

    def start() -> subprocess.Popen[bytes]:
        with (tmp_path / f"worker-{len(started)}.log").open("wb") as log:  # the process keeps its own copy
            process = subprocess.Popen([sys.executable, "-m", "assessment.jobs"], env=env, stdout=log,
                                       stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def _job(app: Flask, owner: int, job_id: int) -> jobs.JobRecord:
    with site(app).sessions() as session:
        job = jobs.own_job(session, Principal(owner), job_id)
    assert job is not None
    return job


def _until(app: Flask, owner: int, job_id: int, ready: Callable[[jobs.JobRecord], bool]) -> jobs.JobRecord:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        job = _job(app, owner, job_id)
        if ready(job):
            return job
        time.sleep(0.05)
    pytest.fail(f"job {job_id} did not get there in {WAIT} s: {_job(app, owner, job_id)}")


def test_a_job_of_a_killed_worker_is_finished_once_by_the_next_worker(
        app: Flask, workers: Callable[[], subprocess.Popen[bytes]], tmp_path: Path) -> None:
    world = World(app)
    scene = build(world)
    chosen = [scene.earlier_id, scene.later_id, *(world.assessment(scene.a, "guided", submit=True)
                                                  for _ in range(REPORTS - 2))]
    staff = Principal(scene.a.staff_id, "provider_staff", scene.a.organisation_id)
    with site(app).sessions() as session:
        job_id = jobs.start_bulk_reports(session, staff, chosen, "zh", datetime.now(UTC))
        session.commit()
    with app.app_context():
        queue().enqueue(job_id)
    first = workers()
    _until(app, staff.user_id or 0, job_id, lambda j: j.done >= 1)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed = _job(app, staff.user_id or 0, job_id)
    assert killed.status == "running" and killed.done < REPORTS  # the worker died mid-job
    second = workers()
    done = _until(app, staff.user_id or 0, job_id, lambda j: j.status not in jobs.ACTIVE)
    second.send_signal(signal.SIGINT)
    second.wait(timeout=30)
    assert (done.status, done.done, done.total) == ("done", REPORTS, REPORTS)
    assert done.attempts >= 2 and done.error is None
    assert done.result_key is not None
    with zipfile.ZipFile(tmp_path / "jobs" / f"{done.result_key}.zip") as archive:
        names = archive.namelist()
        assert names == [f"assessment-{i}.pdf" for i in sorted(chosen)]
        assert all(archive.read(name).startswith(b"%PDF") for name in names)
    assert not list((tmp_path / "jobs").glob("*.parts"))
