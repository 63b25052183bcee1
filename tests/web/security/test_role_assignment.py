"""Role assignment: each actor has an explicit set of roles it may grant (a site admin any; a provider admin staff or
admin of its own organisation; nobody else any), forms offer only those, and a forged value gets 422 and writes
nothing. Switching a member's access is for the admins of its own provider, never for themselves, and ends the
member's sessions at once."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from world import World

from assessment.db import providers, queries
from assessment.db.models import ROLES, SecurityEvent, User, utcnow
from assessment.services import accounts, authorization
from assessment.services.authorization import OPERATOR, Principal, Refused
from assessment.web.site import site

ADMIN_A = Principal(1, "provider_admin", 10)


def _accounts(app: Flask) -> int:
    with site(app).sessions() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def _enrolled(app: Flask, *user_ids: int) -> None:
    """These accounts use two-step verification (their roles must)."""
    with site(app).sessions() as session:
        session.execute(update(User).where(User.id.in_(user_ids)).values(mfa_secret="A" * 32, mfa_enabled_at=utcnow()))
        session.commit()


def _events(app: Flask, kind: str) -> list[SecurityEvent]:
    with site(app).sessions() as session:
        return list(session.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind)))


def test_a_site_admin_may_grant_every_role_and_a_provider_admin_only_its_own_provider_s() -> None:
    assert authorization.grantable_roles(Principal(1, "site_admin")) == frozenset(ROLES)
    assert authorization.grantable_roles(OPERATOR) == frozenset(ROLES)
    assert authorization.grantable_roles(ADMIN_A) == {"provider_staff", "provider_admin"}
    for who in (Principal(), Principal(1, "enterprise"), Principal(1, "provider_staff", 10), Principal(1, "official"),
                Principal(1, "provider_admin", None)):
        assert authorization.grantable_roles(who) == frozenset(), who
    assert authorization.may_grant(ADMIN_A, "provider_staff", 10)
    assert authorization.may_grant(ADMIN_A, "provider_admin", 10)
    assert not authorization.may_grant(ADMIN_A, "provider_staff", 11)
    assert not authorization.may_grant(ADMIN_A, "site_admin", 10)
    assert not authorization.may_grant(ADMIN_A, "official", None)
    assert authorization.may_grant(Principal(1, "site_admin"), "provider_admin", 11)


@pytest.mark.parametrize(("who", "role", "organisation"), [
    ("admin", "site_admin", "own"), ("admin", "official", "own"), ("admin", "enterprise", "own"),
    ("admin", "provider_staff", "other"), ("admin", "provider_admin", "other"), ("staff", "provider_staff", "own"),
    ("owner", "enterprise", "own"), ("visitor", "enterprise", "own"),
])
def test_creating_an_account_with_a_role_the_grantor_may_not_give_is_refused(
        app: Flask, world: World, who: str, role: str, organisation: str) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    other = world.organisation("服务商B")
    principals = {"admin": Principal(tenant.admin_id, "provider_admin", tenant.organisation_id),
                  "staff": Principal(tenant.staff_id, "provider_staff", tenant.organisation_id),
                  "owner": Principal(tenant.owner_id, "enterprise"), "visitor": Principal()}
    before = _accounts(app)
    with site(app).sessions() as session, pytest.raises(Refused):
        accounts.create_account(session, "new@example.com", None, role=role, regions=site(app).regions,
                                granted_by=principals[who], region_code="370000",
                                organisation_id=tenant.organisation_id if organisation == "own" else other)
    assert _accounts(app) == before


def test_a_provider_admin_adds_staff_and_admins_of_its_own_provider(app: Flask, world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    admin = world.client(tenant.admin_id)
    page = admin.get("/provider/staff").text
    assert 'value="provider_staff"' in page and 'value="provider_admin"' in page
    assert 'value="site_admin"' not in page and 'value="official"' not in page and 'value="enterprise"' not in page
    for number, role in enumerate(("provider_staff", "provider_admin")):
        response = admin.post("/provider/staff", data={"email": f"m{number}@example.com", "display_name": "M",
                                                        "role": role})
        assert response.status_code == 303, response.text
        with site(app).sessions() as session:
            member = queries.user_by_email(session, f"m{number}@example.com")
        assert member is not None and member.role == role and member.organisation_id == tenant.organisation_id
    created = _events(app, "account_created")
    assert [(e.actor_id, e.detail["role"]) for e in created] == [(tenant.admin_id, "provider_staff"),
                                                               (tenant.admin_id, "provider_admin")]


@pytest.mark.parametrize("forged", [
    {"role": "site_admin"}, {"role": "official"}, {"role": "enterprise"}, {"role": "superuser"},
    {"role": "provider_staff", "organisation_id": "other"}, {"role": ["provider_staff", "site_admin"]},
])
def test_a_forged_role_or_organisation_gets_422_and_writes_nothing(
        app: Flask, world: World, forged: dict[str, object]) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    other = world.organisation("服务商B")
    data: dict[str, object] = {"email": "new@example.com", "display_name": "New", **forged}
    if data.get("organisation_id") == "other":
        data["organisation_id"] = str(other)
    if isinstance(forged["role"], list):  # the first value is the one a form reads: send the forged one first
        data["role"] = list(reversed(forged["role"]))
    before = _accounts(app)
    response = world.client(tenant.admin_id).post("/provider/staff", data=data)
    assert response.status_code == 422
    assert _accounts(app) == before
    with site(app).sessions() as session:
        assert queries.user_by_email(session, "new@example.com") is None
    assert not world.outbox.sent


def test_only_a_provider_admin_may_add_staff(app: Flask, world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    official, site_admin = world.member("official", region_code="370000"), world.member("site_admin")
    _enrolled(app, official, site_admin)
    before = _accounts(app)
    for user in (tenant.staff_id, tenant.owner_id, official, site_admin):
        response = world.client(user).post("/provider/staff", data={"email": "new@example.com",
                                                                    "display_name": "New", "role": "provider_staff"})
        assert response.status_code == 404
    assert _accounts(app) == before


def test_switching_a_member_off_ends_their_sessions_and_is_logged(app: Flask, world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    assert staff.get("/provider/").status_code == 200
    admin = world.client(tenant.admin_id)
    assert admin.post(f"/provider/staff/{tenant.staff_id}/active", data={"active": "0"}).status_code == 303
    assert staff.get("/provider/").status_code == 303  # to the login page: the session ended
    with site(app).sessions() as session:
        member = queries.get_user(session, tenant.staff_id)
    assert member is not None and not member.active and member.session_generation == 1
    [event] = _events(app, "account_active_changed")
    assert (event.user_id, event.actor_id, event.detail["active"]) == (tenant.staff_id, tenant.admin_id, False)
    assert admin.post(f"/provider/staff/{tenant.staff_id}/active", data={"active": "1"}).status_code == 303
    assert staff.get("/provider/").status_code == 303, "switching on again does not revive an ended session"
    assert world.client(tenant.staff_id).get("/provider/").status_code == 200


def test_a_provider_admin_switches_only_its_own_provider_s_members_and_never_itself(
        app: Flask, world: World) -> None:
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    admin = world.client(a.admin_id)
    for user in (a.admin_id, b.staff_id, b.admin_id, a.owner_id):
        assert admin.post(f"/provider/staff/{user}/active", data={"active": "0"}).status_code == 404, user
    assert world.client(a.staff_id).post(f"/provider/staff/{a.staff_id}/active",
                                         data={"active": "0"}).status_code == 404
    assert admin.post(f"/provider/staff/{a.staff_id}/active", data={"active": "off"}).status_code == 422
    with site(app).sessions() as session:
        assert all(queries.get_user(session, u).active  # type: ignore[union-attr]
                   for u in (a.admin_id, a.staff_id, b.staff_id, b.admin_id, a.owner_id))
        assert providers.members(session, a.organisation_id)
    assert not _events(app, "account_active_changed")


def test_changing_a_member_s_role_ends_their_sessions_and_is_logged(app: Flask, world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    assert staff.get("/provider/").status_code == 200
    admin = world.client(tenant.admin_id)
    assert admin.post(f"/provider/staff/{tenant.staff_id}/role", data={"role": "provider_admin"}).status_code == 303
    assert staff.get("/provider/").status_code == 303  # to the login page: the session ended
    with site(app).sessions() as session:
        member = queries.get_user(session, tenant.staff_id)
    assert member is not None and member.role == "provider_admin" and member.session_generation == 1
    [event] = _events(app, "role_changed")
    assert (event.user_id, event.actor_id, event.detail["role"]) == (tenant.staff_id, tenant.admin_id,
                                                                    "provider_admin")


@pytest.mark.parametrize("role", ["site_admin", "official", "enterprise", "", ["provider_admin", "site_admin"]])
def test_a_provider_admin_changes_roles_only_to_its_grantable_ones_of_its_own_members(
        app: Flask, world: World, role: object) -> None:
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    admin = world.client(a.admin_id)
    data = {"role": list(reversed(role)) if isinstance(role, list) else role}
    assert admin.post(f"/provider/staff/{a.staff_id}/role", data=data).status_code == 422
    for user in (a.admin_id, b.staff_id, a.owner_id):
        assert admin.post(f"/provider/staff/{user}/role", data={"role": "provider_admin"}).status_code == 404, user
    assert world.client(a.staff_id).post(f"/provider/staff/{a.staff_id}/role",
                                         data={"role": "provider_admin"}).status_code == 404
    with site(app).sessions() as session:
        assert [queries.get_user(session, u).role for u in (a.staff_id, b.staff_id)] == [  # type: ignore[union-attr]
            "provider_staff", "provider_staff"]
    assert not _events(app, "role_changed")


def test_a_site_admin_adds_providers_and_officials_with_the_grant_logged(app: Flask, world: World) -> None:
    admin_id = world.member("site_admin")
    _enrolled(app, admin_id)
    admin = world.client(admin_id)
    response = admin.post("/admin/organisations", data={"org-name": "服务商N", "org-email": "first@example.com"})
    assert response.status_code == 303, response.text
    response = admin.post("/admin/officials", data={"official-email": "o@example.com", "official-province": "370000",
                                                    "official-city": "370100"})
    assert response.status_code == 303, response.text
    assert sorted(e.detail["role"] for e in _events(app, "account_created")) == ["official", "provider_admin"]
    assert all(e.actor_id == admin_id for e in _events(app, "account_created"))


def test_a_refused_request_of_a_signed_in_account_is_logged_and_changes_nothing_else(
        app: Flask, world: World) -> None:
    a = world.tenant("A", "91370102MA3C00001")
    b = world.tenant("B", "91370102MA3C00002")
    before = _accounts(app)
    assert world.client(a.staff_id).post("/provider/staff", data={"email": "x@example.com", "display_name": "X",
                                                                  "role": "provider_staff"}).status_code == 404
    other = world.assessment(b)
    assert world.client(a.admin_id).get(f"/assessments/{other}/workspace").status_code == 404
    denied = _events(app, "access_denied")
    assert [(e.user_id, e.outcome, e.detail["what"]) for e in denied] == [
        (a.staff_id, "failure", "role"), (a.admin_id, "failure", "workspace")]
    assert denied[1].detail["object_id"] == other and denied[1].detail["method"] == "GET"
    assert _accounts(app) == before
