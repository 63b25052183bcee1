"""Query functions for an account's data rights: everything stored about an enterprise account (for its export),
and the writes that erase it (docs/data-rights.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from assessment.db.changes import rows_changed
from assessment.db.models import (
    Assessment,
    AssessmentFact,
    AuditEvent,
    AuthorityShare,
    Enterprise,
    EvidenceFile,
    EvidenceNote,
    Organisation,
    OutboxMessage,
    ProviderClient,
    Respondent,
    SecurityEvent,
    SmsCode,
    Throttle,
    User,
)

Row = dict[str, Any]


def _columns(row: Any, names: Iterable[str]) -> Row:
    return {name: getattr(row, name) for name in names}


@dataclass(frozen=True)
class AccountData:
    """Every row stored about an enterprise account, as plain column values (its export reads this)."""

    account: Row
    enterprises: list[Row]
    assessments: list[Row]
    respondents: list[Row] = field(default_factory=list)
    notes: list[Row] = field(default_factory=list)
    files: list[Row] = field(default_factory=list)
    audit: list[Row] = field(default_factory=list)
    links: list[Row] = field(default_factory=list)
    shares: list[Row] = field(default_factory=list)
    security_events: list[Row] = field(default_factory=list)


ACCOUNT_COLUMNS = ("id", "email", "phone", "language", "role", "display_name", "created_at", "email_verified_at",
                   "phone_verified_at", "password_changed_at", "mfa_enabled_at")
ENTERPRISE_COLUMNS = ("id", "name", "uscc", "region_code", "industry_code", "employees", "revenue_10k_cny",
                      "size_class", "zhuanjingtexin", "contact_name", "contact_phone", "contact_email",
                      "consent_statistics", "created_at", "updated_at")
ASSESSMENT_COLUMNS = ("id", "enterprise_id", "previous_assessment_id", "questionnaire_ref", "model_ref", "status",
                      "mode", "answers", "data", "self_answers", "version", "created_at", "updated_at",
                      "submitted_at", "level", "total", "scorecard", "assessor_name", "assessor_org")
RESPONDENT_COLUMNS = ("id", "assessment_id", "name", "function", "sections", "answers", "data", "created_at",
                      "updated_at", "submitted_at", "revoked_at")
NOTE_COLUMNS = ("id", "assessment_id", "item_id", "text", "created_at")
FILE_COLUMNS = ("id", "assessment_id", "item_id", "filename", "content_type", "size", "sha256", "storage_key",
                "uploaded_at")
AUDIT_COLUMNS = ("id", "assessment_id", "item_id", "kind", "value", "previous", "reason", "user_name",
                 "organisation_name", "created_at")
SHARE_COLUMNS = ("id", "enterprise_id", "region_code", "assessment_id", "created_at", "revoked_at")
EVENT_COLUMNS = ("at", "kind", "outcome", "address")


def enterprise_ids_of(session: Session, user_id: int) -> list[int]:
    """The enterprises an account owns."""
    return list(session.scalars(select(Enterprise.id).where(Enterprise.user_id == user_id).order_by(Enterprise.id)))


def _assessment_condition(user_id: int, enterprise_ids: Sequence[int]) -> Any:
    owned = Assessment.user_id == user_id
    return or_(owned, Assessment.enterprise_id.in_(list(enterprise_ids))) if enterprise_ids else owned


def account_data(session: Session, user_id: int) -> AccountData | None:
    """Everything stored about this account and its enterprises, or None if there is no such account."""
    user = session.get(User, user_id)
    if user is None:
        return None
    enterprises = session.scalars(select(Enterprise).where(Enterprise.user_id == user_id).order_by(Enterprise.id))
    enterprise_rows = [_columns(e, ENTERPRISE_COLUMNS) for e in enterprises]
    enterprise_ids = [e["id"] for e in enterprise_rows]
    assessments = session.scalars(select(Assessment).where(_assessment_condition(user_id, enterprise_ids))
                                  .order_by(Assessment.created_at, Assessment.id))
    assessment_rows = [_columns(a, ASSESSMENT_COLUMNS) for a in assessments]
    ids = [a["id"] for a in assessment_rows]

    def rows(model: Any, columns: Sequence[str], *conditions: Any) -> list[Row]:
        found = session.scalars(select(model).where(*conditions).order_by(model.id))
        return [_columns(r, columns) for r in found]

    links = session.execute(
        select(ProviderClient, Organisation.name).join(Organisation, Organisation.id == ProviderClient.organisation_id)
        .where(ProviderClient.enterprise_id.in_(enterprise_ids)).order_by(ProviderClient.id)).all()
    return AccountData(
        account=_columns(user, ACCOUNT_COLUMNS),
        enterprises=enterprise_rows,
        assessments=assessment_rows,
        respondents=rows(Respondent, RESPONDENT_COLUMNS, Respondent.assessment_id.in_(ids)),
        notes=rows(EvidenceNote, NOTE_COLUMNS, EvidenceNote.assessment_id.in_(ids)),
        files=rows(EvidenceFile, FILE_COLUMNS, EvidenceFile.assessment_id.in_(ids)),
        audit=rows(AuditEvent, AUDIT_COLUMNS, AuditEvent.assessment_id.in_(ids)),
        links=[{"enterprise_id": link.enterprise_id, "provider": name, "invited_at": link.created_at,
                "accepted_at": link.accepted_at, "revoked_at": link.revoked_at} for link, name in links],
        shares=rows(AuthorityShare, SHARE_COLUMNS, AuthorityShare.enterprise_id.in_(enterprise_ids)),
        security_events=rows(SecurityEvent, EVENT_COLUMNS, SecurityEvent.user_id == user_id),
    )


# --- erasure -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AssessmentState:
    """What erasure needs to know of one assessment of the account."""

    id: int
    submitted: bool
    audited: bool
    """Entries of the append-only audit trail refer to it, so its row has to stay (emptied)."""
    consent: bool
    """Its enterprise consents to statistical use."""


def assessment_states(session: Session, user_id: int, enterprise_ids: Sequence[int]) -> list[AssessmentState]:
    """The account's assessments (its own and its enterprises'), with what decides whether each row stays."""
    audited = select(AuditEvent.id).where(AuditEvent.assessment_id == Assessment.id).exists()
    rows = session.execute(
        select(Assessment.id, Assessment.status, audited, Enterprise.consent_statistics)
        .outerjoin(Enterprise, Enterprise.id == Assessment.enterprise_id)
        .where(_assessment_condition(user_id, enterprise_ids)).order_by(Assessment.id)).all()
    return [AssessmentState(int(i), status == "submitted", bool(has_audit), bool(consent))
            for i, status, has_audit, consent in rows]


def storage_keys(session: Session, assessment_ids: Sequence[int]) -> list[str]:
    """The storage keys of these assessments' evidence files (their bytes are removed after the commit)."""
    return list(session.scalars(select(EvidenceFile.storage_key).where(EvidenceFile.assessment_id.in_(
        list(assessment_ids)))))


def delete_assessment_details(session: Session, assessment_ids: Sequence[int]) -> None:
    """Remove the evidence notes and files and the respondents of these assessments."""
    ids = list(assessment_ids)
    for model in (EvidenceNote, EvidenceFile, Respondent):
        session.execute(delete(model).where(model.assessment_id.in_(ids)))


def delete_facts(session: Session, assessment_ids: Sequence[int]) -> None:
    """Remove these assessments' facts from the officials' aggregates."""
    session.execute(delete(AssessmentFact).where(AssessmentFact.assessment_id.in_(list(assessment_ids))))


def delete_assessments(session: Session, assessment_ids: Sequence[int]) -> int:
    """Delete assessments and what hangs on them (none may have audit entries); how many."""
    ids = list(assessment_ids)
    if not ids:
        return 0
    delete_assessment_details(session, ids)
    delete_facts(session, ids)
    session.execute(update(Assessment).where(Assessment.previous_assessment_id.in_(ids))
                    .values(previous_assessment_id=None))
    return rows_changed(session.execute(delete(Assessment).where(Assessment.id.in_(ids))))


def reduce_assessment(session: Session, assessment_id: int, scorecard: Mapping[str, Any] | None) -> None:
    """Keep an assessment row only as the anonymous carrier of its fact or audit entries: no answers, no owner."""
    session.execute(update(Assessment).where(Assessment.id == assessment_id).values(
        user_id=None, answers={}, data={}, self_answers=None, scorecard=dict(scorecard) if scorecard else None,
        resume_token_hash=None, organisation_id=None, assessor_id=None, assessor_name=None, assessor_org=None,
        previous_assessment_id=None))


def scorecard_of(session: Session, assessment_id: int) -> Mapping[str, Any] | None:
    """The frozen scorecard document of an assessment."""
    found = session.scalar(select(Assessment.scorecard).where(Assessment.id == assessment_id))
    return dict(found) if found else None


def erase_enterprises(session: Session, enterprise_ids: Sequence[int], pseudonym: str, now: datetime) -> None:
    """Replace the enterprises' name, USCC, contacts and figures; keep the codes their anonymous facts count by."""
    if enterprise_ids:
        session.execute(update(Enterprise).where(Enterprise.id.in_(list(enterprise_ids))).values(
            user_id=None, name=pseudonym, uscc="", contact_name=None, contact_phone=None, contact_email=None,
            employees=0, revenue_10k_cny=Decimal(0), erased_at=now, updated_at=now))


def end_links(session: Session, enterprise_ids: Sequence[int], now: datetime) -> list[int]:
    """End every provider link and open invitation of these enterprises; the organisations that lost a client."""
    ids = list(enterprise_ids)
    if not ids:
        return []
    active = and_(ProviderClient.enterprise_id.in_(ids), ProviderClient.revoked_at.is_(None))
    organisations = sorted(set(session.scalars(select(ProviderClient.organisation_id).where(
        active, ProviderClient.accepted_at.is_not(None)))))
    session.execute(update(ProviderClient).where(active).values(revoked_at=now, revoked_by=None, token_hash=None))
    return organisations


def delete_shares(session: Session, enterprise_ids: Sequence[int]) -> None:
    """Remove the enterprises' shares with authorities."""
    if enterprise_ids:
        session.execute(delete(AuthorityShare).where(AuthorityShare.enterprise_id.in_(list(enterprise_ids))))


def pseudonymise_audit(session: Session, user_id: int, pseudonym: str) -> int:
    """Name the account in the audit trail only by a pseudonym (the one UPDATE its triggers allow); how many entries."""
    result = session.execute(update(AuditEvent).where(AuditEvent.user_id == user_id)
                             .values(user_id=None, user_name=pseudonym, organisation_name=""))
    return rows_changed(result)


def delete_user(session: Session, user_id: int, throttle_keys: Sequence[str] = ()) -> bool:
    """Delete the account row with its SMS codes, these sign-in throttle entries and its development messages
    (tokens and recovery codes go with it by foreign key); whether it existed."""
    user = session.get(User, user_id)
    if user is None:
        return False
    contacts = [c for c in (user.email, user.phone) if c]
    if user.phone:
        session.execute(delete(SmsCode).where(SmsCode.phone == user.phone))
    if contacts:
        session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.in_(contacts)))
    if throttle_keys:
        session.execute(delete(Throttle).where(Throttle.key.in_(list(throttle_keys))))
    session.delete(user)
    session.flush()
    return True


# --- the security log ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SecurityEventRow:
    """One security log entry with the contact of the accounts it names (None once an account is deleted)."""

    id: int
    at: datetime
    kind: str
    outcome: str
    user_id: int | None
    actor_id: int | None
    address: str
    detail: Mapping[str, Any]
    user_contact: str | None
    actor_contact: str | None


def security_events(session: Session, *, kind: str | None = None, outcome: str | None = None,
                    account_id: int | None = None, since: datetime | None = None, until: datetime | None = None,
                    before: int | None = None, limit: int = 50) -> list[SecurityEventRow]:
    """Security log entries newest first, filtered; `before` continues a list after the entry with that id."""
    subject, actor = aliased(User), aliased(User)
    query = (select(SecurityEvent, func.coalesce(subject.email, subject.phone), func.coalesce(actor.email, actor.phone))
             .outerjoin(subject, subject.id == SecurityEvent.user_id)
             .outerjoin(actor, actor.id == SecurityEvent.actor_id))
    if kind:
        query = query.where(SecurityEvent.kind == kind)
    if outcome:
        query = query.where(SecurityEvent.outcome == outcome)
    if account_id is not None:
        query = query.where(or_(SecurityEvent.user_id == account_id, SecurityEvent.actor_id == account_id))
    if since is not None:
        query = query.where(SecurityEvent.at >= since)
    if until is not None:
        query = query.where(SecurityEvent.at < until)
    if before is not None:
        query = query.where(SecurityEvent.id < before)
    rows = session.execute(query.order_by(SecurityEvent.id.desc()).limit(limit)).all()
    return [SecurityEventRow(e.id, e.at, e.kind, e.outcome, e.user_id, e.actor_id, e.address, dict(e.detail or {}),
                             user_contact, actor_contact) for e, user_contact, actor_contact in rows]


def user_id_by_contact(session: Session, contact: str) -> int | None:
    """The id of the account with this email address or mobile number, if there is one."""
    return session.scalar(select(User.id).where(or_(User.email == contact, User.phone == contact)).limit(1))
