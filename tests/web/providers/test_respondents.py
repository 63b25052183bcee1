"""Several respondents per enterprise: invited by link to their sections (or all); the divergence view per item;
the consolidated answer recorded with its reason in the audit trail."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from world import Tenant, World

from assessment.db import providers, queries
from assessment.web.site import site


def _invite(world: World, staff: FlaskClient, assessment_id: int, name: str, sections: list[str]) -> FlaskClient:
    response = staff.post(f"/assessments/{assessment_id}/respondents",
                          data={"name": name, "function": "", "sections": sections})
    assert response.status_code == 303
    page = staff.get(f"/assessments/{assessment_id}/respondents").text
    link = re.search(r'id="respondent-link" value="http://localhost(/respond/link/[^"]+)"', page)
    assert link is not None
    browser = world.app.test_client()
    opened = browser.get(link[1])
    assert opened.status_code == 303
    return browser


def _respondent_id(browser: FlaskClient) -> int:
    with browser.session_transaction() as session:
        return int(session["respondents"][-1][0])  # [respondent id, the secret its link gave]


def _setup(world: World) -> tuple[Tenant, int, FlaskClient]:
    tenant = world.tenant("A", "91370102MA3C00001")
    aid = world.assessment(tenant, "guided", document={"answers": {}, "data": {}})
    return tenant, aid, world.client(tenant.staff_id)


def _answer(browser: FlaskClient, respondent: int, section: str, answers: dict[str, object]) -> int:
    version = _version(browser, respondent)
    return browser.post(f"/respond/{respondent}/{section}", data={"version": str(version), "action": "save",
                                                                  **answers}).status_code


def _version(browser: FlaskClient, respondent: int) -> int:
    with site(browser.application).sessions() as session:
        found = providers.get_respondent(session, respondent)
    assert found is not None
    return found.version


def test_a_respondent_answers_only_the_sections_given(world: World) -> None:
    _tenant, aid, staff = _setup(world)
    production = _invite(world, staff, aid, "生产负责人", ["foundation"])
    rid = _respondent_id(production)
    assert production.get(f"/respond/{rid}").status_code == 200
    assert production.get(f"/respond/{rid}/foundation").status_code == 200
    assert production.get(f"/respond/{rid}/management").status_code == 404
    assert _answer(production, rid, "foundation", {"Q1": ["B", "C"], "Q5": "D"}) == 303
    with world.session() as session:
        person = providers.get_respondent(session, rid)
        record = queries.get_assessment(session, aid)
    assert person is not None and person.answers == {"Q1": ["B", "C"], "Q5": "D"}
    assert record is not None and record.answers == {}, "a respondent's answers are theirs until consolidated"


def test_a_respondent_with_a_bad_answer_keeps_the_saved_one_and_is_told(world: World) -> None:
    _tenant, aid, staff = _setup(world)
    browser = _invite(world, staff, aid, "信息化负责人", [])
    rid = _respondent_id(browser)
    assert _answer(browser, rid, "foundation", {"Q5": "D"}) == 303
    version = _version(browser, rid)
    response = browser.post(f"/respond/{rid}/foundation", data={"version": str(version), "Q5": "Z", "Q1": ["B"]})
    assert response.status_code == 422 and "请选择所列选项之一" in response.text
    with world.session() as session:
        person = providers.get_respondent(session, rid)
    assert person is not None and person.answers == {"Q5": "D", "Q1": ["B"]}


def test_the_divergence_view_marks_items_where_respondents_disagree(world: World) -> None:
    _tenant, aid, staff = _setup(world)
    production = _invite(world, staff, aid, "生产负责人", ["foundation"])
    finance = _invite(world, staff, aid, "财务负责人", [])
    _answer(production, _respondent_id(production), "foundation", {"Q1": ["B", "C"], "Q5": "D"})
    _answer(finance, _respondent_id(finance), "foundation", {"Q1": ["B"], "Q5": "D"})
    page = staff.get(f"/assessments/{aid}/divergence").text
    q1 = re.search(r'<section class="item card([^"]*)" id="row-Q1">(.*?)</section>', page, re.S)
    q5 = re.search(r'<section class="item card([^"]*)" id="row-Q5">(.*?)</section>', page, re.S)
    assert q1 is not None and "diverges" in q1[1] and "答案不一致" in q1[2]
    assert "生产负责人" in q1[2] and "财务负责人" in q1[2]
    assert q5 is not None and "diverges" not in q5[1]
    only = staff.get(f"/assessments/{aid}/divergence?only=diverging").text
    assert 'id="row-Q1"' in only and 'id="row-Q5"' not in only


def test_the_consolidated_answer_needs_a_reason_and_is_audit_trailed(world: World) -> None:
    _tenant, aid, staff = _setup(world)
    production = _invite(world, staff, aid, "生产负责人", ["foundation"])
    finance = _invite(world, staff, aid, "财务负责人", [])
    _answer(production, _respondent_id(production), "foundation", {"Q1": ["B", "C"]})
    _answer(finance, _respondent_id(finance), "foundation", {"Q1": ["B"]})
    refused = staff.post(f"/assessments/{aid}/divergence/Q1", data={"value": ["B", "C"], "reason": ""})
    assert refused.status_code == 422 and "请填写理由" in refused.text
    done = staff.post(f"/assessments/{aid}/divergence/Q1", data={"value": ["B", "C"],
                                                                 "reason": "现场查看：工业网络已覆盖车间"})
    assert done.status_code == 303
    with world.session() as session:
        record = queries.get_assessment(session, aid)
        trail = providers.audit_trail(session, aid)
    assert record is not None and record.answers["Q1"] == ["B", "C"]
    assert [(e.kind, e.item_id, e.value, e.previous, e.reason, e.user_name) for e in trail] == [
        ("consolidation", "Q1", ["B", "C"], None, "现场查看：工业网络已覆盖车间", "评定人A")]
    assert "现场查看：工业网络已覆盖车间" in staff.get(f"/assessments/{aid}/audit").text


def test_agreed_answers_are_taken_over_in_one_step_each_with_an_entry(world: World) -> None:
    _tenant, aid, staff = _setup(world)
    production = _invite(world, staff, aid, "生产负责人", [])
    finance = _invite(world, staff, aid, "财务负责人", [])
    _answer(production, _respondent_id(production), "foundation", {"Q1": ["B", "C"], "Q5": "D"})
    _answer(finance, _respondent_id(finance), "foundation", {"Q1": ["B"], "Q5": "D"})
    assert staff.post(f"/assessments/{aid}/divergence", data={"reason": ""}).status_code == 422
    assert staff.post(f"/assessments/{aid}/divergence", data={"reason": "一致"}).status_code == 303
    with world.session() as session:
        record = queries.get_assessment(session, aid)
        trail = providers.audit_trail(session, aid)
    assert record is not None and record.answers == {"Q5": "D"}, "the diverging Q1 waits for a decision"
    assert [(e.item_id, e.reason) for e in trail] == [("Q5", "一致")]


def test_a_closed_respondent_link_opens_nothing(world: World) -> None:
    _tenant, aid, staff = _setup(world)
    browser = _invite(world, staff, aid, "生产负责人", [])
    rid = _respondent_id(browser)
    assert staff.post(f"/assessments/{aid}/respondents/{rid}/revoke").status_code == 303
    assert browser.get(f"/respond/{rid}").status_code == 404
    assert world.app.test_client().get("/respond/link/not-a-token").status_code == 404


def test_inviting_a_respondent_without_a_name_is_refused(world: World) -> None:
    _tenant, aid, staff = _setup(world)
    response = staff.post(f"/assessments/{aid}/respondents", data={"name": " ", "sections": ["nope"]})
    assert response.status_code == 422
    assert "请输入答题人姓名或职务" in response.text and "请选择本问卷中的部分" in response.text
    with world.session() as session:
        assert providers.respondents(session, aid) == []
