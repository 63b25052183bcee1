"""Reading a questionnaire workbook back into an answers document, within caps, with every problem as sheet!cell.

Nothing is returned unless the whole workbook is valid: each answer cell is checked on its own (type, option, range,
formula), then the answers together as `parse_answers` checks a draft (a part larger than its whole, a "none" option
with others, computed figures contradicting the option); each problem is put at the cell of the item or figure.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl

from assessment.domain.answers import N_, AnswersInvalid, Problem, answers_to_document, parse_answers
from assessment.domain.questionnaire import Questionnaire
from assessment.services.workbook.cells import Collected, check_cell, profile_problems
from assessment.services.workbook.layout import (
    ANSWER,
    COLUMNS,
    DEFAULT_LIMITS,
    FORMAT,
    ID_HEADER,
    META_SHEET,
    MIB,
    Limits,
)


@dataclass(frozen=True)
class CellProblem:
    """One problem of a workbook: the sheet and cell it is in ("" for the whole file) and why."""

    sheet: str
    cell: str
    problem: Problem

    def render(self, file: str, translate: Any = lambda s: s) -> str:
        """`FILE.xlsx: sheet!cell: reason`, or `FILE.xlsx: reason` for the whole file."""
        where = f"{self.sheet}!{self.cell}: " if self.sheet else ""
        return f"{file}: {where}{self.problem.render(translate)}"


class WorkbookInvalid(ValueError):
    """Raised when a workbook cannot be read back; carries every problem found."""

    def __init__(self, problems: list[CellProblem]) -> None:
        super().__init__("; ".join(p.render("") for p in problems))
        self.problems = problems


def _whole_file(code: str, message: str, **params: Any) -> WorkbookInvalid:
    return WorkbookInvalid([CellProblem("", "", Problem(None, code, message, params))])


def _zip_checked(stream: IO[bytes], limits: Limits) -> None:
    """Refuse a file that is too large, not a zip, or declares too many parts or too much unpacked data."""
    stream.seek(0, io.SEEK_END)
    if stream.tell() > limits.file_bytes:
        raise _whole_file("file_bytes", N_("the file is larger than {limit} MB"), limit=limits.file_bytes // MIB)
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise _whole_file("not_xlsx", N_("not an Excel workbook (.xlsx)")) from exc
    if len(parts) > limits.parts:
        raise _whole_file("parts", N_("the workbook has more than {limit} parts"), limit=limits.parts)
    if sum(p.file_size for p in parts) > limits.unpacked_bytes:
        raise _whole_file("unpacked", N_("the workbook unpacks to more than {limit} MB"),
                          limit=limits.unpacked_bytes // MIB)
    stream.seek(0)


@contextmanager
def opened(stream: IO[bytes], limits: Limits = DEFAULT_LIMITS) -> Iterator[Any]:
    """The workbook, read-only with formulas kept as formulas, closed afterwards; WorkbookInvalid if it is none."""
    _zip_checked(stream, limits)
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises several unrelated types for a file that is not a workbook
        raise _whole_file("not_xlsx", N_("not an Excel workbook (.xlsx)")) from exc
    try:
        if len(book.sheetnames) > limits.sheets:
            raise _whole_file("sheets", N_("the workbook has more than {limit} sheets"), limit=limits.sheets)
        yield book
    finally:
        book.close()


def _rows(book: Any, name: str, limits: Limits) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, the first five cells) of a sheet, at most `limits.rows` rows."""
    sheet = book[name]
    sheet.reset_dimensions()  # a declared size (A1:XFD1048576) would pad every row
    for number, cells in enumerate(sheet.iter_rows(max_col=COLUMNS, max_row=limits.rows + 1), start=1):
        if number > limits.rows:
            raise WorkbookInvalid([CellProblem(name, f"A{number}", Problem(
                None, "rows", N_("the sheet has more than {limit} rows"), {"limit": limits.rows}))])
        yield number, tuple(cells)


def _value(cells: tuple[Any, ...], index: int) -> str:
    value = cells[index].value if index < len(cells) else None
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Meta:
    """What the hidden sheet says: the format, the questionnaire, its version and the answer sheets."""

    format: str
    questionnaire: str
    version: str
    sheets: tuple[str, ...]


def meta(book: Any, limits: Limits = DEFAULT_LIMITS) -> Meta:
    """The workbook's hidden sheet; WorkbookInvalid if it is missing or not of this format."""
    if META_SHEET not in book.sheetnames:
        raise _whole_file("no_meta", N_("not a questionnaire workbook: the hidden sheet {sheet} is missing; export one "
                                        "with “assessment workbook export”"), sheet=META_SHEET)
    found: dict[str, list[str]] = {}
    for _number, cells in _rows(book, META_SHEET, limits):
        key, value = (_value(cells, index) for index in (0, 1))
        found.setdefault(key, []).append(value)
    first = {key: values[0] for key, values in found.items()}
    info = Meta(first.get("format", ""), first.get("questionnaire", ""), first.get("version", ""),
                tuple(found.get("sheet", [])))
    if info.format != FORMAT:
        raise _whole_file("format", N_("not a questionnaire workbook of format {format}"), format=FORMAT)
    return info


def pick(info: Meta, candidates: Sequence[Questionnaire]) -> Questionnaire:
    """The questionnaire the workbook was exported from, among the candidates; refused by name otherwise."""
    for questionnaire in candidates:
        if (questionnaire.id, questionnaire.version) == (info.questionnaire, info.version):
            return questionnaire
    raise _whole_file("other_questionnaire", N_("this workbook is for questionnaire {found}, not {expected}"),
                      found=f"{info.questionnaire}@{info.version}",
                      expected=", ".join(q.ref for q in candidates) or "-")


@dataclass
class _Reading:
    """What the sheets gave so far: the collected answers and every problem."""

    collected: Collected = field(default_factory=Collected)
    problems: list[CellProblem] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


def _sheet(book: Any, name: str, questionnaire: Questionnaire, reading: _Reading, limits: Limits) -> None:
    if name not in book.sheetnames:
        reading.problems.append(CellProblem("", "", Problem(None, "no_sheet", N_("the sheet {sheet} is missing"),
                                                            {"sheet": name})))
        return
    for number, cells in _rows(book, name, limits):
        key_cell = cells[0] if cells else None
        key = key_cell.value if key_cell is not None else None
        if number == 1:
            if key != ID_HEADER:
                reading.problems.append(CellProblem(name, "A1", Problem(None, "no_id_column", N_(
                    "the hidden id column A is missing or changed; export a new workbook and copy the answers into it"))))
                return
            continue
        answer = cells[3] if len(cells) > 3 else None
        where = f"{ANSWER}{number}"
        problem = _row(questionnaire, key, answer, where, name, reading, limits)
        if problem is not None:
            reading.problems.append(CellProblem(name, where, problem))


def _row(questionnaire: Questionnaire, key: Any, answer: Any, where: str, sheet: str, reading: _Reading,
         limits: Limits) -> Problem | None:
    value = None if answer is None else answer.value
    kind = getattr(answer, "data_type", "n")
    if key is None or key == "":
        if value not in (None, "") and kind != "f":
            return Problem(None, "no_id", N_("an answer in a row without an id in the hidden column A"))
        return None
    key = str(key)
    if key.startswith("hint:"):
        return None
    if key in reading.seen:
        return Problem(None, "duplicate_id", N_("the id {key} appears twice in the hidden column A"), {"key": key})
    reading.seen.add(key)
    if kind == "f" or (isinstance(value, str) and value.startswith("=") and kind != "s"):
        return Problem(None, "formula", N_("a formula where an answer is expected; enter the value itself"))
    if kind == "e":
        return Problem(None, "error_value", N_("the cell holds an error ({value}); enter the answer itself"),
                       {"value": value})
    if isinstance(value, str) and len(value) > limits.cell_chars:
        return Problem(None, "cell_chars", N_("the cell has more than {limit} characters"), {"limit": limits.cell_chars})
    return check_cell(questionnaire, key, value, f"{sheet}!{where}", reading.collected)


def _placed(problem: Problem, cells: Mapping[str, str]) -> CellProblem:
    """A problem of the answers together, at the cell of its item or figure (the whole file if neither is known)."""
    target = problem.item or (f"field:{problem.params['field']}" if "field" in problem.params else "")
    at = cells.get(target, "")
    sheet, _, cell = at.rpartition("!")
    return CellProblem(sheet, cell, problem)


def read_workbook(stream: IO[bytes], candidates: Sequence[Questionnaire],
                  limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """The answers document a workbook holds (with `version`, and `enterprise` when its profile is filled in)."""
    reading = _Reading()
    with opened(stream, limits) as book:
        info = meta(book, limits)
        questionnaire = pick(info, candidates)
        for name in info.sheets:
            _sheet(book, name, questionnaire, reading, limits)
    collected = reading.collected
    reading.problems.extend(_placed(p, collected.cells) for p in collected.problems)
    reading.problems.extend(_placed(p, collected.cells) for p in profile_problems(collected.profile))
    document = {"questionnaire": questionnaire.id, "answers": collected.answers(), "data": collected.data}
    try:
        parsed = parse_answers(questionnaire, document, complete=False)
    except AnswersInvalid as exc:
        reading.problems.extend(_placed(p, collected.cells) for p in exc.problems)
    if reading.problems:
        raise WorkbookInvalid(reading.problems)
    out = {**answers_to_document(parsed), "version": questionnaire.version}
    if collected.profile:
        out["enterprise"] = dict(collected.profile)
    return out
