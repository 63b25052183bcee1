"""Queries for bulk imports (the bulk_import_rows table): was this row carried out, and record that it was."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.db.models import BulkImportRow


@dataclass(frozen=True)
class ImportedRow:
    """A row carried out by an import: by which job, and what it created."""

    job_id: int | None
    outcome: str
    link_id: int | None
    assessment_id: int | None


def find(session: Session, organisation_id: int, fingerprint: str) -> ImportedRow | None:
    """The provider's row with this fingerprint, if an import carried it out."""
    row = session.scalar(select(BulkImportRow).where(BulkImportRow.organisation_id == organisation_id,
                                                     BulkImportRow.fingerprint == fingerprint))
    return None if row is None else ImportedRow(row.job_id, row.outcome, row.link_id, row.assessment_id)


def add(session: Session, organisation_id: int, uscc: str, fingerprint: str, job_id: int | None, outcome: str,
        link_id: int | None, assessment_id: int | None, pending: dict[str, Any] | None = None) -> None:
    """Record a row as carried out (in the same transaction as what it created)."""
    session.add(BulkImportRow(organisation_id=organisation_id, uscc=uscc, fingerprint=fingerprint, job_id=job_id,
                              outcome=outcome, link_id=link_id, assessment_id=assessment_id, pending=pending))
    session.flush()


@dataclass(frozen=True)
class PendingDraft:
    """An invited row whose draft waits for the enterprise to accept the invitation."""

    id: int
    uscc: str
    pending: dict[str, Any]


def pending_of_link(session: Session, link_id: int) -> PendingDraft | None:
    """The invited row of an invitation whose draft is not made yet, if an import made the invitation."""
    row = session.scalar(select(BulkImportRow).where(BulkImportRow.link_id == link_id,
                                                     BulkImportRow.assessment_id.is_(None),
                                                     BulkImportRow.pending.is_not(None)))
    return None if row is None or row.pending is None else PendingDraft(row.id, row.uscc, dict(row.pending))


def drafted(session: Session, row_id: int, assessment_id: int) -> None:
    """The invited row's draft is made: remember it and forget the answers kept for it."""
    session.execute(update(BulkImportRow).where(BulkImportRow.id == row_id)
                    .values(assessment_id=assessment_id, pending=None))
