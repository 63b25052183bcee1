"""Bulk imports: which row of which provider's file was carried out, so a re-run or a resumed job creates it once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assessment.db.models.base import Base, Document, UTCDateTime, utcnow


class BulkImportRow(Base):
    """One imported row: the provider, the enterprise's USCC, the row's fingerprint and what it created."""

    __tablename__ = "bulk_import_rows"
    __table_args__ = (UniqueConstraint("organisation_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    uscc: Mapped[str] = mapped_column(String(18))
    fingerprint: Mapped[str] = mapped_column(String(64))
    """sha256 of the mode and the row's cells as read (the same row of the same file has the same fingerprint)."""
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    """'invitation', 'draft' or 'onsite'."""
    link_id: Mapped[int | None] = mapped_column(ForeignKey("provider_clients.id", ondelete="SET NULL"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    pending: Mapped[dict[str, Any] | None] = mapped_column(Document, nullable=True)
    """An invited row's draft-to-be (questionnaire and model refs, answers, data, the inviting staff member), made
    into a guided draft when the enterprise with this USCC accepts the invitation."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
