"""The database tables, typed with SQLAlchemy 2 `Mapped[...]`; behaviour lives in queries and services."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false, true
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Document = JSON().with_variant(JSONB(), "postgresql")

STATUSES = ("draft", "submitted")
MODES = ("self", "guided", "onsite")
ROLES = ("enterprise", "provider_staff", "provider_admin", "official", "site_admin")


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp; SQLite returns naive values, which are UTC by construction."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store every timestamp in UTC."""
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Read every timestamp back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with the project's naming convention."""

    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """An account: email and password hash; it keeps all its assessments."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    """Nullable: an account may sign in by mobile number only (at least one of email and phone is set)."""
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    role: Mapped[str] = mapped_column(String(24), default="enterprise", server_default="enterprise")
    region_code: Mapped[str | None] = mapped_column(String(6))
    """An official's authority: a GB/T 2260 code; the official sees this region and its descendants."""
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"),
                                                        index=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    """A mainland mobile number in E.164 form (+86…), for sign-in by SMS code."""
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    """Raised to end every signed-in session of the account (logout, password or role change, deactivation)."""
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    """The TOTP shared secret (RFC 6238, base32); set at enrolment, confirmed by mfa_enabled_at."""
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mfa_last_step: Mapped[int | None] = mapped_column(Integer)
    """The TOTP time step (unix time // 30) of the last code accepted: a code is never accepted twice."""

    __table_args__ = (
        CheckConstraint("role IN ('enterprise', 'provider_staff', 'provider_admin', 'official', 'site_admin')",
                        name="role"),
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="contact"),
    )


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


class Organisation(Base):
    """A service provider (数字化转型服务商) with its staff, or an authority."""

    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('provider', 'authority')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="provider")
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(6))
    uscc: Mapped[str | None] = mapped_column(String(18))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AccountToken(Base):
    """A signed email token (verification, password reset, invitation to set a password): used once."""

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint("purpose IN ('verify', 'reset')", name="purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProviderClient(Base):
    """A provider's invitation to an enterprise and, once the enterprise accepts it, their consented link."""

    __tablename__ = "provider_clients"
    __table_args__ = (
        Index("uq_provider_clients_active", "organisation_id", "enterprise_id", unique=True,
              postgresql_where=text("accepted_at IS NOT NULL AND revoked_at IS NULL"),
              sqlite_where=text("accepted_at IS NOT NULL AND revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AuditEvent(Base):
    """One entry of an assessment's append-only audit trail: who set which answer, when and why.

    Nothing deletes these rows and the database refuses to change them (triggers from migration 0002_providers),
    except replacing a deleted account's name by a pseudonym (migration 0006_pseudonymise, docs/data-rights.md).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint("kind IN ('validation', 'consolidation')", name="kind"),
        CheckConstraint("length(reason) > 0", name="reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[Any] = mapped_column(Document, nullable=True)
    previous: Mapped[Any] = mapped_column(Document, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(String(254))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EvidenceNote(Base):
    """A note on the evidence seen for one item; the newest per item is current, earlier ones stay."""

    __tablename__ = "evidence_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EvidenceFile(Base):
    """A file attached as evidence for one item; the bytes live under instance/evidence/, named by storage key."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Respondent(Base):
    """One of several people of an enterprise answering its sections (or all) of one assessment by link."""

    __tablename__ = "respondents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    function: Mapped[str] = mapped_column(String(100), default="")
    sections: Mapped[list[str]] = mapped_column(Document, default=list)
    """Section ids this respondent answers; empty means all."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    data: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProviderSolution(Base):
    """One entry of a provider's own solution catalogue, stored as a catalogue/1 entry document."""

    __tablename__ = "provider_solutions"
    __table_args__ = (UniqueConstraint("organisation_id", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(Document)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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


# --- officials (issue 7): aggregation facts, access log, targets ----------------------------------------------

FACT_DIMENSIONS = 8
FACT_INDICATORS = 16
FACT_SCENARIOS = 16


class AssessmentFact(Base):
    """One submitted assessment as the officials' aggregates see it: codes, period, level and scores, no answers.

    Scores are stored in thousandths of a point (integers), so sums are exact on every database. Dimension,
    indicator and scenario columns are by position in the scoring model (services.aggregates.FactLayout).
    """

    __tablename__ = "assessment_facts"
    __table_args__ = (
        # Jurisdiction first, then the period range, so SQLite's planner prefers it to the national period index.
        Index("ix_assessment_facts_scope", "province_code", "year", "quarter", "city_code", "region_code"),
        Index("ix_assessment_facts_period", "year", "quarter", "model_id"),
        Index("ix_assessment_facts_enterprise", "enterprise_id", "model_id", "year", "quarter"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True,
                                               autoincrement=False)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    model_id: Mapped[str] = mapped_column(String(60))
    province_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str] = mapped_column(String(6))
    region_code: Mapped[str] = mapped_column(String(6))
    industry_section: Mapped[str] = mapped_column(String(1))
    industry_division: Mapped[str] = mapped_column(String(2))
    size_class: Mapped[str] = mapped_column(String(8))
    zhuanjingtexin: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(SmallInteger)
    quarter: Mapped[int] = mapped_column(Integer)
    """Year and quarter as one number: 20253 is the third quarter of 2025."""
    latest_of_year: Mapped[bool] = mapped_column(Boolean)
    """The enterprise's latest submitted assessment (of this model) in its year: the one the year counts."""
    latest_of_quarter: Mapped[bool] = mapped_column(Boolean)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    level: Mapped[int] = mapped_column(SmallInteger)
    total: Mapped[int] = mapped_column(Integer)
    d1: Mapped[int | None] = mapped_column(Integer)
    d2: Mapped[int | None] = mapped_column(Integer)
    d3: Mapped[int | None] = mapped_column(Integer)
    d4: Mapped[int | None] = mapped_column(Integer)
    d5: Mapped[int | None] = mapped_column(Integer)
    d6: Mapped[int | None] = mapped_column(Integer)
    d7: Mapped[int | None] = mapped_column(Integer)
    d8: Mapped[int | None] = mapped_column(Integer)
    i01: Mapped[int | None] = mapped_column(Integer)
    i02: Mapped[int | None] = mapped_column(Integer)
    i03: Mapped[int | None] = mapped_column(Integer)
    i04: Mapped[int | None] = mapped_column(Integer)
    i05: Mapped[int | None] = mapped_column(Integer)
    i06: Mapped[int | None] = mapped_column(Integer)
    i07: Mapped[int | None] = mapped_column(Integer)
    i08: Mapped[int | None] = mapped_column(Integer)
    i09: Mapped[int | None] = mapped_column(Integer)
    i10: Mapped[int | None] = mapped_column(Integer)
    i11: Mapped[int | None] = mapped_column(Integer)
    i12: Mapped[int | None] = mapped_column(Integer)
    i13: Mapped[int | None] = mapped_column(Integer)
    i14: Mapped[int | None] = mapped_column(Integer)
    i15: Mapped[int | None] = mapped_column(Integer)
    i16: Mapped[int | None] = mapped_column(Integer)
    s01: Mapped[int | None] = mapped_column(SmallInteger)
    s02: Mapped[int | None] = mapped_column(SmallInteger)
    s03: Mapped[int | None] = mapped_column(SmallInteger)
    s04: Mapped[int | None] = mapped_column(SmallInteger)
    s05: Mapped[int | None] = mapped_column(SmallInteger)
    s06: Mapped[int | None] = mapped_column(SmallInteger)
    s07: Mapped[int | None] = mapped_column(SmallInteger)
    s08: Mapped[int | None] = mapped_column(SmallInteger)
    s09: Mapped[int | None] = mapped_column(SmallInteger)
    s10: Mapped[int | None] = mapped_column(SmallInteger)
    s11: Mapped[int | None] = mapped_column(SmallInteger)
    s12: Mapped[int | None] = mapped_column(SmallInteger)
    s13: Mapped[int | None] = mapped_column(SmallInteger)
    s14: Mapped[int | None] = mapped_column(SmallInteger)
    s15: Mapped[int | None] = mapped_column(SmallInteger)
    s16: Mapped[int | None] = mapped_column(SmallInteger)
    consent: Mapped[bool] = mapped_column(Boolean)
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OfficialAccess(Base):
    """What an official looked at: a shared individual result, a dashboard or an export (append-only log)."""

    __tablename__ = "official_access"
    __table_args__ = (CheckConstraint("kind IN ('result', 'dashboard', 'export')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(16))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OfficialTarget(Base):
    """An official's target: the share of enterprises at a level or above (e.g. 二级及以上) to reach."""

    __tablename__ = "official_targets"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    level: Mapped[int] = mapped_column(SmallInteger, default=2)
    share: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    """A share between 0 and 1 (0.3 = 30 %)."""
    year: Mapped[int | None] = mapped_column(SmallInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecoveryCode(Base):
    """A one-time MFA recovery code of an account, stored as a hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Throttle(Base):
    """Failed sign-in attempts counted per key ('account:ID', 'address:IP', 'phone:+86…'), shared by all workers."""

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SmsCode(Base):
    """A 6-digit sign-in code sent to a mobile number: stored as a hash, single use, short-lived."""

    __tablename__ = "sms_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="sign_in")
    code_hash: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class SecurityEvent(Base):
    """One entry of the append-only security log: sign-ins, MFA, password, role and consent changes, exports, admin.

    Nothing updates or deletes these rows; the database refuses to (triggers from migration 0005_security).
    user_id and actor_id are plain integers, not foreign keys, so an entry outlives the account it names.
    """

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="success")
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The account the event is about."""
    actor_id: Mapped[int | None] = mapped_column(Integer)
    """The account that acted (an admin changing a role), when it is not the subject."""
    address: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(Document, default=dict)


class OutboxMessage(Base):
    """A mail or SMS the development console backends 'sent', listed on the development outbox page."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
