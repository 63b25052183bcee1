"""The job queue's storage: SQLite in the jobs folder by default, Redis when REDIS_URL is set, in memory and run at
once under TESTING (unless a test asks for a real queue); results kept ASSESSMENT_JOB_RESULT_HOURS (72 by default)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from huey import MemoryHuey, RedisHuey, SqliteHuey

from assessment.jobs.queue import job_settings, open_huey


def test_the_queue_is_sqlite_in_the_jobs_folder_unless_redis_is_configured(tmp_path: Path) -> None:
    embedded = open_huey({}, tmp_path / "jobs")
    assert isinstance(embedded, SqliteHuey) and (tmp_path / "jobs" / "queue.sqlite3").is_file()
    assert isinstance(open_huey({"REDIS_URL": "redis://127.0.0.1:1/0"}, tmp_path), RedisHuey)
    testing = open_huey({"TESTING": True}, tmp_path)
    assert isinstance(testing, MemoryHuey) and testing.immediate
    assert isinstance(open_huey({"TESTING": True, "JOBS_IMMEDIATE": False}, tmp_path / "jobs"), SqliteHuey)


def test_results_are_kept_72_hours_unless_configured_and_live_in_the_instance_folder(tmp_path: Path) -> None:
    folder, lifetime, stale = job_settings({}, str(tmp_path))
    assert (folder, lifetime, stale) == (tmp_path / "jobs", timedelta(hours=72), timedelta(seconds=60))
    folder, lifetime, _ = job_settings({"JOB_RESULT_HOURS": 2, "JOBS_DIR": str(tmp_path / "r")}, str(tmp_path))
    assert (folder, lifetime) == (tmp_path / "r", timedelta(hours=2))
