"""Evidence: notes and files per item of an assessment, and the space their files take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assessment.db.changes import rows_changed
from assessment.db.models import Assessment, EvidenceFile, EvidenceNote, utcnow


@dataclass(frozen=True)
class EvidenceNoteRecord:
    """The current evidence note of an item."""

    item_id: str
    text: str
    user_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class EvidenceFileRecord:
    """An evidence file's metadata; the bytes are on disk under the storage key."""

    id: int
    assessment_id: int
    item_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
    uploaded_by: int | None
    uploaded_at: datetime


def add_note(session: Session, assessment_id: int, item_id: str, text: str, user_id: int,
             now: datetime | None = None) -> None:
    """Record a new version of an item's evidence note (earlier versions are kept)."""
    session.add(EvidenceNote(assessment_id=assessment_id, item_id=item_id, text=text, user_id=user_id,
                             created_at=now or utcnow()))
    session.flush()


def notes(session: Session, assessment_id: int) -> dict[str, EvidenceNoteRecord]:
    """The current (newest) evidence note per item; an empty note means it was cleared."""
    rows = session.scalars(select(EvidenceNote).where(EvidenceNote.assessment_id == assessment_id)
                           .order_by(EvidenceNote.created_at, EvidenceNote.id))
    return {r.item_id: EvidenceNoteRecord(r.item_id, r.text, r.user_id, r.created_at) for r in rows}


def _file(row: EvidenceFile) -> EvidenceFileRecord:
    return EvidenceFileRecord(row.id, row.assessment_id, row.item_id, row.filename, row.content_type, row.size,
                              row.sha256, row.storage_key, row.uploaded_by, row.uploaded_at)


def add_file(session: Session, *, assessment_id: int, item_id: str, filename: str, content_type: str, size: int,
             sha256: str, storage_key: str, user_id: int, now: datetime | None = None) -> EvidenceFileRecord:
    """Record an evidence file stored on disk."""
    row = EvidenceFile(assessment_id=assessment_id, item_id=item_id, filename=filename, content_type=content_type,
                       size=size, sha256=sha256, storage_key=storage_key, uploaded_by=user_id,
                       uploaded_at=now or utcnow())
    session.add(row)
    session.flush()
    return _file(row)


def files(session: Session, assessment_id: int) -> list[EvidenceFileRecord]:
    """An assessment's evidence files in upload order."""
    rows = session.scalars(select(EvidenceFile).where(EvidenceFile.assessment_id == assessment_id)
                           .order_by(EvidenceFile.uploaded_at, EvidenceFile.id))
    return [_file(r) for r in rows]


def get_file(session: Session, file_id: int) -> EvidenceFileRecord | None:
    """The evidence file with this id, or None."""
    row = session.get(EvidenceFile, file_id)
    return None if row is None else _file(row)


def delete_file(session: Session, file_id: int, assessment_id: int) -> bool:
    """Remove an evidence file's row (the caller removes its bytes); whether there was such a file."""
    return rows_changed(session.execute(delete(EvidenceFile).where(EvidenceFile.id == file_id,
                                                               EvidenceFile.assessment_id == assessment_id))) > 0


def evidence_usage(session: Session, assessment_id: int) -> tuple[int, int]:
    """How many evidence files an assessment has and their bytes in all."""
    count, size = session.execute(select(func.count(EvidenceFile.id), func.coalesce(func.sum(EvidenceFile.size), 0))
                                  .where(EvidenceFile.assessment_id == assessment_id)).one()
    return int(count), int(size)


def evidence_bytes_of_organisation(session: Session, organisation_id: int) -> int:
    """The bytes of the evidence files of every assessment a provider conducts."""
    size = session.scalar(select(func.coalesce(func.sum(EvidenceFile.size), 0))
                          .join(Assessment, Assessment.id == EvidenceFile.assessment_id)
                          .where(Assessment.organisation_id == organisation_id))
    return int(size or 0)


def recorded_storage_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of these storage keys an evidence file row names."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # bounded IN lists
        found.update(session.scalars(select(EvidenceFile.storage_key).where(
            EvidenceFile.storage_key.in_(keys[start:start + 500]))))
    return found
