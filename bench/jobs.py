"""Bulk PDF reports through the job queue with worker processes, beside the same job run in one process.

The bench makes a throw-away instance folder (removed at the end) with a SQLite database, generates --reports
submitted demo assessments (labelled demo, services/demo.py) of demo enterprises, and a demo provider whose active
clients they all are. Then, in the same run:
  1. sequential: one bulk report job of all of them run in this process (`services.jobs.run`, no second worker),
     after one untimed report (WeasyPrint's start-up);
  2. queue: `python -m assessment.jobs --workers N --worker-type process` is started (the printed command), a
     warm-up job of a few reports is run through it (each worker process pays its start-up there; printed), then
     one bulk report job of all of them is queued as the provider's page queues it, and the bench waits until it is
     done. The job's worker calls for help (its id queued again) and a second worker renders from the end.
Both ZIPs are checked to hold every report once. Prints reports per second for each and their ratio (goal ≥ 1.7
with two workers on two cores), and the CPU load average before and after, as other work on the machine slows both.
The queue is a SQLite file in the instance folder, or Redis with --redis URL (a Redis the bench may write to; its
queue is flushed before and after).

Run: .venv/bin/python bench/jobs.py [--reports 200] [--workers 2] [--redis redis://localhost:6379/0]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.security import generate_password_hash

from assessment.db.migrate import upgrade
from assessment.db.models import Enterprise
from assessment.db.models.providers import ProviderClient
from assessment.db.providers import add_member, add_organisation
from assessment.jobs.queue import JobQueue, job_settings
from assessment.services import demo, jobs
from assessment.services.authorization import Principal
from assessment.web.app import create_app
from assessment.web.site import site

ROOT = Path(__file__).resolve().parents[1]
WARM_UP = 4


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=200, help="reports in the bulk job (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--redis", metavar="URL", help="Redis for the queue (default: SQLite in the instance folder)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    return parser.parse_args()


def seed(app: Flask, reports: int) -> tuple[Principal, list[int]]:
    """Demo assessments, a demo provider whose clients their enterprises are, and its staff member."""
    here = site(app)
    upgrade(here.engine)
    began = time.perf_counter()
    with here.sessions() as session:
        summary = demo.generate(session, library=here.library, regions=here.regions, industries=here.industries,
                                count=reports, seed=16)
        organisation = add_organisation(session, "示例服务商（演示数据）")
        staff = add_member(session, "bench-jobs@example.com", generate_password_hash("bench", "pbkdf2:sha256:1000"),
                           role="provider_staff", organisation_id=organisation.id, verified_at=datetime.now(UTC))
        now = datetime.now(UTC)
        for enterprise_id in session.query(Enterprise.id).filter(Enterprise.demo.is_(True)).all():
            session.add(ProviderClient(organisation_id=organisation.id, enterprise_id=enterprise_id[0], note="demo",
                                       created_at=now, expires_at=now + timedelta(days=30), accepted_at=now))
        session.commit()
        who = Principal(staff.id, "provider_staff", organisation.id)
        ids = [r.assessment_id for r in jobs.submitted_of_clients(session, who)]
    print(f"demo data (labelled demo): {len(ids)} submitted assessments of {summary.enterprises} enterprises in "
          f"{time.perf_counter() - began:.1f} s")
    return who, ids


def start(app: Flask, who: Principal, ids: list[int], lang: str) -> int:
    """A bulk report job as the provider's page starts it; its id."""
    with site(app).sessions() as session:
        job_id = jobs.start_bulk_reports(session, who, ids, lang, datetime.now(UTC))
        session.commit()
    return job_id


def wait(app: Flask, who: Principal, job_id: int, worker: subprocess.Popen[bytes]) -> jobs.JobRecord:
    """The job once it is no longer queued or running (polled every 0.2 s)."""
    while True:
        with site(app).sessions() as session:
            job = jobs.own_job(session, who, job_id)
        assert job is not None
        if job.status not in jobs.ACTIVE:
            return job
        if worker.poll() is not None:
            raise SystemExit(f"the worker ended with {worker.returncode} (its log: worker.log)")
        time.sleep(0.2)


def checked(app: Flask, job: jobs.JobRecord, count: int) -> None:
    """The job is done and its ZIP holds each report once."""
    if job.status != "done" or job.result_key is None:
        raise SystemExit(f"job {job.id} ended {job.status}: {job.error}")
    folder = job_settings(app.config, app.instance_path)[0]
    with zipfile.ZipFile(folder / f"{job.result_key}.zip") as archive:
        names = archive.namelist()
    if len(names) != count or len(set(names)) != count:
        raise SystemExit(f"job {job.id}: {len(names)} entries ({len(set(names))} distinct), {count} expected")


def sequential(app: Flask, who: Principal, ids: list[int], lang: str) -> float:
    """Seconds for the bulk job run in this one process (after one untimed report)."""
    queue: JobQueue = app.extensions["assessment.jobs"]
    one = queue.runner
    runner = jobs.Runner(one.sessions, one.render, one.folder, one.result_lifetime, one.clock)  # no second worker
    jobs.run(runner, start(app, who, ids[:1], lang))
    job_id = start(app, who, ids, lang)
    began = time.perf_counter()
    jobs.run(runner, job_id)
    seconds = time.perf_counter() - began
    with site(app).sessions() as session:
        job = jobs.own_job(session, who, job_id)
    assert job is not None
    checked(app, job, len(ids))
    return seconds


def through_queue(app: Flask, who: Principal, ids: list[int], args: argparse.Namespace, env: dict[str, str]) -> float:
    """Seconds from queueing the bulk job to its end with the worker processes (after a warm-up job)."""
    command = [sys.executable, "-m", "assessment.jobs", "--workers", str(args.workers), "--worker-type", "process"]
    print("worker: " + " ".join(command))
    queue: JobQueue = app.extensions["assessment.jobs"]
    began = time.perf_counter()
    log = open(Path(env["ASSESSMENT_JOBS_DIR"]).parent / "worker.log", "wb")  # noqa: SIM115 (closed with the folder)
    worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        warm = start(app, who, ids[:WARM_UP], args.lang)
        queue.enqueue(warm)
        checked(app, wait(app, who, warm, worker), WARM_UP)
        print(f"worker start-up and a warm-up job of {WARM_UP} reports: {time.perf_counter() - began:.1f} s")
        job_id = start(app, who, ids, args.lang)
        began = time.perf_counter()
        queue.enqueue(job_id)
        job = wait(app, who, job_id, worker)
        seconds = time.perf_counter() - began
        checked(app, job, len(ids))
        return seconds
    finally:
        os.killpg(worker.pid, signal.SIGINT)  # the worker's own process group: the consumer and its processes
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def flush(queue: Any) -> None:
    """Empty the Redis queue (a bench run leaves nothing behind)."""
    queue.huey.flush()


def main() -> None:
    """Run the bench and print the figures."""
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as scratch:
        env = {**os.environ, "ASSESSMENT_DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3",
               "ASSESSMENT_JOBS_DIR": f"{scratch}/jobs", "ASSESSMENT_SECRET_KEY": "bench-" + os.urandom(8).hex()}
        if args.redis:
            env["ASSESSMENT_REDIS_URL"] = args.redis
        os.environ.update(env)
        app = create_app({"JOBS_IMMEDIATE": False})
        print(f"instance folder (removed at the end): {scratch}; queue: {'Redis ' + args.redis if args.redis else 'SQLite'}")
        who, ids = seed(app, args.reports)
        if args.redis:
            flush(app.extensions["assessment.jobs"])
        print("load average (1, 5, 15 min): " + ", ".join(f"{n:.2f}" for n in os.getloadavg()))
        alone = sequential(app, who, ids, args.lang)
        print(f"sequential, one process:     {len(ids)} reports in {alone:6.1f} s   {len(ids) / alone:5.2f} reports/s")
        queued = through_queue(app, who, ids, args, env)
        print(f"queue, {args.workers} worker processes: {len(ids)} reports in {queued:6.1f} s   "
              f"{len(ids) / queued:5.2f} reports/s")
        print("load average (1, 5, 15 min): " + ", ".join(f"{n:.2f}" for n in os.getloadavg()))
        if args.redis:
            flush(app.extensions["assessment.jobs"])
        site(app).engine.dispose()
        ratio = alone / queued
        print(f"queue/sequential ratio: {ratio:.2f}   goal ≥ 1.7: {'met' if ratio >= 1.7 else 'NOT met'}")


if __name__ == "__main__":
    main()
