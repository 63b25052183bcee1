"""Background jobs: start, see, cancel and retry one's own jobs; a worker runs them, resumes them and expires results.

The state lives in the database (`jobs` table); the queue carries only the job id. A job moves
queued → running → done | failed | cancelled, and done → expired once its result is removed. Retry puts a failed or
cancelled job back to queued; a running job whose worker died (no heartbeat for `STALE_AFTER`) is queued again when
a worker starts. The first kind is the provider's bulk PDF reports as one ZIP: each report is written as its own
piece before it counts as done, so a resumed job skips what is done and the ZIP holds every report once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from assessment.db import jobs as stored
from assessment.db import providers, queries
from assessment.db.jobs import JobRecord as JobRecord  # re-exported: the web layer imports no db module
from assessment.db.jobs import SubmittedReport as SubmittedReport
from assessment.services import job_files
from assessment.services.authorization import Principal, Refused, may_bulk_report, owns_job, principal_of
from assessment.services.bulk_import.carrying import ImportContext as ImportContext
from assessment.services.bulk_import.importing import BULK_IMPORT as BULK_IMPORT
from assessment.services.bulk_import.importing import run_import
from assessment.services.export_jobs import LARGE_EXPORT as LARGE_EXPORT
from assessment.services.export_jobs import Export, run_export
from assessment.services.records import AssessmentRecord

BULK_REPORTS = "bulk_reports"
MAX_REPORTS = 500
"""The most reports one bulk job renders (a city's pilot is a few hundred enterprises)."""
STALE_AFTER = timedelta(seconds=60)
"""A running job whose worker has been silent this long is taken as abandoned."""
LIST_LIMIT = 50
ACTIVE = ("queued", "running")

Render = Callable[[AssessmentRecord, str], bytes | None]
"""Renders one submitted assessment's PDF report in a language (None if it cannot be rendered)."""


class JobRefused(ValueError):
    """The job cannot be started as asked; `reason` names the form's message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Runner:
    """What a worker needs to run jobs: sessions, the report renderer, the result folder and its lifetime."""

    sessions: sessionmaker[Session]
    render: Render
    folder: Path
    result_lifetime: timedelta
    clock: Callable[[], datetime]
    imports: ImportContext | None = None
    """The content and code lists a bulk import checks rows with (None where imports are not run)."""
    helper: Callable[[int], None] | None = None
    """Puts the job's id on the queue again so that a second worker helps with a bulk job (None: no help)."""
    exporter: Export | None = None
    """Makes an official's large export as the download does (None where exports are not run)."""


def submitted_of_clients(session: Session, who: Principal) -> list[SubmittedReport]:
    """The submitted assessments of the provider's active clients (what a bulk report job may include)."""
    if not who.provider or who.organisation_id is None:
        raise Refused("only a provider's staff start bulk reports")
    return stored.submitted_of_enterprises(session, providers.client_ids(session, who.organisation_id))


def start_bulk_reports(session: Session, who: Principal, assessment_ids: Sequence[int], lang: str,
                       now: datetime) -> int:
    """Queue a bulk PDF report job over the chosen assessments of the provider's clients; the job's id."""
    if not who.provider or who.user_id is None:
        raise Refused("only a provider's staff start bulk reports")
    chosen = sorted(set(assessment_ids))
    if not chosen:
        raise JobRefused("none_chosen")
    if len(chosen) > MAX_REPORTS:
        raise JobRefused("too_many")
    for assessment_id in chosen:
        record = queries.get_assessment(session, assessment_id)
        if record is None or not may_bulk_report(session, who, record):
            raise JobRefused("not_yours")
    parameters = {"assessment_ids": chosen, "lang": lang}
    job_id = stored.add(session, who.user_id, BULK_REPORTS, parameters, len(chosen), now)
    stored.move(session, job_id, ("queued",), result_key=f"{job_id}-{secrets.token_hex(12)}")
    return job_id


def own_jobs(session: Session, who: Principal) -> list[JobRecord]:
    """The principal's jobs, newest first."""
    return [] if who.user_id is None else stored.of_owner(session, who.user_id, LIST_LIMIT)


def own_job(session: Session, who: Principal, job_id: int) -> JobRecord | None:
    """The job if it is the principal's own (None otherwise: its existence is not revealed)."""
    job = stored.get(session, job_id)
    return job if job is not None and owns_job(who, job.owner_id) else None


def result_file(session: Session, who: Principal, job_id: int, folder: Path) -> Path | None:
    """The finished, unexpired result of one's own job, if there is one."""
    job = own_job(session, who, job_id)
    if job is None or job.status != "done" or job.result_key is None:
        return None
    path = job_files.result_path(folder, job.result_key)
    return path if path.is_file() else None


def cancel(session: Session, who: Principal, job_id: int, now: datetime) -> bool:
    """Cancel one's own queued or running job (the worker stops before the next report); whether it was."""
    if own_job(session, who, job_id) is None:
        return False
    return stored.move(session, job_id, ACTIVE, status="cancelled", finished_at=now, heartbeat_at=None)


def retry(session: Session, who: Principal, job_id: int) -> bool:
    """Queue one's own failed or cancelled job again (it resumes from the reports done); whether it was."""
    if own_job(session, who, job_id) is None:
        return False
    return stored.move(session, job_id, ("failed", "cancelled"), status="queued", error=None, finished_at=None)


def requeue_abandoned(session: Session, now: datetime, stale_after: timedelta = STALE_AFTER) -> list[int]:
    """Queue again the running jobs whose worker died (heartbeat older than stale_after); their ids."""
    found = stored.stale_running(session, now - stale_after)
    return [job_id for job_id in found if stored.move(session, job_id, ("running",), status="queued",
                                                        heartbeat_at=None)]


def expire_results(session: Session, folder: Path, now: datetime) -> int:
    """Remove the results whose time is up and mark their jobs expired; how many."""
    count = 0
    for job in stored.expiring(session, now):
        if job.result_key is not None:
            job_files.remove(folder, job.result_key)
        count += stored.move(session, job.id, ("done",), status="expired")
    return count


def _claim(runner: Runner, job_id: int) -> JobRecord | None:
    """Move the queued job to running (one worker wins); the job as claimed."""
    with runner.sessions() as session:
        job = stored.get(session, job_id)
        if job is None or not stored.move(session, job_id, ("queued",), status="running", attempts=job.attempts + 1,
                                          heartbeat_at=runner.clock()):
            return None
        session.commit()
        return stored.get(session, job_id)


def _report_name(assessment_id: int) -> str:
    return f"assessment-{assessment_id}.pdf"


def _one_report(runner: Runner, session: Session, job: JobRecord, owner: Principal, assessment_id: int) -> None:
    """Write one report's piece unless it is done; an assessment no longer the provider's is left out."""
    assert job.result_key is not None
    name = _report_name(assessment_id)
    if job_files.has_part(runner.folder, job.result_key, name):
        return
    record = queries.get_assessment(session, assessment_id)
    if record is None or not may_bulk_report(session, owner, record):
        return
    content = runner.render(record, str(job.parameters.get("lang", "zh")))
    if content is None:
        raise RuntimeError(f"report {assessment_id} could not be rendered")
    job_files.write_part(runner.folder, job.result_key, name, content)


def _bulk_reports(runner: Runner, job: JobRecord) -> None:
    """Render each chosen report once, counting progress; stop when the job is cancelled; seal the ZIP."""
    assert job.result_key is not None
    ids = [int(i) for i in job.parameters.get("assessment_ids", [])]
    if runner.helper is not None and len(ids) > 1:
        runner.helper(job.id)  # a second worker renders from the end while this one renders from the start
    for position, assessment_id in enumerate(ids, start=1):
        with runner.sessions() as session:
            current = stored.get(session, job.id)
            if current is None or current.status != "running":
                return  # cancelled (or taken over): stop before the next report
            _one_report(runner, session, job, principal_of(session, job.owner_id), assessment_id)
            done = max(position, job_files.part_count(runner.folder, job.result_key))
            stored.move(session, job.id, ("running",), done=min(done, len(ids)), heartbeat_at=runner.clock())
            session.commit()
    job_files.seal(runner.folder, job.result_key, [_report_name(i) for i in ids])
    now = runner.clock()
    with runner.sessions() as session:
        stored.move(session, job.id, ("running",), status="done", done=len(ids), finished_at=now, heartbeat_at=None,
                    expires_at=now + runner.result_lifetime)
        session.commit()


def _help_bulk_reports(runner: Runner, job_id: int) -> None:
    """Render a running bulk job's reports from the end until meeting one already written (its worker renders from
    the start and writes what is missing itself, so a helper that dies or fails costs nothing but time)."""
    with runner.sessions() as session:
        job = stored.get(session, job_id)
    if job is None or job.kind != BULK_REPORTS or job.status != "running" or job.result_key is None:
        return
    for assessment_id in reversed([int(i) for i in job.parameters.get("assessment_ids", [])]):
        if job_files.has_part(runner.folder, job.result_key, _report_name(assessment_id)) or \
                job_files.result_path(runner.folder, job.result_key).is_file():
            return  # met the worker's own work: the rest is done or being done
        with runner.sessions() as session:
            current = stored.get(session, job_id)
            if current is None or current.status != "running":
                return
            try:
                _one_report(runner, session, job, principal_of(session, job.owner_id), assessment_id)
            except Exception:  # the job's worker meets the same report and fails the job with its reason
                return


def run(runner: Runner, job_id: int) -> None:
    """Run a queued job to its end (what the worker does with a job id from the queue); the id of a bulk job
    already running is a call for help."""
    job = _claim(runner, job_id)
    if job is None:
        _help_bulk_reports(runner, job_id)
        return  # cancelled, finished or run by another worker
    try:
        if job.kind == BULK_REPORTS:
            _bulk_reports(runner, job)
        elif job.kind == LARGE_EXPORT and runner.exporter is not None:
            run_export(runner.sessions, runner.folder, runner.exporter, job, runner.clock, runner.result_lifetime)
        elif job.kind == BULK_IMPORT and runner.imports is not None:
            run_import(runner.sessions, runner.folder, runner.imports, job, runner.clock, runner.result_lifetime)
        else:
            raise RuntimeError(f"unknown job kind {job.kind}")
    except Exception as error:  # any failure is the job's, shown on its page, never the worker's end
        with runner.sessions() as session:
            stored.move(session, job_id, ("running",), status="failed", error=str(error)[:500],
                        finished_at=runner.clock(), heartbeat_at=None)
            session.commit()
