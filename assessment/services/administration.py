"""Site administration: provider organisations with their first admin, officials' accounts, and accounts made on the
server's command line."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from assessment.db import providers
from assessment.db.providers import OrganisationRecord
from assessment.db.queries import UserRecord
from assessment.domain.enterprise import Regions
from assessment.services import accounts, security_log
from assessment.services.authorization import OPERATOR, Principal


@dataclass(frozen=True)
class Overview:
    """What the admin page lists: provider organisations with their number of members, officials, site admins."""

    organisations: list[tuple[OrganisationRecord, int]]
    officials: list[UserRecord]
    admins: list[UserRecord]


def overview(session: Session) -> Overview:
    """The organisations and the accounts a site admin looks after."""
    return Overview(providers.organisations(session), providers.users_by_role(session, ["official"]),
                    providers.users_by_role(session, ["site_admin"]))


def add_provider(session: Session, name: str, region_code: str | None, email: str, *, display_name: str | None,
                 language: str | None, regions: Regions, granted_by: Principal,
                 address: str) -> tuple[OrganisationRecord, UserRecord]:
    """Add a provider organisation and its first admin, without a password until a reset link sets one (logged).

    Raises what accounts.create_account raises (EmailTaken, say); the caller rolls back then.
    """
    organisation = providers.add_organisation(session, name.strip(), "provider", region_code)
    record = accounts.create_account(session, email, None, role="provider_admin", regions=regions,
                                     granted_by=granted_by, organisation_id=organisation.id,
                                     display_name=display_name, language=language)
    security_log.record(session, security_log.ACCOUNT_CREATED, user_id=record.id, actor_id=granted_by.user_id,
                        address=address, role="provider_admin", organisation_id=organisation.id)
    security_log.record(session, security_log.ADMIN_ACTION, actor_id=granted_by.user_id, address=address,
                        action="organisation_added", organisation_id=organisation.id)
    return organisation, record


def add_official(session: Session, email: str, region_code: str, *, display_name: str | None, language: str | None,
                 regions: Regions, granted_by: Principal, address: str) -> UserRecord:
    """Add an official of the authority of a GB/T 2260 region, without a password until a reset link sets one.

    Raises what accounts.create_account raises (EmailTaken, AccountInvalid for the region); the caller rolls back.
    """
    record = accounts.create_account(session, email, None, role="official", regions=regions, granted_by=granted_by,
                                     region_code=region_code, display_name=display_name, language=language)
    security_log.record(session, security_log.ACCOUNT_CREATED, user_id=record.id, actor_id=granted_by.user_id,
                        address=address, role="official", region_code=record.region_code)
    return record


def add_by_operator(session: Session, email: str, password: str, *, role: str, regions: Regions,
                    organisation: str | None = None, region_code: str | None = None,
                    display_name: str | None = None) -> UserRecord:
    """An account made by the server's operator, its address taken as confirmed; a provider organisation named is
    made if there is none of that name (logged).

    Raises what accounts.create_account raises (EmailTaken, AccountInvalid).
    """
    organisation_id = None
    if organisation:
        found = providers.organisation_by_name(session, organisation)
        organisation_id = (found or providers.add_organisation(session, organisation, "provider")).id
    record = accounts.create_account(session, email, password, role=role, regions=regions, granted_by=OPERATOR,
                                     organisation_id=organisation_id, region_code=region_code,
                                     display_name=display_name, verified=True)
    security_log.record(session, security_log.ACCOUNT_CREATED, user_id=record.id, role=role, via="command")
    return record
