"""A workbook read back is refused with every problem at its sheet!cell, and nothing is returned; hostile files
(not a zip, a zip bomb, a huge sheet, formulas, wrong types) get specific messages, never a traceback."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from shipped import library

from assessment.domain.questionnaire import Questionnaire
from assessment.services.workbook import WorkbookInvalid, export_workbook, read_workbook
from assessment.services.workbook.layout import Limits

FOUNDATION = "1 数字化基础"


def miit() -> Questionnaire:
    return library().questionnaire("miit-2024")


def _row_of(sheet: Any, key: str) -> int:
    return next(row for row in range(1, sheet.max_row + 1) if sheet[f"A{row}"].value == key)


def edited(change: Callable[[Any], None], questionnaire: Questionnaire | None = None) -> bytes:
    """An exported workbook changed as a person (or an attacker) might change it."""
    book = openpyxl.load_workbook(io.BytesIO(export_workbook(questionnaire or miit(), "zh")))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def answer(key: str, value: Any, sheet: str = FOUNDATION) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        book[sheet][f"D{_row_of(book[sheet], key)}"] = value
    return change


def problems(data: bytes, candidates: list[Questionnaire] | None = None) -> list[str]:
    with pytest.raises(WorkbookInvalid) as refused:
        read_workbook(io.BytesIO(data), candidates or [miit()])
    return [p.render("w.xlsx") for p in refused.value.problems]


def cell(key: str, sheet: str = FOUNDATION) -> str:
    book = openpyxl.load_workbook(io.BytesIO(export_workbook(miit(), "zh")))
    return f"{sheet}!D{_row_of(book[sheet], key)}"


def test_a_file_that_is_not_a_zip_is_not_a_workbook() -> None:
    assert problems(b"name,answer\nQ1,A\n") == ["w.xlsx: not an Excel workbook (.xlsx)"]


def test_a_zip_bomb_is_refused_from_its_directory() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100_000
    assert problems(bomb.getvalue()) == ["w.xlsx: the workbook unpacks to more than 32 MB"]


def test_a_sheet_with_too_many_rows_is_refused_at_the_first_row_over() -> None:
    def pad(book: Any) -> None:
        book[FOUNDATION]["B5000"] = "x"
    assert problems(edited(pad)) == [f"w.xlsx: {FOUNDATION}!A2001: the sheet has more than 2000 rows"]


def test_a_formula_where_an_answer_is_expected_is_refused() -> None:
    found = problems(edited(answer("single:Q2", '=IF(1,"A","B")')))
    assert found == [f"w.xlsx: {cell('single:Q2')}: a formula where an answer is expected; enter the value itself"]


def test_every_problem_is_reported_at_its_cell_not_only_the_first() -> None:
    """An unknown option, a level that is not a number, a mark that is not yes or no, a negative figure."""
    def many(book: Any) -> None:
        for change in (answer("single:Q2", "Z"), answer("multi:Q1:B", "maybe"), answer("field:total_devices", -5),
                       answer("rating:S01", "abc", "2 数字化经营：产品生命周期数字化")):
            change(book)
    found = problems(edited(many))
    assert len(found) == 4
    assert f"w.xlsx: {cell('single:Q2')}: Q2: unknown option 'Z'; expected one of A, B, C, D, E" in found
    assert f"w.xlsx: {cell('multi:Q1:B')}: Q1: mark 是 (Yes) or 否 (No), not 'maybe'" in found
    assert any(p.startswith(f"w.xlsx: {cell('field:total_devices')}: data: total_devices") for p in found)
    rating = cell("rating:S01", "2 数字化经营：产品生命周期数字化")
    assert f"w.xlsx: {rating}: S01: level must be a whole number from 0 to 4, not 'abc'" in found


def test_a_part_larger_than_its_whole_is_refused_at_the_part() -> None:
    def over(book: Any) -> None:
        answer("field:total_devices", 10)(book)
        answer("field:digitized_devices", 11)(book)
    assert problems(edited(over)) == [f"w.xlsx: {cell('field:digitized_devices')}: data: digitized_devices = 11 is "
                                      "more than total_devices = 10"]


def test_none_chosen_with_another_option_is_refused_at_the_item() -> None:
    def clash(book: Any) -> None:
        answer("multi:Q1:A", "是")(book)
        answer("multi:Q1:B", "是")(book)
    found = problems(edited(clash))
    assert len(found) == 1 and found[0].startswith(f"w.xlsx: {cell('multi:Q1:A')}: Q1:")


def test_a_missing_id_column_is_named() -> None:
    def drop(book: Any) -> None:
        book[FOUNDATION].delete_cols(1)
    assert problems(edited(drop)) == [f"w.xlsx: {FOUNDATION}!A1: the hidden id column A is missing or changed; "
                                      "export a new workbook and copy the answers into it"]


def test_an_answer_in_a_row_without_an_id_is_refused() -> None:
    def stray(book: Any) -> None:
        book[FOUNDATION]["D2"] = "A"
    assert problems(edited(stray)) == [f"w.xlsx: {FOUNDATION}!D2: an answer in a row without an id in the hidden "
                                       "column A"]


def test_a_workbook_of_another_questionnaire_is_refused_by_name() -> None:
    other = library().questionnaire("eu-dma-sme")
    assert problems(export_workbook(other, "en")) == [
        f"w.xlsx: this workbook is for questionnaire {other.ref}, not {miit().ref}"]


def test_a_workbook_of_another_version_is_refused_by_name() -> None:
    def older(book: Any) -> None:
        book["_meta"]["B3"] = "2023.1"
    assert problems(edited(older)) == [f"w.xlsx: this workbook is for questionnaire miit-2024@2023.1, not {miit().ref}"]


def test_a_workbook_without_the_hidden_sheet_is_not_a_questionnaire_workbook() -> None:
    book = openpyxl.Workbook()
    out = io.BytesIO()
    book.save(out)
    assert problems(out.getvalue())[0].startswith("w.xlsx: not a questionnaire workbook: the hidden sheet _meta")


def test_a_wrong_profile_code_is_refused_at_its_cell() -> None:
    found = problems(edited(answer("profile:industry", "abc", "企业基本信息")))
    assert found == ["w.xlsx: 企业基本信息!D5: Enter a GB/T 4754-2017 industry code such as 3670 or C3670."]


def test_a_file_over_the_size_cap_is_refused_before_it_is_opened() -> None:
    with pytest.raises(WorkbookInvalid) as refused:
        read_workbook(io.BytesIO(b"PK" + b"\0" * 2048), [miit()], Limits(file_bytes=1024))
    assert [p.render("w.xlsx") for p in refused.value.problems] == ["w.xlsx: the file is larger than 0 MB"]


def test_an_id_twice_and_an_unknown_id_are_named() -> None:
    def ids(book: Any) -> None:
        sheet = book[FOUNDATION]
        sheet[f"A{_row_of(sheet, 'single:Q5')}"] = "single:Q2"
        sheet[f"A{_row_of(sheet, 'multi:Q6:B')}"] = "multi:Q6:Z"
    found = problems(edited(ids))
    assert f"w.xlsx: {cell('single:Q5')}: the id single:Q2 appears twice in the hidden column A" in found
    assert any(p.startswith(f"w.xlsx: {cell('multi:Q6:B')}: unknown id multi:Q6:Z") for p in found)


def test_an_overlong_cell_and_a_date_where_a_figure_is_expected_are_refused() -> None:
    def odd(book: Any) -> None:
        answer("profile:name", "x" * 3000, "企业基本信息")(book)
        answer("field:total_devices", datetime.date(2024, 1, 1))(book)
    found = problems(edited(odd))
    assert "w.xlsx: 企业基本信息!D2: the cell has more than 2000 characters" in found
    assert any(p.startswith(f"w.xlsx: {cell('field:total_devices')}: data: total_devices") for p in found)


def test_a_grid_row_with_an_unknown_column_is_named() -> None:
    eu = library().questionnaire("eu-dma-sme")

    def grid(book: Any) -> None:
        for name in book.sheetnames[1:-2]:
            rows = [r for r in range(1, book[name].max_row + 1) if book[name][f"A{r}"].value == "grid:2.2:mes"]
            if rows:
                book[name][f"D{rows[0]}"] = "9"
    found = problems(edited(grid, eu), [eu])
    assert len(found) == 1 and found[0].endswith("2.2: row mes: '9' is not one of 0, 1, 2, 3, 4, 5")
