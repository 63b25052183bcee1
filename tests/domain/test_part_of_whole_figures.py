"""A figure declared a part of another (digitized devices of all devices) can never be more than that whole."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from shipped import miit

from assessment.domain.answers import AnswersInvalid, Problem, parse_answers, parse_data


def draft(data: dict[str, Any], answers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"questionnaire": "miit-2024", "answers": answers or {}, "data": data}


def refused(data: dict[str, Any], answers: dict[str, Any] | None = None) -> list[Problem]:
    with pytest.raises(AnswersInvalid) as info:
        parse_answers(miit()[0], draft(data, answers), complete=False)
    return info.value.problems


def test_more_digitized_devices_than_devices_is_refused_naming_both_figures() -> None:
    (problem,) = refused({"total_devices": 100, "digitized_devices": 150})
    assert problem.code == "field_exceeds_whole"
    assert dict(problem.params) == {"field": "digitized_devices", "value": "150", "whole": "total_devices",
                                    "limit": "100"}
    assert problem.render() == "data: digitized_devices = 150 is more than total_devices = 100"


def test_an_impossible_figure_never_becomes_an_option() -> None:
    data, _ = parse_data(miit()[0], {"total_devices": 100, "digitized_devices": 150})
    assert data == {"total_devices": Fraction(100)}


def test_a_chosen_option_with_impossible_figures_is_still_refused() -> None:
    problems = refused({"total_devices": 100, "digitized_devices": 150}, {"Q2": "E"})
    assert [p.code for p in problems] == ["field_exceeds_whole"]


def test_networked_devices_are_a_part_of_devices_in_total_too() -> None:
    (problem,) = refused({"total_devices": 10, "networked_devices": 11})
    assert problem.params["field"] == "networked_devices"


@pytest.mark.parametrize("digitized", [0, 60, 100])
def test_a_part_up_to_the_whole_is_accepted(digitized: int) -> None:
    answers = parse_answers(miit()[0], draft({"total_devices": 100, "digitized_devices": digitized}), complete=False)
    assert answers.derived["Q2"] == digitized


def test_a_part_without_its_whole_is_not_compared() -> None:
    answers = parse_answers(miit()[0], draft({"digitized_devices": 150}), complete=False)
    assert answers.data == {"digitized_devices": Fraction(150)}
