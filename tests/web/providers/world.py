"""A world of accounts, providers, enterprises, links and assessments made through the services, and logged-in
test clients."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from assessment.db import providers, queries
from assessment.domain.enterprise import EnterpriseProfile, uscc_check_character
from assessment.services import accounts, assessments, onsite
from assessment.services import providers as tenancy
from assessment.services.authorization import OPERATOR
from assessment.services.mail import MemoryOutbox
from assessment.services.onsite import Actor
from assessment.services.providers import Principal
from assessment.web.site import site
from assessment.web.tenancy import MAIL, signed_in_state

WORKED_EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "miit-2024-worked-example.json"
PASSWORD = "correct horse battery"


def uscc(body: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters."""
    return body + uscc_check_character(body)


def worked_example() -> dict[str, Any]:
    """The MIIT worked example's answers document (base 64.5, level 3)."""
    document: dict[str, Any] = json.loads(WORKED_EXAMPLE.read_text(encoding="utf-8"))
    return document


@dataclass(frozen=True)
class Tenant:
    """One provider with its admin and staff member, and one client enterprise with its owner."""

    organisation_id: int
    admin_id: int
    staff_id: int
    owner_id: int
    enterprise_id: int
    link_id: int


class World:
    """Builds accounts, providers, enterprises and assessments through the services, as the app would."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.count = 0

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A committed database session."""
        with site(self.app).sessions() as session:
            yield session
            session.commit()

    @property
    def outbox(self) -> MemoryOutbox:
        """The mail sent by the app (tests use the list outbox)."""
        found = self.app.extensions[MAIL]
        assert isinstance(found, MemoryOutbox)
        return found

    def member(self, role: str, email: str | None = None, *, organisation_id: int | None = None,
               region_code: str | None = None, name: str | None = None, password: str | None = None) -> int:
        """An account with a role; with a password it can log in through the form (scrypt), else only by session."""
        self.count += 1
        address = email or f"{role}{self.count}@example.com"
        with self.session() as session:
            if password is not None:
                record = accounts.create_account(session, address, password, role=role, regions=site(self.app).regions,
                                                 granted_by=OPERATOR,
                                                 organisation_id=organisation_id, region_code=region_code,
                                                 display_name=name, verified=True)
            else:
                record = providers.add_member(session, address, "unusable", role=role, organisation_id=organisation_id,
                                              region_code=region_code, display_name=name)
        return record.id

    def organisation(self, name: str) -> int:
        """A provider organisation."""
        with self.session() as session:
            return providers.add_organisation(session, name, "provider", "370100").id

    def enterprise(self, owner_id: int, name: str, code: str, region: str = "370102", industry: str = "34",
                   employees: int = 120, revenue: int = 8000) -> int:
        """An enterprise profile owned by an account."""
        profile = EnterpriseProfile(name=name, uscc=uscc(code), region_code=region, industry_code=industry,
                                    employees=employees, revenue_10k_cny=Fraction(revenue))
        with self.session() as session:
            return queries.add_profile(session, profile, owner_id)

    def link(self, staff_id: int, organisation_id: int, enterprise_id: int, owner_id: int) -> int:
        """An accepted invitation: the enterprise consented to the provider."""
        with self.session() as session:
            token = tenancy.invite(session, Principal(staff_id, "provider_staff", organisation_id), "client")
            return tenancy.accept(session, token, enterprise_id, owner_id).id

    def tenant(self, label: str, code: str, region: str = "370102", industry: str = "34") -> Tenant:
        """A provider with admin and staff, and a consenting client enterprise."""
        organisation_id = self.organisation(f"服务商{label}")
        admin = self.member("provider_admin", f"admin-{label}@example.com", organisation_id=organisation_id,
                            name=f"Admin {label}")
        staff = self.member("provider_staff", f"staff-{label}@example.com", organisation_id=organisation_id,
                            name=f"评定人{label}")
        owner = self.member("enterprise", f"owner-{label}@example.com")
        enterprise = self.enterprise(owner, f"企业{label}", code, region, industry)
        return Tenant(organisation_id, admin, staff, owner, enterprise, self.link(staff, organisation_id, enterprise,
                                                                                   owner))

    def assessment(self, tenant: Tenant, mode: str = "onsite", document: Mapping[str, Any] | None = None,
                   submit: bool = False) -> int:
        """A guided or on-site assessment of the tenant's client, answered with a document (the worked example)."""
        library = site(self.app).library
        questionnaire, model = library.questionnaire("miit-2024"), library.default_model("miit-2024")
        doc = document or worked_example()
        with self.session() as session:
            who = Principal(tenant.staff_id, "provider_staff", tenant.organisation_id)
            started = tenancy.start_for_client(session, who, tenant.enterprise_id, questionnaire, model, mode,
                                               reuse_previous=False)
            version = queries.save_draft(session, started.record.id, started.record.version, doc["answers"],
                                         doc.get("data", {}))
            assert version is not None
            if submit:
                if mode == "onsite":
                    onsite.submit_onsite(session, questionnaire, model, started.record.id, version,
                                         Actor(tenant.staff_id, f"staff {tenant.staff_id}", "provider"))
                else:
                    assessments.submit(session, questionnaire, model, started.record.id, version)
        return started.record.id

    def client(self, user_id: int) -> FlaskClient:
        """A test client logged in as this account (the session as the login form leaves it)."""
        with self.session() as db_session:
            record = queries.get_user(db_session, user_id)
        assert record is not None
        client = self.app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
            session["_id"] = "test"
            session.update(signed_in_state(record, time.time()))
            session.permanent = True
        return client
