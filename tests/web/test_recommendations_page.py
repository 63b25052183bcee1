"""Recommendations on the results page: 小快轻准 solutions with reasons, a costed roadmap, filters and a target level."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from journey import Journey, worked_example

from assessment.content.catalogue import load_catalogue_dir
from assessment.content.loader import Library, content_root
from assessment.domain.answers import parse_answers
from assessment.domain.catalogue import DEPLOYMENTS, PRICE_MODELS, PROVIDER_TYPES, Catalogue, Solution
from assessment.domain.recommend import MatchingProfile, RecommendOptions
from assessment.services.recommendations import recommendations
from assessment.web.results import DEPLOYMENT_LABELS, PRICE_MODEL_LABELS, PROVIDER_TYPE_LABELS
from assessment.web.site import site

# A level-2 enterprise (the worked example with weaker scenarios), so both stages of the roadmap have steps.
WEAKER_SCENARIOS = {"S01": 1, "S02": 1, "S03": 2, "S04": 1, "S05": 1, "S06": 2, "S07": 1, "S08": 1, "S09": 1, "S10": 1}


def level_two_document() -> dict[str, Any]:
    """The worked example with weaker scenarios: level 2 by the engine."""
    document = worked_example()
    document["answers"] = {**document["answers"], **WEAKER_SCENARIOS}
    return document


@pytest.fixture(scope="module")
def catalogues(library: Library) -> tuple[Catalogue, ...]:
    """The shipped catalogues, loaded as the web app loads them."""
    loaded, errors = load_catalogue_dir(content_root() / "catalogue", {q.id: q for q in library.latest_questionnaires()})
    assert not errors
    return tuple(loaded)


def solutions_by_id(catalogues: tuple[Catalogue, ...]) -> dict[str, Solution]:
    """Every entry of the catalogues by its id."""
    return {s.id: s for c in catalogues for s in c.solutions}


def listed(page: str) -> list[str]:
    """The ids of the recommended solutions, in the page's order."""
    return re.findall(r'<li class="solution" id="solution-([^"]+)">', page)


def block(page: str) -> str:
    """The recommendations block of a results page."""
    start = page.index('id="recommendations"')
    return page[start:page.index('id="next-steps-title"')]


def expected(journey: Journey, assessment_id: int, catalogues: tuple[Catalogue, ...],
             options: RecommendOptions) -> list[str]:
    """The solution ids the recommender gives for this assessment's answers and frozen profile."""
    record = journey.record(assessment_id)
    questionnaire = journey.questionnaire()
    model = site(journey.app).library.default_model("miit-2024")
    answers = parse_answers(questionnaire, {"answers": record.answers, "data": record.data}, complete=False)
    frozen = record.scorecard["profile"]
    profile = MatchingProfile(frozen["industry_code"], frozen["size_class"], frozen["region_code"])
    advice = recommendations(questionnaire, model, answers, catalogues, profile, options)
    return [r.solution.id for r in advice.recommendations]


def test_results_page_lists_the_recommenders_solutions_for_the_enterprise_profile(
        journey: Journey, catalogues: tuple[Catalogue, ...]) -> None:
    assessment_id = journey.complete(level_two_document())
    page = journey.client.get(f"/results/{assessment_id}").text
    ids = listed(page)
    assert ids and ids == expected(journey, assessment_id, catalogues, RecommendOptions())
    assert page.index('id="why-title"') < page.index('id="recommendations"') < page.index('id="next-steps-title"')


def test_every_recommendation_shows_its_reasons_price_time_and_level_after(journey: Journey) -> None:
    assessment_id = journey.complete(level_two_document())
    section = block(journey.client.get(f"/results/{assessment_id}").text)
    entries = section.split('<li class="solution"')[1:]
    assert entries
    for entry in entries:
        entry = entry.split('id="roadmap"')[0]
        assert re.search(r'<ul class="reasons"><li>[^<]+</li>', entry)
        assert re.search(r'<dd class="price">[\d,]+–[\d,]+ 元', entry) or '<dd class="price">免费' in entry
        assert re.search(r'<dd class="weeks">\d+(–\d+)? 周', entry)
        assert re.search(r'<dd class="level-after">[一二三四]级', entry)


def test_the_roadmap_names_each_step_with_its_cost_time_and_the_level_after_it(journey: Journey) -> None:
    assessment_id = journey.complete(level_two_document())
    section = block(journey.client.get(f"/results/{assessment_id}").text)
    assert "迈向三级" in section and "迈向四级" in section
    stage = section[section.index('id="stage-3"'):section.index('id="stage-4"')]
    steps = re.findall(r'<li class="step" id="step-(\d+)">', stage)
    assert steps[0] == "1" and len(steps) >= 2
    levels = re.findall(r'<dd class="level-after">([^<]+)</dd>', stage)
    assert levels[-1] == "三级" and all(level in ("二级", "三级") for level in levels)
    assert re.search(r"到达三级：[\d,]+–[\d,]+ 元，\d+–\d+ 周", stage)


def test_the_demo_catalogue_is_labelled_as_illustrative_demo_data(journey: Journey) -> None:
    assessment_id = journey.complete(level_two_document())
    section = block(journey.client.get(f"/results/{assessment_id}").text)
    assert 'id="demo-notice"' in section and "示例数据" in section
    assert section.count('<strong class="demo-badge">示例数据</strong>') == len(listed(section)) + len(
        re.findall(r'<li class="step"', section)) + 1
    journey.client.post("/language", data={"lang": "en", "next": "/"})
    english = block(journey.client.get(f"/results/{assessment_id}").text)
    assert "Illustrative demo data" in english and "not real products" in english


def test_a_budget_keeps_every_solution_within_it(journey: Journey, catalogues: tuple[Catalogue, ...]) -> None:
    assessment_id = journey.complete(level_two_document())
    page = journey.client.get(f"/results/{assessment_id}?budget=30000").text
    ids = listed(page)
    assert ids == expected(journey, assessment_id, catalogues, RecommendOptions(budget_cny=30000))
    entries = solutions_by_id(catalogues)
    assert ids and all(entries[i].price.max_cny <= 30000 for i in ids)
    assert 'id="budget" name="budget" value="30000"' in page


def test_deployment_and_scenario_filters_narrow_the_solutions(journey: Journey,
                                                              catalogues: tuple[Catalogue, ...]) -> None:
    assessment_id = journey.complete(level_two_document())
    entries = solutions_by_id(catalogues)
    saas = listed(journey.client.get(f"/results/{assessment_id}?deployment=saas").text)
    assert saas == expected(journey, assessment_id, catalogues, RecommendOptions(deployments=frozenset({"saas"})))
    assert saas and all("saas" in entries[i].deployment for i in saas)
    page = journey.client.get(f"/results/{assessment_id}?scenario=S06").text
    s06 = listed(page)
    assert s06 == expected(journey, assessment_id, catalogues, RecommendOptions(scenarios=frozenset({"S06"})))
    assert s06 and all(any(lift.scenario == "S06" for lift in entries[i].scenarios) for i in s06)
    assert '<option value="S06" selected>' in page
    assert re.search(r'id="deployment-saas" name="deployment" value="saas" checked', journey.client.get(
        f"/results/{assessment_id}?deployment=saas").text)


def test_a_target_level_set_by_the_user_plans_the_roadmap_to_it(journey: Journey) -> None:
    assessment_id = journey.complete(level_two_document())
    section = block(journey.client.get(f"/results/{assessment_id}?target=3").text)
    assert "达到三级的路线图" in section and 'id="stage-3"' in section and 'id="stage-4"' not in section
    assert '<option value="3" selected>三级</option>' in section
    reached = block(journey.client.get(f"/results/{assessment_id}?target=2").text)
    assert 'id="roadmap-message"' in reached and "二级" in reached and 'class="step"' not in reached


def test_a_garbled_budget_or_unknown_level_is_reported_beside_the_field_and_ignored(
        journey: Journey, catalogues: tuple[Catalogue, ...]) -> None:
    assessment_id = journey.complete(level_two_document())
    response = journey.client.get(f"/results/{assessment_id}?budget=lots&target=9")
    assert response.status_code == 200
    section = block(response.text)
    assert 'id="filter-errors"' in section and 'href="#budget"' in section and 'href="#target"' in section
    assert 'id="budget-error"' in section and 'aria-invalid="true"' in section and 'id="target-error"' in section
    assert "请输入以元为单位的整数预算" in section
    assert listed(section) == expected(journey, assessment_id, catalogues, RecommendOptions())


def test_the_filter_form_is_a_get_form_and_the_language_switch_keeps_the_filters(journey: Journey) -> None:
    assessment_id = journey.complete(level_two_document())
    page = journey.client.get(f"/results/{assessment_id}?budget=50000&deployment=saas").text
    assert re.search(rf'<form method="get" action="/results/{assessment_id}#recommendations"', page)
    assert html.escape(f"/results/{assessment_id}?budget=50000&deployment=saas") in page  # the switch's next=


def test_a_micro_enterprise_only_sees_solutions_offered_to_micro_enterprises(
        journey: Journey, catalogues: tuple[Catalogue, ...]) -> None:
    assessment_id = journey.complete(level_two_document(), employees="8", revenue_10k_cny="90")
    assert journey.record(assessment_id).scorecard["profile"]["size_class"] == "micro"
    page = journey.client.get(f"/results/{assessment_id}").text
    ids = listed(page)
    entries = solutions_by_id(catalogues)
    assert ids and all("micro" in entries[i].sizes for i in ids)
    assert ids == expected(journey, assessment_id, catalogues, RecommendOptions())
    assert "微型" in block(page)


def test_recommendation_reasons_are_in_chinese_on_the_chinese_page(journey: Journey) -> None:
    assessment_id = journey.complete(level_two_document())
    section = block(journey.client.get(f"/results/{assessment_id}").text)
    reasons = re.findall(r'<ul class="reasons">(.*?)</ul>', section, re.S)
    assert reasons
    for text in reasons:
        assert not re.search(r"\b(raises|made for|offered to|the provider|illustrative demo entry)\b", text), text


def test_a_questionnaire_without_a_catalogue_shows_no_recommendations(journey: Journey) -> None:
    questionnaire = journey.questionnaire("eu-dma-sme")
    answers = {item.id: {row.key: item.columns[-1].key for row in item.rows}
               for item in questionnaire.items if item.type == "grid" and not item.grid_multi}
    assessment_id = journey.start("eu-dma-sme")
    assert journey.fill_profile(assessment_id).status_code == 303
    journey.answer_all(assessment_id, {"answers": answers}, qid="eu-dma-sme")
    assert journey.submit(assessment_id).status_code == 303
    page = journey.client.get(f"/results/{assessment_id}").text
    assert 'id="recommendations"' not in page and 'id="next-steps-title"' in page


def test_every_deployment_provider_type_and_price_model_has_a_label() -> None:
    assert set(DEPLOYMENT_LABELS) == set(DEPLOYMENTS)
    assert set(PROVIDER_TYPE_LABELS) == set(PROVIDER_TYPES)
    assert set(PRICE_MODEL_LABELS) == set(PRICE_MODELS)
