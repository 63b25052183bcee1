"""Saving one wizard step of a draft: the posted values laid over the saved ones, each checked, and written unless
the draft was saved elsewhere since the page was opened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from assessment.db import queries
from assessment.db.models import utcnow
from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import (
    Answers,
    AnswersInvalid,
    Problem,
    answers_to_document,
    parse_answers,
    parse_data,
    visible_items,
)
from assessment.domain.questionnaire import Item, Questionnaire, Section
from assessment.services.assessments import VersionConflict, answers_document, draft_answers, get, get_draft


@dataclass(frozen=True)
class StepInput:
    """What one wizard step posted: raw answers by item id and raw figures by data-field id.

    A key that is present sets (or, with None, clears) the answer; an absent key leaves it as saved.
    """

    answers: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepResult:
    """The draft after a step was saved, the step's problems (their answers keep the saved value), and any
    items of the step that the new answers revealed."""

    record: AssessmentRecord
    answers: Answers
    problems: tuple[Problem, ...] = ()
    revealed: tuple[str, ...] = ()
    changed: bool = False


def _step_fields(section: Section) -> set[str]:
    return {f.id for item in section.items for f in item.fields}


def _parsed(questionnaire: Questionnaire, answers: Mapping[str, Any],
            data: Mapping[str, Any]) -> tuple[Answers | None, list[Problem]]:
    try:
        return parse_answers(questionnaire, answers_document(questionnaire, answers, data), complete=False), []
    except AnswersInvalid as exc:
        return None, exc.problems


def _restore(target: dict[str, Any], saved: Mapping[str, Any], key: str) -> None:
    if key in saved:
        target[key] = saved[key]
    else:
        target.pop(key, None)


def _restore_derived(answers: dict[str, Any], saved: Mapping[str, Any], section: Section, field_id: str) -> None:
    """Put back the saved answer of each item of the step computed from this figure."""
    for item in section.items:
        if item.derive is not None and field_id in item.derive.fields():
            _restore(answers, saved, item.id)


def _visible_ids(questionnaire: Questionnaire, answers: Answers, section: Section) -> set[str]:
    if not questionnaire.has_conditions:
        return {i.id for i in section.items}
    shown = {i.id for i in visible_items(questionnaire, answers.values)}
    return {i.id for i in section.items if i.id in shown}


def _derivable(item: Item, data: Mapping[str, Fraction]) -> bool:
    return item.derive is not None and item.derive.derive(data) is not None


def merge_step(answers: Mapping[str, Any], data: Mapping[str, Any], posted: StepInput, step_items: set[str],
               step_fields: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Saved answers and figures with one step's posted values laid over them; an emptied value is removed."""
    merged, figures = dict(answers), dict(data)
    for iid in step_items & set(posted.answers):
        raw = posted.answers[iid]
        if raw is None or raw == "" or raw == []:
            merged.pop(iid, None)
        else:
            merged[iid] = raw
    for fid in step_fields & set(posted.data):
        raw = posted.data[fid]
        text = raw.strip() if isinstance(raw, str) else raw
        if text is None or text == "":
            figures.pop(fid, None)
        else:
            figures[fid] = text
    return merged, figures


def _merged(questionnaire: Questionnaire, section: Section, saved_answers: dict[str, Any],
            saved_data: dict[str, Any], posted: StepInput) -> tuple[dict[str, Any], dict[str, Any]]:
    """The saved answers and figures with the step's posted values laid over them."""
    answers, data = merge_step(saved_answers, saved_data, posted, {i.id for i in section.items},
                               _step_fields(section))
    figures, _ = parse_data(questionnaire, data)
    for item in section.items:
        # An option left as it was saved yields to new figures: the figures were what the user changed.
        if item.id in posted.answers and answers.get(item.id) == saved_answers.get(item.id) \
                and _derivable(item, figures):
            answers.pop(item.id, None)
    return answers, data


def _checked(questionnaire: Questionnaire, section: Section, answers: dict[str, Any], data: dict[str, Any],
             saved_answers: dict[str, Any], saved_data: dict[str, Any],
             ) -> tuple[dict[str, Any], dict[str, Any], Answers | None, list[Problem]]:
    """The merged values with each invalid answer or figure of the step back at its saved value (all of them back
    if that is not enough), parsed (None when they are the saved ones), and the step's problems."""
    step_items, step_fields = {i.id for i in section.items}, _step_fields(section)
    parsed, problems = _parsed(questionnaire, answers, data)
    step_problems = [p for p in problems if p.item in step_items or p.params.get("field") in step_fields
                     or p.params.get("whole") in step_fields]
    if problems:
        for problem in problems:
            if problem.item in step_items:
                _restore(answers, saved_answers, problem.item or "")
            for field_id in (problem.params.get("field"), problem.params.get("whole")):
                if field_id in step_fields:
                    _restore(data, saved_data, str(field_id))
                    if problem.code == "field_exceeds_whole":  # an option ticked from impossible figures is not one
                        _restore_derived(answers, saved_answers, section, str(field_id))
        parsed, still = _parsed(questionnaire, answers, data)
        if still:
            answers, data, parsed = saved_answers, saved_data, None
    return answers, data, parsed, step_problems


def _stored(session: Session, record: AssessmentRecord, answers: dict[str, Any], data: dict[str, Any],
            now: datetime | None) -> AssessmentRecord:
    """The draft with new answers and figures written, if no one saved it since it was read."""
    moment = now or utcnow()
    version = queries.save_draft(session, record.id, record.version, answers, data, moment)
    if version is None:
        raise VersionConflict(get(session, record.id))
    return replace(record, answers=answers, data=data, version=version, updated_at=moment)


def save_step(session: Session, questionnaire: Questionnaire, assessment_id: int, section_id: str,
              posted: StepInput, expected_version: int, now: datetime | None = None, *,
              current: AssessmentRecord | None = None) -> StepResult:
    """Save one wizard step: valid answers are stored, invalid ones keep their saved value and are reported.

    Raises VersionConflict when the draft was changed elsewhere since `expected_version` and this step would
    change it again; nothing is written then. `current` is the draft as just read in this session, if the caller
    has it (the conditional UPDATE still catches any change made since).
    """
    record = current if current is not None and current.id == assessment_id and current.draft \
        else get_draft(session, assessment_id)
    section = next((s for s in questionnaire.sections if s.id == section_id), None)
    if section is None:
        raise KeyError(section_id)
    saved_answers, saved_data = dict(record.answers), dict(record.data)
    answers, data = _merged(questionnaire, section, saved_answers, saved_data, posted)
    answers, data, parsed, step_problems = _checked(questionnaire, section, answers, data, saved_answers, saved_data)
    # parsed once per save: the merged answers (above), and the saved ones only when needed (below)
    unchanged = (answers, data) == (saved_answers, saved_data)
    before = draft_answers(questionnaire, record) if unchanged or parsed is None or questionnaire.has_conditions \
        else None
    if unchanged or parsed is None:
        assert before is not None
        parsed = before
    document = answers_to_document(parsed)
    new_answers, new_data = document["answers"], document.get("data", {})
    changed = (new_answers, new_data) != (saved_answers, saved_data)
    if record.version != expected_version and (changed or step_problems):
        raise VersionConflict(record)
    if changed:
        record = _stored(session, record, new_answers, new_data, now)
    revealed = _visible_ids(questionnaire, parsed, section) - _visible_ids(questionnaire, before, section) \
        if before is not None else set()
    revealed_unanswered = tuple(i.id for i in section.items if i.id in revealed and i.id not in parsed.values)
    return StepResult(record, parsed, tuple(step_problems), revealed_unanswered, changed)
