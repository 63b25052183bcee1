"""The MIIT 2024 level rule and scoring, checked against the reference and an independent implementation."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from miit_reference import CONSTRAINT, SCENARIOS, base_score
from miit_reference import level as reference_level
from shipped import WORKED_EXAMPLE_RATINGS, answers_with_base, miit

from assessment.domain.answers import parse_answers
from assessment.domain.sampling import random_document
from assessment.domain.scoring import Scorecard, score

GUIDANCE = [s for s in SCENARIOS if s not in CONSTRAINT]
CONSTRAINTS = [s for s in SCENARIOS if s in CONSTRAINT]


def card_for(answers: dict[str, Any]) -> Scorecard:
    q, m = miit()
    return score(q, m, parse_answers(q, {"questionnaire": "miit-2024", "answers": answers}))


def ratings(level: int, n_constraint: int, n_guidance: int, rest: int = 0) -> dict[str, int]:
    """n_constraint constraint and n_guidance guidance scenarios at `level`, the others at `rest`."""
    out = dict.fromkeys(SCENARIOS, rest)
    for s in CONSTRAINTS[:n_constraint] + GUIDANCE[:n_guidance]:
        out[s] = level
    return out


def worked_example() -> dict[str, Any]:
    # Base 64.5 as in the reference's worked example (§2.6), with its scenario ratings.
    return {**answers_with_base("64.5"), **WORKED_EXAMPLE_RATINGS}


def test_worked_example_of_the_reference_is_level_3() -> None:
    card = card_for(worked_example())
    assert card.total.value == Fraction(129, 2)
    assert card.level == 3


def test_worked_example_explains_what_level_4_lacks() -> None:
    nxt = card_for(worked_example()).explanation.next
    assert nxt is not None and nxt.level == 4 and not nxt.met
    assert nxt.points_short == Fraction(31, 2)
    by_set = {c.condition.item_set: c for c in nxt.conditions if c.kind == "ratings"}  # type: ignore[union-attr]
    assert int(by_set["scenarios"].shortfall) == 10
    assert int(by_set["constraint_scenarios"].shortfall) == 6
    # The closest scenarios are those already at 三级, constraint ones first in the upgrade plan.
    assert all(r == 3 for _, r in by_set["constraint_scenarios"].below[:6])
    raised = {i for i, _, to in nxt.upgrades if to == 4}
    assert len(raised) == 10 and len(raised & CONSTRAINT) >= 6


@pytest.mark.parametrize(("level", "minimum", "n_all", "n_con"), [(4, "80", 10, 6), (3, "60", 8, 5), (2, "40", 6, 3), (1, "20", 6, 3)])
def test_each_level_is_reached_at_its_exact_thresholds(level: int, minimum: str, n_all: int, n_con: int) -> None:
    card = card_for({**answers_with_base(minimum), **ratings(level, n_con, n_all - n_con)})
    assert card.level == level


@pytest.mark.parametrize(("level", "minimum", "n_all", "n_con"), [(4, "80", 10, 6), (3, "60", 8, 5), (2, "40", 6, 3), (1, "20", 6, 3)])
def test_a_score_just_below_the_minimum_misses_the_level(level: int, minimum: str, n_all: int, n_con: int) -> None:
    just_below = str(Decimal(minimum) - Decimal("0.025"))
    card = card_for({**answers_with_base(just_below), **ratings(level, n_con, n_all - n_con)})
    assert card.level < level
    check = card.explanation.next
    assert check is not None and check.level == level and check.points_short == Fraction(1, 40)


@pytest.mark.parametrize(("level", "minimum", "n_all", "n_con"), [(4, "80", 10, 6), (3, "60", 8, 5), (2, "40", 6, 3), (1, "20", 6, 3)])
def test_one_scenario_too_few_misses_the_level(level: int, minimum: str, n_all: int, n_con: int) -> None:
    card = card_for({**answers_with_base(minimum), **ratings(level, n_con, n_all - n_con - 1, rest=level - 1)})
    assert card.level == level - 1


@pytest.mark.parametrize(("level", "minimum", "n_all", "n_con"), [(4, "80", 10, 6), (3, "60", 8, 5), (2, "40", 6, 3), (1, "20", 6, 3)])
def test_one_constraint_scenario_too_few_misses_the_level(level: int, minimum: str, n_all: int, n_con: int) -> None:
    # Same total number of scenarios at the level, but one constraint scenario swapped for a guidance one.
    card = card_for({**answers_with_base(minimum), **ratings(level, n_con - 1, n_all - n_con + 1, rest=level - 1)})
    assert card.level == level - 1
    check = card.explanation.next
    assert check is not None
    short = [c for c in check.unmet if c.kind == "ratings"]
    assert len(short) == 1 and short[0].condition.item_set == "constraint_scenarios"  # type: ignore[union-attr]
    assert short[0].shortfall == 1


def test_six_scenarios_at_level_2_cannot_give_level_3_even_with_full_score() -> None:
    assert card_for({**answers_with_base("100"), **ratings(2, 6, 10)}).level == 2


def test_below_level_1_when_the_base_score_is_under_20() -> None:
    card = card_for({**answers_with_base("19.975"), **ratings(4, 10, 6)})
    assert card.level == 0
    assert card.explanation.reached is None
    assert card.explanation.next is not None and card.explanation.next.level == 1


def test_ten_options_of_0_7_make_exactly_7() -> None:
    answers = {**answers_with_base("0"), "Q4": list("BCDEFGHIJK")}
    card = card_for({**answers, **ratings(0, 0, 0)})
    assert card.nodes["F2.1"].value == 7
    assert card.total.value == 7


def test_a_total_of_exactly_40_meets_the_level_2_threshold_whatever_the_options() -> None:
    # 40 made of 0.7-point options: 10 × 0.7 + 33 from other items.
    base = answers_with_base("33")
    base["Q4"] = list("BCDEFGHIJK")
    assert base_score(base) == 40
    assert card_for({**base, **ratings(2, 3, 3)}).level == 2


def test_dimension_and_item_points_carry_their_maxima() -> None:
    card = card_for(worked_example())
    assert {d: card.nodes[d].maximum for d in ("F", "M", "R")} == {"F": 50, "M": 30, "R": 20}
    assert card.nodes["F1.1"].maximum == 8 and card.nodes["F2.1"].maximum == 10
    assert sum(card.nodes[d].value for d in ("F", "M", "R")) == card.total.value


def test_engine_matches_an_independent_implementation_on_generated_answers() -> None:
    q, _ = miit()
    rng = random.Random(20241)
    for _ in range(1500):
        doc = random_document(q, rng)
        card = card_for(doc["answers"])
        assert card.total.value == Fraction(base_score(doc["answers"]))
        assert card.level == reference_level(doc["answers"]), doc


@pytest.mark.parametrize("points", ["80", "79.975", "60", "59.975", "40", "39.975", "20", "19.975"])
@pytest.mark.parametrize("scen_level", [1, 2, 3, 4])
def test_engine_matches_the_independent_implementation_on_boundaries(points: str, scen_level: int) -> None:
    for n_con in range(2, 8):
        for n_guid in range(2, 6):
            answers = {**answers_with_base(points), **ratings(scen_level, n_con, n_guid, rest=scen_level - 1)}
            assert card_for(answers).level == reference_level(answers)


def _doc(seed: int) -> dict[str, Any]:
    q, _ = miit()
    return random_document(q, random.Random(seed))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_score_stays_between_0_and_100(seed: int) -> None:
    card = card_for(_doc(seed)["answers"])
    assert 0 <= card.total.value <= 100


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(["Q1", "Q4", "Q6", "Q7", "Q9", "Q10"]), st.data())
def test_adding_a_non_exclusive_option_never_lowers_a_multiple_choice_item(seed: int, item: str, data: st.DataObject) -> None:
    q, _ = miit()
    answers = _doc(seed)["answers"]
    it = q.item(item)
    assert it is not None
    extra = data.draw(st.sampled_from([k for k in it.option_keys if k not in it.exclusive_keys]))
    before = card_for(answers)
    chosen = [k for k in answers[item] if k not in it.exclusive_keys]
    after = card_for({**answers, item: sorted(set(chosen) | {extra})})
    leaf = next(n for n in ("F1.1", "F2.1", "F4.1", "F4.2", "M1.2", "M2.1") if miit()[1].nodes[n].scorer.item == item)  # type: ignore[union-attr]
    assert after.nodes[leaf].value >= before.nodes[leaf].value
    assert after.total.value >= before.total.value


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(SCENARIOS), st.integers(min_value=1, max_value=4))
def test_raising_a_scenario_rating_never_lowers_the_level(seed: int, scenario: str, step: int) -> None:
    answers = _doc(seed)["answers"]
    raised = {**answers, scenario: min(4, answers[scenario] + step)}
    assert card_for(raised).level >= card_for(answers).level


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.randoms(use_true_random=False))
def test_key_order_never_changes_the_result(seed: int, shuffler: random.Random) -> None:
    answers = _doc(seed)["answers"]
    keys = list(answers)
    shuffler.shuffle(keys)
    shuffled = {k: (shuffler.sample(v, len(v)) if isinstance(v, list) else v) for k, v in ((k, answers[k]) for k in keys)}
    a, b = card_for(answers), card_for(shuffled)
    assert (a.level, a.total.value, dict(a.ratings)) == (b.level, b.total.value, dict(b.ratings))
    assert {k: n.value for k, n in a.nodes.items()} == {k: n.value for k, n in b.nodes.items()}


def test_scoring_never_mutates_its_inputs() -> None:
    q, m = miit()
    answers = parse_answers(q, {"answers": worked_example()})
    before = dict(answers.values)
    score(q, m, answers)
    assert dict(answers.values) == before
