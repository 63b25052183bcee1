"""A provider's own solution catalogue entries, stored by entry id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessment.db.changes import rows_changed
from assessment.db.models import ProviderSolution, utcnow


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
    return rows_changed(result) == 1


def delete_solution(session: Session, solution_id: int, organisation_id: int) -> bool:
    """Remove one entry of this provider's catalogue; False if it is not the provider's."""
    row = session.get(ProviderSolution, solution_id)
    if row is None or row.organisation_id != organisation_id:
        return False
    session.delete(row)
    session.flush()
    return True
