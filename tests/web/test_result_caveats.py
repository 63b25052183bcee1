"""Caveats where they apply: a result page says once, in the words of the PDF for its mode (self, guided, on
site), that it is not an official rating; the level-1 low-confidence note shows only with a result the level-1
rule decided. On the results page and on an official's page of a shared result."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from journey import Journey, logged_in, worked_example
from world import World

from assessment.db import providers
from assessment.services import shares
from assessment.web.site import site

NOT_OFFICIAL = "不是官方评定结果"
SELF = "这是自评结果，不是官方评定结果"
BY_MODE = {"guided": "本次评测在服务商辅导下完成，不是官方评定结果",
           "onsite": "本次评测由评测人员现场完成。除非由指定评测机构出具，本结果不是官方评定结果。"}
LEVEL_1_NOTE = "一级的场景数量要求（6个场景、3个约束性场景）仅见于一个第三方来源，可信度低。"


def with_scenarios(level: int) -> dict[str, Any]:
    """The worked example with every business scenario at this level."""
    document = worked_example()
    document["answers"] = {k: (level if k.startswith("S") else v) for k, v in document["answers"].items()}
    return document


@pytest.mark.parametrize("mode", ["guided", "onsite"])
def test_a_guided_or_onsite_result_says_what_the_report_says_for_its_mode_once(app: Flask, mode: str) -> None:
    world = World(app)
    tenant = world.tenant("甲", "91370100MA3C00001")
    assessment_id = world.assessment(tenant, mode=mode, submit=True)
    page = world.client(tenant.staff_id).get(f"/results/{assessment_id}").text
    assert BY_MODE[mode] in page and SELF not in page
    assert page.count(NOT_OFFICIAL) == 1


@pytest.mark.parametrize("mode", ["guided", "onsite"])
def test_an_officials_view_of_a_shared_result_says_what_the_report_says_for_its_mode_once(app: Flask,
                                                                                           mode: str) -> None:
    world = World(app)
    tenant = world.tenant("乙", "91370100MA3C00002")
    assessment_id = world.assessment(tenant, mode=mode, submit=True)
    with site(app).sessions() as session:
        shares.share(session, enterprise_id=tenant.enterprise_id, authority="370100", assessment_id=assessment_id,
                     user_id=tenant.owner_id)
        official = providers.add_member(session, "official@example.gov.cn", "unusable", role="official",
                                        region_code="370100").id
        session.commit()
    page = logged_in(app, official).get(f"/official/results/{assessment_id}")
    assert page.status_code == 200, page.text
    assert BY_MODE[mode] in page.text and SELF not in page.text
    assert page.text.count(NOT_OFFICIAL) == 1


def test_a_self_assessment_says_once_that_it_is_not_an_official_rating(journey: Journey) -> None:
    page = journey.client.get(f"/results/{journey.complete()}").text
    assert SELF in page and page.count(NOT_OFFICIAL) == 1


@pytest.mark.parametrize(("scenarios", "level", "noted"), [(0, "无等级", True), (1, "一级", True),
                                                         (2, "二级", False), (3, "三级", False)])
def test_the_level_1_note_shows_only_with_a_result_the_level_1_rule_decided(journey: Journey, scenarios: int,
                                                                            level: str, noted: bool) -> None:
    page = journey.client.get(f"/results/{journey.complete(with_scenarios(scenarios))}").text
    assert f"评测等级：{level}" in page
    assert (LEVEL_1_NOTE in page) is noted
