"""Enterprise profile rules: 统一社会信用代码 (GB 32100-2015), 2017 size classes, per-field profile problems."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.domain.enterprise.industries import Industries, Industry, normalise_industry_code
from assessment.domain.enterprise.profile import ZHUANJINGTEXIN_LABELS, ZHUANJINGTEXIN_STATUSES, EnterpriseProfile
from assessment.domain.enterprise.regions import Region, Regions, normalise_region_code
from assessment.domain.enterprise.size import SIZE_CLASS_LABELS, SIZE_CLASSES, SizeClass, size_class, size_rule
from assessment.domain.enterprise.uscc import (
    USCC_CHARACTERS,
    USCC_ORGANISATION_TYPES,
    USCC_REGION_PREFIXES,
    normalise_uscc,
    uscc_check_character,
    uscc_fault,
    uscc_problem,
)
from assessment.domain.enterprise.validation import profile_problems

# --- 统一社会信用代码 -------------------------------------------------------------------------------------------


def test_a_commonly_cited_code_is_valid_by_hand_computation() -> None:
    # 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30) 4, weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    # 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640; 1640 mod 31 = 28; 31 − 28 = 3.
    assert uscc_check_character("91350100M000100Y4") == "3"
    assert uscc_problem("91350100M000100Y43") is None


def test_published_enterprise_codes_are_valid() -> None:
    # 华为技术有限公司: Σ = 831, 831 mod 31 = 25, 31 − 25 = 6.
    assert uscc_problem("914403001922038216") is None
    # 中国工商银行股份有限公司, registered nationally (region 100000).
    assert uscc_problem("91100000100003962T") is None


def test_a_check_value_of_31_is_written_0() -> None:
    # 9 + 3 + 9 + 27 + 21×20 + 10×29 + 2×30 + 4×28 = 930 = 30 × 31, so 31 − 0 = 31, written 0.
    assert uscc_check_character("91110000MA0000024") == "0"
    assert uscc_problem("91110000MA00000240") is None


def test_input_is_normalised_before_checking() -> None:
    assert normalise_uscc(" ９１３５０１００ｍ０００１００ｙ４３\u3000") == "91350100M000100Y43"
    assert uscc_problem("  91350100m000100y43 ") is None


@pytest.mark.parametrize(("code", "reason", "message"), [
    ("", "required", "Enter the unified social credit code (18 characters)"),
    ("91350100M000100Y4", "uscc_length", "A unified social credit code has 18 characters; this one has 17"),
    ("91350100M000100Y433", "uscc_length", "A unified social credit code has 18 characters; this one has 19"),
    ("91350100M00010OY43", "uscc_character",
     "Character 15 (O) cannot appear in a unified social credit code: "
     "it uses digits and capital letters except I, O, S, V and Z"),
    ("91350100S000100Y43", "uscc_character", "Character 9 (S)"),
    ("94350100M000100Y43", "uscc_organisation_type", "The first two characters (94) are not a registration"),
    ("B1350100M000100Y43", "uscc_organisation_type", "The first two characters (B1)"),
    ("9135A100M000100Y43", "uscc_region", "Characters 3–8 (35A100) should be the six-digit administrative division"),
    ("91990100M000100Y43", "uscc_region", "Characters 3–8 (990100)"),
    ("91350100M000100Y44", "uscc_check",
     "The last character is 4, but the first 17 characters give the check character 3; "
     "please check the code for a typing error"),
])
def test_an_invalid_code_says_precisely_why(code: str, reason: str, message: str) -> None:
    fault = uscc_fault(code)
    assert fault is not None and fault.item == "uscc" and fault.code == reason
    assert fault.render().startswith(message)
    assert uscc_problem(code) == fault.render()


def test_the_check_character_needs_seventeen_code_characters() -> None:
    with pytest.raises(ValueError, match="expected 17 characters"):
        uscc_check_character("91350100M000100Y")
    with pytest.raises(ValueError, match="expected 17 characters"):
        uscc_check_character("91350100M000100YI")


PAIRS = [dept + kind for dept, kinds in USCC_ORGANISATION_TYPES.items() for kind in kinds]
bodies = st.builds(
    lambda pair, province, rest, subject: pair + province + rest + subject,
    st.sampled_from(PAIRS),
    st.sampled_from(sorted(USCC_REGION_PREFIXES)),
    st.text("0123456789", min_size=4, max_size=4),
    st.text(USCC_CHARACTERS, min_size=9, max_size=9),
)


@given(bodies)
def test_appending_the_computed_check_character_gives_a_valid_code(body: str) -> None:
    assert uscc_problem(body + uscc_check_character(body)) is None


@given(bodies, st.integers(0, 17), st.sampled_from(USCC_CHARACTERS))
def test_changing_any_single_character_makes_the_code_invalid(body: str, position: int, new: str) -> None:
    code = body + uscc_check_character(body)
    if new == code[position]:
        new = USCC_CHARACTERS[(USCC_CHARACTERS.index(new) + 1) % 31]
    changed = code[:position] + new + code[position + 1:]
    if position < 17:  # every weight is invertible mod 31, so any change to the body moves the check character
        assert uscc_check_character(changed[:17]) != code[17]
    assert uscc_problem(changed) is not None


# --- size classes (统计上大中小微型企业划分办法（2017）) -------------------------------------------------------


@pytest.mark.parametrize(("employees", "revenue", "expected"), [
    (1000, "40000", "large"),
    (999, "40000", "medium"),
    (1000, "39999.99", "medium"),
    (300, "2000", "medium"),
    (299, "2000", "small"),
    (300, "1999.99", "small"),
    (20, "300", "small"),
    (19, "300", "micro"),
    (20, "299.99", "micro"),
    (5000, "100", "micro"),
    (0, "0", "micro"),
])
def test_industry_size_classes_need_both_lower_bounds(employees: int, revenue: str, expected: SizeClass) -> None:
    for code in ("3741", "C", "13", "0610", "4411"):  # 制造业, 门类 C itself, 采矿业, 电力
        assert size_class(code, employees, Fraction(revenue)) == expected


@pytest.mark.parametrize(("code", "employees", "revenue", "expected"), [
    ("0111", 0, 20000, "large"), ("0111", 9999, 49, "micro"), ("0190", 0, 50, "small"),   # 农林牧渔: revenue only
    ("4710", 0, 6000, "medium"), ("4710", 0, 5999, "small"),                             # 建筑业: revenue (assets not collected)
    ("51", 200, 40000, "large"), ("5111", 199, 40000, "medium"), ("51", 5, 999, "micro"),  # 批发业
    ("52", 50, 500, "medium"), ("5211", 49, 500, "small"),                                # 零售业
    ("5410", 300, 3000, "medium"), ("5910", 200, 30000, "small"),                         # 交通运输业, incl. 装卸搬运
    ("5920", 200, 30000, "large"), ("59", 99, 1000, "small"),                             # 仓储业
    ("6010", 20, 100, "small"), ("6010", 19, 100, "micro"),                               # 邮政业
    ("6110", 100, 2000, "medium"), ("6210", 10, 99, "micro"),                             # 住宿业, 餐饮业
    ("6311", 2000, 100000, "large"), ("6410", 1999, 100000, "medium"),                   # 信息传输业
    ("6510", 10, 50, "small"), ("6510", 10, 49, "micro"),                                 # 软件和信息技术服务业
    ("7010", 0, 200000, "large"), ("7010", 9999, 99, "micro"),                            # 房地产开发经营
    ("7020", 100, 500, "small"), ("7020", 99, 500, "micro"),                              # 物业管理
    ("7211", 300, 0, "large"), ("7211", 9, 0, "micro"),                                   # 租赁和商务服务业
    ("7310", 100, 0, "medium"), ("7310", 99, 0, "small"), ("7030", 10, 0, "small"),       # 其他未列明行业
])
def test_each_row_of_the_2017_table_uses_its_own_bounds(code: str, employees: int, revenue: int,
                                                        expected: SizeClass) -> None:
    assert size_class(code, employees, Fraction(revenue)) == expected


def test_transport_covers_loading_but_not_railways() -> None:
    assert size_rule("5910").key == "transport"
    assert size_rule("5920").key == "warehousing"
    assert size_rule("5310").key == "other"


def test_codes_the_table_does_not_name_fall_under_other_unlisted_industries() -> None:
    assert size_rule(None).key == "other"
    assert size_rule("6620").key == "other"   # 金融业 has its own standard
    assert size_rule("F").key == "other"      # 批发 or 零售 needs the 大类
    assert size_class(None, 300, None) == "large"


def test_without_revenue_employees_alone_decide_where_the_row_counts_them() -> None:
    assert size_class("3741", 1000, None) == "large"
    with pytest.raises(ValueError, match="classed by operating revenue, which is missing"):
        size_class("0111", 10, None)


def test_negative_figures_are_not_classed() -> None:
    with pytest.raises(ValueError, match="employees cannot be negative"):
        size_class("3741", -1, Fraction(0))
    with pytest.raises(ValueError, match="revenue cannot be negative"):
        size_class("3741", 1, Fraction(-1))


def test_every_size_class_has_a_label() -> None:
    assert tuple(SIZE_CLASS_LABELS) == SIZE_CLASSES == ("large", "medium", "small", "micro")
    assert tuple(ZHUANJINGTEXIN_LABELS) == ZHUANJINGTEXIN_STATUSES


# --- codes -----------------------------------------------------------------------------------------------------


def test_region_codes_are_normalised_to_six_digits() -> None:
    assert normalise_region_code("11") == "110000"
    assert normalise_region_code("1101") == "110100"
    assert normalise_region_code(" １１０１０１ ") == "110101"
    assert normalise_region_code("11010") is None
    assert normalise_region_code("东城区") is None


def test_industry_codes_lose_their_section_letter() -> None:
    assert normalise_industry_code(" c3741 ") == "3741"
    assert normalise_industry_code("c") == "C"


# --- the profile -----------------------------------------------------------------------------------------------

REGIONS = Regions((
    Region("110000", "北京市", "province", None),
    Region("110100", "市辖区", "city", "110000"),
    Region("110101", "东城区", "county", "110100"),
    Region("440000", "广东省", "province", None),
    Region("440100", "广州市", "city", "440000"),
    Region("440106", "天河区", "county", "440100"),
    Region("441900", "东莞市", "city", "440000"),
))
INDUSTRIES = Industries((
    Industry("C", "制造业", 1, "C", None),
    Industry("37", "铁路、船舶、航空航天和其他运输设备制造业", 2, "C", "C"),
    Industry("374", "航空、航天器及设备制造", 3, "C", "37"),
    Industry("3741", "飞机制造", 4, "C", "374"),
    Industry("I", "信息传输、软件和信息技术服务业", 1, "I", None),
    Industry("65", "软件和信息技术服务业", 2, "I", "I"),
))


def fields(**changes: Any) -> dict[str, Any]:
    return {"name": "福州示例科技有限公司", "uscc": "91350100M000100Y43", "region_code": "110101",
            "industry_code": "3741", "employees": "120", "revenue_10k_cny": "3500.5", "zhuanjingtexin": "provincial",
            "contact_name": "", "contact_email": "", "contact_phone": "", "consent_statistics": False, **changes}


def test_a_complete_profile_has_no_problems() -> None:
    assert profile_problems(fields(), REGIONS, INDUSTRIES) == []
    assert profile_problems(fields(region_code="441900", industry_code="C37", employees=0, revenue_10k_cny=0,
                                   contact_email="zhang.san@example.com.cn"), REGIONS, INDUSTRIES) == []


@pytest.mark.parametrize(("field", "value", "code", "message"), [
    ("name", "  ", "required", "Enter the enterprise's registered name"),
    ("uscc", "91350100M000100Y44", "uscc_check", "The last character is 4, but the first 17 characters give the "
                                                 "check character 3"),
    ("uscc", None, "required", "Enter the unified social credit code"),
    ("region_code", "", "required", "Choose the city or county/district"),
    ("region_code", "999999", "unknown_region", "999999 is not an administrative division code"),
    ("region_code", "11", "region_level", "北京市 is a province; choose the city or county/district"),
    ("region_code", "110100", "region_grouping", "北京市 / 市辖区 only groups districts and counties"),
    ("industry_code", "", "required", "Choose the enterprise's main industry"),
    ("industry_code", "3798", "unknown_industry", "3798 is not an industry code of GB/T 4754-2017"),
    ("industry_code", "I3741", "unknown_industry", "I3741 is not an industry code"),
    ("industry_code", "C", "industry_level", "制造业 is an industry section; choose the industry division"),
    ("employees", "", "required", "Enter the number of employees"),
    ("employees", "12.5", "not_integer", "The number of employees must be a whole number, not 12.5"),
    ("employees", "many", "not_integer", "The number of employees must be a whole number, not many"),
    ("employees", True, "not_integer", "The number of employees must be a whole number"),
    ("employees", -3, "negative", "The number of employees cannot be negative"),
    ("revenue_10k_cny", None, "required", "Enter last year's operating revenue"),
    ("revenue_10k_cny", "lots", "not_number", "Operating revenue must be a number of 10,000 yuan, not lots"),
    ("revenue_10k_cny", "-0.5", "negative", "Operating revenue cannot be negative"),
    ("zhuanjingtexin", "gold", "unknown_choice", "Choose one of the listed"),
    ("contact_email", "zhang.san", "bad_email", "zhang.san is not an email address"),
    ("contact_email", "zhang@example", "bad_email", "zhang@example is not an email address"),
])
def test_each_bad_field_gets_its_own_problem(field: str, value: Any, code: str, message: str) -> None:
    problems = profile_problems(fields(**{field: value}), REGIONS, INDUSTRIES)
    assert [(p.item, p.code) for p in problems] == [(field, code)]
    assert problems[0].render().startswith(message)


def test_several_bad_fields_are_all_reported() -> None:
    problems = profile_problems({}, REGIONS, INDUSTRIES)
    assert [p.item for p in problems] == ["name", "uscc", "region_code", "industry_code", "employees",
                                          "revenue_10k_cny"]


def test_the_profile_size_follows_its_industry_row() -> None:
    profile = EnterpriseProfile("示例", "91350100M000100Y43", "110101", "3741", 120, Fraction(3500))
    assert profile.size == "small"  # 工业 needs 300 people for medium
    assert profile.zhuanjingtexin == "none" and profile.consent_statistics is False
    software = EnterpriseProfile("示例", "91350100M000100Y43", "110101", "6510", 120, Fraction(3500))
    assert software.size == "medium"
    assert EnterpriseProfile("示例", "91350100M000100Y43", "110101", "6510", 9, Fraction(3500)).size == "micro"
