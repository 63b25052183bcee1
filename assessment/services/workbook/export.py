"""The questionnaire as an Excel workbook: instructions, one protected sheet per section, an enterprise profile sheet
and a hidden sheet naming the questionnaire and version; pre-filled from answers and a profile when given."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from assessment.domain.answers import N_, Answers, AnswerValue
from assessment.domain.enterprise import SIZE_CLASSES
from assessment.domain.questionnaire import DataField, Item, Questionnaire, tr
from assessment.domain.spreadsheet import neutralise
from assessment.services.language import translator
from assessment.services.workbook.hints import hint_rows, number_rule_text, validation_for_field, validation_for_number
from assessment.services.workbook.layout import (
    ANSWER,
    FORMAT,
    ID_HEADER,
    KEY,
    META_SHEET,
    NO,
    NOTE,
    NUMBER,
    PROFILE_KEYS,
    PROFILE_LABELS,
    TEXT,
    YES,
    profile_sheet_name,
    quoted,
    sheet_names,
)

Translate = Callable[[str], str]
ANSWER_FILL = PatternFill("solid", fgColor="FFF7D6")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)


class _Sheet:
    """One answer sheet being written: its rows in order, its dropdowns and the cells of the data fields so far."""

    def __init__(self, sheet: Worksheet, translate: Translate, lang: str, field_cells: dict[str, str],
                 fields: Mapping[str, DataField]) -> None:
        self.ws, self._, self.lang, self.field_cells, self.fields = sheet, translate, lang, field_cells, fields
        self.row = 1
        self.lists: dict[str, DataValidation] = {}
        _header(sheet, translate)

    def line(self, key: str = "", number: str = "", text: str = "", note: str = "", bold: bool = False) -> int:
        """Write one row (key hidden in column A) and return its number."""
        self.row += 1
        for column, value in ((KEY, key), (NUMBER, number), (TEXT, text), (NOTE, note)):
            if value:
                cell = self.ws[f"{column}{self.row}"]
                cell.value = neutralise(value)
                cell.alignment = WRAP
                if bold:
                    cell.font = BOLD
        return self.row

    def answer(self, row: int, value: object = None, validation: DataValidation | None = None) -> None:
        """Make column D of the row an answer cell: unlocked, shaded, with its validation and pre-filled value."""
        cell = self.ws[f"{ANSWER}{row}"]
        cell.protection = UNLOCKED
        cell.fill = ANSWER_FILL
        if value is not None:
            cell.value = neutralise(value)
        if validation is not None:
            validation.add(cell.coordinate)

    def choice(self, values: list[str]) -> DataValidation:
        """The dropdown of these values (one per distinct list on the sheet)."""
        formula = '"' + ",".join(values) + '"'
        if formula not in self.lists:
            validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
            validation.error = self._(N_("Choose one of: {values}")).format(values=", ".join(values))
            self.ws.add_data_validation(validation)
            self.lists[formula] = validation
        return self.lists[formula]

    def yes_no(self) -> DataValidation:
        """The 是/否 (Yes/No) dropdown."""
        return self.choice([self._(YES), self._(NO)])

    def mark(self, chosen: bool | None) -> str | None:
        """是 / 否 for a chosen or not chosen option; None when the question is not answered."""
        return None if chosen is None else self._(YES) if chosen else self._(NO)


def _header(sheet: Worksheet, translate: Translate) -> None:
    headers = (ID_HEADER, translate(N_("No.")), translate(N_("Question and options")), translate(N_("Answer")),
               translate(N_("What to enter")))
    for column, text in zip((KEY, NUMBER, TEXT, ANSWER, NOTE), headers, strict=True):
        sheet[f"{column}1"] = text
        sheet[f"{column}1"].font = BOLD
    for column, width in ((KEY, 24), (NUMBER, 8), (TEXT, 70), (ANSWER, 14), (NOTE, 44)):
        sheet.column_dimensions[column].width = width
    sheet.column_dimensions[KEY].hidden = True
    sheet.freeze_panes = "B2"
    sheet.protection.sheet = True  # no password: the protection keeps the layout from slips, not from its owner
    sheet.protection.formatColumns = False


def _figure(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _single(out: _Sheet, item: Item, value: AnswerValue | None) -> None:
    row = out.line(f"single:{item.id}", item.id, tr(item.text, out.lang), out._(N_("Choose one option.")), bold=True)
    out.answer(row, value, out.choice(list(item.option_keys)))
    for option in item.options:
        out.line("", option.key, tr(option.text, out.lang))


def _multi(out: _Sheet, item: Item, value: AnswerValue | None) -> None:
    out.line("", item.id, tr(item.text, out.lang), out._(N_("Mark each option Yes or No.")), bold=True)
    chosen = set(value) if isinstance(value, tuple) else None
    for option in item.options:
        note = out._(N_("Choose it alone.")) if option.exclusive else ""
        row = out.line(f"multi:{item.id}:{option.key}", option.key, tr(option.text, out.lang), note)
        out.answer(row, out.mark(None if chosen is None else option.key in chosen), out.yes_no())


def _rating(out: _Sheet, item: Item, value: AnswerValue | None) -> None:
    levels = [str(level.level) for level in item.levels]
    note = out._(N_("Choose a level from {low} to {high}.")).format(low=item.min_rating, high=item.max_rating)
    row = out.line(f"rating:{item.id}", item.id, tr(item.text, out.lang), note, bold=True)
    out.answer(row, value, out.choice(levels))
    for level in item.levels:
        descriptor = tr(level.descriptor, out.lang)
        out.line("", str(level.level), tr(level.title, out.lang) + (f": {descriptor}" if descriptor else ""))


def _grid(out: _Sheet, item: Item, value: AnswerValue | None) -> None:
    note = N_("Mark each column of each row Yes or No.") if item.grid_multi else N_("Choose one column per row.")
    out.line("", item.id, tr(item.text, out.lang), out._(note), bold=True)
    keys = [column.key for column in item.columns]
    if not item.grid_multi:
        for column in item.columns:
            out.line("", column.key, "    " + tr(column.text, out.lang))
    answered = value if isinstance(value, Mapping) else {}
    for grid_row in item.rows:
        cell = answered.get(grid_row.key)
        if not item.grid_multi:
            row = out.line(f"grid:{item.id}:{grid_row.key}", grid_row.key, tr(grid_row.text, out.lang))
            out.answer(row, cell, out.choice(keys))
            continue
        out.line("", grid_row.key, tr(grid_row.text, out.lang))
        for column in item.columns:
            row = out.line(f"grid:{item.id}:{grid_row.key}:{column.key}", "", "    " + tr(column.text, out.lang))
            chosen = None if not isinstance(value, Mapping) else column.key in (cell or ())
            out.answer(row, out.mark(chosen), out.yes_no())


def _number(out: _Sheet, item: Item, value: AnswerValue | None) -> None:
    note = number_rule_text(item.minimum, item.maximum, False, out._)
    row = out.line(f"number:{item.id}", item.id, tr(item.text, out.lang) + _unit(tr(item.unit, out.lang), out.lang), note,
                   bold=True)
    shown = _figure(value) if isinstance(value, Fraction) else value
    out.answer(row, shown, validation_for_number(item, out.ws, f"{ANSWER}{row}", out._))


WRITERS: Mapping[str, Callable[[_Sheet, Item, AnswerValue | None], None]] = {
    "single": _single, "multi": _multi, "rating": _rating, "grid": _grid, "number": _number,
}
"""How each item type is laid out."""


def _fields(out: _Sheet, item: Item, data: Mapping[str, Fraction]) -> None:
    for spec in item.fields:
        if spec.id in out.field_cells:
            continue  # a field reused by a later item is entered once, where it is declared first
        row = out.line(f"field:{spec.id}", "", _field_label(spec, out.lang), "")
        here = f"{quoted(out.ws.title)}!${ANSWER}${row}"
        whole = out.field_cells.get(spec.at_most or "")
        whole_spec = out.fields.get(spec.at_most or "")
        whole_label = tr(whole_spec.label, out.lang) if whole_spec else ""
        out.ws[f"{NOTE}{row}"] = _field_note(spec, whole_label, out._)
        out.ws[f"{NOTE}{row}"].alignment = WRAP
        value = data.get(spec.id)
        out.answer(row, None if value is None else _figure(value),
                   validation_for_field(spec, out.ws, f"{ANSWER}{row}", whole, whole_label, out._))
        out.field_cells[spec.id] = here


def _field_label(spec: DataField, lang: str) -> str:
    return "    " + tr(spec.label, lang) + _unit(tr(spec.unit, lang), lang)


def _unit(unit: str, lang: str) -> str:
    """A unit after a label: 台 in Chinese brackets, (devices) in English ones."""
    if not unit:
        return ""
    return f"（{unit}）" if lang == "zh" else f" ({unit})"


def _field_note(spec: DataField, whole_label: str, translate: Translate) -> str:
    note = number_rule_text(spec.minimum, spec.maximum, spec.integer, translate)
    if spec.at_most:
        note += translate(N_(" It cannot be larger than {whole}.")).format(whole=whole_label)
    return note


def _item(out: _Sheet, item: Item, answers: Answers | None) -> None:
    values = answers.values if answers else {}
    WRITERS[item.type](out, item, values.get(item.id))
    if item.help:
        out.line("", "", tr(item.help, out.lang))
    if item.fields or item.derive is not None:
        out.line("", "", out._(N_("Or enter the figures below; the answer is computed from them.")))
    _fields(out, item, answers.data if answers else {})
    for label, formula, option in hint_rows(item, out.field_cells, f"{ANSWER}{out.row + 1}", out._):
        row = out.line(f"hint:{item.id}", "", label)
        out.ws[f"{ANSWER}{row}"] = formula
        out.ws[f"{NOTE}{row}"] = option
        out.ws[f"{ANSWER}{row}"].number_format = "0.00"


def _instructions(book: Workbook, questionnaire: Questionnaire, lang: str, translate: Translate) -> None:
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = translate(N_("Instructions"))[:31]
    lines = [
        tr(questionnaire.title, lang),
        translate(N_("Questionnaire {id}, version {version}")).format(id=questionnaire.id, version=questionnaire.version),
        "",
        translate(N_("How to fill in this workbook")),
        translate(N_("1. Each section of the questionnaire has its own sheet. Enter answers only in the shaded "
                     "cells of the column “Answer”; everything else is protected.")),
        translate(N_("2. Single choice and levels: choose from the dropdown list. Multiple choice: mark each option "
                     "Yes or No; an option marked “choose it alone” cannot be combined with others.")),
        translate(N_("3. Figures: enter numbers in the ranges shown. Where a question can be computed from figures, "
                     "you may leave its option blank and enter the figures; the computed value is shown beside them.")),
        translate(N_("4. Leave a question blank if you do not know the answer yet; the assessment will ask for it.")),
        translate(N_("5. Keep the hidden first column and the hidden sheet: they identify each question. Do not "
                     "add, delete, move or rename rows or sheets.")),
        translate(N_("6. Read it back with: assessment workbook read FILE.xlsx")),
    ]
    for number, text in enumerate(lines, start=1):
        sheet[f"A{number}"] = neutralise(text)
        sheet[f"A{number}"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A4"].font = BOLD
    sheet.column_dimensions["A"].width = 110
    sheet.protection.sheet = True


def _profile(book: Workbook, profile: Mapping[str, str], translate: Translate) -> str:
    sheet = book.create_sheet(profile_sheet_name(translate))
    out = _Sheet(sheet, translate, "", {}, {})
    for key in PROFILE_KEYS:
        row = out.line(f"profile:{key}", "", translate(PROFILE_LABELS[key]))
        choices = out.choice(list(SIZE_CLASSES)) if key == "size_class" else None
        out.answer(row, profile.get(key) or None, choices)
    return str(sheet.title)


def _meta(book: Workbook, questionnaire: Questionnaire, lang: str, sheets: list[str]) -> None:
    sheet = book.create_sheet(META_SHEET)
    rows = [("format", FORMAT), ("questionnaire", questionnaire.id), ("version", questionnaire.version),
            ("language", lang), *(("sheet", name) for name in sheets)]
    for number, (key, value) in enumerate(rows, start=1):
        sheet[f"A{number}"] = key
        sheet[f"B{number}"] = neutralise(value)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True


def export_workbook(questionnaire: Questionnaire, lang: str, answers: Answers | None = None,
                    profile: Mapping[str, str] | None = None) -> bytes:
    """The questionnaire as an XLSX workbook in `lang`, pre-filled from checked answers and a profile."""
    translate = translator(lang)
    book = Workbook()
    _instructions(book, questionnaire, lang, translate)
    names = sheet_names(questionnaire, lang)
    field_cells: dict[str, str] = {}
    for name, section in zip(names, questionnaire.sections, strict=True):
        out = _Sheet(book.create_sheet(name), translate, lang, field_cells, questionnaire.data_fields())
        if section.intro:
            out.line("", "", tr(section.intro, lang))
        for item in section.items:
            _item(out, item, answers)
    profile_name = _profile(book, profile or {}, translate)
    _meta(book, questionnaire, lang, [*names, profile_name])
    book.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
