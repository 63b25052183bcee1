"""Queries for background jobs (the jobs table): add, read, move between states, find stale and expired ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.db.changes import rows_changed
from assessment.db.models import Assessment, Enterprise, Job


@dataclass(frozen=True)
class JobRecord:
    """A job as stored now."""

    id: int
    owner_id: int
    kind: str
    parameters: dict[str, Any]
    status: str
    done: int
    total: int
    result_key: str | None
    error: str | None
    attempts: int
    heartbeat_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None


def _record(row: Job) -> JobRecord:
    return JobRecord(row.id, row.owner_id, row.kind, dict(row.parameters), row.status, row.done, row.total,
                     row.result_key, row.error, row.attempts, row.heartbeat_at, row.created_at, row.finished_at,
                     row.expires_at)


def add(session: Session, owner_id: int, kind: str, parameters: dict[str, Any], total: int, now: datetime) -> int:
    """A new queued job; its id."""
    row = Job(owner_id=owner_id, kind=kind, parameters=parameters, status="queued", done=0, total=total,
              attempts=0, created_at=now)
    session.add(row)
    session.flush()
    return row.id


def get(session: Session, job_id: int) -> JobRecord | None:
    """The job as the database holds it now, or None."""
    row = session.execute(select(Job).where(Job.id == job_id).execution_options(populate_existing=True)).scalar()
    return None if row is None else _record(row)


def of_owner(session: Session, owner_id: int, limit: int) -> list[JobRecord]:
    """The owner's jobs, newest first."""
    rows = session.scalars(select(Job).where(Job.owner_id == owner_id).order_by(Job.id.desc()).limit(limit))
    return [_record(row) for row in rows]


def move(session: Session, job_id: int, from_statuses: tuple[str, ...], **values: Any) -> bool:
    """Set the values if the job is in one of the statuses now (compare-and-set); whether it was."""
    return rows_changed(session.execute(update(Job).where(Job.id == job_id, Job.status.in_(from_statuses))
                                        .values(**values))) == 1


def stale_running(session: Session, heartbeat_before: datetime) -> list[int]:
    """Running jobs whose worker has not said it is alive since the moment (it died)."""
    return list(session.scalars(select(Job.id).where(Job.status == "running", Job.heartbeat_at < heartbeat_before)))


def expiring(session: Session, now: datetime) -> list[JobRecord]:
    """Finished jobs whose result has expired by now."""
    rows = session.scalars(select(Job).where(Job.status == "done", Job.expires_at <= now))
    return [_record(row) for row in rows]



@dataclass(frozen=True)
class SubmittedReport:
    """A submitted assessment a bulk report job may include: its enterprise, when it was submitted, its level."""

    assessment_id: int
    enterprise_name: str
    submitted_at: datetime | None
    level: int | None


def submitted_of_enterprises(session: Session, enterprise_ids: set[int]) -> list[SubmittedReport]:
    """The submitted assessments of these enterprises, by enterprise name, then oldest first."""
    if not enterprise_ids:
        return []
    rows = session.execute(select(Assessment.id, Enterprise.name, Assessment.submitted_at, Assessment.level)
                           .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
                           .where(Assessment.enterprise_id.in_(enterprise_ids), Assessment.status == "submitted")
                           .order_by(Enterprise.name, Assessment.id))
    return [SubmittedReport(int(r.id), str(r.name), r.submitted_at, r.level) for r in rows]
