"""The questionnaire workbook: what it holds for a person (dropdowns, ranges, protection, hidden ids) and that
export with answers, then read back, gives exactly the same answers document."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shipped import library

from assessment.domain.answers import AnswersInvalid, answers_to_document, parse_answers
from assessment.domain.questionnaire import Item, Questionnaire
from assessment.services.workbook import export_workbook, read_workbook

SHIPPED = ("miit-2024", "eu-dma-sme")


def questionnaire(qid: str) -> Questionnaire:
    return library().questionnaire(qid)


def _multi(item: Item) -> st.SearchStrategy[list[str]]:
    plain = [o.key for o in item.options if not o.exclusive]
    alone = [[o.key] for o in item.options if o.exclusive]
    return st.one_of(st.lists(st.sampled_from(plain), min_size=1, unique=True), *(st.just(a) for a in alone))


def _grid(item: Item) -> st.SearchStrategy[dict[str, Any]]:
    columns = [c.key for c in item.columns]
    if not item.grid_multi:
        return st.fixed_dictionaries({r.key: st.sampled_from(columns) for r in item.rows})
    rows = [r.key for r in item.rows]  # as the web saves them: a row with nothing chosen is left out
    return st.dictionaries(st.sampled_from(rows), st.lists(st.sampled_from(columns), min_size=1, unique=True))


def _answer(item: Item) -> st.SearchStrategy[Any]:
    if item.type == "single":
        return st.sampled_from(list(item.option_keys))
    if item.type == "multi":
        return _multi(item)
    if item.type == "rating":
        return st.integers(item.min_rating, item.max_rating)
    return _grid(item)


def _figure(integer: bool) -> st.SearchStrategy[Any]:
    whole = st.integers(0, 10**9)
    return whole if integer else st.one_of(whole, st.integers(0, 10**7).map(lambda n: n / 100))


@st.composite
def answers_documents(draw: st.DrawFn, q: Questionnaire) -> dict[str, Any]:
    """A valid draft answers document: some items answered, some figures given (a part never above its whole)."""
    answers = {item.id: draw(_answer(item)) for item in q.items if draw(st.booleans())}
    data: dict[str, Any] = {}
    for spec in q.data_fields().values():
        if draw(st.booleans()):
            value = draw(_figure(spec.integer))
            if spec.maximum is not None:
                value = min(value, int(spec.maximum))
            if spec.at_most is not None:
                value = min(value, data.get(spec.at_most, 0))
            data[spec.id] = value
    return {"questionnaire": q.id, "answers": answers, "data": data}


def _expected(q: Questionnaire, document: dict[str, Any]) -> dict[str, Any]:
    try:
        answers = parse_answers(q, document, complete=False)
    except AnswersInvalid:
        assume(False)  # e.g. figures that contradict a chosen option: not a valid draft
        raise
    return {**answers_to_document(answers), "version": q.version}


@pytest.mark.parametrize("qid", SHIPPED)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_export_with_answers_then_read_gives_the_same_answers(qid: str, data: st.DataObject) -> None:
    """Round trip for both shipped questionnaires, in both languages, with a profile."""
    q = questionnaire(qid)
    document = data.draw(answers_documents(q))
    expected = _expected(q, document)
    answers = parse_answers(q, document, complete=False)
    lang = data.draw(st.sampled_from(["zh", "en"]))
    profile = {"name": "=HYPERLINK(\"x\")", "region": "370102", "size_class": "small"}
    read = read_workbook(io.BytesIO(export_workbook(q, lang, answers, profile)), [q])
    assert read == {**expected, "enterprise": profile}


def test_a_blank_workbook_reads_as_no_answers() -> None:
    """An exported workbook nobody filled in is an empty draft of its questionnaire and version."""
    q = questionnaire("miit-2024")
    read = read_workbook(io.BytesIO(export_workbook(q, "zh")), [q])
    assert read == {"questionnaire": "miit-2024", "answers": {}, "version": q.version}


def _book(qid: str = "miit-2024", lang: str = "zh") -> Any:
    return openpyxl.load_workbook(io.BytesIO(export_workbook(questionnaire(qid), lang)))


def _validation(sheet: Any, cell: str) -> Any:
    return next(v for v in sheet.data_validations.dataValidation if cell in v.sqref)


def _row_of(sheet: Any, key: str) -> int:
    return next(row for row in range(1, sheet.max_row + 1) if sheet[f"A{row}"].value == key)


def test_every_answer_sheet_is_protected_with_only_answer_cells_unlocked() -> None:
    """Layout cells are locked (protection without a password), the id column hidden, the meta sheet hidden."""
    book = _book()
    assert book.security.lockStructure
    assert book["_meta"].sheet_state == "hidden"
    sheet = book["1 数字化基础"]
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet.column_dimensions["A"].hidden
    row = _row_of(sheet, "single:Q2")
    assert not sheet[f"D{row}"].protection.locked
    assert sheet[f"C{row}"].protection.locked and sheet[f"A{row}"].protection.locked


def test_choices_are_dropdowns_and_multi_choice_is_yes_no_per_option() -> None:
    """Single: the option keys; multi: 是/否 per option (Yes/No in English); levels 0–4."""
    sheet = _book()["1 数字化基础"]
    assert _validation(sheet, f"D{_row_of(sheet, 'single:Q2')}").formula1 == '"A,B,C,D,E"'
    assert _validation(sheet, f"D{_row_of(sheet, 'multi:Q1:B')}").formula1 == '"是,否"'
    english = _book(lang="en")
    assert _validation(english["1 Digital foundation"], "D5").formula1 == '"Yes,No"'
    ratings = _book()["2 数字化经营：产品生命周期数字化"]
    assert _validation(ratings, f"D{_row_of(ratings, 'rating:S01')}").formula1 == '"0,1,2,3,4"'


def test_figures_have_their_ranges_and_a_part_is_checked_against_its_whole() -> None:
    """total_devices: a whole number ≥ 0; digitized_devices: also at most the cell of total_devices."""
    sheet = _book()["1 数字化基础"]
    total = _row_of(sheet, "field:total_devices")
    whole = _validation(sheet, f"D{total}")
    assert (whole.type, whole.operator, whole.formula1) == ("whole", "greaterThanOrEqual", "0")
    part = _validation(sheet, f"D{_row_of(sheet, 'field:digitized_devices')}")
    assert part.type == "custom" and f"$D${total}" in part.formula1


def test_the_share_of_a_band_item_is_a_formula_with_the_option_it_gives() -> None:
    """Q2's hint row computes digitized / total × 100 and the band's option from it."""
    sheet = _book()["1 数字化基础"]
    row = _row_of(sheet, "hint:Q2")
    assert sheet[f"D{row}"].value.startswith("=IF(") and "*100" in sheet[f"D{row}"].value
    assert '"E"' in sheet[f"E{row}"].value


def test_the_workbook_names_its_questionnaire_and_version() -> None:
    """The hidden sheet and the instructions name the questionnaire id and version."""
    book = _book("eu-dma-sme", "en")
    meta = {row[0].value: row[1].value for row in book["_meta"].iter_rows() if row[0].value != "sheet"}
    assert meta["questionnaire"] == "eu-dma-sme" and meta["version"] == questionnaire("eu-dma-sme").version
    assert "eu-dma-sme" in book["Instructions"]["A2"].value
