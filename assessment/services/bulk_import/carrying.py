"""Carrying out an import: each valid row once per provider (its fingerprint), in a transaction of its own.

A row in invite mode becomes an invitation (the enterprise accepts it, as with any invitation), or, when the
enterprise is a client already (it consented), a guided draft with the answers. A row in on-site mode needs a
client (consent as in the on-site workspace) and becomes a submitted on-site result with the assessor named.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assessment.content.loader import Library
from assessment.db import bulk_imports, providers, queries
from assessment.domain.answers import N_, Problem
from assessment.domain.enterprise import Industries, Regions
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.services import assessments, onsite
from assessment.services import providers as tenancy
from assessment.services.authorization import Principal
from assessment.services.bulk_import.rows import CheckedRow, Row, check_row


@dataclass(frozen=True)
class ImportContext:
    """What a worker needs to check rows: the content library and the code lists."""

    library: Library
    regions: Regions
    industries: Industries


@dataclass(frozen=True)
class Settings:
    """One import's choices: the questionnaire version, the mode and the assessor (on-site mode)."""

    questionnaire: Questionnaire
    model: ScoringModel
    mode: str
    assessor_id: int | None = None


@dataclass
class Outcome:
    """What became of one row: accepted (created now), already (imported before) or rejected, with the reasons."""

    row: int
    status: str
    uscc: str = ""
    name: str = ""
    created: str = ""
    link: str = ""
    assessment_id: int | None = None
    problems: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


class RowRefused(ValueError):
    """A valid row that cannot be carried out (consent, assessor); `problem` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


def _client(session: Session, organisation_id: int, uscc: str) -> int | None:
    found = [r.enterprise.id for r in providers.clients(session, organisation_id) if r.enterprise.uscc == uscc]
    return found[0] if found else None


def assessor_problem(session: Session, who: Principal, assessor_id: int | None) -> Problem | None:
    """Why the named assessor cannot attest on-site results (None if they can: active staff of the provider)."""
    members = providers.members(session, who.organisation_id or 0)
    if assessor_id is None or not any(m.id == assessor_id and m.active for m in members):
        return Problem("assessor", "assessor", N_("Choose the assessor from your organisation's staff."))
    return None


def _actor(session: Session, who: Principal, assessor_id: int) -> onsite.Actor:
    user = queries.get_user(session, assessor_id)
    organisation = providers.get_organisation(session, who.organisation_id or 0)
    assert user is not None and organisation is not None
    return onsite.Actor(user.id, user.display_name or user.email or str(user.id), organisation.name)


def _onsite(session: Session, who: Principal, settings: Settings, row: CheckedRow, enterprise_id: int,
            now: datetime) -> int:
    """A submitted on-site result of the row's answers, with the assessor named; its id."""
    assert settings.assessor_id is not None
    problem = assessor_problem(session, who, settings.assessor_id)
    if problem is not None:
        raise RowRefused(problem)
    started = tenancy.start_for_client(session, who, enterprise_id, settings.questionnaire, settings.model,
                                       "onsite", reuse_previous=False, now=now)
    version = queries.save_draft(session, started.record.id, started.record.version, row.document["answers"],
                                 row.document.get("data", {}), now)
    assert version is not None
    try:
        frozen, _card = onsite.submit_onsite(session, settings.questionnaire, settings.model, started.record.id,
                                             version, _actor(session, who, settings.assessor_id))
    except assessments.Incomplete as incomplete:
        raise RowRefused(Problem("uscc", "incomplete", N_("An on-site result needs every answer: {missing}"),
                                 {"missing": str(incomplete)})) from incomplete
    return frozen.id


def _draft(session: Session, who: Principal, settings: Settings, row: CheckedRow, enterprise_id: int,
           now: datetime) -> int:
    """A guided draft with the row's answers for a client that consented already; its id."""
    started = tenancy.start_for_client(session, who, enterprise_id, settings.questionnaire, settings.model,
                                       "guided", reuse_previous=False, now=now)
    queries.save_draft(session, started.record.id, started.record.version, row.document["answers"],
                       row.document.get("data", {}), now)
    return started.record.id


def carry_out(session: Session, who: Principal, settings: Settings, row: CheckedRow, job_id: int | None,
              now: datetime) -> Outcome:
    """Carry out one valid row unless the provider imported it before; raises RowRefused (nothing written)."""
    assert who.organisation_id is not None
    fingerprint = hashlib.sha256(f"{settings.mode}:{settings.questionnaire.ref}:{row.fingerprint}".encode()
                                 ).hexdigest()
    outcome = Outcome(row.number, "accepted", row.uscc, row.profile["name"])
    done = bulk_imports.find(session, who.organisation_id, fingerprint)
    if done is not None:
        outcome.status = "accepted" if job_id is not None and done.job_id == job_id else "already"
        outcome.created, outcome.assessment_id = done.outcome, done.assessment_id
        return outcome
    enterprise_id = _client(session, who.organisation_id, row.uscc)
    link_id, pending = None, None
    if settings.mode == "onsite":
        if enterprise_id is None:
            raise RowRefused(Problem("uscc", "not_client", N_(
                "This enterprise is not your client yet: invite it and wait for its consent before an on-site "
                "result is recorded.")))
        outcome.created, outcome.assessment_id = "onsite", _onsite(session, who, settings, row, enterprise_id, now)
    elif enterprise_id is not None:
        outcome.created, outcome.assessment_id = "draft", _draft(session, who, settings, row, enterprise_id, now)
    else:
        outcome.link = tenancy.invite(session, who, f"{row.profile['name']}（{row.uscc}）"[:200], now)
        found = providers.invitation_by_token_hash(session, assessments.token_hash(outcome.link))
        link_id, outcome.created = (found.id if found else None), "invitation"
        pending = {"questionnaire_ref": settings.questionnaire.ref, "model_ref": settings.model.ref,
                   "answers": row.document["answers"], "data": row.document.get("data", {}), "staff_id": who.user_id}
    bulk_imports.add(session, who.organisation_id, row.uscc, fingerprint, job_id, outcome.created, link_id,
                     outcome.assessment_id, pending)
    return outcome


def one_row(session: Session, who: Principal, settings: Settings, context: ImportContext, row: Row,
            job_id: int | None, now: datetime) -> Outcome:
    """Check and carry out one row in a savepoint: a rejected row leaves nothing behind."""
    checked = check_row(row, settings.questionnaire, context.regions, context.industries,
                        complete=settings.mode == "onsite")
    if isinstance(checked, list):
        return Outcome(row.number, "rejected", row.cells.get("uscc", ""), row.cells.get("name", ""),
                       problems=[(p.item or "", p.message, dict(p.params)) for p in checked])
    savepoint = session.begin_nested()
    try:
        outcome = carry_out(session, who, settings, checked, job_id, now)
    except RowRefused as refused:
        savepoint.rollback()
        p = refused.problem
        return Outcome(row.number, "rejected", checked.uscc, checked.profile["name"],
                       problems=[(p.item or "", p.message, dict(p.params))])
    savepoint.commit()
    return outcome


def import_rows(sessions: Callable[[], Session], who: Principal, settings: Settings, context: ImportContext,
                rows: list[Row], job_id: int | None, clock: Callable[[], datetime],
                after_row: Callable[[Session, int], bool] | None = None) -> list[Outcome]:
    """Every row in its own transaction; `after_row(session, rows done)` counts progress and says whether to go on."""
    outcomes = []
    for position, row in enumerate(rows, start=1):
        with sessions() as session:
            outcomes.append(one_row(session, who, settings, context, row, job_id, clock()))
            if after_row is not None and not after_row(session, position):
                session.rollback()
                return []
            session.commit()
    return outcomes
