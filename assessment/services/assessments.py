"""Assessment use cases: start, resume, save the profile, submit, re-assess (a step: services/steps.py)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any, cast

from sqlalchemy.orm import Session

from assessment.db import queries
from assessment.db.queries import AssessmentRecord, AssessmentSummary
from assessment.domain.answers import (
    N_,
    Answers,
    AnswersInvalid,
    Problem,
    answers_to_document,
    parse_answers,
    parse_data,
    parse_value,
    visible_items,
)
from assessment.domain.enterprise import (
    EMPLOYEES,
    REVENUE,
    EnterpriseProfile,
    Industries,
    Regions,
    Zhuanjingtexin,
    normalise_industry_code,
    normalise_region_code,
    normalise_uscc,
    profile_problems,
)
from assessment.domain.model import ScoringModel
from assessment.domain.numbers import read_number
from assessment.domain.questionnaire import Questionnaire
from assessment.domain.scoring import Scorecard, score
from assessment.services import aggregates
from assessment.services.language import translator
from assessment.services.scoring import scorecard_document

TOKEN_BYTES = 32


class AssessmentNotFound(LookupError):
    """No assessment has this id."""


class NotADraft(ValueError):
    """The assessment is submitted and can no longer be edited (or is a draft where a result is needed)."""


class VersionConflict(Exception):
    """The draft was saved elsewhere (another tab or device) since the page was opened."""

    def __init__(self, current: AssessmentRecord) -> None:
        super().__init__(f"assessment {current.id} is at version {current.version}")
        self.current = current


class Incomplete(ValueError):
    """The assessment cannot be submitted yet; carries every missing or invalid answer."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.render() for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Started:
    """A new draft and its resume token, which is shown once and stored only as a hash."""

    record: AssessmentRecord
    token: str


@dataclass(frozen=True)
class ProfileResult:
    """The draft after the profile was saved, or the profile's problems (nothing was written then)."""

    record: AssessmentRecord
    problems: tuple[Problem, ...] = ()
    profile: EnterpriseProfile | None = None


@dataclass(frozen=True)
class Completion:
    """How far a draft is: answered and shown items, overall and per section."""

    answered: int
    total: int
    sections: Mapping[str, tuple[int, int]]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Whether every shown, required item has an answer."""
        return not self.missing


def token_hash(token: str) -> str:
    """The stored form of a resume token (the token has 256 random bits, so a plain hash suffices)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh resume token and its hash."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def answers_document(questionnaire: Questionnaire, answers: Mapping[str, Any],
                     data: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers and figures as the document parse_answers reads."""
    return {"questionnaire": questionnaire.id, "answers": dict(answers), "data": dict(data)}


def draft_answers(questionnaire: Questionnaire, record: AssessmentRecord) -> Answers:
    """The stored answers as checked values; answers that no longer parse are left out."""
    try:
        return parse_answers(questionnaire, answers_document(questionnaire, record.answers, record.data), complete=False)
    except AnswersInvalid:  # stored under another version of the questionnaire, say: keep what still fits
        answers, data = carry_over(questionnaire, record.answers, record.data)
        return parse_answers(questionnaire, answers_document(questionnaire, answers, data), complete=False)


def carry_over(questionnaire: Questionnaire, answers: Mapping[str, Any],
               data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answers and figures that are valid for this questionnaire (e.g. a newer version), the rest dropped."""
    kept_data, _ = parse_data(questionnaire, {k: v for k, v in data.items() if k in questionnaire.data_fields()})
    kept: dict[str, Any] = {}
    for iid, raw in answers.items():
        item = questionnaire.item(iid)
        if item is not None and raw is not None and not parse_value(item, raw)[1]:
            kept[iid] = raw
    document = answers_document(questionnaire, kept, {k: _plain(v) for k, v in kept_data.items()})
    for _attempt in range(len(kept) + 1):
        try:
            parsed = parse_answers(questionnaire, document, complete=False)
        except AnswersInvalid as exc:  # e.g. an option that contradicts the figures: keep the figures
            for problem in exc.problems:
                document["answers"].pop(problem.item or "", None)
            continue
        out = answers_to_document(parsed)
        return out["answers"], out.get("data", {})
    return {}, {}


def _plain(value: Fraction) -> int | float:
    return value.numerator if value.denominator == 1 else float(value)


def completion(questionnaire: Questionnaire, answers: Answers) -> Completion:
    """Answered and missing items of a draft, counting only items its answers show."""
    shown = visible_items(questionnaire, answers.values) if questionnaire.has_conditions else questionnaire.items
    shown_ids = {i.id for i in shown}
    sections: dict[str, tuple[int, int]] = {}
    missing: list[str] = []
    for section in questionnaire.sections:
        items = [i for i in section.items if i.id in shown_ids]
        done = sum(1 for i in items if i.id in answers.values)
        sections[section.id] = (done, len(items))
        missing.extend(i.id for i in items if i.required and i.id not in answers.values)
    answered = sum(done for done, _ in sections.values())
    return Completion(answered, sum(n for _, n in sections.values()), sections, tuple(missing))


def find(session: Session, assessment_id: int) -> AssessmentRecord | None:
    """The assessment with this id, or None (whether the asker may open it is the door's question)."""
    return queries.get_assessment(session, assessment_id)


def listed_for(session: Session, *, user_id: int | None, ids: Iterable[int] = ()) -> list[AssessmentSummary]:
    """The assessments of an account and those with these ids (a browser's own drafts), newest first."""
    return queries.assessments_for(session, user_id=user_id, ids=ids)


def enterprise_profile(session: Session, enterprise_id: int | None) -> EnterpriseProfile | None:
    """The stored profile of an enterprise (None for none)."""
    return queries.get_profile(session, enterprise_id) if enterprise_id else None


def get(session: Session, assessment_id: int) -> AssessmentRecord:
    """The assessment with this id; raises AssessmentNotFound."""
    record = queries.get_assessment(session, assessment_id)
    if record is None:
        raise AssessmentNotFound(assessment_id)
    return record


def get_draft(session: Session, assessment_id: int) -> AssessmentRecord:
    """The draft with this id; raises AssessmentNotFound, or NotADraft once it is submitted."""
    record = get(session, assessment_id)
    if not record.draft:
        raise NotADraft(assessment_id)
    return record


def start(session: Session, questionnaire: Questionnaire, model: ScoringModel, *, user_id: int | None = None,
          mode: str = "self", now: datetime | None = None) -> Started:
    """Open a new draft for a questionnaire and its scoring model."""
    token, hashed = new_token()
    record = queries.create_assessment(session, questionnaire_ref=questionnaire.ref, model_ref=model.ref,
                                       token_hash=hashed, user_id=user_id, mode=mode, now=now)
    return Started(record, token)


def renew_token(session: Session, assessment_id: int) -> str:
    """A new resume token for an assessment; the previous one stops working."""
    get(session, assessment_id)
    token, hashed = new_token()
    queries.set_token_hash(session, assessment_id, hashed)
    return token


def open_with_token(session: Session, token: str) -> AssessmentRecord | None:
    """The assessment this resume token opens, or None."""
    if not token or len(token) > 128:
        return None
    return queries.assessment_by_token_hash(session, token_hash(token))


def _text(value: Any) -> str | None:
    text = value.strip() if isinstance(value, str) else None
    return text or None


def profile_from_fields(fields: Mapping[str, Any]) -> EnterpriseProfile:
    """An EnterpriseProfile from raw fields that profile_problems has accepted."""
    region = normalise_region_code(str(fields["region_code"]))
    revenue = read_number(fields["revenue_10k_cny"], REVENUE)
    return EnterpriseProfile(
        name=str(fields["name"]).strip(),
        uscc=normalise_uscc(str(fields["uscc"])),
        region_code=region or str(fields["region_code"]),
        industry_code=normalise_industry_code(str(fields["industry_code"])),
        employees=int(read_number(fields["employees"], EMPLOYEES)),
        revenue_10k_cny=revenue,
        zhuanjingtexin=cast(Zhuanjingtexin, fields.get("zhuanjingtexin") or "none"),
        contact_name=_text(fields.get("contact_name")),
        contact_email=_text(fields.get("contact_email")),
        contact_phone=_text(fields.get("contact_phone")),
        consent_statistics=bool(fields.get("consent_statistics")),
    )


def save_profile(session: Session, assessment_id: int, fields: Mapping[str, Any], expected_version: int,
                 regions: Regions, industries: Industries, *, user_id: int | None = None,
                 now: datetime | None = None) -> ProfileResult:
    """Check and store the enterprise profile of a draft; with problems, nothing is written."""
    record = get_draft(session, assessment_id)
    problems = profile_problems(fields, regions, industries)
    if problems:
        return ProfileResult(record, tuple(problems))
    profile = profile_from_fields(fields)
    current = queries.get_profile(session, record.enterprise_id) if record.enterprise_id else None
    if current == profile:
        return ProfileResult(record, (), profile)
    if record.version != expected_version or queries.bump_version(session, record.id, expected_version, now) is None:
        raise VersionConflict(get(session, assessment_id))
    owner = record.user_id or user_id
    if record.enterprise_id is not None:
        queries.update_profile(session, record.enterprise_id, profile)
    else:
        existing = queries.enterprise_of_user(session, owner, profile.uscc) if owner is not None else None
        if existing is not None:
            queries.update_profile(session, existing, profile)
        enterprise_id = existing if existing is not None else queries.add_profile(session, profile, owner)
        queries.link_enterprise(session, record.id, enterprise_id)
    return ProfileResult(get(session, assessment_id), (), profile)


def set_statistics_consent(session: Session, enterprise_id: int, consent: bool, now: datetime | None = None) -> bool:
    """Give or withdraw an enterprise's consent to statistical use without a draft; whether it changed.

    Officials' aggregates follow the enterprise's current consent for all its results, also those submitted
    earlier (docs/officials.md §2); a profile saved in a draft has the same effect (queries.update_profile).
    """
    return queries.set_statistics_consent(session, enterprise_id, consent, now)


def profile_document(profile: EnterpriseProfile) -> dict[str, Any]:
    """A profile as JSON-ready data (for the frozen result)."""
    return {"name": profile.name, "uscc": profile.uscc, "region_code": profile.region_code,
            "industry_code": profile.industry_code, "employees": profile.employees,
            "revenue_10k_cny": _plain(profile.revenue_10k_cny), "size_class": profile.size,
            "zhuanjingtexin": profile.zhuanjingtexin, "consent_statistics": profile.consent_statistics}


def submit(session: Session, questionnaire: Questionnaire, model: ScoringModel, assessment_id: int,
           expected_version: int, now: datetime | None = None) -> tuple[AssessmentRecord, Scorecard]:
    """Check that everything is answered, score, and freeze the assessment with its result.

    Raises Incomplete listing what is missing, or VersionConflict; nothing is written then.
    """
    record = get_draft(session, assessment_id)
    if record.version != expected_version:
        raise VersionConflict(record)
    problems: list[Problem] = []
    profile = queries.get_profile(session, record.enterprise_id) if record.enterprise_id else None
    if profile is None:
        problems.append(Problem(None, "profile_missing", N_("The enterprise profile is not filled in yet")))
    try:
        answers = parse_answers(questionnaire, answers_document(questionnaire, record.answers, record.data), complete=True)
    except AnswersInvalid as exc:
        problems.extend(exc.problems)
    if problems:
        raise Incomplete(problems)
    card = score(questionnaire, model, answers)
    snapshot = {lang: scorecard_document(card, questionnaire, model, lang, translator(lang)) for lang in ("zh", "en")}
    assert profile is not None
    snapshot["profile"] = profile_document(profile)
    document = answers_to_document(answers)
    if not queries.freeze(session, record.id, expected_version, answers=document["answers"],
                          data=document.get("data", {}), level=card.level, total=card.total.value,
                          scorecard=snapshot, now=now):
        raise VersionConflict(get(session, assessment_id))
    frozen = get(session, assessment_id)
    aggregates.record_submission(session, aggregates.layout_of(model, questionnaire), card, frozen, profile)
    return frozen, card


def result(questionnaire: Questionnaire, model: ScoringModel, record: AssessmentRecord) -> tuple[Answers, Scorecard]:
    """The frozen answers of a submitted assessment, scored again exactly with its own questionnaire and model."""
    if record.draft:
        raise NotADraft(record.id)
    answers = parse_answers(questionnaire, answers_document(questionnaire, record.answers, record.data), complete=False)
    return answers, score(questionnaire, model, answers)


def reassess(session: Session, questionnaire: Questionnaire, model: ScoringModel, assessment_id: int, *,
             user_id: int | None = None, now: datetime | None = None) -> Started:
    """A new draft for the same enterprise with the submitted answers copied over (those still valid)."""
    source = get(session, assessment_id)
    if source.draft:
        raise NotADraft(assessment_id)
    answers, data = carry_over(questionnaire, source.answers, source.data)
    token, hashed = new_token()
    record = queries.create_assessment(
        session, questionnaire_ref=questionnaire.ref, model_ref=model.ref, token_hash=hashed,
        user_id=source.user_id or user_id, enterprise_id=source.enterprise_id, previous_assessment_id=source.id,
        mode=source.mode, answers=answers, data=data, now=now)
    return Started(record, token)
