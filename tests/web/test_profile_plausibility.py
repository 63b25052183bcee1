"""Profile figures that cannot both be right are refused at the revenue field; the saved profile stays."""

from __future__ import annotations

from journey import Journey


def test_many_employees_with_no_revenue_gets_the_revenue_message_and_keeps_the_saved_profile(journey: Journey) -> None:
    assessment_id = journey.start()
    assert journey.fill_profile(assessment_id).status_code == 303
    saved = journey.profile(assessment_id)
    response = journey.fill_profile(assessment_id, employees="5000", revenue_10k_cny="0")
    assert response.status_code == 422
    assert "营业收入 0 万元，摊到 5000 名从业人员身上每人每年不到 1000 元；请核对这两个数字（营业收入以万元计）" in response.text
    assert 'id="revenue_10k_cny-error"' in response.text and 'value="5000"' in response.text
    assert journey.profile(assessment_id) == saved
