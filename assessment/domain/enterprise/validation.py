"""Checks of raw profile fields (from a form or JSON): one Problem per field, with the field's name as its item."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from assessment.domain.answers import N_, Problem
from assessment.domain.enterprise.industries import Industries
from assessment.domain.enterprise.profile import ZHUANJINGTEXIN_STATUSES
from assessment.domain.enterprise.regions import Regions
from assessment.domain.enterprise.uscc import uscc_fault
from assessment.domain.numbers import NumberRule, check_number, plain, read_decimal

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


EMPLOYEES = NumberRule(Fraction(0), Fraction(10_000_000), integer=True)
"""Employees at the end of last year: a whole number up to ten million (the largest employers have a few million)."""

REVENUE = NumberRule(Fraction(0), Fraction(10**10), places=4)
"""Operating revenue in 10,000 yuan: up to 10^10 (10^14 yuan), to the yuan (the column is NUMERIC(18, 4))."""


MANY_EMPLOYEES = 1000
"""From this many employees (a large industrial enterprise) an operating revenue must be plausible for them."""

LEAST_REVENUE_PER_EMPLOYEE = Fraction(1, 10)
"""0.1 (10,000 yuan), i.e. 1,000 yuan a year per employee: less than that with many employees is a typing slip."""


def _quoted(value: Any) -> Any:
    return value[:40] + "…" if isinstance(value, str) and len(value) > 40 else value


def _employees_problem(value: Any) -> Problem | None:
    count = read_decimal(value)
    if count is None or check_number(count, EMPLOYEES) == "not_integer":
        return Problem("employees", "not_integer", N_("The number of employees must be a whole number, not {value}"),
                       {"value": _quoted(value)})
    if count < 0:
        return Problem("employees", "negative", N_("The number of employees cannot be negative"))
    if check_number(count, EMPLOYEES) is not None:
        return Problem("employees", "too_large", N_("The number of employees cannot be more than {high}"),
                       {"high": plain(EMPLOYEES.maximum or Fraction(0))})
    return None


def _revenue_problem(value: Any) -> Problem | None:
    amount = read_decimal(value)
    if amount is None:
        return Problem("revenue_10k_cny", "not_number",
                       N_("Operating revenue must be a number of 10,000 yuan, not {value}"), {"value": _quoted(value)})
    if amount < 0:
        return Problem("revenue_10k_cny", "negative", N_("Operating revenue cannot be negative"))
    refused = check_number(amount, REVENUE)
    if refused == "too_precise":
        return Problem("revenue_10k_cny", "too_precise",
                       N_("Operating revenue can have at most 4 decimal places (to the yuan)"))
    if refused is not None:
        return Problem("revenue_10k_cny", "too_large", N_("Operating revenue cannot be more than {high} (in 10,000 yuan)"),
                       {"high": plain(REVENUE.maximum or Fraction(0))})
    return None


def profile_problems(profile_fields: Mapping[str, Any], regions: Regions, industries: Industries) -> list[Problem]:
    """Every problem with raw profile fields (from a form or JSON), one Problem per field, item = field name."""
    problems: list[Problem] = []
    f = profile_fields

    if _blank(f.get("name")):
        problems.append(Problem("name", "required", N_("Enter the enterprise's registered name")))

    fault = uscc_fault(str(f.get("uscc") or ""))
    if fault is not None:
        problems.append(fault)

    problems.extend(_region_problems(f.get("region_code"), regions))
    problems.extend(_industry_problems(f.get("industry_code"), industries))

    employees = f.get("employees")
    if _blank(employees):
        problems.append(Problem("employees", "required", N_("Enter the number of employees")))
    elif (problem := _employees_problem(employees)) is not None:
        problems.append(problem)

    revenue = f.get("revenue_10k_cny")
    if _blank(revenue):
        problems.append(Problem("revenue_10k_cny", "required",
                                N_("Enter last year's operating revenue in 10,000 yuan (0 if none)")))
    elif (problem := _revenue_problem(revenue)) is not None:
        problems.append(problem)

    if not any(p.item in ("employees", "revenue_10k_cny") for p in problems):
        problems.extend(_implausible(read_decimal(employees), read_decimal(revenue)))

    status = f.get("zhuanjingtexin", "none")
    if status not in ZHUANJINGTEXIN_STATUSES:
        problems.append(Problem("zhuanjingtexin", "unknown_choice",
                                N_("Choose one of the listed specialised-and-sophisticated statuses")))

    email = f.get("contact_email")
    if not _blank(email) and not (isinstance(email, str) and len(email.strip()) <= 254
                                  and _EMAIL.fullmatch(email.strip())):
        problems.append(Problem("contact_email", "bad_email",
                                N_("{value} is not an email address"), {"value": email}))
    return problems


def _implausible(employees: Fraction | None, revenue: Fraction | None) -> list[Problem]:
    """A problem when many employees come with almost no revenue (a slip in one figure or in the unit)."""
    if employees is None or revenue is None or employees < MANY_EMPLOYEES \
            or revenue >= employees * LEAST_REVENUE_PER_EMPLOYEE:
        return []
    return [Problem("revenue_10k_cny", "implausible",
                    N_("Operating revenue of {revenue} (10,000 yuan) is less than 1,000 yuan a year for each of "
                       "{employees} employees; check both figures (revenue is in 10,000 yuan)"),
                    {"revenue": plain(revenue), "employees": plain(employees)})]


def _region_problems(raw: Any, regions: Regions) -> Iterable[Problem]:
    if _blank(raw):
        yield Problem("region_code", "required",
                      N_("Choose the city or county/district where the enterprise is registered"))
        return
    region = regions.get(str(raw))
    if region is None:
        yield Problem("region_code", "unknown_region",
                      N_("{code} is not an administrative division code in the GB/T 2260 list"), {"code": raw})
    elif region.level == "province":
        yield Problem("region_code", "region_level",
                      N_("{name} is a province; choose the city or county/district where the enterprise is "
                         "registered"), {"name": region.name, "code": region.code})
    elif region.grouping:
        province = regions.get(region.parent or "")
        yield Problem("region_code", "region_grouping",
                      N_("{province} / {name} only groups districts and counties; choose the district or county"),
                      {"name": region.name, "code": region.code, "province": province.name if province else ""})


def _industry_problems(raw: Any, industries: Industries) -> Iterable[Problem]:
    if _blank(raw):
        yield Problem("industry_code", "required", N_("Choose the enterprise's main industry"))
        return
    industry = industries.get(str(raw))
    if industry is None:
        yield Problem("industry_code", "unknown_industry",
                      N_("{code} is not an industry code of GB/T 4754-2017"), {"code": raw})
    elif industry.level == 1:
        yield Problem("industry_code", "industry_level",
                      N_("{name} is an industry section; choose the industry division (大类) or a finer class"),
                      {"name": industry.name, "code": industry.code})
