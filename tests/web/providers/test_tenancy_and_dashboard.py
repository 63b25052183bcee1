"""Tenancy: an enterprise becomes a provider's client only by accepting an invitation, and can withdraw; the
provider dashboard lists clients with their latest level, status and next step, with filters; guided starts."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update
from world import World, worked_example

from assessment.db import providers, queries
from assessment.db.models import ProviderClient, utcnow


def _invitation_link(world: World, staff: int, note: str = "北京精工") -> str:
    client = world.client(staff)
    assert client.post("/provider/invitations", data={"note": note}).status_code == 303
    page = client.get("/provider/invitations").text
    found = re.search(r'id="invitation-link" value="http://localhost(/invitation/[^"]+)"', page)
    assert found is not None, page
    assert "invitation-link" not in client.get("/provider/invitations").text, "the link is shown once"
    return found[1]


def _row(page: str, enterprise_id: int) -> re.Match[str] | None:
    return re.search(rf'<tr id="client-{enterprise_id}">(.*?)</tr>', page, re.S)


def test_an_enterprise_becomes_a_client_only_by_accepting_the_invitation(world: World) -> None:
    organisation = world.organisation("济南数智服务")
    staff = world.member("provider_staff", organisation_id=organisation)
    owner = world.member("enterprise")
    enterprise = world.enterprise(owner, "北京精工机械有限公司", "91110108MA01B2C3X")
    link = _invitation_link(world, staff)
    with world.session() as session:
        assert providers.client_ids(session, organisation) == set()
    enterprise_client = world.client(owner)
    page = enterprise_client.get(link, follow_redirects=True).text
    assert "济南数智服务" in page and "北京精工机械有限公司" in page
    no_consent = enterprise_client.post(link, data={"enterprise": str(enterprise)})
    assert no_consent.status_code == 422 and "勾选方框表示同意授权" in no_consent.text
    accepted = enterprise_client.post(link, data={"enterprise": str(enterprise), "consent": "y"})
    assert accepted.status_code == 303
    with world.session() as session:
        assert providers.client_ids(session, organisation) == {enterprise}
    dashboard = world.client(staff).get("/provider/").text
    assert "北京精工机械有限公司" in dashboard and "开始辅导评测" in dashboard
    reused = enterprise_client.get(link)
    assert reused.status_code == 404 and "此邀请链接无效" in reused.text


def test_an_invitation_cannot_be_accepted_for_someone_elses_enterprise(world: World) -> None:
    organisation = world.organisation("济南数智服务")
    staff = world.member("provider_staff", organisation_id=organisation)
    owner, other = world.member("enterprise"), world.member("enterprise")
    world.enterprise(owner, "自己的企业", "91110108MA01B2C3X")
    foreign = world.enterprise(other, "别人的企业", "91310115MA1K4L5M6")
    link = _invitation_link(world, staff)
    response = world.client(owner).post(link, data={"enterprise": str(foreign), "consent": "y"})
    assert response.status_code == 422 and "请选择您的一家企业" in response.text
    with world.session() as session:
        assert providers.client_ids(session, organisation) == set()


def test_an_expired_or_withdrawn_invitation_does_not_work(world: World) -> None:
    organisation = world.organisation("济南数智服务")
    staff = world.member("provider_staff", organisation_id=organisation)
    owner = world.member("enterprise")
    world.enterprise(owner, "北京精工机械有限公司", "91110108MA01B2C3X")
    expired = _invitation_link(world, staff, "expired")
    with world.session() as session:
        session.execute(update(ProviderClient).values(expires_at=utcnow() - timedelta(days=1)))
    response = world.client(owner).get(expired)
    assert response.status_code == 404 and "此邀请已过期" in response.text
    withdrawn = _invitation_link(world, staff, "withdrawn")
    with world.session() as session:
        pending = [link for link in providers.invitations_of(session, organisation) if link.status == "pending"]
    assert world.client(staff).post(f"/provider/invitations/{pending[0].id}/withdraw").status_code == 303
    assert world.client(owner).get(withdrawn).status_code == 404


def test_an_account_without_an_enterprise_is_told_to_fill_in_the_profile_first(world: World) -> None:
    organisation = world.organisation("济南数智服务")
    staff = world.member("provider_staff", organisation_id=organisation)
    link = _invitation_link(world, staff)
    page = world.client(world.member("enterprise")).get(link, follow_redirects=True).text
    assert 'id="no-enterprise"' in page
    visitor = world.app.test_client().get(link, follow_redirects=True).text
    assert 'id="login-to-accept"' in visitor


def test_the_enterprise_sees_its_consents_and_withdraws_one(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    owner = world.client(tenant.owner_id)
    page = owner.get("/account/providers").text
    assert "服务商A" in page and "已授权" in page
    assert owner.post(f"/account/providers/{tenant.link_id}/revoke").status_code == 303
    assert "已于" in owner.get("/account/providers").text
    assert world.client(tenant.staff_id).get(f"/provider/clients/{tenant.enterprise_id}").status_code == 404
    assert owner.post(f"/account/providers/{tenant.link_id}/revoke").status_code == 404, "nothing left to withdraw"


def test_the_dashboard_shows_latest_level_status_and_next_step(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    row = _row(staff.get("/provider/").text, tenant.enterprise_id)
    assert row is not None and "尚未评测" in row[1] and "开始辅导评测" in row[1]
    world.assessment(tenant, "guided", submit=True)
    row = _row(staff.get("/provider/").text, tenant.enterprise_id)
    assert row is not None
    assert '<td class="level">三级</td>' in row[1] and "已提交" in row[1] and "安排现场评定" in row[1]
    world.assessment(tenant, "onsite")
    row = _row(staff.get("/provider/").text, tenant.enterprise_id)
    assert row is not None
    assert '<td class="level">三级</td>' in row[1], "the level stays that of the latest submitted assessment"
    assert "草稿" in row[1] and "继续填写草稿" in row[1]


def test_the_dashboard_filters_by_level_status_region_and_industry(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001", region="370102", industry="34")
    staff = world.client(tenant.staff_id)
    owner2 = world.member("enterprise")
    second = world.enterprise(owner2, "上海云端软件", "91310115MA1K4L5M6", region="310115", industry="65")
    world.link(tenant.staff_id, tenant.organisation_id, second, owner2)
    world.assessment(tenant, "guided", submit=True)

    def listed(query: str) -> set[str]:
        page = staff.get(f"/provider/?{query}").text
        return set(re.findall(r'<tr id="client-\d+">\s*<td><a [^>]*>([^<]+)</a>', page))

    assert listed("") == {"企业A", "上海云端软件"}
    assert listed("level=3") == {"企业A"}
    assert listed("level=none") == {"上海云端软件"}
    assert listed("status=submitted") == {"企业A"}
    assert listed("status=none") == {"上海云端软件"}
    assert listed("region=370000") == {"企业A"}
    assert listed("region=310000") == {"上海云端软件"}
    assert listed("industry=C") == {"企业A"}
    assert listed("industry=I") == {"上海云端软件"}
    assert listed("industry=65") == {"上海云端软件"}
    assert listed("level=3&region=310000") == set()
    assert "没有符合筛选条件的客户" in staff.get("/provider/?level=4").text


def test_a_provider_starts_a_guided_assessment_from_the_previous_answers(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    first = world.assessment(tenant, "guided", submit=True)
    staff = world.client(tenant.staff_id)
    response = staff.post(f"/provider/clients/{tenant.enterprise_id}/assessments",
                          data={"questionnaire": "miit-2024", "mode": "guided", "reuse": "y"})
    assert response.status_code == 303
    new_id = int(re.search(r"/assessments/(\d+)/workspace", response.headers["Location"])[1])  # type: ignore[index]
    with world.session() as session:
        record = queries.get_assessment(session, new_id)
        conduct = providers.conduct(session, new_id)
    assert record is not None and conduct is not None
    assert (record.mode, record.enterprise_id, record.previous_assessment_id) == ("guided", tenant.enterprise_id,
                                                                                  first)
    assert record.user_id == tenant.owner_id, "the enterprise sees it among its assessments"
    assert record.answers["Q1"] == worked_example()["answers"]["Q1"]
    assert (conduct.organisation_id, conduct.assessor_id) == (tenant.organisation_id, tenant.staff_id)
    workspace = staff.get(response.headers["Location"]).text
    assert "辅导评测" in workspace and 'id="interview-foundation"' in workspace


def test_starting_an_assessment_with_a_bad_choice_keeps_the_form(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    response = staff.post(f"/provider/clients/{tenant.enterprise_id}/assessments",
                          data={"questionnaire": "nope", "mode": "onsite"})
    assert response.status_code == 422 and "请选择所列问卷之一" in response.text
    assert 'id="mode-onsite" name="mode" value="onsite" checked' in response.text
    with world.session() as session:
        assert providers.assessments_of_enterprise(session, tenant.enterprise_id) == []


def test_an_enterprise_user_is_not_shown_the_provider_pages(world: World) -> None:
    owner = world.member("enterprise")
    client = world.client(owner)
    for path in ("/provider/", "/provider/invitations", "/provider/catalogue", "/provider/staff", "/admin/"):
        assert client.get(path).status_code == 404, path
    assert world.app.test_client().get("/provider/").status_code == 303, "visitors are sent to log in"
