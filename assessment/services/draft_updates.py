"""Changing a draft's answers, figures and enterprise profile in one request (the JSON API): each section's posted
values are saved as the wizard saves a step, against the version the caller read; any problem and nothing is kept
(the adapter rolls the transaction back), so a change is all or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assessment.db.queries import AssessmentRecord
from assessment.domain.answers import N_, Problem
from assessment.domain.enterprise import Industries, Regions
from assessment.domain.questionnaire import Questionnaire
from assessment.services.assessments import VersionConflict, get_draft, save_profile
from assessment.services.steps import StepInput, save_step


@dataclass(frozen=True)
class DraftChange:
    """What the caller sends: answers by item id, figures by data-field id, and profile fields (each optional)."""

    answers: Mapping[str, Any]
    data: Mapping[str, Any]
    profile: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class DraftUpdate:
    """The draft after the change, or the change's problems (one per item, figure or profile field)."""

    record: AssessmentRecord
    problems: tuple[Problem, ...] = ()


def _named(problem: Problem) -> Problem:
    """A figure's problem named after its data field (the domain names items only)."""
    if problem.item is None and problem.params.get("field") is not None:
        return replace(problem, item=str(problem.params["field"]))
    return problem


def _unknown(questionnaire: Questionnaire, change: DraftChange) -> list[Problem]:
    fields = questionnaire.data_fields()
    problems = [Problem(iid, "unknown_item", N_("unknown item {item!r}"), {"item": iid})
                for iid in change.answers if questionnaire.item(iid) is None]
    problems += [Problem(fid, "unknown_field", N_("data: unknown field {field!r}"), {"field": fid})
                 for fid in change.data if fid not in fields]
    return problems


def update_draft(session: Session, questionnaire: Questionnaire, assessment_id: int, change: DraftChange,
                 expected_version: int, regions: Regions, industries: Industries, *,
                 now: datetime | None = None) -> DraftUpdate:
    """Save the change if the draft is still at `expected_version` (else VersionConflict); with problems, the caller
    rolls back. Raises AssessmentNotFound or NotADraft like the wizard."""
    record = get_draft(session, assessment_id)
    if record.version != expected_version:
        raise VersionConflict(record)
    problems = _unknown(questionnaire, change)
    if problems:
        return DraftUpdate(record, tuple(problems))
    if change.profile is not None:
        saved = save_profile(session, record.id, change.profile, record.version, regions, industries, now=now)
        record = saved.record
        problems.extend(saved.problems)
    for section in questionnaire.sections:
        answers = {i.id: change.answers[i.id] for i in section.items if i.id in change.answers}
        data = {f.id: change.data[f.id] for i in section.items for f in i.fields if f.id in change.data}
        if answers or data:
            step = save_step(session, questionnaire, record.id, section.id, StepInput(answers, data), record.version,
                             now, current=record)
            record = step.record
            problems.extend(_named(p) for p in step.problems)
    return DraftUpdate(record, tuple(problems))
