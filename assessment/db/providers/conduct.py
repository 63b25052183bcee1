"""Assessments in guided and on-site mode: the provider and assessor who conduct them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from assessment.db.models import Assessment


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
