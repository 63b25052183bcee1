"""Query functions for the provider workspace: members, email tokens, client links, audit trail, evidence,
respondents and provider catalogue entries. Rows in, plain values out (the assessment queries live in queries.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.db.models import (
    AccountToken,
    Assessment,
    AuditEvent,
    Enterprise,
    EvidenceFile,
    EvidenceNote,
    Organisation,
    ProviderClient,
    ProviderSolution,
    Respondent,
    User,
    utcnow,
)
from assessment.db.queries import EmailTaken, UserRecord, user_record

PROVIDER_ROLES = ("provider_staff", "provider_admin")


def _changed(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


# --- organisations and members -------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrganisationRecord:
    """A service provider or an authority."""

    id: int
    kind: str
    name: str
    region_code: str | None


def _organisation(row: Organisation) -> OrganisationRecord:
    return OrganisationRecord(row.id, row.kind, row.name, row.region_code)


def add_organisation(session: Session, name: str, kind: str = "provider", region_code: str | None = None,
                     now: datetime | None = None) -> OrganisationRecord:
    """Insert an organisation."""
    row = Organisation(name=name, kind=kind, region_code=region_code, created_at=now or utcnow())
    session.add(row)
    session.flush()
    return _organisation(row)


def get_organisation(session: Session, organisation_id: int) -> OrganisationRecord | None:
    """The organisation with this id, or None."""
    row = session.get(Organisation, organisation_id)
    return None if row is None else _organisation(row)


def organisation_by_name(session: Session, name: str) -> OrganisationRecord | None:
    """The organisation with exactly this name, or None."""
    row = session.scalars(select(Organisation).where(Organisation.name == name).order_by(Organisation.id)).first()
    return None if row is None else _organisation(row)


def organisations(session: Session) -> list[tuple[OrganisationRecord, int]]:
    """Every organisation with its number of members, by name."""
    members = (select(User.organisation_id, func.count(User.id).label("n")).group_by(User.organisation_id)
               .subquery())
    rows = session.execute(select(Organisation, func.coalesce(members.c.n, 0))
                           .outerjoin(members, members.c.organisation_id == Organisation.id)
                           .order_by(Organisation.name, Organisation.id)).all()
    return [(_organisation(r[0]), int(r[1])) for r in rows]


def add_member(session: Session, email: str, password_hash: str, *, role: str, language: str | None = None,
               organisation_id: int | None = None, region_code: str | None = None, display_name: str | None = None,
               verified_at: datetime | None = None) -> UserRecord:
    """Insert an account with a role; raises EmailTaken if the address is in use."""
    if session.scalars(select(User.id).where(User.email == email)).first() is not None:
        raise EmailTaken(email)
    row = User(email=email, password_hash=password_hash, language=language, role=role,
               organisation_id=organisation_id, region_code=region_code, display_name=display_name,
               email_verified_at=verified_at, active=True, created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise EmailTaken(email) from exc
    return user_record(row)


def members(session: Session, organisation_id: int) -> list[UserRecord]:
    """The accounts of an organisation, by email."""
    rows = session.scalars(select(User).where(User.organisation_id == organisation_id).order_by(User.email))
    return [user_record(r) for r in rows]


def users_by_role(session: Session, roles: Iterable[str]) -> list[UserRecord]:
    """Accounts with one of these roles, by email."""
    rows = session.scalars(select(User).where(User.role.in_(list(roles))).order_by(User.email))
    return [user_record(r) for r in rows]


def set_member_active(session: Session, user_id: int, organisation_id: int, active: bool) -> bool:
    """Switch a member of this organisation on or off; False if the account is not its member."""
    result = session.execute(update(User).where(User.id == user_id, User.organisation_id == organisation_id)
                             .values(active=active))
    return _changed(result) == 1


def set_member_role(session: Session, user_id: int, organisation_id: int, role: str) -> bool:
    """Give a member of this organisation another role; False if the account is not its member."""
    result = session.execute(update(User).where(User.id == user_id, User.organisation_id == organisation_id)
                             .values(role=role))
    return _changed(result) == 1


def set_password(session: Session, user_id: int, password_hash: str, now: datetime | None = None) -> None:
    """Store a new password hash; sessions opened before this moment end."""
    session.execute(update(User).where(User.id == user_id)
                    .values(password_hash=password_hash, password_changed_at=now or utcnow()))


def mark_verified(session: Session, user_id: int, now: datetime | None = None) -> None:
    """Record that the account's email address was confirmed (the first time only)."""
    session.execute(update(User).where(User.id == user_id, User.email_verified_at.is_(None))
                    .values(email_verified_at=now or utcnow()))


def set_display_name(session: Session, user_id: int, name: str | None) -> None:
    """The name shown for the account, e.g. as assessor."""
    session.execute(update(User).where(User.id == user_id).values(display_name=name))


# --- email tokens --------------------------------------------------------------------------------------------

def add_token(session: Session, user_id: int, purpose: str, nonce: str, expires_at: datetime,
              now: datetime | None = None) -> None:
    """Record an issued email token by its nonce."""
    session.add(AccountToken(user_id=user_id, purpose=purpose, nonce=nonce, expires_at=expires_at,
                             created_at=now or utcnow()))
    session.flush()


def expire_tokens(session: Session, user_id: int, purpose: str, now: datetime | None = None) -> None:
    """End every unused token of the account for this purpose (a newer link replaces them)."""
    moment = now or utcnow()
    session.execute(update(AccountToken)
                    .where(AccountToken.user_id == user_id, AccountToken.purpose == purpose,
                           AccountToken.used_at.is_(None), AccountToken.expires_at > moment)
                    .values(expires_at=AccountToken.created_at))  # expired from the start, whatever the clock


def use_token(session: Session, user_id: int, purpose: str, nonce: str, now: datetime | None = None) -> str:
    """Spend a token once: 'ok', or why not: 'used', 'expired' or 'unknown'."""
    moment = now or utcnow()
    result = session.execute(update(AccountToken)
                             .where(AccountToken.nonce == nonce, AccountToken.user_id == user_id,
                                    AccountToken.purpose == purpose, AccountToken.used_at.is_(None),
                                    AccountToken.expires_at > moment)
                             .values(used_at=moment))
    if _changed(result) == 1:
        return "ok"
    row = session.scalars(select(AccountToken).where(AccountToken.nonce == nonce, AccountToken.user_id == user_id,
                                                     AccountToken.purpose == purpose)).first()
    if row is None:
        return "unknown"
    return "used" if row.used_at is not None else "expired"


# --- enterprises and client links ----------------------------------------------------------------------------

@dataclass(frozen=True)
class EnterpriseLine:
    """An enterprise as listed for its owner or its provider."""

    id: int
    name: str
    uscc: str
    region_code: str
    industry_code: str
    user_id: int | None


def _enterprise_line(row: Enterprise) -> EnterpriseLine:
    return EnterpriseLine(row.id, row.name, row.uscc, row.region_code, row.industry_code, row.user_id)


def enterprises_of_user(session: Session, user_id: int) -> list[EnterpriseLine]:
    """The enterprises an account owns, by name."""
    rows = session.scalars(select(Enterprise).where(Enterprise.user_id == user_id).order_by(Enterprise.name,
                                                                                           Enterprise.id))
    return [_enterprise_line(r) for r in rows]


def get_enterprise(session: Session, enterprise_id: int) -> EnterpriseLine | None:
    """The enterprise with this id, or None."""
    row = session.get(Enterprise, enterprise_id)
    return None if row is None else _enterprise_line(row)


@dataclass(frozen=True)
class ClientLink:
    """A provider's invitation to an enterprise and its consent state."""

    id: int
    organisation_id: int
    organisation_name: str
    enterprise_id: int | None
    enterprise_name: str | None
    note: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None
    enterprise_erased: bool = False
    """The enterprise's account was deleted (the link ended with it, docs/data-rights.md)."""

    @property
    def status(self) -> str:
        """'pending', 'active' or 'revoked' (an unaccepted invitation past its date is 'expired')."""
        if self.revoked_at is not None:
            return "revoked"
        if self.accepted_at is not None:
            return "active"
        return "expired" if self.expires_at <= utcnow() else "pending"


def _links(session: Session, *conditions: Any) -> list[ClientLink]:
    rows = session.execute(
        select(ProviderClient, Organisation.name, Enterprise.name, Enterprise.erased_at)
        .join(Organisation, Organisation.id == ProviderClient.organisation_id)
        .outerjoin(Enterprise, Enterprise.id == ProviderClient.enterprise_id)
        .where(*conditions)
        .order_by(ProviderClient.created_at.desc(), ProviderClient.id.desc())
    ).all()
    return [ClientLink(r[0].id, r[0].organisation_id, r[1], r[0].enterprise_id, r[2], r[0].note, r[0].created_at,
                       r[0].expires_at, r[0].accepted_at, r[0].revoked_at, r[3] is not None) for r in rows]


def add_invitation(session: Session, organisation_id: int, token_hash: str, note: str, invited_by: int,
                   expires_at: datetime, now: datetime | None = None) -> int:
    """Record an invitation to become a client; its id."""
    row = ProviderClient(organisation_id=organisation_id, token_hash=token_hash, note=note, invited_by=invited_by,
                         created_at=now or utcnow(), expires_at=expires_at)
    session.add(row)
    session.flush()
    return row.id


def invitation_by_token_hash(session: Session, token_hash: str) -> ClientLink | None:
    """The invitation whose link token has this hash, or None (accepted invitations lose their token)."""
    found = _links(session, ProviderClient.token_hash == token_hash)
    return found[0] if found else None


def link_exists(session: Session, organisation_id: int, enterprise_id: int) -> bool:
    """Whether the enterprise is an active client of the provider."""
    return session.scalars(select(ProviderClient.id).where(
        ProviderClient.organisation_id == organisation_id, ProviderClient.enterprise_id == enterprise_id,
        ProviderClient.accepted_at.is_not(None), ProviderClient.revoked_at.is_(None)).limit(1)).first() is not None


def accept_invitation(session: Session, link_id: int, enterprise_id: int, user_id: int,
                      now: datetime | None = None) -> bool:
    """Accept a pending invitation for an enterprise; False if it is no longer pending."""
    moment = now or utcnow()
    result = session.execute(update(ProviderClient)
                             .where(ProviderClient.id == link_id, ProviderClient.accepted_at.is_(None),
                                    ProviderClient.revoked_at.is_(None), ProviderClient.expires_at > moment)
                             .values(enterprise_id=enterprise_id, accepted_at=moment, accepted_by=user_id,
                                     token_hash=None))
    return _changed(result) == 1


def revoke_link(session: Session, link_id: int, *, user_id: int, enterprise_ids: Iterable[int] = (),
                organisation_id: int | None = None, now: datetime | None = None) -> bool:
    """End a link (consent withdrawn by the enterprise, or an invitation withdrawn by the provider)."""
    owner = (ProviderClient.enterprise_id.in_(list(enterprise_ids)) if organisation_id is None
             else and_(ProviderClient.organisation_id == organisation_id, ProviderClient.accepted_at.is_(None)))
    result = session.execute(update(ProviderClient)
                             .where(ProviderClient.id == link_id, ProviderClient.revoked_at.is_(None), owner)
                             .values(revoked_at=now or utcnow(), revoked_by=user_id, token_hash=None))
    return _changed(result) == 1


def links_of_enterprises(session: Session, enterprise_ids: Iterable[int]) -> list[ClientLink]:
    """Every provider link of these enterprises, newest first."""
    return _links(session, ProviderClient.enterprise_id.in_(list(enterprise_ids)))


def invitations_of(session: Session, organisation_id: int) -> list[ClientLink]:
    """A provider's invitations and links, newest first."""
    return _links(session, ProviderClient.organisation_id == organisation_id)


def client_ids(session: Session, organisation_id: int) -> set[int]:
    """The enterprises that are active clients of the provider."""
    return set(session.scalars(select(ProviderClient.enterprise_id).where(
        ProviderClient.organisation_id == organisation_id, ProviderClient.accepted_at.is_not(None),
        ProviderClient.revoked_at.is_(None), ProviderClient.enterprise_id.is_not(None))))


def providers_of_enterprise(session: Session, enterprise_id: int) -> list[OrganisationRecord]:
    """The providers the enterprise is an active client of."""
    rows = session.scalars(select(Organisation).join(ProviderClient, ProviderClient.organisation_id == Organisation.id)
                           .where(ProviderClient.enterprise_id == enterprise_id,
                                  ProviderClient.accepted_at.is_not(None), ProviderClient.revoked_at.is_(None))
                           .order_by(Organisation.name))
    return [_organisation(r) for r in rows]


@dataclass(frozen=True)
class ClientRow:
    """One client on the provider dashboard: the enterprise and its latest assessment."""

    enterprise: EnterpriseLine
    linked_at: datetime
    assessment_id: int | None
    status: str | None
    mode: str | None
    questionnaire_ref: str | None
    updated_at: datetime | None
    level: int | None
    """The level of the latest submitted assessment."""
    submitted_at: datetime | None


def clients(session: Session, organisation_id: int) -> list[ClientRow]:
    """The provider's active clients with their latest assessment and latest submitted level, by name."""
    latest = (select(Assessment.id, Assessment.enterprise_id, Assessment.status, Assessment.mode,
                     Assessment.questionnaire_ref, Assessment.updated_at,
                     func.row_number().over(partition_by=Assessment.enterprise_id,
                                            order_by=(Assessment.created_at.desc(), Assessment.id.desc()))
                     .label("n"))
              .subquery())
    submitted = (select(Assessment.enterprise_id, Assessment.level, Assessment.submitted_at,
                        func.row_number().over(partition_by=Assessment.enterprise_id,
                                               order_by=(Assessment.submitted_at.desc(), Assessment.id.desc()))
                        .label("n"))
                 .where(Assessment.status == "submitted").subquery())
    rows = session.execute(
        select(Enterprise, ProviderClient.accepted_at, latest.c.id, latest.c.status, latest.c.mode,
               latest.c.questionnaire_ref, latest.c.updated_at, submitted.c.level, submitted.c.submitted_at)
        .join(ProviderClient, ProviderClient.enterprise_id == Enterprise.id)
        .outerjoin(latest, and_(latest.c.enterprise_id == Enterprise.id, latest.c.n == 1))
        .outerjoin(submitted, and_(submitted.c.enterprise_id == Enterprise.id, submitted.c.n == 1))
        .where(ProviderClient.organisation_id == organisation_id, ProviderClient.accepted_at.is_not(None),
               ProviderClient.revoked_at.is_(None))
        .order_by(Enterprise.name, Enterprise.id)
    ).all()
    return [ClientRow(_enterprise_line(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows]


@dataclass(frozen=True)
class AssessmentLine:
    """One assessment in an enterprise's history."""

    id: int
    questionnaire_ref: str
    model_ref: str
    status: str
    mode: str
    created_at: datetime
    submitted_at: datetime | None
    level: int | None
    total: Decimal | None
    organisation_id: int | None


def assessments_of_enterprise(session: Session, enterprise_id: int) -> list[AssessmentLine]:
    """An enterprise's assessments, oldest first (T0, T1, …)."""
    rows = session.scalars(select(Assessment).where(Assessment.enterprise_id == enterprise_id)
                           .order_by(Assessment.created_at, Assessment.id))
    return [AssessmentLine(r.id, r.questionnaire_ref, r.model_ref, r.status, r.mode, r.created_at, r.submitted_at,
                           r.level, r.total, r.organisation_id) for r in rows]


# --- assessments in guided and on-site mode ------------------------------------------------------------------

@dataclass(frozen=True)
class Conduct:
    """Who conducts an assessment: the provider, the assessor, and (once submitted) the names as they were then."""

    organisation_id: int | None
    assessor_id: int | None
    assessor_name: str | None
    assessor_org: str | None
    self_answers: Mapping[str, Any] | None


def conduct(session: Session, assessment_id: int) -> Conduct | None:
    """The provider side of an assessment, or None if there is no such assessment."""
    row = session.get(Assessment, assessment_id)
    if row is None:
        return None
    return Conduct(row.organisation_id, row.assessor_id, row.assessor_name, row.assessor_org,
                   dict(row.self_answers) if row.self_answers is not None else None)


def set_conduct(session: Session, assessment_id: int, organisation_id: int, assessor_id: int) -> None:
    """Attach the provider and the assessor to an assessment."""
    session.execute(update(Assessment).where(Assessment.id == assessment_id)
                    .values(organisation_id=organisation_id, assessor_id=assessor_id))


def record_assessor(session: Session, assessment_id: int, *, assessor_id: int, name: str, organisation: str,
                    self_answers: Mapping[str, Any] | None) -> None:
    """Keep the assessor's name and organisation as they were at submission, and the self-reported answers."""
    session.execute(update(Assessment).where(Assessment.id == assessment_id)
                    .values(assessor_id=assessor_id, assessor_name=name, assessor_org=organisation,
                            self_answers=dict(self_answers) if self_answers is not None else None))


# --- audit trail (insert and read only) ----------------------------------------------------------------------

@dataclass(frozen=True)
class AuditEntry:
    """One audit entry: who set which answer of an assessment, when, from what, and why."""

    id: int
    assessment_id: int
    item_id: str
    kind: str
    value: Any
    previous: Any
    reason: str
    user_id: int | None
    user_name: str
    organisation_name: str
    created_at: datetime


def _audit(row: AuditEvent) -> AuditEntry:
    return AuditEntry(row.id, row.assessment_id, row.item_id, row.kind, row.value, row.previous, row.reason,
                      row.user_id, row.user_name, row.organisation_name, row.created_at)


def append_audit(session: Session, *, assessment_id: int, item_id: str, kind: str, value: Any, previous: Any,
                 reason: str, user_id: int, user_name: str, organisation_name: str,
                 now: datetime | None = None) -> None:
    """Append one entry to an assessment's audit trail (a plain INSERT: entries are never changed)."""
    session.execute(insert(AuditEvent).values(
        assessment_id=assessment_id, item_id=item_id, kind=kind, value=value, previous=previous, reason=reason,
        user_id=user_id, user_name=user_name, organisation_name=organisation_name, created_at=now or utcnow()))


def audit_trail(session: Session, assessment_id: int) -> list[AuditEntry]:
    """An assessment's audit trail, oldest first."""
    rows = session.scalars(select(AuditEvent).where(AuditEvent.assessment_id == assessment_id)
                           .order_by(AuditEvent.created_at, AuditEvent.id))
    return [_audit(r) for r in rows]


# --- evidence ------------------------------------------------------------------------------------------------

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
    return _changed(session.execute(delete(EvidenceFile).where(EvidenceFile.id == file_id,
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


# --- respondents ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RespondentRecord:
    """One respondent of an assessment with the answers given so far."""

    id: int
    assessment_id: int
    name: str
    function: str
    sections: tuple[str, ...]
    answers: Mapping[str, Any]
    data: Mapping[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    revoked_at: datetime | None

    def answers_section(self, section_id: str) -> bool:
        """Whether this respondent answers a section (an empty list means every section)."""
        return not self.sections or section_id in self.sections


def _respondent(row: Respondent) -> RespondentRecord:
    return RespondentRecord(row.id, row.assessment_id, row.name, row.function, tuple(row.sections or ()),
                            dict(row.answers or {}), dict(row.data or {}), row.version, row.created_at,
                            row.updated_at, row.submitted_at, row.revoked_at)


def add_respondent(session: Session, *, assessment_id: int, name: str, function: str, sections: Iterable[str],
                   token_hash: str, invited_by: int | None, now: datetime | None = None) -> RespondentRecord:
    """Invite a respondent to an assessment."""
    moment = now or utcnow()
    row = Respondent(assessment_id=assessment_id, name=name, function=function, sections=list(sections),
                     token_hash=token_hash, answers={}, data={}, version=1, invited_by=invited_by, created_at=moment,
                     updated_at=moment)
    session.add(row)
    session.flush()
    return _respondent(row)


def respondent_by_token_hash(session: Session, token_hash: str) -> RespondentRecord | None:
    """The respondent whose link token has this hash, or None."""
    row = session.scalars(select(Respondent).where(Respondent.token_hash == token_hash)).first()
    return None if row is None else _respondent(row)


def respondent_token_hash(session: Session, respondent_id: int) -> str | None:
    """The hash of a respondent's link token, or None if there is no such respondent."""
    return session.scalars(select(Respondent.token_hash).where(Respondent.id == respondent_id)).first()


def get_respondent(session: Session, respondent_id: int) -> RespondentRecord | None:
    """The respondent with this id, or None."""
    row = session.get(Respondent, respondent_id)
    return None if row is None else _respondent(row)


def respondents(session: Session, assessment_id: int) -> list[RespondentRecord]:
    """The respondents of an assessment in invitation order."""
    rows = session.scalars(select(Respondent).where(Respondent.assessment_id == assessment_id)
                           .order_by(Respondent.created_at, Respondent.id))
    return [_respondent(r) for r in rows]


def save_respondent(session: Session, respondent_id: int, expected_version: int, answers: Mapping[str, Any],
                    data: Mapping[str, Any], *, submitted: bool = False, now: datetime | None = None) -> int | None:
    """Store a respondent's answers if still at `expected_version`; the new version, or None on a conflict."""
    moment = now or utcnow()
    values: dict[str, Any] = {"answers": dict(answers), "data": dict(data), "version": expected_version + 1,
                              "updated_at": moment}
    if submitted:
        values["submitted_at"] = moment
    result = session.execute(update(Respondent)
                             .where(Respondent.id == respondent_id, Respondent.version == expected_version,
                                    Respondent.revoked_at.is_(None))
                             .values(**values))
    return expected_version + 1 if _changed(result) == 1 else None


def revoke_respondent(session: Session, respondent_id: int, assessment_id: int, now: datetime | None = None) -> bool:
    """Close a respondent's link (the answers given stay); False if already closed or not of this assessment."""
    result = session.execute(update(Respondent)
                             .where(Respondent.id == respondent_id, Respondent.assessment_id == assessment_id,
                                    Respondent.revoked_at.is_(None))
                             .values(revoked_at=now or utcnow()))
    return _changed(result) == 1


# --- provider catalogue entries ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SolutionRow:
    """One stored provider catalogue entry: its spreadsheet row (column → cell text)."""

    id: int
    organisation_id: int
    entry_id: str
    cells: Mapping[str, str]
    updated_at: datetime


def _solution(row: ProviderSolution) -> SolutionRow:
    return SolutionRow(row.id, row.organisation_id, row.entry_id, dict(row.document), row.updated_at)


def solutions(session: Session, organisation_id: int) -> list[SolutionRow]:
    """A provider's catalogue entries, by entry id."""
    rows = session.scalars(select(ProviderSolution).where(ProviderSolution.organisation_id == organisation_id)
                           .order_by(ProviderSolution.entry_id))
    return [_solution(r) for r in rows]


def solutions_of(session: Session, organisation_ids: Iterable[int]) -> list[SolutionRow]:
    """The catalogue entries of several providers, by provider then entry id."""
    rows = session.scalars(select(ProviderSolution)
                           .where(ProviderSolution.organisation_id.in_(list(organisation_ids)))
                           .order_by(ProviderSolution.organisation_id, ProviderSolution.entry_id))
    return [_solution(r) for r in rows]


def get_solution(session: Session, solution_id: int) -> SolutionRow | None:
    """The catalogue entry with this id, or None."""
    row = session.get(ProviderSolution, solution_id)
    return None if row is None else _solution(row)


def put_solutions(session: Session, organisation_id: int, entries: Iterable[tuple[str, Mapping[str, str]]],
                  user_id: int, now: datetime | None = None) -> None:
    """Insert or replace catalogue entries by entry id."""
    moment = now or utcnow()
    existing = {r.entry_id: r for r in session.scalars(
        select(ProviderSolution).where(ProviderSolution.organisation_id == organisation_id))}
    for entry_id, cells in entries:
        row = existing.get(entry_id)
        if row is None:
            session.add(ProviderSolution(organisation_id=organisation_id, entry_id=entry_id, document=dict(cells),
                                         created_by=user_id, created_at=moment, updated_at=moment))
        else:
            row.document = dict(cells)
            row.updated_at = moment
    session.flush()


def rename_solution(session: Session, solution_id: int, organisation_id: int, entry_id: str,
                    cells: Mapping[str, str], now: datetime | None = None) -> bool:
    """Overwrite one entry of this provider (its id may change); False if it is not the provider's."""
    result = session.execute(update(ProviderSolution)
                             .where(ProviderSolution.id == solution_id,
                                    ProviderSolution.organisation_id == organisation_id)
                             .values(entry_id=entry_id, document=dict(cells), updated_at=now or utcnow()))
    return _changed(result) == 1


def delete_solution(session: Session, solution_id: int, organisation_id: int) -> bool:
    """Remove one entry of this provider's catalogue; False if it is not the provider's."""
    row = session.get(ProviderSolution, solution_id)
    if row is None or row.organisation_id != organisation_id:
        return False
    session.delete(row)
    session.flush()
    return True
