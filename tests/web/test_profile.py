"""The enterprise profile: checked USCC, GB/T 2260 region, GB/T 4754 industry, derived size class, consent."""

from __future__ import annotations

import re
from fractions import Fraction

from flask.testing import FlaskClient
from journey import OTHER_USCC, USCC, Journey, registered


def test_profile_is_saved_and_shows_the_derived_size_class(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.fill_profile(assessment_id, employees="350", revenue_10k_cny="8000.5", consent_statistics="y")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/assess/{assessment_id}/step/foundation"
    profile = journey.profile(assessment_id)
    assert profile is not None
    assert profile.uscc == USCC and profile.region_code == "110108" and profile.industry_code == "34"
    assert profile.employees == 350 and profile.revenue_10k_cny == Fraction("8000.5")
    assert profile.consent_statistics is True
    assert profile.size == "medium"
    page = journey.client.get(f"/assess/{assessment_id}/profile").text
    assert "企业规模：中型" in page or "企业规模：Medium" in page


def test_consent_to_statistics_is_off_unless_ticked(journey: Journey) -> None:
    assessment_id = journey.start()
    page = journey.client.get(f"/assess/{assessment_id}/profile").text
    assert re.search(r'<input type="checkbox" id="consent_statistics"[^>]*>', page)
    assert not re.search(r'id="consent_statistics"[^>]*checked', page)
    journey.fill_profile(assessment_id)
    profile = journey.profile(assessment_id)
    assert profile is not None and profile.consent_statistics is False


def test_profile_problems_are_shown_beside_the_fields_and_nothing_is_saved(journey: Journey) -> None:
    assessment_id = journey.start()
    journey.fill_profile(assessment_id)
    version = journey.record(assessment_id).version
    wrong_check = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    response = journey.fill_profile(assessment_id, uscc=wrong_check, employees="12.5", name="")
    assert response.status_code == 422
    page = response.text
    assert 'id="uscc-error"' in page and 'id="employees-error"' in page and 'id="name-error"' in page
    assert 'href="#uscc"' in page
    assert f'value="{wrong_check}"' in page  # what was typed stays on the page
    profile = journey.profile(assessment_id)
    assert profile is not None and profile.uscc == USCC and profile.name == "北京精工机械有限公司"
    assert journey.record(assessment_id).version == version


def test_a_province_alone_is_not_a_region(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.fill_profile(assessment_id, city="", county="")
    assert response.status_code == 422
    assert 'id="city-error"' in response.text
    assert journey.profile(assessment_id) is None


def test_region_and_industry_lists_follow_the_choice_without_javascript(journey: Journey) -> None:
    assessment_id = journey.start()
    response = journey.client.post(f"/assess/{assessment_id}/profile",
                                   data={"version": "1", "province": "310000", "section": "C", "action": "refresh"})
    assert response.status_code == 200
    page = response.text
    assert re.search(r'<select id="city" name="city"[^>]*>.*?<option value="310100">', page, re.S)
    assert re.search(r'<select id="division" name="division"[^>]*>.*?农副食品加工业', page, re.S)
    assert journey.profile(assessment_id) is None
    assert 'id="refresh-regions"' in page


def test_region_and_industry_lists_as_json(client: FlaskClient) -> None:
    cities = client.get("/codes/regions/440000").get_json()
    assert {"code": "440300", "name": "深圳市"} in cities
    counties = client.get("/codes/regions/110100").get_json()
    assert {"code": "110108", "name": "海淀区"} in counties
    assert client.get("/codes/regions/999999").get_json() == []
    divisions = client.get("/codes/industries/C").get_json()
    assert divisions[0] == {"code": "13", "name": "农副食品加工业"} and len(divisions) == 31
    assert client.get("/codes/industries/Z").get_json() == []


def test_a_profile_saved_in_another_tab_is_not_overwritten(journey: Journey) -> None:
    assessment_id = journey.start()
    opened_at = journey.record(assessment_id).version
    assert journey.fill_profile(assessment_id, version=str(opened_at)).status_code == 303
    stale = journey.fill_profile(assessment_id, version=str(opened_at), name="另一个名称")
    assert stale.status_code == 409
    assert 'id="conflict"' in stale.text
    profile = journey.profile(assessment_id)
    assert profile is not None and profile.name == "北京精工机械有限公司"


def test_a_logged_in_user_reuses_the_enterprise_with_the_same_credit_code(journey: Journey) -> None:
    registered(journey.client, "boss@example.com", "correct horse 1")
    first = journey.start()
    journey.fill_profile(first)
    second = journey.start()
    journey.fill_profile(second, employees="130")
    third = journey.start()
    journey.fill_profile(third, uscc=OTHER_USCC)
    records = [journey.record(i) for i in (first, second, third)]
    assert records[0].enterprise_id == records[1].enterprise_id != records[2].enterprise_id
    profile = journey.profile(first)
    assert profile is not None and profile.employees == 130
