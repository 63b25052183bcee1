"""The security log: an append-only table the database itself protects, a page only site admins open (filters by
event, outcome, account and Beijing dates, newest first, in pages), and the events the admin, provider, consent
and export actions write."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from world import World

from assessment.db import queries
from assessment.db.models import SecurityEvent
from assessment.services import demo, security_log
from assessment.web.site import site

ADMIN_EMAIL = "root@example.com"


def _add(world: World, kind: str, at: datetime, *, user_id: int | None = None, actor_id: int | None = None,
         outcome: str = "success", **detail: str) -> int:
    with world.session() as session:
        row = SecurityEvent(kind=kind, outcome=outcome, user_id=user_id, actor_id=actor_id, address="203.0.113.7",
                            detail=detail, at=at)
        session.add(row)
        session.flush()
        return row.id


def _kinds(world: World) -> list[tuple[str, int | None, int | None, dict[str, object]]]:
    with world.session() as session:
        return [(e.kind, e.user_id, e.actor_id, dict(e.detail)) for e in
                session.scalars(select(SecurityEvent).order_by(SecurityEvent.id))]


def _shown(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="event-(\d+)"', page)]


# --- the table ------------------------------------------------------------------------------------------------

def test_security_events_cannot_be_changed_or_removed_in_the_database(world: World) -> None:
    _add(world, security_log.SIGN_IN, datetime(2026, 1, 2, tzinfo=UTC), user_id=7, method="password")
    engine = site(world.app).engine
    for statement in (update(SecurityEvent).values(outcome="failure"), update(SecurityEvent).values(user_id=None),
                      delete(SecurityEvent)):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(statement)
    assert _kinds(world) == [(security_log.SIGN_IN, 7, None, {"method": "password"})]


# --- the page -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["enterprise", "provider_staff", "provider_admin", "official"])
def test_only_site_admins_open_the_security_log(world: World, role: str) -> None:
    organisation = world.organisation("服务商") if role.startswith("provider") else None
    user = world.member(role, organisation_id=organisation, region_code="370000" if role == "official" else None)
    assert world.client(user).get("/admin/security/").status_code == 404
    admin = world.member("site_admin", ADMIN_EMAIL)
    page = world.client(admin).get("/admin/security/")
    assert page.status_code == 200 and "安全日志" in page.text
    assert 'id="security-log-link"' in world.client(admin).get("/admin/").text


def test_a_visitor_is_sent_to_log_in(client: object, app: Flask) -> None:
    response = app.test_client().get("/admin/security/")
    assert response.status_code in (302, 303) and "/auth/login" in response.headers["Location"]


def test_the_log_lists_newest_first_in_beijing_time(world: World) -> None:
    admin = world.member("site_admin", ADMIN_EMAIL)
    first = _add(world, security_log.SIGN_IN, datetime(2026, 1, 1, 16, 30, tzinfo=UTC), user_id=admin,
                 method="password")
    second = _add(world, security_log.SIGN_IN, datetime(2026, 1, 1, 17, 0, tzinfo=UTC), user_id=admin,
                  outcome="failure", method="password")
    page = world.client(admin).get("/admin/security/").text
    assert _shown(page) == [second, first]
    row = re.search(rf'<tr id="event-{first}".*?</tr>', page, re.S)
    assert row is not None
    assert "2026-01-02 00:30:00" in row[0] and "登录" in row[0] and "成功" in row[0] and ADMIN_EMAIL in row[0]
    assert "method=password" in row[0] and "203.0.113.7" in row[0]
    english = world.client(admin)
    with english.session_transaction() as session:
        session["lang"] = "en"
    page = english.get("/admin/security/").text
    row = re.search(rf'<tr id="event-{second}".*?</tr>', page, re.S)
    assert row is not None and "2026-01-02 01:00:00" in row[0] and "Sign-in" in row[0] and "Failed" in row[0]
    assert "Times are Beijing time" in page


def test_the_log_filters_by_event_outcome_account_and_beijing_dates(world: World) -> None:
    admin = world.member("site_admin", ADMIN_EMAIL)
    owner = world.member("enterprise", "owner@example.com")
    day = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    sign_in = _add(world, security_log.SIGN_IN, day, user_id=owner, method="password")
    failed = _add(world, security_log.SIGN_IN, day + timedelta(hours=1), user_id=owner, outcome="failure")
    created = _add(world, security_log.ACCOUNT_CREATED, day + timedelta(hours=2), user_id=owner, actor_id=admin)
    late = _add(world, security_log.EXPORT, datetime(2026, 3, 1, 16, 30, tzinfo=UTC), user_id=admin)  # 3 March, Beijing
    client = world.client(admin)

    def shown(query: str) -> list[int]:
        response = client.get(f"/admin/security/?{query}")
        assert response.status_code == 200
        return _shown(response.text)

    assert shown("kind=sign_in") == [failed, sign_in]
    assert shown("outcome=failure") == [failed]
    assert shown("kind=sign_in&outcome=success") == [sign_in]
    assert shown("account=Owner@Example.com") == [created, failed, sign_in]
    assert shown(f"account={owner}") == [created, failed, sign_in]
    assert shown(f"account={admin}") == [late, created], "as the subject or as the one who acted"
    assert shown("account=nobody@example.com") == []
    assert shown("from=2026-03-02") == [late]
    assert shown("to=2026-03-01") == [created, failed, sign_in]
    assert shown("from=2026-03-01&to=2026-03-01&kind=account_created") == [created]
    assert 'id="no-events"' in client.get("/admin/security/?from=2027-01-01").text


def test_a_filter_that_cannot_be_read_is_said_and_ignored(world: World) -> None:
    admin = world.member("site_admin", ADMIN_EMAIL)
    event = _add(world, security_log.SIGN_IN, datetime(2026, 3, 1, tzinfo=UTC), user_id=admin)
    for query in ("kind=drop_table", "outcome=maybe", "from=2026-13-45", "to=yesterday", "before=abc",
                  "before=99999999999999999999", "account=" + "x" * 5000):
        response = world.client(admin).get(f"/admin/security/?{query}")
        assert response.status_code == 200, query
        if not query.startswith(("before", "account")):
            assert 'id="error-summary"' in response.text, query
            assert _shown(response.text) == [event], query


def test_pages_continue_with_older_entries(world: World) -> None:
    admin = world.member("site_admin", ADMIN_EMAIL)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    with world.session() as session:
        session.add_all([SecurityEvent(kind=security_log.SIGN_IN, outcome="success", user_id=admin, address="",
                                       detail={}, at=start + timedelta(minutes=n)) for n in range(120)])
    client = world.client(admin)
    seen: list[int] = []
    page = client.get("/admin/security/?kind=sign_in").text
    while True:
        rows = _shown(page)
        assert 0 < len(rows) <= 50
        seen += rows
        older = re.search(r'href="([^"]+)" id="older"', page)
        if older is None:
            break
        assert "kind=sign_in" in older[1]
        page = client.get(older[1].replace("&amp;", "&")).text
        assert 'id="newest"' in page
    assert len(seen) == 120 and seen == sorted(seen, reverse=True)


# --- the events the actions write ---------------------------------------------------------------------------

def test_admin_actions_and_account_creation_are_logged(world: World) -> None:
    admin = world.member("site_admin", ADMIN_EMAIL)
    client = world.client(admin)
    assert client.post("/admin/organisations", data={
        "org-name": "济南数智服务", "org-province": "370000", "org-city": "370100", "org-display_name": "王管理",
        "org-email": "boss@example.com"}).status_code == 303
    assert client.post("/admin/officials", data={
        "official-display_name": "李处长", "official-email": "li@example.gov.cn",
        "official-province": "370000"}).status_code == 303
    with world.session() as session:
        boss = queries.user_by_email(session, "boss@example.com")
        official = queries.user_by_email(session, "li@example.gov.cn")
    assert boss is not None and official is not None
    events = _kinds(world)
    assert (security_log.ACCOUNT_CREATED, boss.id, admin) in [e[:3] for e in events]
    assert (security_log.ACCOUNT_CREATED, official.id, admin) in [e[:3] for e in events]
    assert any(kind == security_log.ADMIN_ACTION and actor == admin and detail.get("action") == "organisation_added"
               for kind, _user, actor, detail in events)


def test_provider_staff_changes_are_logged(world: World) -> None:
    organisation = world.organisation("服务商")
    admin = world.member("provider_admin", organisation_id=organisation)
    client = world.client(admin)
    assert client.post("/provider/staff", data={"email": "new@example.com", "display_name": "李评定",
                                                "role": "provider_staff"}).status_code == 303
    with world.session() as session:
        staff = queries.user_by_email(session, "new@example.com")
    assert staff is not None
    assert client.post(f"/provider/staff/{staff.id}/active", data={"active": "0"}).status_code == 303
    events = [e[:3] for e in _kinds(world)]
    assert (security_log.ACCOUNT_CREATED, staff.id, admin) in events
    assert (security_log.ACCOUNT_ACTIVE_CHANGED, staff.id, admin) in events


def test_consent_changes_are_logged(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    world.assessment(tenant, mode="guided", submit=True)
    owner = world.client(tenant.owner_id)
    assert owner.post(f"/account/shares/enterprises/{tenant.enterprise_id}/statistics",
                      data={"consent_statistics": "y"}).status_code == 303
    assert owner.post("/account/shares", data={"what": f"all-{tenant.enterprise_id}", "province": "370000",
                                               "confirm": "y"}).status_code == 303
    share = next(d["share_id"] for kind, _user, _actor, d in _kinds(world)
                 if kind == security_log.CONSENT_CHANGED and "share_id" in d)
    assert owner.post(f"/account/shares/{share}/revoke").status_code == 303
    assert owner.post(f"/account/providers/{tenant.link_id}/revoke").status_code == 303
    consents = [detail for kind, user, _actor, detail in _kinds(world)
                if kind == security_log.CONSENT_CHANGED and user == tenant.owner_id]
    assert consents[0] == {"consent": True, "statistics": True, "enterprise_id": tenant.enterprise_id}
    assert consents[1] == {"consent": True, "authority": "370000", "share_id": share}
    assert consents[2] == {"consent": False, "share_id": share}
    assert consents[3].get("consent") is False and consents[3].get("link_id") == tenant.link_id
    accepted = [d for kind, _user, _actor, d in _kinds(world) if kind == security_log.CONSENT_CHANGED
                and d.get("link_id") == tenant.link_id and d.get("consent") is True]
    assert accepted == [], "world.tenant accepts through the service; the web's acceptance is logged (below)"


def test_accepting_an_invitation_is_logged(world: World) -> None:
    organisation = world.organisation("济南数智服务")
    staff = world.member("provider_staff", organisation_id=organisation)
    owner = world.member("enterprise")
    enterprise = world.enterprise(owner, "北京精工机械有限公司", "91110108MA01B2C3X")
    provider = world.client(staff)
    assert provider.post("/provider/invitations", data={"note": "北京精工"}).status_code == 303
    link = re.search(r'id="invitation-link" value="http://localhost(/invitation/[^"]+)"',
                     provider.get("/provider/invitations").text)
    assert link is not None
    client = world.client(owner)
    assert client.get(link[1]).headers["Location"] == "/invitation"
    assert client.post("/invitation", data={"enterprise": str(enterprise), "consent": "y"}).status_code == 303
    assert [(user, d.get("consent")) for kind, user, _actor, d in _kinds(world)
            if kind == security_log.CONSENT_CHANGED] == [(owner, True)]


def test_exports_by_officials_and_providers_are_logged_and_an_enterprises_own_pdf_is_not(world: World) -> None:
    here = site(world.app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.regions, industries=here.industries, count=120,
                      seed=3, provinces=("37",), pool=60)
    official = world.member("official", "li@example.gov.cn", region_code="370000")
    assert world.client(official).get("/official/export.csv?by=level").status_code == 200
    tenant = world.tenant("A", "91370102MA3C00001")
    submitted = world.assessment(tenant, mode="guided", submit=True)
    assert world.client(tenant.owner_id).get(f"/results/{submitted}/report.pdf").status_code == 200
    assert world.client(tenant.staff_id).get(f"/results/{submitted}/report.pdf").status_code == 200
    assert world.client(tenant.admin_id).get("/provider/catalogue/export.csv").status_code == 200
    exports = [(user, detail.get("what")) for kind, user, _actor, detail in _kinds(world)
               if kind == security_log.EXPORT]
    assert exports == [(official, "aggregates"), (tenant.staff_id, "report_pdf"),
                       (tenant.admin_id, "provider_catalogue")]


def test_an_account_made_on_the_command_line_is_logged(world: World) -> None:
    result = world.app.test_cli_runner().invoke(
        args=["admin", "create", "--email", "root@example.com", "--password-stdin"],
        input="a long enough passphrase 2026\n")
    assert result.exit_code == 0, result.output
    with world.session() as session:
        admin = queries.user_by_email(session, "root@example.com")
    assert admin is not None
    assert [(kind, user, actor, detail) for kind, user, actor, detail in _kinds(world)] == [
        (security_log.ACCOUNT_CREATED, admin.id, None, {"role": "site_admin", "via": "command"})]
