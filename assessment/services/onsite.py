"""Guided and on-site use cases: the assessor's validated answers with their audit trail, consolidation of
several respondents' answers, submission of an on-site assessment, and where self-report and validation differ.
Evidence notes and files are services/evidence.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from assessment.db import providers, queries
from assessment.db.providers import AuditEntry, EnterpriseLine
from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import N_, Answers, Problem, answers_to_document, parse_value
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Item, Questionnaire, tr
from assessment.domain.scoring import Scorecard
from assessment.services import assessments
from assessment.services.assessments import NotADraft, VersionConflict


@dataclass(frozen=True)
class Actor:
    """Who does something on an assessment, as the audit trail names them."""

    user_id: int
    name: str
    organisation: str = ""


class ChangeRefused(ValueError):
    """A validation or consolidation is not recorded; `problems` say why (English msgids)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.render() for p in problems))
        self.problems = problems


# --- validated answers and the audit trail -------------------------------------------------------------------

def value_document(questionnaire: Questionnaire, item: Item, raw: Any) -> tuple[Any, list[Problem]]:
    """A raw answer checked against its item, in answers-document form (None with the problems if unusable)."""
    value, problems = parse_value(item, raw)
    if problems or value is None:
        return None, problems or [Problem(item.id, "missing", N_("Choose the validated answer."))]
    return answers_to_document(Answers(questionnaire.id, {item.id: value}))["answers"][item.id], []


def validations(session: Session, assessment_id: int) -> dict[str, AuditEntry]:
    """The assessor's current validated answer per item: the newest validation entry of each."""
    return {e.item_id: e for e in providers.audit_trail(session, assessment_id) if e.kind == "validation"}


def _reason(reason: str, item_id: str) -> tuple[str, list[Problem]]:
    cleaned = reason.strip()
    if not cleaned:
        return "", [Problem(item_id, "reason", N_("Say why: the reason is kept in the audit trail."))]
    if len(cleaned) > 2000:
        return "", [Problem(item_id, "reason", N_("The reason is longer than {n} characters."), {"n": 2000})]
    return cleaned, []


def validate(session: Session, questionnaire: Questionnaire, record: AssessmentRecord, item_id: str, raw: Any,
             reason: str, actor: Actor) -> AuditEntry:
    """Record the assessor's validated answer for one item beside the self-reported one, with the reason.

    Raises ChangeRefused (no reason, an answer the item does not accept, nothing changed) or NotADraft.
    """
    if not record.draft:
        raise NotADraft(record.id)
    if record.mode != "onsite":
        raise ValueError("only on-site assessments record validated answers")
    item = questionnaire.item(item_id)
    if item is None:
        raise KeyError(item_id)
    cleaned, problems = _reason(reason, item_id)
    value, value_problems = value_document(questionnaire, item, raw)
    problems = value_problems + problems
    current = validations(session, record.id).get(item_id)
    if not problems and current is not None and current.value == value:
        problems.append(Problem(item_id, "unchanged", N_("This is the validated answer already.")))
    if problems:
        raise ChangeRefused(problems)
    previous = current.value if current is not None else record.answers.get(item_id)
    providers.append_audit(session, assessment_id=record.id, item_id=item_id, kind="validation", value=value,
                           previous=previous, reason=cleaned, user_id=actor.user_id, user_name=actor.name,
                           organisation_name=actor.organisation)
    return validations(session, record.id)[item_id]


def consolidate(session: Session, questionnaire: Questionnaire, record: AssessmentRecord, item_id: str, raw: Any,
                reason: str, actor: Actor) -> AssessmentRecord:
    """Record the consolidated answer of several respondents as the draft's answer, with the reason (audit-trailed).

    Raises ChangeRefused, NotADraft or VersionConflict.
    """
    if not record.draft:
        raise NotADraft(record.id)
    item = questionnaire.item(item_id)
    if item is None:
        raise KeyError(item_id)
    cleaned, problems = _reason(reason, item_id)
    value, value_problems = value_document(questionnaire, item, raw)
    problems = value_problems + problems
    if problems:
        raise ChangeRefused(problems)
    answers, data = dict(record.answers), dict(record.data)
    previous = answers.get(item_id)
    answers[item_id] = value
    if item.derive is not None and previous != value:
        for field_id in item.derive.fields():  # the chosen answer replaces figures that would compute another
            data.pop(field_id, None)
    version = queries.save_draft(session, record.id, record.version, answers, data)
    if version is None:
        current = queries.get_assessment(session, record.id)
        assert current is not None
        raise VersionConflict(current)
    providers.append_audit(session, assessment_id=record.id, item_id=item_id, kind="consolidation", value=value,
                           previous=previous, reason=cleaned, user_id=actor.user_id, user_name=actor.name,
                           organisation_name=actor.organisation)
    current = queries.get_assessment(session, record.id)
    assert current is not None
    return current


def effective_answers(questionnaire: Questionnaire, answers: Mapping[str, Any], data: Mapping[str, Any],
                      validated: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answers that count: self-reported, with every validated answer put in their place."""
    merged, figures = dict(answers), dict(data)
    for item_id, value in validated.items():
        item = questionnaire.item(item_id)
        if item is None:
            continue
        if item.derive is not None and merged.get(item_id) != value:
            for field_id in item.derive.fields():
                figures.pop(field_id, None)
        merged[item_id] = value
    return merged, figures


def submit_onsite(session: Session, questionnaire: Questionnaire, model: ScoringModel, assessment_id: int,
                  expected_version: int, actor: Actor) -> tuple[AssessmentRecord, Scorecard]:
    """Score and freeze an on-site assessment with the validated answers; the self-report is kept beside them.

    Raises assessments.Incomplete or VersionConflict; nothing is written then (the caller rolls back).
    """
    record = queries.get_assessment(session, assessment_id)
    if record is None:
        raise assessments.AssessmentNotFound(assessment_id)
    if not record.draft:
        raise NotADraft(assessment_id)
    if record.mode != "onsite":
        raise ValueError("not an on-site assessment")
    if record.version != expected_version:
        raise VersionConflict(record)
    validated = {k: e.value for k, e in validations(session, record.id).items()}
    answers, data = effective_answers(questionnaire, record.answers, record.data, validated)
    version = expected_version
    if (answers, data) != (dict(record.answers), dict(record.data)):
        saved = queries.save_draft(session, record.id, expected_version, answers, data)
        if saved is None:
            raise VersionConflict(record)
        version = saved
    frozen, card = assessments.submit(session, questionnaire, model, record.id, version)
    providers.record_assessor(session, record.id, assessor_id=actor.user_id, name=actor.name,
                              organisation=actor.organisation,
                              self_answers={"answers": dict(record.answers), "data": dict(record.data)})
    return frozen, card


# --- what the results page and the report show ---------------------------------------------------------------

def answer_label(questionnaire: Questionnaire, item_id: str, value: Any, lang: str) -> str:
    """An answers-document value as short text: option keys with their text, a level title, a figure."""
    item = questionnaire.item(item_id)
    if value is None:
        return "—"
    if item is None:
        return str(value)
    between, colon, comma = ("；", "：", "、") if lang == "zh" else ("; ", ": ", ", ")  # Chinese punctuation in Chinese
    if item.type in ("single", "multi"):
        keys = value if isinstance(value, list) else [value]
        return between.join(f"{k}. {tr(o.text, lang)}" if (o := item.option(str(k))) else str(k) for k in keys)
    if item.type == "rating":
        level = next((lv for lv in item.levels if lv.level == value), None)
        return tr(level.title, lang) if level is not None else str(value)
    if item.type == "grid" and isinstance(value, Mapping):
        rows = {r.key: tr(r.text, lang) for r in item.rows}
        columns = {c.key: tr(c.text, lang) for c in item.columns}
        return between.join(f"{rows.get(r, r)}{colon}" + comma.join(columns.get(str(c), str(c)) for c in
                                                                  (cell if isinstance(cell, list) else [cell]))
                            for r, cell in value.items())
    if isinstance(value, (int, float)):
        figure = Fraction(str(value))
        shown = str(figure.numerator) if figure.denominator == 1 else f"{float(figure):g}"
        return f"{shown} {tr(item.unit, lang)}".strip()
    return str(value)


@dataclass(frozen=True)
class ValidationLine:
    """An item whose validated answer differs from the self-reported one."""

    item_id: str
    question: str
    self_reported: str
    validated: str
    reason: str
    assessor: str
    at: datetime


@dataclass(frozen=True)
class ValidationSummary:
    """Whether a result is assessor-validated, by whom, how many items were checked and where they differ."""

    assessor_name: str
    assessor_org: str
    checked: int
    differences: tuple[ValidationLine, ...]


def validation_summary(session: Session, questionnaire: Questionnaire, record: AssessmentRecord,
                       lang: str) -> ValidationSummary | None:
    """The validation of a submitted on-site assessment (None for any other)."""
    if record.draft or record.mode != "onsite":
        return None
    conduct = providers.conduct(session, record.id)
    if conduct is None or conduct.self_answers is None:
        return None
    self_answers = conduct.self_answers.get("answers", {})
    checked = validations(session, record.id)
    lines = []
    for item in questionnaire.items:
        entry = checked.get(item.id)
        if entry is None or entry.value == self_answers.get(item.id):
            continue
        lines.append(ValidationLine(item.id, f"{item.id} {tr(item.short or item.text, lang)}",
                                    answer_label(questionnaire, item.id, self_answers.get(item.id), lang),
                                    answer_label(questionnaire, item.id, entry.value, lang), entry.reason,
                                    entry.user_name, entry.created_at))
    return ValidationSummary(conduct.assessor_name or "", conduct.assessor_org or "", len(checked), tuple(lines))


@dataclass(frozen=True)
class TrailLine:
    """One audit entry for display: when, who, what (item, from → to), why."""

    entry: AuditEntry
    question: str
    before: str
    after: str


def trail(session: Session, questionnaire: Questionnaire, assessment_id: int, lang: str) -> list[TrailLine]:
    """An assessment's audit trail with the answers as text, oldest first."""
    lines = []
    for entry in providers.audit_trail(session, assessment_id):
        item = questionnaire.item(entry.item_id)
        question = f"{entry.item_id} {tr(item.short or item.text, lang)}" if item is not None else entry.item_id
        lines.append(TrailLine(entry, question, answer_label(questionnaire, entry.item_id, entry.previous, lang),
                               answer_label(questionnaire, entry.item_id, entry.value, lang)))
    return lines


def assessor_of(session: Session, record: AssessmentRecord) -> tuple[str, str]:
    """The assessor's name and organisation: as recorded at submission, else the current ones ('' if none)."""
    conduct = providers.conduct(session, record.id)
    if conduct is None:
        return "", ""
    if conduct.assessor_name:
        return conduct.assessor_name, conduct.assessor_org or ""
    user = queries.get_user(session, conduct.assessor_id) if conduct.assessor_id is not None else None
    organisation = (providers.get_organisation(session, conduct.organisation_id)
                    if conduct.organisation_id is not None else None)
    name = (user.display_name or user.contact) if user is not None else ""
    return name, organisation.name if organisation is not None else ""



@dataclass(frozen=True)
class ResultWorkspace:
    """The provider side of a result: the validation, the assessor, and where the history and trail are."""

    validation: ValidationSummary | None
    assessor: str
    organisation: str
    mode: str
    trail: bool
    history_enterprise: int | None


def result_workspace(session: Session, questionnaire: Questionnaire, record: AssessmentRecord,
                     lang: str) -> ResultWorkspace:
    """What a result adds for guided and on-site assessments and for enterprises with several results."""
    validation = validation_summary(session, questionnaire, record, lang)
    name, organisation = assessor_of(session, record)
    several = record.enterprise_id is not None and sum(
        1 for a in providers.assessments_of_enterprise(session, record.enterprise_id) if a.status == "submitted") > 1
    has_trail = bool(providers.audit_trail(session, record.id))
    return ResultWorkspace(validation, name, organisation, record.mode, has_trail,
                           record.enterprise_id if several else None)


def enterprise_of(session: Session, record: AssessmentRecord) -> EnterpriseLine | None:
    """The enterprise an assessment is of, if any."""
    return providers.get_enterprise(session, record.enterprise_id) if record.enterprise_id else None


def now_iso(moment: datetime) -> str:
    """A timestamp as shown in the audit trail: UTC, to the minute."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")
