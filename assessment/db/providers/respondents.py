"""Respondents: the people of an enterprise who answer its sections of one assessment by link."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.db.changes import rows_changed
from assessment.db.models import Respondent, utcnow


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
    return expected_version + 1 if rows_changed(result) == 1 else None


def revoke_respondent(session: Session, respondent_id: int, assessment_id: int, now: datetime | None = None) -> bool:
    """Close a respondent's link (the answers given stay); False if already closed or not of this assessment."""
    result = session.execute(update(Respondent)
                             .where(Respondent.id == respondent_id, Respondent.assessment_id == assessment_id,
                                    Respondent.revoked_at.is_(None))
                             .values(revoked_at=now or utcnow()))
    return rows_changed(result) == 1
