"""Profile figures are bounded, and many employees with almost no revenue are refused as a slip."""

from __future__ import annotations

from typing import Any

import pytest
from test_enterprise import INDUSTRIES, REGIONS, fields

from assessment.domain.answers import Problem
from assessment.domain.enterprise.validation import profile_problems


def figures_problems(employees: Any, revenue: Any) -> list[Problem]:
    return profile_problems(fields(employees=employees, revenue_10k_cny=revenue), REGIONS, INDUSTRIES)


def test_ninety_nine_million_employees_are_more_than_any_enterprise_has() -> None:
    assert [p.code for p in figures_problems("99,999,999", "0")] == ["too_large"]


def test_many_employees_with_no_revenue_is_refused_at_the_revenue_naming_both_figures() -> None:
    (problem,) = figures_problems("5000", "0")
    assert (problem.item, problem.code) == ("revenue_10k_cny", "implausible")
    assert problem.render() == ("Operating revenue of 0 (10,000 yuan) is less than 1,000 yuan a year for each of "
                                "5000 employees; check both figures (revenue is in 10,000 yuan)")


@pytest.mark.parametrize(("employees", "revenue"), [
    ("999", "0"),            # a start-up before its first sale
    ("1000", "100"),         # exactly 1,000 yuan a head
    ("10000000", "10000000000"),
    ("0", "10000000000"),
])
def test_plausible_figures_are_accepted(employees: str, revenue: str) -> None:
    assert figures_problems(employees, revenue) == []


def test_a_figure_already_refused_is_not_also_called_implausible() -> None:
    assert [p.code for p in figures_problems("5000", "-1")] == ["negative"]
