"""Sharing results with an authority: the enterprise shares one or all submitted assessments, and revokes."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from journey import OTHER_USCC, Journey, logged_in, registered
from sqlalchemy import func, select

from assessment.db import providers
from assessment.db.models import AuthorityShare
from assessment.web.site import site
from assessment.web.templating import beijing as beijing_time

PASSWORD = "correct horse battery"
HAIDIAN = {"province": "110000", "city": "110100", "county": "110108"}
"""The authority of 北京市海淀区, where the journey's enterprise is registered."""


def owner(journey: Journey, email: str = "owner@example.com", **profile: str) -> int:
    """Register an enterprise account and submit an assessment with it; the assessment's id."""
    response = registered(journey.client, email, PASSWORD)
    assert response.status_code == 303
    return journey.complete(**profile)


def official(app: Flask, region: str) -> FlaskClient:
    """A client logged in as an official of the authority of this region."""
    with site(app).sessions() as session:
        user_id = providers.add_member(session, f"official-{region}@example.gov.cn", "not-a-password-hash",
                                       role="official", region_code=region).id
        session.commit()
    return logged_in(app, user_id)


def share(journey: Journey, what: str, confirm: bool = True, **region: str) -> int:
    """Post the share form; the response status."""
    form = {"what": what, "action": "share", **(region or HAIDIAN)}
    if confirm:
        form["confirm"] = "y"
    return journey.client.post("/account/shares", data=form).status_code


def stored(app: Flask) -> list[AuthorityShare]:
    """Every authority share row, oldest first."""
    with site(app).sessions() as session:
        rows = list(session.scalars(select(AuthorityShare).order_by(AuthorityShare.id)))
        session.expunge_all()
    return rows


def enterprise_of(journey: Journey, assessment_id: int) -> int:
    """The enterprise of an assessment."""
    enterprise_id = journey.record(assessment_id).enterprise_id
    assert enterprise_id is not None
    return enterprise_id


def test_sharing_one_assessment_lets_exactly_that_authority_open_it(journey: Journey, app: Flask) -> None:
    assessment_id = owner(journey)
    haidian, beijing = official(app, "110108"), official(app, "110000")
    assert haidian.get(f"/official/results/{assessment_id}").status_code == 404
    assert share(journey, str(assessment_id)) == 303
    [row] = stored(app)
    assert (row.region_code, row.assessment_id, row.revoked_at) == ("110108", assessment_id, None)
    assert row.created_by is not None
    assert haidian.get(f"/official/results/{assessment_id}").status_code == 200
    assert beijing.get(f"/official/results/{assessment_id}").status_code == 404  # not the province above
    page = journey.client.get("/account/shares").text
    assert "北京市 / 海淀区" in page and f'id="revoke-{row.id}"' in page
    assert beijing_time(row.created_at, "%Y-%m-%d") in page


def test_sharing_all_covers_every_submitted_assessment(journey: Journey, app: Flask) -> None:
    assessment_id = owner(journey)
    enterprise_id = enterprise_of(journey, assessment_id)
    assert share(journey, f"all-{enterprise_id}", province="110000") == 303
    [row] = stored(app)
    assert (row.region_code, row.assessment_id, row.enterprise_id) == ("110000", None, enterprise_id)
    assert official(app, "110000").get(f"/official/results/{assessment_id}").status_code == 200
    assert "所有已提交的评测" in journey.client.get("/account/shares").text


def test_sharing_the_same_again_adds_no_second_share(journey: Journey, app: Flask) -> None:
    assessment_id = owner(journey)
    assert share(journey, str(assessment_id)) == share(journey, str(assessment_id)) == 303
    assert len(stored(app)) == 1


def test_revoking_keeps_the_record_and_ends_the_officials_access_at_once(journey: Journey, app: Flask) -> None:
    assessment_id = owner(journey)
    haidian = official(app, "110108")
    share(journey, str(assessment_id))
    [row] = stored(app)
    assert haidian.get(f"/official/results/{assessment_id}").status_code == 200
    response = journey.client.post(f"/account/shares/{row.id}/revoke")
    assert response.status_code == 303 and response.headers["Location"] == "/account/shares"
    [revoked] = stored(app)
    assert revoked.revoked_at is not None
    assert haidian.get(f"/official/results/{assessment_id}").status_code == 404
    assert f"/official/results/{assessment_id}" not in haidian.get("/official/shared").text
    page = journey.client.get("/account/shares").text
    assert f'id="revoke-{row.id}"' not in page and revoked.revoked_at.strftime("%Y-%m-%d") in page
    assert journey.client.post(f"/account/shares/{row.id}/revoke").status_code == 404  # revoked already


def test_another_enterprises_results_cannot_be_shared_or_revoked(journey: Journey, other_journey: Journey,
                                                                 app: Flask) -> None:
    owner(journey)
    theirs = owner(other_journey, "other@example.com", name="上海测试有限公司", uscc=OTHER_USCC)
    assert share(journey, str(theirs)) == 404
    assert share(journey, f"all-{enterprise_of(other_journey, theirs)}") == 404
    assert share(journey, "999999") == 404
    assert stored(app) == []
    share(other_journey, str(theirs))
    [row] = stored(app)
    assert journey.client.post(f"/account/shares/{row.id}/revoke").status_code == 404
    assert stored(app)[0].revoked_at is None


def test_an_invalid_region_is_reported_beside_the_field_and_nothing_is_saved(journey: Journey, app: Flask) -> None:
    assessment_id = owner(journey)
    response = journey.client.post("/account/shares", data={
        "what": str(assessment_id), "province": "110000", "city": "110100", "county": "999999", "confirm": "y",
        "action": "share"})
    assert response.status_code == 422
    assert 'id="county-error"' in response.text and 'aria-invalid="true"' in response.text
    unknown = journey.client.post("/account/shares", data={"what": str(assessment_id), "province": "990000",
                                                           "confirm": "y", "action": "share"})
    assert unknown.status_code == 422 and 'id="province-error"' in unknown.text and "请从列表中选择省份" in unknown.text
    grouping = journey.client.post("/account/shares", data={"what": str(assessment_id), "province": "110000",
                                                            "city": "110100", "confirm": "y", "action": "share"})
    assert grouping.status_code == 422 and 'id="county-error"' in grouping.text
    with site(app).sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuthorityShare)) == 0


def test_without_the_confirmation_nothing_is_shared(journey: Journey, app: Flask) -> None:
    assessment_id = owner(journey)
    response = journey.client.post("/account/shares", data={"what": str(assessment_id), **HAIDIAN, "action": "share"})
    assert response.status_code == 422
    assert 'id="confirm-error"' in response.text and "请勾选确认框" in response.text
    assert stored(app) == []


def test_a_draft_cannot_be_shared(journey: Journey, app: Flask) -> None:
    owner(journey)
    draft = journey.start()
    assert journey.fill_profile(draft).status_code == 303
    response = journey.client.post("/account/shares", data={"what": str(draft), **HAIDIAN, "confirm": "y",
                                                            "action": "share"})
    assert response.status_code == 422 and 'id="what-error"' in response.text
    assert stored(app) == []


def test_the_region_lists_follow_the_choice_without_javascript(journey: Journey) -> None:
    owner(journey)
    page = journey.client.post("/account/shares", data={"province": "110000", "action": "refresh"})
    assert page.status_code == 200 and 'value="110100"' in page.text and 'value="110108"' not in page.text
    deeper = journey.client.post("/account/shares", data={"province": "110000", "city": "110100",
                                                          "action": "refresh"})
    assert 'value="110108"' in deeper.text and 'id="county-error"' not in deeper.text


def test_the_account_page_links_to_the_shares(journey: Journey) -> None:
    owner(journey)
    assert 'href="/account/shares"' in journey.client.get("/account").text
    page = journey.client.get("/account/shares")
    assert page.status_code == 200 and "与主管部门共享结果" in page.text


def test_only_enterprise_accounts_share(app: Flask, client: FlaskClient) -> None:
    anonymous = client.get("/account/shares")
    assert anonymous.status_code in (302, 303) and "/auth/login" in anonymous.headers["Location"]
    assert official(app, "110108").get("/account/shares").status_code == 403



def test_revoking_needs_the_forms_csrf_token(journey: Journey, app: Flask, csrf_app: Flask) -> None:
    share(journey, str(owner(journey)))
    [row] = stored(app)
    assert row.created_by is not None
    browser = logged_in(csrf_app, row.created_by)
    assert browser.post(f"/account/shares/{row.id}/revoke", data={"csrf_token": "forged"}).status_code == 400
    assert stored(app)[0].revoked_at is None
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', browser.get("/account/shares").text)
    assert token is not None
    assert browser.post(f"/account/shares/{row.id}/revoke", data={"csrf_token": token[1]}).status_code == 303
    assert stored(app)[0].revoked_at is not None
