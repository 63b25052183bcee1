"""The assessment tables: enterprise profiles, assessments, loaded content versions and shares with authorities."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from assessment.db.models.base import Base, Document, UTCDateTime, utcnow


class Enterprise(Base):
    """An enterprise profile (企业基本信息), shared by its assessments and re-assessments."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    industry_code: Mapped[str] = mapped_column(String(8))
    employees: Mapped[int] = mapped_column(Integer)
    revenue_10k_cny: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    size_class: Mapped[str] = mapped_column(String(8))
    zhuanjingtexin: Mapped[str] = mapped_column(String(32), default="none")
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    consent_statistics: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Generated demonstration data (`assessment demo-data`), never a real enterprise."""
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When its account was deleted: name, USCC and contacts are erased, a pseudonym stands in (docs/data-rights.md)."""


class Assessment(Base):
    """One assessment of one enterprise against one questionnaire version: a draft, then a frozen result."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint("mode IN ('self', 'guided', 'onsite')", name="mode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="SET NULL"), index=True)
    previous_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"),
                                                              index=True)
    questionnaire_ref: Mapped[str] = mapped_column(String(120))
    model_ref: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    mode: Mapped[str] = mapped_column(String(12), default="self")
    answers: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    data: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    resume_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    level: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    scorecard: Mapped[dict[str, Any] | None] = mapped_column(Document)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"),
                                                        index=True)
    """The service provider that guides or assesses it (guided and on-site modes)."""
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assessor_name: Mapped[str | None] = mapped_column(String(100))
    assessor_org: Mapped[str | None] = mapped_column(String(200))
    self_answers: Mapped[dict[str, Any] | None] = mapped_column(Document)
    """On-site mode: the self-reported answers document, kept beside the validated one when submitted."""
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Generated demonstration data (`assessment demo-data`)."""


class ContentVersion(Base):
    """A questionnaire or scoring model version the server has loaded, with the hash of its file."""

    __tablename__ = "content_versions"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(120))
    file: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuthorityShare(Base):
    """An enterprise's decision to share its individual results (one assessment, or all) with an authority."""

    __tablename__ = "authority_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    """The authority's GB/T 2260 region."""
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    """One assessment, or None for all of the enterprise's assessments."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
