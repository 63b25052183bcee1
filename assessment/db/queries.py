"""Query functions f(session, ...): rows in, plain values out, and the writes the use cases need."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessment.db import facts
from assessment.db.changes import rows_changed
from assessment.db.models import Assessment, AuthorityShare, ContentVersion, Enterprise, User, utcnow
from assessment.domain.enterprise import EnterpriseProfile, Zhuanjingtexin


@dataclass(frozen=True)
class AssessmentRecord:
    """An assessment as stored: the raw answer documents, its state and, once submitted, the frozen result."""

    id: int
    user_id: int | None
    enterprise_id: int | None
    previous_assessment_id: int | None
    questionnaire_ref: str
    model_ref: str
    status: str
    mode: str
    answers: Mapping[str, Any]
    data: Mapping[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    level: int | None
    total: Decimal | None
    scorecard: Mapping[str, Any] | None

    @property
    def draft(self) -> bool:
        """Whether the assessment can still be edited."""
        return self.status == "draft"

    @property
    def questionnaire_id(self) -> str:
        """The questionnaire id without its version."""
        return self.questionnaire_ref.partition("@")[0]

    @property
    def questionnaire_version(self) -> str:
        """The questionnaire version."""
        return self.questionnaire_ref.partition("@")[2]


@dataclass(frozen=True)
class AssessmentSummary:
    """One line of an assessment list: which questionnaire, which enterprise, where it stands."""

    id: int
    questionnaire_ref: str
    status: str
    enterprise_name: str | None
    updated_at: datetime
    submitted_at: datetime | None
    level: int | None
    total: Decimal | None
    mode: str
    model_ref: str


@dataclass(frozen=True)
class UserRecord:
    """An account as stored."""

    id: int
    email: str | None
    password_hash: str
    language: str | None
    role: str = "enterprise"
    organisation_id: int | None = None
    region_code: str | None = None
    display_name: str | None = None
    email_verified_at: datetime | None = None
    password_changed_at: datetime | None = None
    active: bool = True
    phone: str | None = None
    phone_verified_at: datetime | None = None
    session_generation: int = 0
    mfa_enabled_at: datetime | None = None

    @property
    def contact(self) -> str:
        """How the account is named to people: its email address, else its mobile number."""
        return self.email or self.phone or ""


class EmailTaken(ValueError):
    """An account with this email address exists already."""


def _record(row: Assessment | Row[Any]) -> AssessmentRecord:
    return AssessmentRecord(
        row.id, row.user_id, row.enterprise_id, row.previous_assessment_id, row.questionnaire_ref, row.model_ref,
        row.status, row.mode, dict(row.answers or {}), dict(row.data or {}), row.version, row.created_at,
        row.updated_at, row.submitted_at, row.level, row.total, dict(row.scorecard) if row.scorecard else None,
    )


def _user(row: User) -> UserRecord:
    return UserRecord(row.id, row.email, row.password_hash, row.language, row.role, row.organisation_id,
                      row.region_code, row.display_name, row.email_verified_at, row.password_changed_at, row.active,
                      row.phone, row.phone_verified_at, row.session_generation, row.mfa_enabled_at)


def assessment_record(row: Assessment) -> AssessmentRecord:
    """An assessment row loaded by the ORM as a plain value."""
    return _record(row)


def user_record(row: User) -> UserRecord:
    """An account row as a plain value."""
    return _user(row)


# --- assessments ---------------------------------------------------------------------------------------------

def create_assessment(session: Session, *, questionnaire_ref: str, model_ref: str, token_hash: str,
                      user_id: int | None = None, enterprise_id: int | None = None,
                      previous_assessment_id: int | None = None, mode: str = "self",
                      answers: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None,
                      now: datetime | None = None) -> AssessmentRecord:
    """Insert a new draft and return it."""
    moment = now or utcnow()
    row = Assessment(questionnaire_ref=questionnaire_ref, model_ref=model_ref, resume_token_hash=token_hash,
                     user_id=user_id, enterprise_id=enterprise_id, previous_assessment_id=previous_assessment_id,
                     mode=mode, status="draft", answers=dict(answers or {}), data=dict(data or {}), version=1,
                     created_at=moment, updated_at=moment)
    session.add(row)
    session.flush()
    return _record(row)


# A step page reads its draft and a save writes it: two statements on the table, built once (a statement is an
# immutable value) and run with their parameters by the session, as plain Core statements with no ORM objects.
_ASSESSMENTS = cast(Table, Assessment.__table__)
_ASSESSMENT_BY_ID = select(*(_ASSESSMENTS.c[field.name] for field in fields(AssessmentRecord))).where(
    _ASSESSMENTS.c.id == bindparam("assessment_id"))
_SAVE_DRAFT = update(_ASSESSMENTS).where(
    _ASSESSMENTS.c.id == bindparam("assessment_id"), _ASSESSMENTS.c.version == bindparam("expected_version"),
    _ASSESSMENTS.c.status == "draft",
).values(answers=bindparam("new_answers"), data=bindparam("new_data"), version=bindparam("new_version"),
         updated_at=bindparam("new_updated_at"))


def get_assessment(session: Session, assessment_id: int) -> AssessmentRecord | None:
    """The assessment with this id as the database holds it now (not as an object the session loaded), or None."""
    row = session.execute(_ASSESSMENT_BY_ID, {"assessment_id": assessment_id}).first()
    return None if row is None else _record(row)


def assessment_by_token_hash(session: Session, token_hash: str) -> AssessmentRecord | None:
    """The assessment whose resume token has this hash, or None."""
    row = session.scalars(select(Assessment).where(Assessment.resume_token_hash == token_hash)).first()
    return None if row is None else _record(row)


def set_token_hash(session: Session, assessment_id: int, token_hash: str) -> bool:
    """Replace an assessment's resume token (the old one stops working); False if there is no such assessment."""
    result = session.execute(update(Assessment).where(Assessment.id == assessment_id)
                             .values(resume_token_hash=token_hash))
    return rows_changed(result) == 1


def save_draft(session: Session, assessment_id: int, expected_version: int, answers: Mapping[str, Any],
               data: Mapping[str, Any], now: datetime | None = None) -> int | None:
    """Store a draft's answers if it is still at `expected_version`; the new version, or None on a conflict."""
    result = session.execute(_SAVE_DRAFT, {
        "assessment_id": assessment_id, "expected_version": expected_version, "new_answers": dict(answers),
        "new_data": dict(data), "new_version": expected_version + 1, "new_updated_at": now or utcnow()})
    return expected_version + 1 if rows_changed(result) == 1 else None


def freeze(session: Session, assessment_id: int, expected_version: int, *, answers: Mapping[str, Any],
           data: Mapping[str, Any], level: int, total: Fraction, scorecard: Mapping[str, Any],
           now: datetime | None = None) -> bool:
    """Mark a draft submitted with its result, if it is still at `expected_version`; False on a conflict."""
    moment = now or utcnow()
    result = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment_id, Assessment.version == expected_version, Assessment.status == "draft")
        .values(status="submitted", answers=dict(answers), data=dict(data), version=expected_version + 1,
                updated_at=moment, submitted_at=moment, level=level, total=decimal(total), scorecard=dict(scorecard))
    )
    return rows_changed(result) == 1


def bump_version(session: Session, assessment_id: int, expected_version: int, now: datetime | None = None) -> int | None:
    """Count a change made elsewhere (the profile) against the draft's version; None on a conflict."""
    result = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment_id, Assessment.version == expected_version, Assessment.status == "draft")
        .values(version=expected_version + 1, updated_at=now or utcnow())
    )
    return expected_version + 1 if rows_changed(result) == 1 else None


def link_enterprise(session: Session, assessment_id: int, enterprise_id: int) -> None:
    """Attach an enterprise profile to an assessment."""
    session.execute(update(Assessment).where(Assessment.id == assessment_id).values(enterprise_id=enterprise_id))


def assessments_for(session: Session, *, user_id: int | None, ids: Iterable[int] = ()) -> list[AssessmentSummary]:
    """Assessments owned by the user or listed in `ids`, newest first, in one query."""
    wanted = list(ids)
    conditions = []
    if user_id is not None:
        conditions.append(Assessment.user_id == user_id)
    if wanted:
        conditions.append(Assessment.id.in_(wanted))
    if not conditions:
        return []
    rows = session.execute(
        select(Assessment.id, Assessment.questionnaire_ref, Assessment.status, Enterprise.name,
               Assessment.updated_at, Assessment.submitted_at, Assessment.level, Assessment.total, Assessment.mode,
               Assessment.model_ref)
        .outerjoin(Enterprise, Enterprise.id == Assessment.enterprise_id)
        .where(or_(*conditions))
        .order_by(Assessment.updated_at.desc(), Assessment.id.desc())
    ).all()
    return [AssessmentSummary(*tuple(row)) for row in rows]


def ownerless_token_hashes(session: Session, assessment_ids: Iterable[int]) -> dict[int, str]:
    """The current resume-token hash of each listed assessment that has no owner account."""
    wanted = list(assessment_ids)
    if not wanted:
        return {}
    rows = session.execute(select(Assessment.id, Assessment.resume_token_hash)
                           .where(Assessment.id.in_(wanted), Assessment.user_id.is_(None))).all()
    return {int(row[0]): str(row[1]) for row in rows}


def claim(session: Session, assessment_id: int, expected_hash: str, new_hash: str, user_id: int) -> bool:
    """Give the user an assessment (and its enterprise) that has no owner and still this resume-token hash, with a
    new hash (the old link stops working); False if it has an owner or another link by now."""
    result = session.execute(update(Assessment)
                             .where(Assessment.id == assessment_id, Assessment.user_id.is_(None),
                                    Assessment.resume_token_hash == expected_hash)
                             .values(user_id=user_id, resume_token_hash=new_hash))
    if rows_changed(result) != 1:
        return False
    enterprise_ids = select(Assessment.enterprise_id).where(Assessment.id == assessment_id)
    session.execute(update(Enterprise).where(Enterprise.id.in_(enterprise_ids), Enterprise.user_id.is_(None))
                    .values(user_id=user_id))
    return True


def previous_submitted(session: Session, record: AssessmentRecord) -> AssessmentRecord | None:
    """The enterprise's latest submitted assessment of the same questionnaire before this one, or None."""
    if record.enterprise_id is None:
        return None
    query = (select(Assessment)
             .where(Assessment.enterprise_id == record.enterprise_id, Assessment.status == "submitted",
                    Assessment.id != record.id,
                    Assessment.questionnaire_ref.startswith(record.questionnaire_id + "@", autoescape=True))
             .order_by(Assessment.submitted_at.desc(), Assessment.id.desc()))
    if record.submitted_at is not None:
        query = query.where(Assessment.submitted_at <= record.submitted_at)
    row = session.scalars(query.limit(1)).first()
    return None if row is None else _record(row)


# --- enterprises ---------------------------------------------------------------------------------------------

def decimal(value: Fraction) -> Decimal:
    """A Fraction as a Decimal with four places, for NUMERIC columns."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)


def _fraction(value: Decimal) -> Fraction:
    return Fraction(value.normalize()) if value == value.to_integral_value() else Fraction(value)


def get_profile(session: Session, enterprise_id: int) -> EnterpriseProfile | None:
    """The enterprise profile with this id, or None."""
    row = session.get(Enterprise, enterprise_id)
    if row is None:
        return None
    return EnterpriseProfile(
        name=row.name, uscc=row.uscc, region_code=row.region_code, industry_code=row.industry_code,
        employees=row.employees, revenue_10k_cny=_fraction(row.revenue_10k_cny),
        zhuanjingtexin=cast(Zhuanjingtexin, row.zhuanjingtexin), contact_name=row.contact_name,
        contact_email=row.contact_email, contact_phone=row.contact_phone, consent_statistics=row.consent_statistics,
    )


def _profile_columns(profile: EnterpriseProfile) -> dict[str, Any]:
    return {"name": profile.name, "uscc": profile.uscc, "region_code": profile.region_code,
            "industry_code": profile.industry_code, "employees": profile.employees,
            "revenue_10k_cny": decimal(profile.revenue_10k_cny), "size_class": profile.size,
            "zhuanjingtexin": profile.zhuanjingtexin, "contact_name": profile.contact_name,
            "contact_email": profile.contact_email, "contact_phone": profile.contact_phone,
            "consent_statistics": profile.consent_statistics}


def add_profile(session: Session, profile: EnterpriseProfile, user_id: int | None) -> int:
    """Insert an enterprise profile; its id."""
    row = Enterprise(user_id=user_id, **_profile_columns(profile))
    session.add(row)
    session.flush()
    return row.id


def update_profile(session: Session, enterprise_id: int, profile: EnterpriseProfile) -> None:
    """Overwrite an enterprise profile; the facts of its earlier results follow its consent to statistical use."""
    session.execute(update(Enterprise).where(Enterprise.id == enterprise_id)
                    .values(updated_at=utcnow(), **_profile_columns(profile)))
    facts.follow_consent(session, enterprise_id, profile.consent_statistics)


def statistics_consents(session: Session, enterprise_ids: Iterable[int]) -> dict[int, bool]:
    """Whether each of these enterprises consents to statistical use, by id."""
    ids = list(enterprise_ids)
    if not ids:
        return {}
    rows = session.execute(select(Enterprise.id, Enterprise.consent_statistics).where(Enterprise.id.in_(ids)))
    return {int(i): bool(consent) for i, consent in rows}


def set_statistics_consent(session: Session, enterprise_id: int, consent: bool, now: datetime | None = None) -> bool:
    """Give or withdraw an enterprise's consent to statistical use, and make the facts of all its results follow;
    whether the enterprise's consent changed."""
    result = session.execute(update(Enterprise).where(Enterprise.id == enterprise_id,
                                                      Enterprise.consent_statistics != consent)
                             .values(consent_statistics=consent, updated_at=now or utcnow()))
    # Also when the consent was already as asked: facts written before facts followed consent are brought in line.
    facts.follow_consent(session, enterprise_id, consent)
    return rows_changed(result) == 1


def enterprise_of_user(session: Session, user_id: int, uscc: str) -> int | None:
    """The id of the user's enterprise with this 统一社会信用代码, if the user has one."""
    return session.scalars(select(Enterprise.id).where(Enterprise.user_id == user_id, Enterprise.uscc == uscc)
                           .order_by(Enterprise.id).limit(1)).first()


# --- users ---------------------------------------------------------------------------------------------------

def add_user(session: Session, email: str, password_hash: str, language: str | None) -> UserRecord:
    """Insert an account; raises EmailTaken if the address is in use."""
    if session.scalars(select(User.id).where(User.email == email)).first() is not None:
        raise EmailTaken(email)
    row = User(email=email, password_hash=password_hash, language=language)
    try:
        with session.begin_nested():  # a concurrent registration may take the address between check and insert
            session.add(row)
    except IntegrityError as exc:
        raise EmailTaken(email) from exc
    return _user(row)


def get_user(session: Session, user_id: int) -> UserRecord | None:
    """The account with this id, or None."""
    row = session.get(User, user_id)
    return None if row is None else _user(row)


def user_by_email(session: Session, email: str) -> UserRecord | None:
    """The account with this email address, or None."""
    row = session.scalars(select(User).where(User.email == email)).first()
    return None if row is None else _user(row)


def set_user_language(session: Session, user_id: int, language: str) -> None:
    """Remember the account's interface language."""
    session.execute(update(User).where(User.id == user_id).values(language=language))


# --- content versions ----------------------------------------------------------------------------------------

def record_content_version(session: Session, kind: str, ref: str, file: str, sha256: str,
                           now: datetime | None = None) -> str:
    """Record a loaded content version: 'new', 'same', or 'changed' (same version, different file hash)."""
    moment = now or utcnow()
    row = session.scalars(select(ContentVersion).where(ContentVersion.kind == kind, ContentVersion.ref == ref)).first()
    if row is None:
        session.add(ContentVersion(kind=kind, ref=ref, file=file, sha256=sha256, first_seen_at=moment,
                                   last_seen_at=moment))
        session.flush()
        return "new"
    outcome = "same" if row.sha256 == sha256 else "changed"
    row.sha256, row.file, row.last_seen_at = sha256, file, moment
    session.flush()
    return outcome


def content_versions(session: Session) -> list[tuple[str, str, str, str]]:
    """Every recorded content version as (kind, ref, file, sha256), sorted."""
    rows = session.execute(select(ContentVersion.kind, ContentVersion.ref, ContentVersion.file, ContentVersion.sha256)
                           .order_by(ContentVersion.kind, ContentVersion.ref)).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]



# --- results an enterprise shares with an authority ----------------------------------------------------------

@dataclass(frozen=True)
class AuthorityShareLine:
    """One share of an enterprise's results with an authority, as listed for the enterprise."""

    id: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    assessment_id: int | None
    """One assessment, or None for all the enterprise's submitted assessments."""
    assessment_submitted_at: datetime | None
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Whether the authority still sees what was shared."""
        return self.revoked_at is None


def authority_shares_of(session: Session, enterprise_ids: Iterable[int]) -> list[AuthorityShareLine]:
    """The shares of these enterprises, active ones first, newest first."""
    ids = list(enterprise_ids)
    if not ids:
        return []
    rows = session.execute(
        select(AuthorityShare, Enterprise.name, Assessment.submitted_at)
        .join(Enterprise, Enterprise.id == AuthorityShare.enterprise_id)
        .outerjoin(Assessment, Assessment.id == AuthorityShare.assessment_id)
        .where(AuthorityShare.enterprise_id.in_(ids))
        .order_by(AuthorityShare.revoked_at.is_not(None), AuthorityShare.created_at.desc(), AuthorityShare.id.desc())
    ).all()
    return [AuthorityShareLine(s.id, s.enterprise_id, name, s.region_code, s.assessment_id, submitted, s.created_at,
                               s.revoked_at) for s, name, submitted in rows]


def add_authority_share(session: Session, *, enterprise_id: int, region_code: str, assessment_id: int | None,
                        user_id: int, now: datetime | None = None) -> int | None:
    """Share one assessment (or all, with None) with an authority; None if the same share is active already."""
    same = session.scalar(select(AuthorityShare.id).where(
        AuthorityShare.enterprise_id == enterprise_id, AuthorityShare.region_code == region_code,
        AuthorityShare.assessment_id.is_(None) if assessment_id is None else AuthorityShare.assessment_id == assessment_id,
        AuthorityShare.revoked_at.is_(None)).limit(1))
    if same is not None:
        return None
    row = AuthorityShare(enterprise_id=enterprise_id, region_code=region_code, assessment_id=assessment_id,
                         created_by=user_id, created_at=now or utcnow())
    session.add(row)
    session.flush()
    return row.id


def revoke_authority_share(session: Session, share_id: int, enterprise_ids: Iterable[int],
                           now: datetime | None = None) -> bool:
    """Revoke an active share of one of these enterprises (the row stays); False if not theirs or revoked already."""
    ids = list(enterprise_ids)
    if not ids:
        return False
    result = session.execute(update(AuthorityShare).where(
        AuthorityShare.id == share_id, AuthorityShare.enterprise_id.in_(ids), AuthorityShare.revoked_at.is_(None))
        .values(revoked_at=now or utcnow()))
    return rows_changed(result) == 1
