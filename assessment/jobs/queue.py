"""The job queue: huey with SQLite storage in the instance folder, or Redis when REDIS_URL is set; it carries job ids.

`create_app` builds one `JobQueue` per app; the web enqueues through it, the worker (`python -m assessment.jobs`)
consumes from it. huey is opened on first use, so building the app touches no file and no network.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy.orm import Session, sessionmaker

from assessment.services import jobs
from assessment.services.export_jobs import Export

QUEUE_NAME = "assessment-jobs"
TASK_NAME = "run_job"


def job_settings(config: Mapping[str, Any], instance_path: str) -> tuple[Path, timedelta, timedelta]:
    """The result folder, how long results are kept and how long a silent running job counts as alive."""
    folder = Path(config.get("JOBS_DIR") or Path(instance_path) / "jobs")
    return (folder, timedelta(hours=float(config.get("JOB_RESULT_HOURS", 72))),
            timedelta(seconds=float(config.get("JOB_STALE_SECONDS", jobs.STALE_AFTER.total_seconds()))))


def open_huey(config: Mapping[str, Any], folder: Path) -> Huey:
    """Redis when REDIS_URL is set, else SQLite in the jobs folder; in memory, run at once, when JOBS_IMMEDIATE
    (by default under TESTING)."""
    if config.get("JOBS_IMMEDIATE", config.get("TESTING", False)):  # tests run jobs at once unless they say not
        return MemoryHuey(QUEUE_NAME, immediate=True)
    url = config.get("REDIS_URL")
    if url:
        return RedisHuey(QUEUE_NAME, url=str(url))
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(folder / "queue.sqlite3"))


class JobQueue:
    """The app's queue: enqueue a job id; the worker's task runs it and a periodic task tidies up.

    It reads the app's configuration when first used (a test may change it after create_app).
    """

    def __init__(self, config: Mapping[str, Any], instance_path: str, sessions: sessionmaker[Session],
                 render: jobs.Render, imports: jobs.ImportContext | None = None,
                 exporter: Export | None = None) -> None:
        self.config = config
        self.instance_path = instance_path
        self.sessions = sessions
        self.render = render
        self.imports = imports
        self.exporter = exporter
        self._huey: Huey | None = None
        self._task: Callable[[int], Any] | None = None

    @property
    def runner(self) -> jobs.Runner:
        """What the worker runs jobs with, from the configuration as it is now."""
        folder, lifetime, _ = job_settings(self.config, self.instance_path)
        immediate = self.config.get("JOBS_IMMEDIATE", self.config.get("TESTING", False))
        return jobs.Runner(self.sessions, self.render, folder, lifetime, lambda: datetime.now(UTC),
                           imports=self.imports,
                           helper=None if immediate else self.enqueue,  # run at once, help would come too early
                           exporter=self.exporter)

    @property
    def stale_after(self) -> timedelta:
        """How long a running job's worker may be silent before the job is queued again."""
        return job_settings(self.config, self.instance_path)[2]

    @property
    def huey(self) -> Huey:
        """The huey instance with the tasks registered (opened on first use)."""
        if self._huey is None:
            huey = open_huey(self.config, self.runner.folder)
            self._task = huey.task(name=TASK_NAME)(self.run)
            huey.periodic_task(crontab(minute="*/5"), name="tidy_jobs")(self.tidy)
            self._huey = huey
        return self._huey

    def enqueue(self, job_id: int) -> None:
        """Put the job's id on the queue (a worker runs it)."""
        _ = self.huey
        assert self._task is not None
        self._task(job_id)

    def run(self, job_id: int) -> None:
        """Run one job (the worker's task)."""
        jobs.run(self.runner, job_id)

    def tidy(self) -> None:
        """Queue again the jobs of dead workers and remove expired results."""
        now = datetime.now(UTC)
        with self.runner.sessions() as session:
            again = jobs.requeue_abandoned(session, now, self.stale_after)
            jobs.expire_results(session, self.runner.folder, now)
            session.commit()
        for job_id in again:
            self.enqueue(job_id)
