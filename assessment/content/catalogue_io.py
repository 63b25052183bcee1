"""Catalogues as spreadsheets: CSV and XLSX import and export, one row per entry, all-or-nothing.

Rows are checked by the same schema and rules as `catalogue/*.yaml` (assessment.content.catalogue); every
problem names its row (as a spreadsheet shows it: the header is row 1), its column and the reason. Files are read
within caps (assessment.content.catalogue_sheets); exported text cells are neutralised
(assessment.domain.spreadsheet) and restored when a file is imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

import openpyxl

from assessment.content.catalogue import FORMAT, build_catalogue
from assessment.content.catalogue_columns import LIST_SEPARATOR, columns, entry_row, list_codes, read_entry, row_error
from assessment.content.catalogue_sheets import (
    DEFAULT_LIMITS,
    ENTRIES_SHEET,
    HEADER_SHEET,
    CatalogueImportInvalid,
    ImportLimits,
    RowError,
    Table,
    cell_text,
    open_workbook,
    read_csv,
    sheet_rows,
    xlsx_table,
)
from assessment.content.documents import Document
from assessment.domain.catalogue import Catalogue
from assessment.domain.questionnaire import Questionnaire, Text
from assessment.domain.spreadsheet import neutralise_row


@dataclass(frozen=True)
class CatalogueHeader:
    """What a catalogue says about itself; a CSV has no room for it, so the importer is told."""

    id: str
    version: str
    questionnaire: str
    languages: tuple[str, ...]
    name: Text
    demo: bool = False
    description: Text | None = None
    publisher: Text | None = None
    source: Text | None = None

    @classmethod
    def of(cls, catalogue: Catalogue) -> CatalogueHeader:
        """The header of an existing catalogue."""
        return cls(catalogue.id, catalogue.version, catalogue.questionnaire, catalogue.languages, catalogue.name,
                   catalogue.demo, catalogue.description, catalogue.publisher, catalogue.source)


def _header_rows(header: CatalogueHeader) -> list[tuple[str, str]]:
    rows = [("format", FORMAT), ("id", header.id), ("version", header.version),
            ("questionnaire", header.questionnaire), ("languages", LIST_SEPARATOR.join(header.languages)),
            ("demo", "true" if header.demo else "false")]
    for field in ("name", "description", "publisher", "source"):
        text: Text | None = getattr(header, field)
        rows.extend((f"{field}_{lang}", (text or {}).get(lang, "")) for lang in header.languages)
    return rows


def entry_cells(catalogue: Catalogue) -> list[dict[str, str]]:
    """Every entry as the text of its cells, column by column (the stored form; not neutralised)."""
    return [{name: str(value) for name, value in entry_row(solution, catalogue.languages).items()}
            for solution in catalogue.solutions]


def export_csv(catalogue: Catalogue) -> str:
    """The catalogue's entries as CSV text (UTF-8; write it with a BOM for Excel), text cells neutralised."""
    out = io.StringIO()
    names = columns(catalogue.languages)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for solution in catalogue.solutions:
        row = entry_row(solution, catalogue.languages)
        writer.writerow(neutralise_row(row[n] for n in names))
    return out.getvalue()


def export_xlsx(catalogue: Catalogue) -> bytes:
    """The catalogue as an XLSX workbook: sheet `entries` (one row per entry) and sheet `catalogue` (header).

    Text cells are neutralised; prices and weeks stay numbers.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = ENTRIES_SHEET
    names = columns(catalogue.languages)
    _append(sheet, names)
    for solution in catalogue.solutions:
        row = entry_row(solution, catalogue.languages)
        _append(sheet, [row[n] for n in names])
    meta = book.create_sheet(HEADER_SHEET)
    _append(meta, ["key", "value"])
    for key, value in _header_rows(CatalogueHeader.of(catalogue)):
        _append(meta, [key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _append(sheet: Any, values: Sequence[str | int]) -> None:
    sheet.append(neutralise_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text that starts with "=" stays text, not a formula


def _header_data(header: CatalogueHeader) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT, "id": header.id, "version": header.version,
                            "questionnaire": header.questionnaire, "languages": list(header.languages),
                            "name": dict(header.name), "demo": header.demo}
    for field in ("description", "publisher", "source"):
        text: Text | None = getattr(header, field)
        if text:
            data[field] = dict(text)
    return data


def _import(rows: Iterable[tuple[int, Mapping[str, Any]]], found_columns: Sequence[str], header: CatalogueHeader,
            file: str, questionnaires: Mapping[str, Questionnaire] | None,
            header_rows: Mapping[str, int] | None = None) -> Catalogue:
    errors: list[RowError] = []
    expected = columns(header.languages)
    for n, name in enumerate(found_columns):
        if name not in expected:
            errors.append(RowError(1, name or f"#{n + 1}", f"unknown column {name!r}; expected: {', '.join(expected)}"))
    missing = [c for c in expected if c not in found_columns]
    errors.extend(RowError(1, c, "column is missing") for c in missing)
    if errors:  # with the columns wrong, every row would only repeat it
        raise CatalogueImportInvalid(errors)
    entries: list[dict[str, Any]] = []
    row_numbers: list[int] = []
    for number, cells in rows:
        entry, problems = read_entry(cells, header.languages)
        errors.extend(RowError(number, column, message) for column, message in problems)
        if not problems:  # a row whose cells do not parse would only add echoes of the same problem
            entries.append(entry)
            row_numbers.append(number)
    data = _header_data(header)
    data["entries"] = entries
    doc = Document(file, data, None)
    catalogue = build_catalogue(doc, questionnaires)
    errors.extend(row_error(e, row_numbers, header.languages, header_rows) for e in doc.errors)
    if errors or catalogue is None:
        raise CatalogueImportInvalid(sorted(errors, key=lambda e: (e.sheet != HEADER_SHEET, e.row)))
    return catalogue


def import_table(table: Table, header: CatalogueHeader, questionnaires: Mapping[str, Questionnaire] | None = None,
                 file: str = "<table>") -> Catalogue:
    """A catalogue from rows already read; raises CatalogueImportInvalid listing every problem."""
    return _import(table.rows, table.columns, header, file, questionnaires)


def import_csv(text: str, header: CatalogueHeader, questionnaires: Mapping[str, Questionnaire] | None = None,
               file: str = "<csv>", limits: ImportLimits = DEFAULT_LIMITS) -> Catalogue:
    """A catalogue from CSV text (one row per entry); raises CatalogueImportInvalid listing every problem."""
    table = read_csv(io.StringIO(text.removeprefix("\ufeff"), newline=""), limits, file)
    return _import(table.rows, table.columns, header, file, questionnaires)


def import_xlsx(data: bytes | IO[bytes], header: CatalogueHeader | None = None,
                questionnaires: Mapping[str, Questionnaire] | None = None, file: str = "<xlsx>",
                limits: ImportLimits = DEFAULT_LIMITS) -> Catalogue:
    """A catalogue from an XLSX workbook (sheet `entries`, header from sheet `catalogue` unless given)."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    with open_workbook(stream, limits, file) as book:
        header_rows: dict[str, int] = {}
        if header is None:
            header, header_rows = _xlsx_header(book, limits, file)
        table = xlsx_table(book, limits, file)
    return _import(table.rows, table.columns, header, file, questionnaires, header_rows)


def _xlsx_header(book: Any, limits: ImportLimits, file: str) -> tuple[CatalogueHeader, dict[str, int]]:
    if HEADER_SHEET not in book.sheetnames:
        raise CatalogueImportInvalid([RowError(0, "", f"no sheet named {HEADER_SHEET!r}; pass the catalogue header",
                                               HEADER_SHEET)])
    values: dict[str, str] = {}
    rows: dict[str, int] = {}
    for number, record in sheet_rows(book, HEADER_SHEET, limits, file):
        if number == 1 or not record or record[0] is None:
            continue
        key = cell_text(record[0]).strip()
        values[key] = cell_text(record[1] if len(record) > 1 else None)
        rows[key] = number
    errors = [RowError(0, key, "is required", HEADER_SHEET) for key in ("id", "version", "questionnaire", "languages")
              if not values.get(key, "").strip()]
    demo = values.get("demo", "false").strip().lower()
    if demo not in ("true", "false"):
        errors.append(RowError(rows.get("demo", 0), "demo", f"{demo!r} is not true or false", HEADER_SHEET))
    if errors:
        raise CatalogueImportInvalid(errors)
    languages = tuple(list_codes(values["languages"]))

    def text(field: str) -> Text | None:
        found = {lang: values[f"{field}_{lang}"] for lang in languages if values.get(f"{field}_{lang}")}
        return found or None

    header = CatalogueHeader(values["id"].strip(), values["version"].strip(), values["questionnaire"].strip(),
                             languages, text("name") or {}, demo == "true", text("description"), text("publisher"),
                             text("source"))
    return header, rows
