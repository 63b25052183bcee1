"""Answer documents are checked item by item, with precise messages; computed answers come from data."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shipped import WORKED_EXAMPLE_RATINGS, answers_with_base, miit
from test_content_validation import MODEL, QUESTIONNAIRE, write

from assessment.content.loader import load_library
from assessment.domain.answers import AnswersInvalid, Problem, answers_to_document, parse_answers
from assessment.domain.questionnaire import Band, order
from assessment.services.language import translator


def complete() -> dict[str, Any]:
    return {**answers_with_base("64.5"), **WORKED_EXAMPLE_RATINGS}


def problems(answers: dict[str, Any], data: dict[str, Any] | None = None, **extra: Any) -> list[Problem]:
    q, _ = miit()
    doc: dict[str, Any] = {"questionnaire": "miit-2024", "answers": answers, **extra}
    if data is not None:
        doc["data"] = data
    with pytest.raises(AnswersInvalid) as info:
        parse_answers(q, doc)
    return info.value.problems


def messages(answers: dict[str, Any], data: dict[str, Any] | None = None) -> list[str]:
    return [p.render() for p in problems(answers, data)]


def test_unknown_item_is_named() -> None:
    assert messages({**complete(), "Q99": "A"}) == ["unknown item 'Q99'"]


def test_unknown_option_lists_the_valid_ones() -> None:
    assert messages({**complete(), "Q5": "Z"}) == ["Q5: unknown option 'Z'; expected one of A, B, C, D, E"]


def test_exclusive_none_cannot_be_mixed_with_other_options() -> None:
    assert messages({**complete(), "Q6": ["A", "B"]}) == ["Q6: option A (none) excludes every other option"]


def test_a_list_for_a_single_choice_item_is_rejected() -> None:
    assert messages({**complete(), "Q8": ["B", "C"]}) == ["Q8: a single-choice item takes one option, not a list"]


@pytest.mark.parametrize("bad", [5, -1, 2.5, "3", True])
def test_scenario_level_outside_0_to_4_is_rejected(bad: Any) -> None:
    assert messages({**complete(), "S03": bad}) == [f"S03: level must be a whole number from 0 to 4, not {bad!r}"]


def test_every_missing_item_is_listed_by_id() -> None:
    answers = complete()
    for key in ("Q3", "Q10", "S05", "S16"):
        del answers[key]
    found = problems(answers)
    assert [p.item for p in found] == ["Q3", "S05", "S16", "Q10"]
    assert all(p.code == "missing" for p in found)


def test_a_draft_may_leave_items_unanswered() -> None:
    q, _ = miit()
    answers = parse_answers(q, {"answers": {"Q1": ["B"]}}, complete=False)
    assert answers.values == {"Q1": ("B",)}


def test_every_problem_is_reported_at_once() -> None:
    found = problems({**complete(), "Q5": "Z", "Q6": ["A", "C"], "S01": 9, "Q77": "A"})
    assert {p.item for p in found} == {"Q5", "Q6", "S01", "Q77"}


def test_device_counts_compute_the_digitization_band() -> None:
    q, _ = miit()
    answers = complete()
    del answers["Q2"], answers["Q3"]
    parsed = parse_answers(q, {"answers": answers, "data": {"total_devices": 200, "digitized_devices": 70, "networked_devices": 20}})
    assert parsed.values["Q2"] == "C"  # 35 % is in (20 %, 40 %]
    assert parsed.values["Q3"] == "A"  # exactly 10 % is in [0, 10 %]
    assert parsed.derived["Q2"] == 35


@pytest.mark.parametrize(("digitized", "band"), [(0, "A"), (20, "A"), (21, "B"), (40, "B"), (41, "C"), (120, "D"), (121, "E"), (200, "E")])
def test_band_boundaries_belong_to_the_lower_band(digitized: int, band: str) -> None:
    q, _ = miit()
    answers = complete()
    del answers["Q2"]
    parsed = parse_answers(q, {"answers": answers, "data": {"total_devices": 200, "digitized_devices": digitized}})
    assert parsed.values["Q2"] == band


def test_computed_data_that_contradicts_the_chosen_option_is_an_error() -> None:
    found = problems({**complete(), "Q2": "E"}, {"total_devices": 100, "digitized_devices": 35})
    assert [p.render() for p in found] == ["Q2: the figures give option C (35), but option E was chosen"]


def test_year_on_year_figures_give_increase_unchanged_or_decrease() -> None:
    q, _ = miit()
    answers = complete()
    for key in ("Q12", "Q13", "Q14", "Q15"):
        del answers[key]
    data = {
        "energy_last_year": 90,
        "energy_year_before": 100,
        "revenue_last_year": 1000,
        "revenue_year_before": 1000,
        "pass_rate_after": 98.5,
        "pass_rate_before": 98.5,
        "employees_last_year": 50,
        "employees_year_before": 40,
        "cost_last_year": 800,
        "cost_year_before": 700,
    }
    parsed = parse_answers(q, {"answers": answers, "data": data})
    # energy per revenue fell → 降低 (C); pass rate equal → 持平 (B); revenue per head fell → 降低 (A); cost per revenue rose → 增加 (A)
    assert [parsed.values[k] for k in ("Q12", "Q13", "Q14", "Q15")] == ["C", "B", "A", "A"]


def test_the_unchanged_tolerance_is_data(tmp_path: Path) -> None:
    q_text = QUESTIONNAIRE.replace(
        "          - {key: B, text: {zh: 有, en: Has one}}\n",
        "          - {key: B, text: {zh: 持平, en: Same}}\n          - {key: C, text: {zh: 增加, en: Up}}\n"
        "        fields:\n          - {id: now, label: {zh: 今年, en: This year}}\n"
        "          - {id: before, label: {zh: 去年, en: Last year}}\n"
        "        derive:\n          change: {current: {numerator: now}, previous: {numerator: before},\n"
        "                   increase: C, same: B, decrease: A, tolerance: 0.02}\n",
    )
    m_text = MODEL.replace("points: {A: 0, B: 4}", "points: {A: 0, B: 2, C: 4}")
    lib = load_library(write(tmp_path, q_text, m_text))
    assert lib.errors == []
    q = lib.questionnaire("tiny")
    base = {"Q1": ["B"], "S1": 1}
    assert parse_answers(q, {"answers": base, "data": {"now": 101.9, "before": 100}}).values["Q2"] == "B"
    assert parse_answers(q, {"answers": base, "data": {"now": 102.1, "before": 100}}).values["Q2"] == "C"
    assert parse_answers(q, {"answers": base, "data": {"now": 97.9, "before": 100}}).values["Q2"] == "A"


def test_data_fields_are_checked() -> None:
    found = problems(complete(), {"total_devices": -3, "digitized_devices": "many", "colour": 1, "networked_devices": 2.5})
    assert sorted(p.render() for p in found) == sorted(
        [
            "data: total_devices = -3 is out of range (≥ 0)",
            "data: digitized_devices = 'many' is not a number",
            "data: unknown field 'colour'",
            "data: networked_devices must be a whole number, not 2.5",
        ]
    )


def test_display_conditions_hide_items_and_drop_their_answers(tmp_path: Path) -> None:
    q_text = QUESTIONNAIRE.replace("      - id: S1\n", "      - id: S1\n        show_if: {item: Q2, in: [B]}\n")
    lib = load_library(write(tmp_path, q_text))
    assert lib.errors == []
    q = lib.questionnaire("tiny")
    hidden = parse_answers(q, {"answers": {"Q1": ["B"], "Q2": "A", "S1": 2}})
    assert "S1" not in hidden.values
    with pytest.raises(AnswersInvalid) as info:
        parse_answers(q, {"answers": {"Q1": ["B"], "Q2": "B"}})
    assert [p.item for p in info.value.problems] == ["S1"]


def test_messages_are_translated_to_chinese() -> None:
    (p,) = problems({**complete(), "Q6": ["A", "B"]})
    assert p.render(translator("zh")) == "Q6：选项 A（无）不能与其他选项同时选择"


def test_a_document_round_trips() -> None:
    q, _ = miit()
    parsed = parse_answers(q, {"answers": complete(), "data": {"total_devices": 10, "digitized_devices": 1}})
    again = parse_answers(q, answers_to_document(parsed))
    assert again.values == parsed.values and again.data == parsed.data == {"total_devices": Fraction(10), "digitized_devices": Fraction(1)}


def test_partial_exclusivity_excludes_only_the_named_options() -> None:
    from shipped import library

    q = library().questionnaire("eu-dma-sme")
    item = q.item("4.1")
    assert item is not None
    from assessment.domain.answers import parse_value

    assert parse_value(item, ["1", "2"]) == (("1", "2"), [])
    value, found = parse_value(item, ["2", "5"])
    assert value is None
    assert [p.render() for p in found] == ["4.1: option 2 cannot be combined with 5"]


FRACTIONS = st.fractions(min_value=-1000, max_value=1000, max_denominator=50)


@given(FRACTIONS, FRACTIONS)
def test_ordering_figures_agrees_with_exact_comparison(a: Fraction, b: Fraction) -> None:
    assert order(a, b) == (a > b) - (a < b)


@given(FRACTIONS, st.none() | FRACTIONS, st.booleans(), st.none() | FRACTIONS, st.booleans())
def test_a_band_holds_exactly_the_figures_between_its_bounds(value: Fraction, lower: Fraction | None,
                                                              lower_inclusive: bool, upper: Fraction | None,
                                                              upper_inclusive: bool) -> None:
    band = Band("A", lower, lower_inclusive, upper, upper_inclusive)
    above_lower = lower is None or value > lower or (value == lower and lower_inclusive)
    below_upper = upper is None or value < upper or (value == upper and upper_inclusive)
    assert band.contains(value) == (above_lower and below_upper)
    if lower is not None:
        assert band.contains(lower) == (lower_inclusive and (upper is None or lower < upper
                                                             or (lower == upper and upper_inclusive)))
