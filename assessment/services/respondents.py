"""Several respondents per assessment: invitations by link, their answers, and where they diverge item by item."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assessment.db import providers, queries
from assessment.db.models import utcnow
from assessment.db.providers import RespondentRecord
from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import (
    N_,
    Answers,
    AnswersInvalid,
    Problem,
    answers_to_document,
    parse_answers,
)
from assessment.domain.questionnaire import Item, Questionnaire
from assessment.services.assessments import new_token, token_hash
from assessment.services.authorization import may_answer_as
from assessment.services.onsite import Actor, ChangeRefused, consolidate
from assessment.services.steps import StepInput, merge_step

MAX_RESPONDENTS = 30


class RespondentConflict(Exception):
    """The respondent's answers were saved elsewhere since the page was opened."""


@dataclass(frozen=True)
class RespondentStep:
    """A respondent's answers after saving one section, with the section's problems (their answers keep the old value)."""

    respondent: RespondentRecord
    answers: Answers
    problems: tuple[Problem, ...] = ()


def invite(session: Session, record: AssessmentRecord, questionnaire: Questionnaire, name: str, function: str,
           sections: Iterable[str], invited_by: int | None) -> tuple[RespondentRecord, str]:
    """A respondent for an assessment's sections (none chosen = all) and the link token, shown once.

    Raises ChangeRefused (no name, unknown section, too many respondents).
    """
    problems = []
    cleaned = name.strip()[:100]
    if not cleaned:
        problems.append(Problem("name", "name", N_("Enter the respondent's name or position.")))
    chosen = list(dict.fromkeys(sections))
    known = {s.id for s in questionnaire.sections}
    if any(s not in known for s in chosen):
        problems.append(Problem("sections", "sections", N_("Choose sections of this questionnaire.")))
    if len(providers.respondents(session, record.id)) >= MAX_RESPONDENTS:
        problems.append(Problem("name", "count", N_("An assessment can have at most {n} respondents."),
                                {"n": MAX_RESPONDENTS}))
    if not record.draft:
        problems.append(Problem("name", "submitted", N_("The assessment is submitted; nobody can answer it any more.")))
    if problems:
        raise ChangeRefused(problems)
    token, hashed = new_token()
    respondent = providers.add_respondent(session, assessment_id=record.id, name=cleaned,
                                          function=function.strip()[:100], sections=chosen, token_hash=hashed,
                                          invited_by=invited_by)
    return respondent, token


def people(session: Session, assessment_id: int) -> list[RespondentRecord]:
    """The respondents of an assessment in invitation order, closed links too."""
    return providers.respondents(session, assessment_id)


def answering(session: Session, respondent_id: int,
              secret: str | None) -> tuple[RespondentRecord, AssessmentRecord] | None:
    """The respondent whose link this browser opened (the secret it gave, asked at the door), with the assessment;
    None for anyone else or a closed link."""
    if not may_answer_as(session, respondent_id, secret):
        return None
    person = providers.get_respondent(session, respondent_id)
    if person is None or person.revoked_at is not None:
        return None
    assessment = queries.get_assessment(session, person.assessment_id)
    return None if assessment is None else (person, assessment)


def open_link(session: Session, token: str) -> RespondentRecord | None:
    """The respondent a link token belongs to, if the link is still open."""
    if not token or len(token) > 128:
        return None
    respondent = providers.respondent_by_token_hash(session, token_hash(token))
    return respondent if respondent is not None and respondent.revoked_at is None else None


def _document(questionnaire: Questionnaire, answers: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return {"questionnaire": questionnaire.id, "answers": answers, "data": data}


def respondent_answers(questionnaire: Questionnaire, respondent: RespondentRecord) -> Answers:
    """A respondent's answers as checked values."""
    return parse_answers(questionnaire, _document(questionnaire, dict(respondent.answers), dict(respondent.data)),
                         complete=False)


def save(session: Session, questionnaire: Questionnaire, respondent: RespondentRecord, section_id: str,
         posted: StepInput, expected_version: int, *, finish: bool = False,
         now: datetime | None = None) -> RespondentStep:
    """Save a respondent's section: valid answers are stored, invalid ones keep their saved value and are reported."""
    section = next((s for s in questionnaire.sections if s.id == section_id), None)
    if section is None or not respondent.answers_section(section_id):
        raise KeyError(section_id)
    step_items = {i.id for i in section.items}
    step_fields = {f.id for i in section.items for f in i.fields}
    answers, data = merge_step(respondent.answers, respondent.data, posted, step_items, step_fields)
    problems: list[Problem] = []
    try:
        parsed = parse_answers(questionnaire, _document(questionnaire, answers, data), complete=False)
    except AnswersInvalid as exc:
        problems = exc.problems
        for problem in problems:
            if problem.item in respondent.answers:
                answers[problem.item or ""] = respondent.answers[problem.item or ""]
            else:
                answers.pop(problem.item or "", None)
            field_id = problem.params.get("field")
            if field_id is not None:
                if field_id in respondent.data:
                    data[str(field_id)] = respondent.data[str(field_id)]
                else:
                    data.pop(str(field_id), None)
        try:
            parsed = parse_answers(questionnaire, _document(questionnaire, answers, data), complete=False)
        except AnswersInvalid:
            answers, data = dict(respondent.answers), dict(respondent.data)
            parsed = respondent_answers(questionnaire, respondent)
    document = answers_to_document(parsed)
    new_answers, new_data = document["answers"], document.get("data", {})
    moment = now or utcnow()
    version = providers.save_respondent(session, respondent.id, expected_version, new_answers, new_data,
                                        submitted=finish and not problems, now=moment)
    if version is None:
        raise RespondentConflict(respondent.id)
    stored = replace(respondent, answers=new_answers, data=new_data, version=version, updated_at=moment,
                     submitted_at=moment if finish and not problems else respondent.submitted_at)
    step_problems = tuple(p for p in problems if p.item in step_items or p.params.get("field") in step_fields)
    return RespondentStep(stored, parsed, step_problems)


def revoke(session: Session, record: AssessmentRecord, respondent_id: int) -> bool:
    """Close a respondent's link; the answers given stay for the divergence view."""
    return providers.revoke_respondent(session, respondent_id, record.id)


@dataclass(frozen=True)
class Divergence:
    """One item: each respondent's answer, the assessment's current answer, and whether they agree."""

    item: Item
    section_id: str
    answers: tuple[tuple[RespondentRecord, Any], ...]
    current: Any

    @property
    def values(self) -> list[Any]:
        """The distinct answers given by respondents, in order of first appearance."""
        distinct: list[Any] = []
        for _respondent, value in self.answers:
            if value not in distinct:
                distinct.append(value)
        return distinct

    @property
    def diverges(self) -> bool:
        """Whether respondents gave different answers."""
        return len(self.values) > 1

    @property
    def settled(self) -> bool:
        """Whether the respondents agree and the assessment holds that answer."""
        return len(self.values) == 1 and self.values[0] == self.current


def divergence(questionnaire: Questionnaire, record: AssessmentRecord,
               respondents: Iterable[RespondentRecord]) -> list[Divergence]:
    """Every item at least one respondent answered, in questionnaire order, with all the answers given."""
    people = list(respondents)
    rows = []
    for section in questionnaire.sections:
        for item in section.items:
            given = tuple((r, r.answers[item.id]) for r in people if item.id in r.answers)
            if given:
                rows.append(Divergence(item, section.id, given, record.answers.get(item.id)))
    return rows


def adopt_agreed(session: Session, questionnaire: Questionnaire, record: AssessmentRecord, reason: str,
                 actor: Actor) -> tuple[AssessmentRecord, int]:
    """Take over every answer on which all respondents who answered it agree; how many answers changed."""
    if not reason.strip():
        raise ChangeRefused([Problem(None, "reason", N_("Say why: the reason is kept in the audit trail."))])
    changed = 0
    for row in divergence(questionnaire, record, providers.respondents(session, record.id)):
        if not row.diverges and not row.settled:
            record = consolidate(session, questionnaire, record, row.item.id, row.values[0], reason, actor)
            changed += 1
    return record, changed


def hand_in(session: Session, respondent: RespondentRecord) -> bool:
    """Mark a respondent's answers as handed in (they can still change them); False if the link was closed."""
    return providers.save_respondent(session, respondent.id, respondent.version, respondent.answers,
                                     respondent.data, submitted=True) is not None
