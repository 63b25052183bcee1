"""Site administration: a provider organisation comes with its first admin, officials need a region, and the
operator's command makes accounts with confirmed addresses."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.content.codes import regions
from assessment.db.models import SecurityEvent
from assessment.services import accounts, administration
from assessment.services.accounts import AccountInvalid
from assessment.services.authorization import Principal
from assessment.services.records import EmailTaken

ADMIN = Principal(1, "site_admin")


def test_a_provider_is_added_with_its_first_admin_and_both_are_logged(session: Session) -> None:
    organisation, admin = administration.add_provider(
        session, "  Qilu Digital  ", "370100", "boss@qilu.example", display_name="Boss", language="zh_CN",
        regions=regions(), granted_by=ADMIN, address="192.0.2.1")
    session.commit()
    assert organisation.name == "Qilu Digital" and organisation.region_code == "370100"
    assert (admin.role, admin.organisation_id, admin.email_verified_at) == ("provider_admin", organisation.id, None)
    listed = administration.overview(session)
    assert [(o.name, members) for o, members in listed.organisations] == [("Qilu Digital", 1)]
    assert listed.officials == [] and listed.admins == []
    logged = session.scalars(select(SecurityEvent.kind).order_by(SecurityEvent.id)).all()
    assert logged == ["account_created", "admin_action"]


def test_an_address_in_use_is_refused(session: Session) -> None:
    accounts.register(session, "taken@example.com", accounts.hash_password("x" * 20), None)
    with pytest.raises(EmailTaken):
        administration.add_official(session, "taken@example.com", "370000", display_name=None, language=None,
                                    regions=regions(), granted_by=ADMIN, address="")


def test_an_official_needs_the_region_of_an_authority(session: Session) -> None:
    with pytest.raises(AccountInvalid):
        administration.add_official(session, "o@example.com", "999999", display_name=None, language=None,
                                    regions=regions(), granted_by=ADMIN, address="")
    official = administration.add_official(session, "o@example.com", "370000", display_name=None, language=None,
                                           regions=regions(), granted_by=ADMIN, address="")
    assert (official.role, official.region_code) == ("official", "370000")
    assert administration.overview(session).officials == [official]


def test_the_operator_names_an_organisation_that_is_made_once(session: Session) -> None:
    first = administration.add_by_operator(session, "a@qilu.example", "a long unusual passphrase here",
                                           role="provider_admin", regions=regions(), organisation="Qilu")
    second = administration.add_by_operator(session, "b@qilu.example", "another long unusual passphrase",
                                            role="provider_staff", regions=regions(), organisation="Qilu")
    assert first.organisation_id == second.organisation_id is not None
    assert first.email_verified_at is not None
    with pytest.raises(AccountInvalid):
        administration.add_by_operator(session, "c@example.com", "short", role="site_admin", regions=regions())
