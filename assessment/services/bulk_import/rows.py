"""Reading an import file (CSV or .xlsx, within caps) into rows, and checking each row on its own.

A row's problems are `Problem`s whose `item` is the column id; each names the row and column on the summary.
The file's own problems (too large, not a table, unknown columns) refuse the whole file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessment.domain.answers import N_, AnswersInvalid, Problem, answers_to_document, parse_answers
from assessment.domain.enterprise import Industries, Regions
from assessment.domain.enterprise.uscc import normalise_uscc
from assessment.domain.enterprise.validation import profile_problems
from assessment.domain.questionnaire import Questionnaire
from assessment.domain.spreadsheet import restore
from assessment.services.bulk_import.columns import (
    PROFILE,
    PROFILE_HEADERS,
    answer_columns,
    answers_document,
    column_ids,
)
from assessment.services.workbook.layout import MIB, Limits
from assessment.services.workbook.reading import WorkbookInvalid, opened

MAX_BYTES = 5 * MIB
MAX_ROWS = 1000
MAX_COLUMNS = 400
MAX_CELL = 2000
FIELD_OF = {"region": "region_code", "industry": "industry_code"}
COLUMN_OF = {v: k for k, v in FIELD_OF.items()}
MODES = ("invite", "onsite")
REASON_COLUMN = "_reason"
"""The last column of the rejected rows' CSV: ignored when the file is uploaded again."""


class FileRefused(ValueError):
    """The file as a whole cannot be read; `problem` says why (an English msgid)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


def _refused(code: str, message: str, **params: Any) -> FileRefused:
    return FileRefused(Problem(None, code, message, params))


@dataclass(frozen=True)
class Row:
    """One data row as read: its number in the file and its cells by column id."""

    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class CheckedRow:
    """A valid row: the profile fields, the answers document, and its fingerprint for idempotency."""

    number: int
    uscc: str
    profile: dict[str, str]
    document: dict[str, Any]
    fingerprint: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore(str(value)).strip()


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as error:
            raise _refused("encoding", N_("the CSV file is neither UTF-8 nor GB 18030 text")) from error
    if "\x00" in text:
        raise _refused("not_table", N_("the file is not a CSV table or an Excel workbook (.xlsx)"))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [row for _, row in zip(range(MAX_ROWS + 3), reader, strict=False)]
    except csv.Error as error:
        raise _refused("not_table", N_("the file is not a CSV table or an Excel workbook (.xlsx)")) from error


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        with opened(io.BytesIO(content), Limits(file_bytes=MAX_BYTES)) as book:
            sheet = book[book.sheetnames[0]]
            sheet.reset_dimensions()
            return [[_text(v) for v in values] for values in
                    sheet.iter_rows(max_row=MAX_ROWS + 3, max_col=MAX_COLUMNS + 1, values_only=True)]
    except WorkbookInvalid as invalid:
        raise FileRefused(invalid.problems[0].problem) from invalid


def read_rows(content: bytes, filename: str, questionnaire: Questionnaire) -> list[Row]:
    """The file's data rows (the second header row, if it is the template's, is skipped); FileRefused otherwise."""
    if len(content) > MAX_BYTES:
        raise _refused("file_bytes", N_("the file is larger than {limit} MB"), limit=MAX_BYTES // MIB)
    table = _xlsx_rows(content) if content[:2] == b"PK" or filename.lower().endswith(".xlsx") else _csv_rows(content)
    if not table or not any(table[0]):
        raise _refused("no_header", N_("the first row must hold the column ids of the template"))
    ids = [_text(cell) for cell in table[0]]
    if len(ids) > MAX_COLUMNS:
        raise _refused("columns", N_("the file has more than {limit} columns"), limit=MAX_COLUMNS)
    known = {*column_ids(questionnaire), REASON_COLUMN}
    unknown = [i for i in ids if i and i not in known]
    if unknown:
        raise _refused("unknown_columns", N_("unknown columns {names}; download the template again"),
                       names=", ".join(unknown[:5]))
    if "uscc" not in ids:
        raise _refused("no_uscc", N_("the column uscc (the unified social credit code) is missing"))
    return _data_rows(table, ids)


def _data_rows(table: list[list[str]], ids: list[str]) -> list[Row]:
    labels = {names["uscc"] for names in PROFILE_HEADERS.values()}
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = {i: _text(v) for i, v in zip(ids, values, strict=False) if i}
        cells.pop(REASON_COLUMN, None)
        if not any(cells.values()) or (number == 2 and cells.get("uscc") in labels):
            continue
        rows.append(Row(number, cells))
    if len(rows) > MAX_ROWS:
        raise _refused("rows", N_("the file has more than {limit} enterprises"), limit=MAX_ROWS)
    return rows


def _region_code(text: str, regions: Regions) -> str:
    """A region given by code, or by its exact Chinese or English name (the code then)."""
    if not text or text.isdigit():
        return text
    found = [r.code for r in regions.entries if text in (r.name, r.name_en, r.name_zh) and r.name]
    return found[0] if len(found) == 1 else text


def _profile(cells: Mapping[str, str], regions: Regions) -> dict[str, str]:
    fields = {FIELD_OF.get(key, key): cells.get(key, "") for key in PROFILE}
    fields["region_code"] = _region_code(fields["region_code"], regions)
    fields["uscc"] = normalise_uscc(fields["uscc"])
    return fields


def _answer_column(questionnaire: Questionnaire, problem: Problem) -> str:
    """The column an answers problem is about: a figure's column, or the item's first column."""
    for column in answer_columns(questionnaire):
        if column.id == f"data:{problem.item}" or column.item.id == problem.item:
            return column.id
    return ""


def check_row(row: Row, questionnaire: Questionnaire, regions: Regions, industries: Industries,
              complete: bool) -> CheckedRow | list[Problem]:
    """The row checked on its own: the profile as the profile form checks it, the answers as a draft (or, for an
    on-site result, as a submission); every problem with its column id as `item`."""
    profile = _profile(row.cells, regions)
    problems = [Problem(COLUMN_OF.get(p.item or "", p.item), p.code, p.message, p.params)
                for p in profile_problems(profile, regions, industries) if p.item != "zhuanjingtexin"]
    for key, text in row.cells.items():
        if len(text) > MAX_CELL:
            problems.append(Problem(key, "cell_chars", N_("the cell is longer than {limit} characters"),
                                    {"limit": MAX_CELL}))
    document = answers_document(questionnaire, row.cells)
    try:
        answers = parse_answers(questionnaire, document, complete=complete)
    except AnswersInvalid as invalid:
        problems.extend(Problem(_answer_column(questionnaire, p), p.code, p.message, p.params)
                        for p in invalid.problems)
    if problems:
        return problems
    checked = answers_to_document(answers)
    checked.setdefault("data", {})
    fingerprint = hashlib.sha256(json.dumps([profile, checked], sort_keys=True, default=str).encode()).hexdigest()
    return CheckedRow(row.number, profile["uscc"], profile, checked, fingerprint)
