"""Consent to official statistics: the owner gives or withdraws it on /account/shares, and all earlier results follow."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from journey import OTHER_USCC, Journey, logged_in, registered
from sqlalchemy import select

from assessment.db import providers
from assessment.db.models import AssessmentFact, Enterprise
from assessment.web.site import site

PASSWORD = "correct horse battery"
LABEL = "同意将匿名化的评测结果纳入官方统计"
"""The zh_CN wording of the profile's consent checkbox, which the shares page repeats."""


def consenting_owner(journey: Journey, email: str = "owner@example.com", **profile: str) -> tuple[int, list[int]]:
    """Register an enterprise account and submit two assessments with consent; (enterprise id, assessment ids)."""
    response = registered(journey.client, email, PASSWORD)
    assert response.status_code == 303
    submitted = [journey.complete(consent_statistics="y", **profile) for _ in range(2)]
    enterprise_id = journey.record(submitted[0]).enterprise_id
    assert enterprise_id is not None and journey.record(submitted[1]).enterprise_id == enterprise_id
    return enterprise_id, submitted


def fact_consents(app: Flask, enterprise_id: int) -> dict[int, bool]:
    """The consent flag of each of the enterprise's facts, by assessment id."""
    with site(app).sessions() as session:
        rows = session.execute(select(AssessmentFact.assessment_id, AssessmentFact.consent)
                               .where(AssessmentFact.enterprise_id == enterprise_id)).all()
    return {int(a): bool(c) for a, c in rows}


def enterprise_consent(app: Flask, enterprise_id: int) -> bool:
    """The enterprise's stored consent to official statistics."""
    with site(app).sessions() as session:
        consent = session.scalar(select(Enterprise.consent_statistics).where(Enterprise.id == enterprise_id))
    assert consent is not None
    return bool(consent)


def set_consent(client: FlaskClient, enterprise_id: int, consent: bool, **extra: str) -> int:
    """Post the statistics form of an enterprise (the box ticked or not); the response status."""
    data = {"consent_statistics": "y"} if consent else {}
    return client.post(f"/account/shares/enterprises/{enterprise_id}/statistics", data={**data, **extra}).status_code


def checkbox(page: str, enterprise_id: int) -> str:
    """The consent checkbox of an enterprise's statistics form."""
    found = re.search(rf'<input type="checkbox" id="consent-statistics-{enterprise_id}"[^>]*>', page)
    assert found is not None, page
    return found[0]


def test_the_shares_page_shows_each_enterprises_consent_with_the_profiles_wording(journey: Journey) -> None:
    enterprise_id, _ = consenting_owner(journey)
    page = journey.client.get("/account/shares").text
    assert f'id="statistics-{enterprise_id}"' in page and 'method="post"' in page
    assert f'action="/account/shares/enterprises/{enterprise_id}/statistics"' in page
    assert LABEL in page and "checked" in checkbox(page, enterprise_id)
    assert "当前：该企业的评测结果计入官方统计。" in page
    assert 'name="csrf_token"' in page


def test_withdrawing_consent_takes_every_earlier_result_out_and_consenting_again_brings_them_back(
        journey: Journey, app: Flask) -> None:
    enterprise_id, submitted = consenting_owner(journey)
    assert fact_consents(app, enterprise_id) == dict.fromkeys(submitted, True)
    response = journey.client.post(f"/account/shares/enterprises/{enterprise_id}/statistics", data={})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/account/shares#statistics-{enterprise_id}"
    assert fact_consents(app, enterprise_id) == dict.fromkeys(submitted, False)
    assert enterprise_consent(app, enterprise_id) is False
    page = journey.client.get("/account/shares").text
    assert "已撤回纳入官方统计的同意" in page and "包括此前提交的" in page
    assert "checked" not in checkbox(page, enterprise_id)
    assert "当前：该企业的评测结果不计入官方统计。" in page

    assert set_consent(journey.client, enterprise_id, True) == 303
    assert fact_consents(app, enterprise_id) == dict.fromkeys(submitted, True)
    assert enterprise_consent(app, enterprise_id) is True
    page = journey.client.get("/account/shares").text
    assert "已同意纳入官方统计" in page and "checked" in checkbox(page, enterprise_id)


def test_the_flash_message_is_in_english_for_an_english_account(journey: Journey) -> None:
    enterprise_id, _ = consenting_owner(journey)
    journey.client.post("/language", data={"lang": "en", "next": "/account/shares"})
    set_consent(journey.client, enterprise_id, False)
    page = journey.client.get("/account/shares").text
    assert "has withdrawn its consent to official statistics" in page
    assert "The anonymised result may be included in official statistics" in page


def test_saving_the_same_choice_changes_nothing_and_says_so(journey: Journey, app: Flask) -> None:
    enterprise_id, submitted = consenting_owner(journey)
    assert set_consent(journey.client, enterprise_id, True) == 303
    assert "未作更改" in journey.client.get("/account/shares").text
    assert fact_consents(app, enterprise_id) == dict.fromkeys(submitted, True)


def test_only_the_owner_changes_an_enterprises_consent(journey: Journey, other_journey: Journey, app: Flask,
                                                      client: FlaskClient) -> None:
    mine, _ = consenting_owner(journey)
    theirs, their_results = consenting_owner(other_journey, "other@example.com", name="上海测试有限公司",
                                             uscc=OTHER_USCC, province="310000", city="310100", county="310115")
    assert set_consent(journey.client, theirs, False) == 404
    assert set_consent(journey.client, 999_999, False) == 404
    assert fact_consents(app, theirs) == dict.fromkeys(their_results, True) and enterprise_consent(app, theirs)
    assert f'id="statistics-{theirs}"' not in journey.client.get("/account/shares").text
    with site(app).sessions() as session:
        official_id = providers.add_member(session, "official-110000@example.gov.cn", "not-a-password-hash",
                                           role="official", region_code="110000").id
        session.commit()
    assert set_consent(logged_in(app, official_id), mine, False) == 403
    anonymous = app.test_client().post(f"/account/shares/enterprises/{mine}/statistics")
    assert anonymous.status_code in (302, 303) and "/auth/login" in anonymous.headers["Location"]
    assert enterprise_consent(app, mine) is True and all(fact_consents(app, mine).values())



def test_changing_the_consent_needs_the_forms_csrf_token(journey: Journey, app: Flask, csrf_app: Flask) -> None:
    enterprise_id, submitted = consenting_owner(journey)
    with site(app).sessions() as session:
        owner_id = session.scalar(select(Enterprise.user_id).where(Enterprise.id == enterprise_id))
    assert owner_id is not None
    browser = logged_in(csrf_app, owner_id)
    assert set_consent(browser, enterprise_id, False, csrf_token="forged") == 400
    assert set_consent(browser, enterprise_id, False) == 400  # no token at all
    assert enterprise_consent(app, enterprise_id) is True
    assert fact_consents(app, enterprise_id) == dict.fromkeys(submitted, True)
    page = browser.get("/account/shares").text
    token = re.search(rf'id="statistics-{enterprise_id}".*?name="csrf_token" value="([^"]+)"', page, re.S)
    assert token is not None
    assert set_consent(browser, enterprise_id, False, csrf_token=token[1]) == 303
    assert fact_consents(app, enterprise_id) == dict.fromkeys(submitted, False)


def test_a_re_assessments_profile_also_changes_the_earlier_results(journey: Journey, app: Flask) -> None:
    enterprise_id, submitted = consenting_owner(journey)
    response = journey.client.post(f"/assess/{submitted[-1]}/reassess", data={"confirm": "yes"})
    assert response.status_code == 303
    draft = int(re.fullmatch(r"/assess/(\d+)/link", response.headers["Location"])[1])  # type: ignore[index]
    assert journey.record(draft).enterprise_id == enterprise_id
    assert journey.fill_profile(draft).status_code == 303  # the consent box left unticked
    assert enterprise_consent(app, enterprise_id) is False
    assert fact_consents(app, enterprise_id) == dict.fromkeys(submitted, False)
    assert journey.fill_profile(draft, consent_statistics="y").status_code == 303
    assert fact_consents(app, enterprise_id) == dict.fromkeys(submitted, True)


def test_a_new_draft_of_the_same_enterprise_also_changes_the_earlier_results(journey: Journey, app: Flask) -> None:
    enterprise_id, submitted = consenting_owner(journey)
    draft = journey.start()
    assert journey.fill_profile(draft).status_code == 303  # same USCC: the account's enterprise, consent withdrawn
    assert journey.record(draft).enterprise_id == enterprise_id
    assert fact_consents(app, enterprise_id) == dict.fromkeys(submitted, False)
