"""Organisations (service providers and authorities) and the providers an enterprise is a client of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.db.models import Organisation, ProviderClient, User, utcnow


@dataclass(frozen=True)
class OrganisationRecord:
    """A service provider or an authority."""

    id: int
    kind: str
    name: str
    region_code: str | None


def _organisation(row: Organisation) -> OrganisationRecord:
    return OrganisationRecord(row.id, row.kind, row.name, row.region_code)


def add_organisation(session: Session, name: str, kind: str = "provider", region_code: str | None = None,
                     now: datetime | None = None) -> OrganisationRecord:
    """Insert an organisation."""
    row = Organisation(name=name, kind=kind, region_code=region_code, created_at=now or utcnow())
    session.add(row)
    session.flush()
    return _organisation(row)


def get_organisation(session: Session, organisation_id: int) -> OrganisationRecord | None:
    """The organisation with this id, or None."""
    row = session.get(Organisation, organisation_id)
    return None if row is None else _organisation(row)


def organisation_by_name(session: Session, name: str) -> OrganisationRecord | None:
    """The organisation with exactly this name, or None."""
    row = session.scalars(select(Organisation).where(Organisation.name == name).order_by(Organisation.id)).first()
    return None if row is None else _organisation(row)


def organisations(session: Session) -> list[tuple[OrganisationRecord, int]]:
    """Every organisation with its number of members, by name."""
    members = (select(User.organisation_id, func.count(User.id).label("n")).group_by(User.organisation_id)
               .subquery())
    rows = session.execute(select(Organisation, func.coalesce(members.c.n, 0))
                           .outerjoin(members, members.c.organisation_id == Organisation.id)
                           .order_by(Organisation.name, Organisation.id)).all()
    return [(_organisation(r[0]), int(r[1])) for r in rows]


def providers_of_enterprise(session: Session, enterprise_id: int) -> list[OrganisationRecord]:
    """The providers the enterprise is an active client of."""
    rows = session.scalars(select(Organisation).join(ProviderClient, ProviderClient.organisation_id == Organisation.id)
                           .where(ProviderClient.enterprise_id == enterprise_id,
                                  ProviderClient.accepted_at.is_not(None), ProviderClient.revoked_at.is_(None))
                           .order_by(Organisation.name))
    return [_organisation(r) for r in rows]
