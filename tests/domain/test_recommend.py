"""The recommender: gaps by the model's own rule, eligible ranked solutions with reasons, an engine-checked roadmap."""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Iterator
from fractions import Fraction
from functools import lru_cache

import pytest
from shipped import ROOT, library, miit

from assessment.content.catalogue import load_catalogue_dir
from assessment.domain.answers import Answers, parse_answers
from assessment.domain.catalogue import (
    Catalogue,
    ItemLift,
    Listing,
    Prerequisite,
    Price,
    Provenance,
    Provider,
    ScenarioLift,
    Solution,
    Weeks,
)
from assessment.domain.model import ScoreCondition
from assessment.domain.recommend.advice import Advice, recommend
from assessment.domain.recommend.eligibility import MatchingProfile, RecommendOptions, exclusion
from assessment.domain.recommend.gaps import level_gaps
from assessment.domain.recommend.index import index_catalogues
from assessment.domain.recommend.planner import apply_solution, prerequisites_met
from assessment.domain.sampling import random_document
from assessment.domain.scoring import score
from assessment.services.recommendations import advice_document, recommendations

PROFILES = [
    MatchingProfile("3670", "small", "370102"),
    MatchingProfile("1711", "micro", "330106"),
    MatchingProfile("C3981", "medium", "440305"),
    MatchingProfile("2614", "large", "320506"),
    MatchingProfile(None, None, None),
]


@lru_cache(maxsize=1)
def demo() -> Catalogue:
    q, _ = miit()
    catalogues, errors = load_catalogue_dir(ROOT / "catalogue", {q.id: q})
    assert errors == []
    return next(c for c in catalogues if c.id == "demo")


def answers_from(values: dict[str, object]) -> Answers:
    q, _ = miit()
    base = {i.id: ("A" if i.type == "single" else ["A"] if i.type == "multi" else 0) for i in q.items}
    return parse_answers(q, {"questionnaire": q.id, "answers": {**base, **values}})


def generated(count: int, seed: int = 7) -> Iterator[tuple[Answers, MatchingProfile]]:
    q, _ = miit()
    rng = random.Random(seed)
    for n in range(count):
        yield parse_answers(q, random_document(q, rng)), PROFILES[n % len(PROFILES)]


def advise(answers: Answers, profile: MatchingProfile | None = None, options: RecommendOptions | None = None,
           catalogues: tuple[Catalogue, ...] | None = None) -> Advice:
    q, m = miit()
    return recommend(q, m, answers, index_catalogues(catalogues or (demo(),)), profile, options)


def level_of(answers: Answers) -> int:
    q, m = miit()
    return score(q, m, answers).level


def solution(sid: str, scenarios: tuple[ScenarioLift, ...] = (), items: tuple[ItemLift, ...] = (),
             price: tuple[int, int] = (1000, 2000), requires: tuple[Prerequisite, ...] = (),
             catalogue: str = "tiny@1") -> Solution:
    return Solution(sid, {"zh": sid, "en": sid}, Provider({"zh": "示例", "en": "Example"}, "product"), ("saas",),
                    scenarios, items, ("any",), ("large", "medium", "small", "micro"), Price("per_year", *price),
                    Weeks(1, 2), Listing("listed", "test", "2026-01-01"), "1", Provenance(catalogue, "tiny.yaml", False),
                    requires=requires)


def tiny(*solutions: Solution, ref: str = "tiny@1", questionnaire: str = "miit-2024") -> Catalogue:
    cid, version = ref.split("@")
    owned = tuple(dataclasses.replace(s, provenance=Provenance(ref, "tiny.yaml", False)) for s in solutions)
    return Catalogue(cid, version, {"zh": "小", "en": "tiny"}, questionnaire, ("zh", "en"), owned, "tiny.yaml")


# Part A answers worth 40 points: enough for level 2 on points, so tests can focus on scenarios.
FORTY_POINTS = {"Q1": ["B", "C", "D", "E"], "Q2": "E", "Q3": "E", "Q5": "E", "Q6": ["B", "C", "D", "E"],
                "Q7": ["B", "C", "D", "E"]}


def closes_by_itself(answers: Answers, target: int, profile: MatchingProfile, options: RecommendOptions) -> bool:
    """Independent check: adopting every eligible solution until nothing changes reaches the target (engine)."""
    q, m = miit()
    pool = [s for s in demo().solutions if exclusion(s, profile, dataclasses.replace(options, budget_cny=None),
                                                        q.id, "miit-2024") is None]
    changed = True
    while changed:
        changed = False
        for s in pool:
            if prerequisites_met(q, m, answers, s):
                after = apply_solution(q, m, answers, s)
                if after is not answers:
                    answers, changed = after, True
    return level_of(answers) >= target


# ---------------------------------------------------------------- gaps


def test_gaps_name_points_scenarios_and_constraint_scenarios_short_for_the_next_two_levels() -> None:
    answers = answers_from({"Q5": "C", "Q6": ["B", "C"], "S03": 2, "S06": 2, "S13": 2, "S15": 2})
    assert level_of(answers) == 0
    gaps = level_gaps(*miit(), answers)
    assert [g.level for g in gaps] == [1, 2]
    assert gaps[0].points_short == Fraction(25, 2)
    assert gaps[0].ratings_short == {"scenarios": 2, "constraint_scenarios": 0}


def test_the_cheapest_upgrades_for_a_level_reach_it_by_the_engine() -> None:
    q, m = miit()
    for answers, _profile in generated(40):
        for gap in level_gaps(q, m, answers):
            raised = {u.item: u.after for u in gap.upgrades}
            after = Answers(answers.questionnaire, {**answers.values, **raised}, answers.data, answers.derived)
            assert level_of(after) == gap.level_after_upgrades >= gap.level
            assert gap.upgrade_steps == sum(u.steps for u in gap.upgrades)


def test_the_cheapest_upgrades_raise_the_scenarios_closest_to_the_level() -> None:
    answers = answers_from({**FORTY_POINTS, "S01": 2, "S03": 2, "S06": 1, "S14": 2, "S15": 2, "S16": 2})
    gap = level_gaps(*miit(), answers)[0]
    assert gap.level == 2
    assert [(u.item, u.before, u.after) for u in gap.upgrades] == [("S06", 1, 2)]


def test_gaps_follow_the_model_file_when_a_threshold_changes() -> None:
    q, m = miit()
    lv2 = m.level_def(2)
    stricter = dataclasses.replace(lv2, conditions=tuple(
        dataclasses.replace(c, minimum=Fraction(50)) if isinstance(c, ScoreCondition) else c for c in lv2.conditions))
    model = dataclasses.replace(m, levels=tuple(stricter if lv.level == 2 else lv for lv in m.levels))
    answers = answers_from({**FORTY_POINTS, **{f"S{n:02d}": 2 for n in range(1, 9)}})
    assert level_of(answers) == 2
    gap = next(g for g in level_gaps(q, model, answers) if g.level == 2)
    assert gap.points_short == 50 - score(q, model, answers).total.value
    assert score(q, model, Answers(answers.questionnaire, {**answers.values, **{u.item: u.after for u in gap.upgrades}},
                                   answers.data, answers.derived)).level >= 2


# ---------------------------------------------------------------- recommendations


def test_each_recommendation_closes_a_gap_it_names_by_the_engine() -> None:
    q, m = miit()
    checked = 0
    for answers, profile in generated(60):
        advice = advise(answers, profile)
        before = score(q, m, answers)
        for rec in advice.recommendations:
            assert rec.closes, rec.solution.key
            after = score(q, m, apply_solution(q, m, answers, rec.solution))
            assert after.level == rec.level_after
            for gap in rec.closes:
                lv = m.level_def(gap.level)
                if gap.kind == "ratings":
                    cond = next(c for c in lv.conditions if getattr(c, "item_set", None) == gap.condition)
                    assert before.ratings[gap.item] < cond.at_least <= after.ratings[gap.item]  # type: ignore[union-attr,index]
                    short = cond.count - sum(before.ratings[i] >= cond.at_least for i in m.item_sets[gap.condition].items)  # type: ignore[union-attr]
                    assert short == gap.short > 0
                else:
                    assert after.nodes[gap.condition].value - before.nodes[gap.condition].value == gap.points > 0
                    assert gap.short > 0
                checked += 1
    assert checked > 100


def test_nothing_outside_budget_industry_size_or_region_is_recommended_or_planned() -> None:
    for n, (answers, profile) in enumerate(generated(40, seed=11)):
        budget = [30_000, 200_000, 1_000_000][n % 3]
        advice = advise(answers, profile, RecommendOptions(budget_cny=budget))
        for s in [r.solution for r in advice.recommendations] + [st.solution for st in advice.roadmap.steps]:
            assert s.price.max_cny <= budget
            assert profile.industry is None or s.fits_industry(profile.industry)
            assert profile.size is None or profile.size in s.sizes
            assert profile.region is None or s.provider.serves(profile.region)
        assert advice.roadmap.cost_max_cny <= budget


def test_no_recommendation_or_roadmap_step_has_an_unmet_prerequisite() -> None:
    q, m = miit()
    for answers, profile in generated(40, seed=3):
        advice = advise(answers, profile)
        for rec in advice.recommendations:
            assert prerequisites_met(q, m, answers, rec.solution)
        state = answers
        for step in advice.roadmap.steps:
            assert prerequisites_met(q, m, state, step.solution), step.solution.key
            state = apply_solution(q, m, state, step.solution)


def test_recommendations_and_roadmap_come_in_the_same_order_every_time() -> None:
    other = tiny(solution("extra-crm", (ScenarioLift("S03", 0, 2),)), ref="other@1")
    for answers, profile in generated(10, seed=5):
        one = advise(answers, profile, catalogues=(demo(), other))
        two = advise(answers, profile, catalogues=(other, demo()))
        assert [r.solution.key for r in one.recommendations] == [r.solution.key for r in two.recommendations]
        assert [s.solution.key for s in one.roadmap.steps] == [s.solution.key for s in two.roadmap.steps]
        assert [r.rank for r in one.recommendations] == sorted((r.rank for r in one.recommendations), reverse=True)


def test_a_filter_by_deployment_or_scenario_narrows_the_list() -> None:
    answers, _ = next(generated(1, seed=21))
    saas = advise(answers, options=RecommendOptions(deployments=frozenset({"saas"})))
    assert all("saas" in r.solution.deployment for r in saas.recommendations)
    assert all("saas" in s.solution.deployment for s in saas.roadmap.steps)
    quality = advise(answers, options=RecommendOptions(scenarios=frozenset({"S07"})))
    assert quality.recommendations
    assert all(any(x.scenario == "S07" for x in r.solution.scenarios) for r in quality.recommendations)


def test_a_catalogue_for_another_questionnaire_is_never_used() -> None:
    answers, _ = next(generated(1, seed=8))
    foreign = tiny(solution("eu-tool", (ScenarioLift("S03", 0, 4),)), ref="eu@1", questionnaire="eu-dma-sme")
    advice = advise(answers, catalogues=(foreign,))
    assert advice.recommendations == () and advice.roadmap.steps == ()
    assert advice.excluded == {"questionnaire": 1}


def test_a_solution_applies_only_from_its_starting_level_and_never_lowers_an_answer() -> None:
    q, m = miit()
    lift = solution("mes", (ScenarioLift("S06", 1, 3),), (ItemLift("Q5", ("C",)), ItemLift("Q4", ("G",))))
    at_zero = answers_from({"S06": 0, "Q5": "D"})
    after = apply_solution(q, m, at_zero, lift)
    assert after.values["S06"] == 0 and after.values["Q5"] == "D" and after.values["Q4"] == ("G",)
    at_two = apply_solution(q, m, answers_from({"S06": 2, "Q5": "B", "Q4": ["B"]}), lift)
    assert (at_two.values["S06"], at_two.values["Q5"], at_two.values["Q4"]) == (3, "C", ("B", "G"))


def test_the_text_index_is_fitted_once_per_set_of_catalogues() -> None:
    catalogues = (demo(),)
    assert index_catalogues(catalogues) is index_catalogues(catalogues)


def test_catalogues_compare_by_value_and_equal_ones_share_the_text_index() -> None:
    q, _ = miit()
    again = next(c for c in load_catalogue_dir(ROOT / "catalogue", {q.id: q})[0] if c.id == "demo")
    assert again is not demo() and again == demo() and hash(again) == hash(demo())
    assert index_catalogues((again,)) is index_catalogues((demo(),))
    assert index_catalogues.__wrapped__((again,)) == index_catalogues((demo(),))  # the fitted parts are not compared
    fewer = dataclasses.replace(demo(), solutions=demo().solutions[1:])
    assert fewer != demo() and index_catalogues((fewer,)).solutions == tuple(sorted(fewer.solutions, key=lambda s: s.key))


def test_content_similarity_favours_the_solution_that_describes_the_gap() -> None:
    index = index_catalogues((demo(),))
    sims = dict(zip((s.id for s in index.solutions), index.similarity("能耗 水、电、气 能耗数据 采集 统计"), strict=True))
    assert max(sims, key=lambda k: sims[k]) in {"energy-metering", "smart-meters", "energy-ai"}


def test_every_reason_renders_in_both_languages_with_all_its_params() -> None:
    q, m = miit()
    for answers, profile in generated(15, seed=9):
        advice = advise(answers, profile, RecommendOptions(budget_cny=150_000))
        reasons = [*advice.notes, *(r for g in advice.gaps for r in g.reasons),
                   *(r for rec in advice.recommendations for r in rec.reasons),
                   *(r for st in advice.roadmap.steps for r in st.reasons),
                   *(s.message for s in advice.roadmap.stages if s.message),
                   *(r for s in advice.roadmap.stages for r in s.missing)]
        if advice.roadmap.message:
            reasons.append(advice.roadmap.message)
        for reason in reasons:
            for lang in ("zh", "en"):
                text = reason.render(lang)
                assert text and "{" not in text
        document = advice_document(advice, q, m, "en")
        assert json.loads(json.dumps(document)) == document


def test_a_recommendation_says_which_constraint_scenario_it_raises_and_for_which_level() -> None:
    answers = answers_from({**FORTY_POINTS, "S01": 2, "S06": 2, "S14": 2, "S15": 2, "S16": 2, "S02": 2})
    assert level_of(answers) == 0
    crm = tiny(solution("crm", (ScenarioLift("S03", 0, 2),)))
    advice = advise(answers, catalogues=(crm,))
    (rec,) = advice.recommendations
    assert [r.render("en") for r in rec.reasons[:2]] == [
        "raises Marketing/sales management from L0 to L2 — the one more of the constraint scenarios you still need "
        "for Level 1",
        "raises Marketing/sales management from L0 to L2 — the one more of the constraint scenarios you still need "
        "for Level 2",
    ]
    assert rec.reasons[0].render("zh").startswith("raises 营销管理 from L0 to L2")
    assert rec.level_after == 2


# ---------------------------------------------------------------- the roadmap


def test_the_roadmaps_last_step_reaches_the_target_by_the_engine_whenever_the_catalogue_can() -> None:
    q, m = miit()
    closable = 0
    for answers, profile in generated(80, seed=13):
        advice = advise(answers, profile)
        if not advice.roadmap.stages:
            continue
        can = closes_by_itself(answers, advice.target_level, profile, RecommendOptions())
        assert advice.roadmap.reaches_target == can
        if can:
            closable += 1
            state = answers
            for step in advice.roadmap.steps:
                state = apply_solution(q, m, state, step.solution)
                assert level_of(state) == step.level_after
            assert level_of(state) >= advice.target_level
            assert advice.roadmap.steps[-1].level_after >= advice.target_level
    assert closable >= 20


def test_each_stage_ends_at_its_level_and_costs_add_up() -> None:
    for answers, profile in generated(30, seed=17):
        roadmap = advise(answers, profile).roadmap
        total_min = total_max = 0
        for stage in roadmap.stages:
            if stage.reached and stage.steps:
                assert stage.steps[-1].level_after >= stage.level
                assert all(s.level_after < stage.level for s in stage.steps[:-1])
            for step in stage.steps:
                total_min += step.solution.price.min_cny
                total_max += step.solution.price.max_cny
                assert (step.cost_min_cny, step.cost_max_cny) == (total_min, total_max)
        assert (roadmap.cost_min_cny, roadmap.cost_max_cny) == (total_min, total_max)


def test_the_roadmap_says_plainly_when_the_catalogue_cannot_close_the_gap() -> None:
    answers = answers_from({})
    only_crm = tiny(solution("crm", (ScenarioLift("S03", 0, 2),)))
    roadmap = advise(answers, catalogues=(only_crm,)).roadmap
    assert not roadmap.reaches_target
    first, second = roadmap.stages
    assert (first.level, first.reached, first.closable, first.blocker) == (1, False, False, "catalogue")
    assert first.message is not None and "no combination" in first.message.render("en")
    assert [r.render("en") for r in first.missing] == [
        "Level 1 needs 20 points on Base score (foundation + management + effectiveness); with all of them you "
        "would have 0, still 20 short",
        "Level 1 needs 6 business scenarios at L1 or above; with all of them you would have 1, still 5 short",
        "Level 1 needs 3 constraint scenarios at L1 or above; with all of them you would have 1, still 2 short",
    ]
    assert second.blocker == "earlier_stage" and not second.steps
    assert roadmap.message is not None
    assert roadmap.message.render("en") == ("the roadmap stops before Level 2: no combination of the solutions in "
                                            "the catalogue reaches Level 1")


def test_a_budget_too_small_is_named_as_what_stops_the_roadmap() -> None:
    answers = answers_from({})
    roadmap = advise(answers, MatchingProfile("3670", "small", "370102"), RecommendOptions(budget_cny=20_000)).roadmap
    assert not roadmap.reaches_target
    stopped = next(s for s in roadmap.stages if not s.reached)
    assert stopped.blocker == "budget" and stopped.closable
    assert stopped.message is not None and "above the" in stopped.message.render("en")
    assert roadmap.cost_max_cny <= 20_000


def test_a_target_level_is_respected_and_a_small_firm_may_aim_at_level_two() -> None:
    answers = answers_from({})
    advice = advise(answers, MatchingProfile("3670", "micro", "370102"), RecommendOptions(target_level=2))
    assert advice.target_level == 2
    assert [s.level for s in advice.roadmap.stages] == [1, 2]
    assert advice.roadmap.reaches_target
    assert advice.roadmap.steps[-1].level_after == 2


def test_a_target_already_reached_needs_no_roadmap() -> None:
    answers = answers_from({**FORTY_POINTS, **{f"S{n:02d}": 2 for n in range(1, 9)}})
    advice = advise(answers, options=RecommendOptions(target_level=1))
    assert advice.roadmap.stages == () and advice.roadmap.reaches_target
    assert advice.roadmap.message is not None and "already reach" in advice.roadmap.message.render("en")


def test_a_step_that_only_unlocks_a_later_one_says_so() -> None:
    answers = answers_from({**FORTY_POINTS, "Q9": ["A"], "S01": 2, "S06": 2, "S14": 2, "S15": 2, "S16": 2, "S02": 2})
    key = solution("key", items=(ItemLift("Q8", ("B",)),), price=(100, 100))
    door = solution("door", (ScenarioLift("S03", 0, 2),), requires=(Prerequisite("Q8", None, ("B", "C")),))
    roadmap = advise(answers, catalogues=(tiny(key, door),), options=RecommendOptions(target_level=2)).roadmap
    assert [s.solution.id for s in roadmap.steps] == ["key", "door"]
    assert any(r.kind == "enables" for r in roadmap.steps[0].reasons)
    assert roadmap.reaches_target


def test_the_services_function_returns_plain_data_for_page_report_and_cli() -> None:
    q, m = miit()
    answers, profile = next(generated(1, seed=2))
    advice = recommendations(q, m, answers, [demo()], profile, RecommendOptions(budget_cny=300_000))
    doc = advice_document(advice, q, m, "zh")
    assert set(doc) >= {"level", "target_level", "gaps", "recommendations", "roadmap", "notes", "catalogues"}
    for rec in doc["recommendations"]:
        assert rec["reasons"] and rec["closes"] and rec["demo"] is True
    assert "演示" in doc["notes"][0] or "demo" in doc["notes"][0]


@pytest.mark.parametrize("seed", [1, 2])
def test_an_enterprise_at_the_top_level_gets_no_stages(seed: int) -> None:
    top = answers_from({**{f"Q{n}": "E" for n in (2, 3, 5)}, "Q1": ["B", "C", "D", "E"], "Q4": ["B", "C", "D", "E", "F",
                        "G", "H", "I", "J", "K", "L", "M", "N", "O"], "Q6": ["B", "C", "D", "E"], "Q7": ["B", "C", "D", "E"],
                        "Q8": "F", "Q9": ["B", "C", "D", "E"], "Q10": ["B", "C", "D", "E", "F"], "Q11": "E", "Q12": "C",
                        "Q13": "C", "Q14": "C", "Q15": "C", **{f"S{n:02d}": 4 for n in range(1, 17)}})
    assert level_of(top) == 4
    advice = advise(top, PROFILES[seed])
    assert advice.gaps == () and advice.recommendations == () and advice.roadmap.stages == ()
    assert advice.roadmap.message is not None and advice.roadmap.message.kind == "top_level"


def test_the_recommender_stays_generic_over_another_shipped_model() -> None:
    q = library().questionnaire("eu-dma-sme")
    m = library().default_model("eu-dma-sme")
    rng = random.Random(4)
    for _ in range(10):
        answers = parse_answers(q, random_document(q, rng))
        advice = recommend(q, m, answers, index_catalogues((demo(),)))
        for gap in advice.gaps:
            raised = {u.item: u.after for u in gap.upgrades}
            after = Answers(answers.questionnaire, {**answers.values, **raised}, answers.data, answers.derived)
            assert score(q, m, after).level == gap.level_after_upgrades >= gap.level
        assert advice.recommendations == () and advice.excluded == {"questionnaire": len(demo().solutions)}
