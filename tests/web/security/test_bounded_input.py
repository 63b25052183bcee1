"""Bounded input (issue 12, item 3): one number parser for every form, its rules and properties, and each form's
answer to a number it refuses: that field's message, the typed value shown again, the saved value kept."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from journey import Journey, worked_example
from world import World

from assessment.db import officials, providers, queries
from assessment.db.officials import Target
from assessment.domain.answers import parse_answers, parse_value, to_fraction
from assessment.domain.enterprise import EMPLOYEES, REVENUE
from assessment.domain.numbers import (
    ANY_NUMBER,
    ID_MAX,
    MAX_LENGTH,
    NumberRefused,
    NumberRule,
    expectation,
    plain,
    read_decimal,
    read_id,
    read_number,
    read_whole,
)
from assessment.domain.questionnaire import Item
from assessment.services import onsite, respondents
from assessment.web.forms import version_number
from assessment.web.problems import item_message
from assessment.web.site import site

SEEDED = settings(derandomize=True, max_examples=400, deadline=None)


# --- the parser's rules -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("120", Fraction(120)), ("  120 ", Fraction(120)), ("-5", Fraction(-5)), ("+5", Fraction(5)),
    ("0.7", Fraction(7, 10)), (".5", Fraction(1, 2)), ("5.", Fraction(5)), ("-0", Fraction(0)),
    ("1,200", Fraction(1200)), ("1,200,000.25", Fraction(120000025, 100)), ("１２０", Fraction(120)),
    ("１，２００．５", Fraction(24010, 20)), ("－５", Fraction(-5)), ("\u3000８\u3000", Fraction(8)),
    ("9" * 32, Fraction(int("9" * 32))), ("0." + "0" * 29 + "1", Fraction(1, 10**30)),
])
def test_plain_decimal_text_of_at_most_32_characters_is_read_exactly(text: str, value: Fraction) -> None:
    assert read_decimal(text) == value
    assert read_number(text) == value


@pytest.mark.parametrize("text", [
    "1e20000000", "1E5", "1e-5", "１e5", "Infinity", "-Infinity", "inf", "NaN", "nan", "sNaN", "0x10", "1_000",
    "1/3", "1,00", "12,3456", "1 000", "1\u00a0000", "1..2", "1.2.3", "--1", "+-1", ".", "-", "+", "", "   ",
    "٣", "²", "Ⅻ", "\x00", "1\x002", "\ufeff1", "1\u200b", "12%", "true", "9" * 33, "9" * 400, "-" + "9" * 32,
    "0." + "0" * 400 + "1",
])
def test_exponents_specials_fractions_and_long_text_are_not_numbers(text: str) -> None:
    assert read_decimal(text) is None
    with pytest.raises(NumberRefused) as refused:
        read_number(text, NumberRule(Fraction(0), Fraction(100)))
    assert refused.value.code == "not_a_number"


@pytest.mark.parametrize("raw", [True, None, [1], {"a": 1}, float("inf"), float("nan"), 1e308, 10**40, -(10**33),
                                 Decimal("1E-999999999"), Decimal("NaN"), Decimal("1E+40"), object()])
def test_other_values_from_json_or_yaml_are_bounded_too(raw: Any) -> None:
    assert read_decimal(raw) is None
    assert to_fraction(raw) is None


def test_ints_floats_and_decimals_of_at_most_32_digits_are_read() -> None:
    assert read_decimal(120) == 120 and read_decimal(0.7) == Fraction(7, 10) and read_decimal(Decimal("12.5")) == 12.5
    assert read_decimal(10**31) == 10**31


def test_a_value_outside_the_fields_range_or_not_whole_is_refused_with_its_reason() -> None:
    rule = NumberRule(Fraction(0), Fraction(100), integer=True)
    for text, code in (("101", "out_of_range"), ("-1", "out_of_range"), ("12.5", "not_integer"), ("abc", "not_a_number")):
        with pytest.raises(NumberRefused) as refused:
            read_number(text, rule)
        assert refused.value.code == code
    assert read_number("100", rule) == 100 and read_number("12.0", rule) == 12 and read_number("-0", rule) == 0
    with pytest.raises(NumberRefused) as refused:
        read_number("8000.12345", REVENUE)
    assert refused.value.code == "too_precise"
    assert read_number("8000.1234", REVENUE) == Fraction("8000.1234")


def test_ids_and_versions_from_forms_are_small_ascii_whole_numbers() -> None:
    assert read_id("12") == 12 and read_id(" 7 ") == 7 and read_id(str(ID_MAX)) == ID_MAX
    for bad in ("0", "-1", "²", "１２", "1e3", "12.0", str(ID_MAX + 1), "9" * 400, "", None, True, 3.0):
        assert read_id(bad) is None, bad
    assert version_number("3") == 3 and version_number(str(ID_MAX)) == 0 and version_number("9" * 400) == 0
    assert read_whole("3", 1, 4) == 3 and read_whole("5", 1, 4) is None and read_whole("³", 1, 4) is None


@pytest.mark.parametrize(("rule", "message"), [
    (NumberRule(Fraction(0), Fraction(100)), "Enter a number from 0 to 100."),
    (NumberRule(Fraction(0)), "Enter a number of at least 0."),
    (NumberRule(None, Fraction(100)), "Enter a number of at most 100."),
    (NumberRule(Fraction(0), None, integer=True), "Enter a whole number of at least 0."),
    (ANY_NUMBER, "Enter a number, for example 120."),
    (EMPLOYEES, "Enter a whole number from 0 to 10000000."),
])
def test_the_message_names_the_fields_range_and_never_infinity(rule: NumberRule, message: str) -> None:
    text, params = expectation(rule)
    assert text.format(**params) == message


# --- its properties -------------------------------------------------------------------------------------------

@SEEDED
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**20, max_value=10**20))
def test_any_number_written_plainly_reads_back_as_itself(value: Decimal) -> None:
    number = Fraction(value)
    assert read_decimal(plain(number)) == number


@SEEDED
@given(st.text(alphabet=st.sampled_from("0123456789.,-+ eE１２３．，－"), max_size=40))
def test_any_accepted_text_round_trips(text: str) -> None:
    value = read_decimal(text)
    if value is not None:
        assert read_decimal(plain(value)) == value
        assert len(text.strip(" \t\r\n\u3000\u00a0")) <= MAX_LENGTH


@SEEDED
@given(st.text(min_size=MAX_LENGTH + 1, max_size=2000).filter(
    lambda t: len(t.strip(" \t\r\n\u3000\u00a0")) > MAX_LENGTH))
def test_any_text_over_32_characters_is_refused(text: str) -> None:
    assert read_decimal(text) is None


@SEEDED
@given(st.one_of(st.text(max_size=100), st.integers(), st.floats(), st.decimals(), st.none(), st.booleans(),
                 st.lists(st.integers(), max_size=3), st.binary(max_size=10)),
       st.builds(NumberRule, st.one_of(st.none(), st.fractions()), st.one_of(st.none(), st.fractions()),
                 st.booleans(), st.one_of(st.none(), st.integers(0, 6))))
def test_no_input_raises_anything_but_the_parsers_own_refusal(raw: Any, rule: NumberRule) -> None:
    try:
        value = read_number(raw, rule)
    except NumberRefused:
        return
    assert isinstance(value, Fraction) and -(10**MAX_LENGTH) < value < 10**MAX_LENGTH


# --- the answers engine ---------------------------------------------------------------------------------------

def test_a_number_item_refuses_what_the_parser_refuses_and_keeps_its_range(app: Flask) -> None:
    item = Item(id="N1", type="number", text={"zh": "员工数", "en": "Staff"}, minimum=Fraction(0),
                maximum=Fraction(100))
    assert parse_value(item, "１２") == (Fraction(12), [])
    for bad, code in (("1e20000000", "not_a_number"), ("NaN", "not_a_number"), ("101", "number_range"),
                      (float("inf"), "not_a_number"), ("9" * 400, "not_a_number")):
        value, problems = parse_value(item, bad)
        assert value is None and [p.code for p in problems] == [code]
        with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
            assert item_message(problems[0], item, "zh") == "请输入 0 到 100 之间的数字。"
    open_ended = Item(id="N2", type="number", text={"zh": "面积", "en": "Area"}, minimum=Fraction(0))
    _value, problems = parse_value(open_ended, "-1")
    with app.test_request_context():
        assert item_message(problems[0], open_ended, "zh") == "请输入不小于 0 的数字。"


def test_figures_over_32_characters_are_refused_by_the_answers_check(app: Flask) -> None:
    questionnaire = site(app).library.questionnaire("miit-2024")
    document = worked_example()
    document["data"]["total_devices"] = "1e20000000"
    with pytest.raises(ValueError, match="total_devices"):
        parse_answers(questionnaire, document)


# --- each form: that field's message, the typed value shown, the saved value kept ----------------------------

def _journey(app: Flask) -> Journey:
    return Journey(app.test_client())


def test_a_step_figure_set_to_a_huge_exponent_is_refused_beside_the_field_and_the_saved_one_kept(app: Flask) -> None:
    journey = _journey(app)
    assessment_id = journey.start()
    assert journey.fill_profile(assessment_id).status_code == 303
    document = worked_example()
    assert journey.answer(assessment_id, "foundation", document["answers"], document["data"]).status_code == 303
    saved = journey.record(assessment_id)
    for hostile in ("1e20000000", "NaN", "Infinity", "9" * 400, "2.5", "-1"):
        data = {**document["data"], "total_devices": hostile}
        response = journey.answer(assessment_id, "foundation", document["answers"], data)
        assert response.status_code == 422, hostile
        page = response.text
        assert "生产设备总数：请输入不小于 0 的整数。" in page
        assert f'value="{hostile}"' in page  # what was typed stays on the page
        record = journey.record(assessment_id)
        assert record.data == saved.data and record.answers == saved.answers


def test_a_step_figure_typed_with_full_width_digits_and_separators_is_saved(app: Flask) -> None:
    journey = _journey(app)
    assessment_id = journey.start()
    assert journey.fill_profile(assessment_id).status_code == 303
    document = worked_example()
    data = {**document["data"], "total_devices": "１，２００", "digitized_devices": " 600 "}
    assert journey.answer(assessment_id, "foundation", document["answers"], data).status_code == 303
    record = journey.record(assessment_id)
    assert record.data["total_devices"] == 1200 and record.data["digitized_devices"] == 600


@pytest.mark.parametrize(("field", "value", "message"), [
    ("employees", "1e20000000", "从业人员数须为整数，而不是 1e20000000"),
    ("employees", "10000001", "从业人员数不能超过 10000000"),
    ("employees", "-1", "从业人员数不能为负数"),
    ("revenue_10k_cny", "NaN", "营业收入须为以万元计的数字，而不是 NaN"),
    ("revenue_10k_cny", "1e309", "营业收入须为以万元计的数字，而不是 1e309"),
    ("revenue_10k_cny", "12345678901", "营业收入不能超过 10000000000 万元"),
    ("revenue_10k_cny", "8000.12345", "营业收入最多保留 4 位小数（精确到元）"),
])
def test_a_profile_figure_out_of_bounds_gets_its_message_and_the_saved_profile_stays(
        app: Flask, field: str, value: str, message: str) -> None:
    journey = _journey(app)
    assessment_id = journey.start()
    assert journey.fill_profile(assessment_id).status_code == 303
    saved = journey.profile(assessment_id)
    response = journey.fill_profile(assessment_id, **{field: value})
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text and f'value="{value}"' in response.text
    assert journey.profile(assessment_id) == saved


def test_the_largest_profile_figures_are_accepted(app: Flask) -> None:
    journey = _journey(app)
    assessment_id = journey.start()
    assert journey.fill_profile(assessment_id, employees="10,000,000", revenue_10k_cny="10000000000").status_code == 303
    profile = journey.profile(assessment_id)
    assert profile is not None and profile.employees == 10_000_000 and profile.revenue_10k_cny == 10**10


@pytest.mark.parametrize("version", ["9" * 400, "1e309", "²", "NaN", "-1", str(ID_MAX)])
def test_a_garbled_draft_version_is_a_conflict_never_an_error(app: Flask, version: str) -> None:
    journey = _journey(app)
    assessment_id = journey.start()
    assert journey.fill_profile(assessment_id).status_code == 303
    saved = journey.record(assessment_id)
    response = journey.answer(assessment_id, "foundation", {"Q1": ["B"]}, extra={"version": version})
    assert response.status_code == 409
    assert journey.record(assessment_id).answers == saved.answers
    submitted = journey.client.post(f"/assess/{assessment_id}/submit", data={"version": version})
    assert submitted.status_code == 409
    assert journey.record(assessment_id).status == "draft"


def test_a_respondents_garbled_version_saves_nothing(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    assessment_id = world.assessment(tenant, "onsite")
    library = site(world.app).library
    with world.session() as session:
        record = queries.get_assessment(session, assessment_id)
        assert record is not None
        person, token = respondents.invite(session, record, library.questionnaire("miit-2024"), "生产负责人",
                                           "production", [], tenant.staff_id)
    browser = world.app.test_client()
    assert browser.get(f"/respond/link/{token}").status_code == 303
    for version in (str(ID_MAX), "9" * 400, "1e309", "²"):
        response = browser.post(f"/respond/{person.id}/operations-g1", data={"version": version, "S01": "2"})
        assert response.status_code in (303, 409), version
        with world.session() as session:
            stored = providers.get_respondent(session, person.id)
        assert stored is not None and stored.answers == {} and stored.version == 1


def test_the_officials_target_refuses_a_bad_share_shows_it_and_keeps_the_earlier_target(world: World) -> None:
    official = world.member("official", region_code="370000")
    client = world.client(official)
    assert client.post("/official/target", data={"level": "2", "share": "30", "next": "/official/"}).status_code == 303
    for share in ("NaN", "Infinity", "1e309", "9" * 400, "140", "-1"):
        response = client.post("/official/target", data={"level": "2", "share": share, "year": "2027"})
        assert response.status_code == 422, share
        assert "请输入 0 到 100 之间的百分比，例如 30。" in response.text
        assert f'value="{share}"' in response.text and 'value="2027"' in response.text
        with world.session() as session:
            assert officials.target_of(session, official) == Target(2, Decimal("0.3000"), None)
    for level, year in (("²", ""), ("9" * 400, ""), ("2", "²"), ("2", "1e4")):
        response = client.post("/official/target", data={"level": level, "share": "40", "year": year})
        assert response.status_code == 422
    assert client.post("/official/target", data={"level": "３", "share": "３５％", "next": "/official/"}).status_code == 303
    with world.session() as session:
        assert officials.target_of(session, official) == Target(3, Decimal("0.3500"), None)


def test_an_assessors_level_in_full_width_digits_is_read_and_a_huge_one_refused(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    assessment_id = world.assessment(tenant, "onsite")
    staff = world.client(tenant.staff_id)
    path = f"/assessments/{assessment_id}/items/S01/validation"
    for level in ("1e20000000", "9" * 400, "²", "NaN"):
        response = staff.post(path, data={"value": level, "reason": "seen on site"})
        assert response.status_code == 422, level
    assert staff.post(path, data={"value": "３", "reason": "seen on site"}).status_code == 303
    with world.session() as session:
        assert onsite.validations(session, assessment_id)["S01"].value == 3


# --- bodies and ids no browser sends ------------------------------------------------------------------------

def test_ids_beyond_the_database_integer_are_not_found(app: Flask) -> None:
    client = app.test_client()
    for path in ("/assess/99999999999999999999/profile", f"/assess/{ID_MAX + 1}/review", "/results/" + "9" * 400):
        assert client.get(path).status_code == 404


def test_json_a_file_or_nul_where_a_form_field_goes_is_refused_without_error(world: World) -> None:
    tenant = world.tenant("A", "91370102MA3C00001")
    staff = world.client(tenant.staff_id)
    assert staff.post("/provider/invitations", json={"note": {"a": 1}}).status_code == 422
    assert staff.post("/provider/invitations", data=b"[1, 2]", content_type="application/json").status_code == 422
    with_file = staff.post("/provider/invitations", content_type="multipart/form-data",
                           data={"note": (BytesIO(b"x"), "note.txt")})
    assert with_file.status_code == 422
    assert staff.post("/provider/invitations", data={"note": "a\x00b"}).status_code == 400
    assert staff.post("/provider/invitations", data={"note": "9" * 600_000}).status_code == 413
    # a page shown for another error first reads the refused body as empty: its own forms still render
    assert staff.post("/provider/invitations/9999/withdraw", data={"note": "9" * 600_000}).status_code in (404, 413)


def test_a_budget_of_thousands_of_digits_gets_the_budget_message(app: Flask) -> None:
    journey = _journey(app)
    assessment_id = journey.complete()
    page = journey.client.get(f"/results/{assessment_id}?budget={'1' * 5000}&target=²")
    assert page.status_code == 200
    assert "请输入以元为单位的整数预算" in page.text


def test_a_period_in_other_digits_is_refused_on_the_dashboard(world: World) -> None:
    official = world.member("official", region_code="370000")
    page = world.client(official).get("/official/?period=²²²²")
    assert page.status_code == 200
    assert "期次请写为年份（2025）或季度（2025Q3）" in page.text
