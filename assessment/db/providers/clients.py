"""Client links: a provider's invitation to an enterprise, its acceptance (the enterprise's consent) and its end;
the provider's client list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from assessment.db.changes import rows_changed
from assessment.db.models import Assessment, Enterprise, Organisation, ProviderClient, utcnow
from assessment.db.providers.enterprises import EnterpriseLine, enterprise_line


@dataclass(frozen=True)
class ClientLink:
    """A provider's invitation to an enterprise and its consent state."""

    id: int
    organisation_id: int
    organisation_name: str
    enterprise_id: int | None
    enterprise_name: str | None
    note: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None
    enterprise_erased: bool = False
    """The enterprise's account was deleted (the link ended with it, docs/data-rights.md)."""

    @property
    def status(self) -> str:
        """'pending', 'active' or 'revoked' (an unaccepted invitation past its date is 'expired')."""
        if self.revoked_at is not None:
            return "revoked"
        if self.accepted_at is not None:
            return "active"
        return "expired" if self.expires_at <= utcnow() else "pending"


def _links(session: Session, *conditions: Any) -> list[ClientLink]:
    rows = session.execute(
        select(ProviderClient, Organisation.name, Enterprise.name, Enterprise.erased_at)
        .join(Organisation, Organisation.id == ProviderClient.organisation_id)
        .outerjoin(Enterprise, Enterprise.id == ProviderClient.enterprise_id)
        .where(*conditions)
        .order_by(ProviderClient.created_at.desc(), ProviderClient.id.desc())
    ).all()
    return [ClientLink(r[0].id, r[0].organisation_id, r[1], r[0].enterprise_id, r[2], r[0].note, r[0].created_at,
                       r[0].expires_at, r[0].accepted_at, r[0].revoked_at, r[3] is not None) for r in rows]


def add_invitation(session: Session, organisation_id: int, token_hash: str, note: str, invited_by: int,
                   expires_at: datetime, now: datetime | None = None) -> int:
    """Record an invitation to become a client; its id."""
    row = ProviderClient(organisation_id=organisation_id, token_hash=token_hash, note=note, invited_by=invited_by,
                         created_at=now or utcnow(), expires_at=expires_at)
    session.add(row)
    session.flush()
    return row.id


def invitation_by_token_hash(session: Session, token_hash: str) -> ClientLink | None:
    """The invitation whose link token has this hash, or None (accepted invitations lose their token)."""
    found = _links(session, ProviderClient.token_hash == token_hash)
    return found[0] if found else None


def link_exists(session: Session, organisation_id: int, enterprise_id: int) -> bool:
    """Whether the enterprise is an active client of the provider."""
    return session.scalars(select(ProviderClient.id).where(
        ProviderClient.organisation_id == organisation_id, ProviderClient.enterprise_id == enterprise_id,
        ProviderClient.accepted_at.is_not(None), ProviderClient.revoked_at.is_(None)).limit(1)).first() is not None


def accept_invitation(session: Session, link_id: int, enterprise_id: int, user_id: int,
                      now: datetime | None = None) -> bool:
    """Accept a pending invitation for an enterprise; False if it is no longer pending."""
    moment = now or utcnow()
    result = session.execute(update(ProviderClient)
                             .where(ProviderClient.id == link_id, ProviderClient.accepted_at.is_(None),
                                    ProviderClient.revoked_at.is_(None), ProviderClient.expires_at > moment)
                             .values(enterprise_id=enterprise_id, accepted_at=moment, accepted_by=user_id,
                                     token_hash=None))
    return rows_changed(result) == 1


def revoke_link(session: Session, link_id: int, *, user_id: int, enterprise_ids: Iterable[int] = (),
                organisation_id: int | None = None, now: datetime | None = None) -> bool:
    """End a link (consent withdrawn by the enterprise, or an invitation withdrawn by the provider)."""
    owner = (ProviderClient.enterprise_id.in_(list(enterprise_ids)) if organisation_id is None
             else and_(ProviderClient.organisation_id == organisation_id, ProviderClient.accepted_at.is_(None)))
    result = session.execute(update(ProviderClient)
                             .where(ProviderClient.id == link_id, ProviderClient.revoked_at.is_(None), owner)
                             .values(revoked_at=now or utcnow(), revoked_by=user_id, token_hash=None))
    return rows_changed(result) == 1


def links_of_enterprises(session: Session, enterprise_ids: Iterable[int]) -> list[ClientLink]:
    """Every provider link of these enterprises, newest first."""
    return _links(session, ProviderClient.enterprise_id.in_(list(enterprise_ids)))


def invitations_of(session: Session, organisation_id: int) -> list[ClientLink]:
    """A provider's invitations and links, newest first."""
    return _links(session, ProviderClient.organisation_id == organisation_id)


def client_ids(session: Session, organisation_id: int) -> set[int]:
    """The enterprises that are active clients of the provider."""
    return set(session.scalars(select(ProviderClient.enterprise_id).where(
        ProviderClient.organisation_id == organisation_id, ProviderClient.accepted_at.is_not(None),
        ProviderClient.revoked_at.is_(None), ProviderClient.enterprise_id.is_not(None))))


@dataclass(frozen=True)
class ClientRow:
    """One client on the provider dashboard: the enterprise and its latest assessment."""

    enterprise: EnterpriseLine
    linked_at: datetime
    assessment_id: int | None
    status: str | None
    mode: str | None
    questionnaire_ref: str | None
    updated_at: datetime | None
    level: int | None
    """The level of the latest submitted assessment."""
    submitted_at: datetime | None


def clients(session: Session, organisation_id: int) -> list[ClientRow]:
    """The provider's active clients with their latest assessment and latest submitted level, by name."""
    latest = (select(Assessment.id, Assessment.enterprise_id, Assessment.status, Assessment.mode,
                     Assessment.questionnaire_ref, Assessment.updated_at,
                     func.row_number().over(partition_by=Assessment.enterprise_id,
                                            order_by=(Assessment.created_at.desc(), Assessment.id.desc()))
                     .label("n"))
              .subquery())
    submitted = (select(Assessment.enterprise_id, Assessment.level, Assessment.submitted_at,
                        func.row_number().over(partition_by=Assessment.enterprise_id,
                                               order_by=(Assessment.submitted_at.desc(), Assessment.id.desc()))
                        .label("n"))
                 .where(Assessment.status == "submitted").subquery())
    rows = session.execute(
        select(Enterprise, ProviderClient.accepted_at, latest.c.id, latest.c.status, latest.c.mode,
               latest.c.questionnaire_ref, latest.c.updated_at, submitted.c.level, submitted.c.submitted_at)
        .join(ProviderClient, ProviderClient.enterprise_id == Enterprise.id)
        .outerjoin(latest, and_(latest.c.enterprise_id == Enterprise.id, latest.c.n == 1))
        .outerjoin(submitted, and_(submitted.c.enterprise_id == Enterprise.id, submitted.c.n == 1))
        .where(ProviderClient.organisation_id == organisation_id, ProviderClient.accepted_at.is_not(None),
               ProviderClient.revoked_at.is_(None))
        .order_by(Enterprise.name, Enterprise.id)
    ).all()
    return [ClientRow(enterprise_line(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows]
