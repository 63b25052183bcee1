"""Catalogue spreadsheets read as streams within caps: CSV line by line, XLSX (openpyxl read-only) row by row.

The caps of `ImportLimits` bound file size, rows, columns, characters per cell and in all, and for an XLSX the number
of parts and their declared unpacked size, checked before openpyxl opens it (a zip bomb is refused from its
directory). A cap that is hit raises `ImportRefused`, whose `problem` is an English msgid with the file, row, column
and cap. Neutralised text cells (assessment.domain.spreadsheet) are restored as they are read.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

import openpyxl
from openpyxl.utils import get_column_letter

from assessment.domain.answers import N_, Problem
from assessment.domain.spreadsheet import restore

ENTRIES_SHEET = "entries"
HEADER_SHEET = "catalogue"


@dataclass(frozen=True)
class RowError:
    """One problem in an imported spreadsheet: sheet, row (header = 1), column and reason."""

    row: int
    column: str
    message: str
    sheet: str = ENTRIES_SHEET

    def __str__(self) -> str:
        return f"{self.sheet} row {self.row}, column {self.column}: {self.message}"


class CatalogueImportInvalid(ValueError):
    """Raised when an import has problems; nothing is imported and every problem is listed."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


MIB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """Caps on one imported spreadsheet, so that an upload cannot hold a worker or its memory (docs/catalogue-format.md).

    A provider catalogue holds a few dozen entries of about 400 characters each; every cap leaves a wide margin.
    """

    file_bytes: int = 10 * MIB
    rows: int = 1000
    """Rows below the header, blank rows included (an XLSX counts every row number up to its last row)."""
    columns: int = 100
    cell_chars: int = 2000
    text_chars: int = 2_000_000
    """Characters in all cells together."""
    parts: int = 100
    """XLSX: files inside the zip."""
    unpacked_bytes: int = 16 * MIB
    """XLSX: the sum of the unpacked sizes the zip declares (zipfile refuses a part that unpacks to more)."""

    @property
    def line_chars(self) -> int:
        """CSV: the longest text line read (every cell at its cap, quoted, with separators)."""
        return self.columns * (self.cell_chars + 3)


DEFAULT_LIMITS = ImportLimits()


class ImportRefused(CatalogueImportInvalid):
    """An imported file is refused as a whole (over a cap of ImportLimits, not readable); nothing is imported.

    `problem` is an English msgid with {params} (file, row, column, the cap), translated where it is shown.
    """

    def __init__(self, problem: Problem, row: int = 0, column: str = "", sheet: str = "") -> None:
        super().__init__([RowError(row, column, problem.render(), sheet)])
        self.problem = problem


def _refused(code: str, message: str, file: str, row: int = 0, column: str = "", sheet: str = "",
             **params: Any) -> ImportRefused:
    return ImportRefused(Problem(None, code, message, {"file": file, "row": row, "column": column, **params}),
                          row, column, sheet)


def display_name(filename: str) -> str:
    """An uploaded file's name as messages show it: no folders, at most 80 characters."""
    name = PurePath(filename.replace("\\", "/")).name.strip()
    return (name[:77] + "...") if len(name) > 80 else (name or "?")


def cell_text(value: Any) -> str:
    """A cell's value as the text a spreadsheet shows (a date as ISO text, a whole float without ".0")."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Table:
    """An imported sheet: the column names of its header row and (row number, column → cell) per non-blank row."""

    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


class _Caps:
    """Checks each row of a file against the caps while it is read, and restores neutralised text cells."""

    def __init__(self, limits: ImportLimits, file: str, sheet: str = "") -> None:
        self.limits = limits
        self.file = file
        self.sheet = sheet
        self.chars = 0

    def _column(self, index: int, names: Sequence[str]) -> str:
        if index < len(names) and names[index]:
            return names[index]
        return get_column_letter(index + 1) if self.sheet else f"#{index + 1}"

    def row(self, number: int, values: Sequence[Any], names: Sequence[str]) -> list[Any]:
        """The row's cells within the caps (text restored); raises ImportRefused naming the row and column."""
        limits = self.limits
        if number - 1 > limits.rows:
            raise _refused("rows", N_("{file}, row {row}: more than {limit} rows below the header (blank rows count "
                                      "too). Import at most {limit} entries per file."),
                           self.file, number, sheet=self.sheet, limit=limits.rows)
        if len(values) > limits.columns:
            extra = next((i for i in range(limits.columns, len(values)) if not _blank(values[i])), None)
            if extra is not None:
                column = self._column(extra, names)
                raise _refused("columns", N_("{file}, row {row}, column {column}: more than {limit} columns."),
                               self.file, number, column, self.sheet, limit=limits.columns)
            values = values[:limits.columns]
        cells = []
        for index, value in enumerate(values):
            if isinstance(value, str):
                if len(value) > limits.cell_chars:
                    column = self._column(index, names)
                    raise _refused("cell", N_("{file}, row {row}, column {column}: the cell has {length} characters; "
                                              "at most {limit} are accepted."),
                                   self.file, number, column, self.sheet, length=len(value), limit=limits.cell_chars)
                self.chars += len(value)
                value = restore(value)
            cells.append(value)
        if self.chars > limits.text_chars:
            raise _refused("text", N_("{file}, row {row}: the cells hold more than {limit} characters in all."),
                           self.file, number, sheet=self.sheet, limit=limits.text_chars)
        return cells


def _header_names(cells: Sequence[Any]) -> list[str]:
    found = [cell_text(c) for c in cells]
    while found and not found[-1]:
        found.pop()
    return found


def _csv_lines(text: IO[str], limits: ImportLimits, file: str) -> Iterator[str]:
    """The text's lines, none longer than the cap (so one line cannot fill the memory)."""
    number = 0
    while line := text.readline(limits.line_chars + 2):
        number += 1
        if len(line.rstrip("\r\n")) > limits.line_chars:
            raise _refused("line", N_("{file}, line {line}: the line is longer than {limit} characters."), file,
                           line=number, limit=limits.line_chars)
        yield line


def read_csv(text: IO[str], limits: ImportLimits = DEFAULT_LIMITS, file: str = "<csv>") -> Table:
    """The rows of CSV text (a stream opened with newline=""), within the caps; text cells restored."""
    caps = _Caps(limits, file)
    found: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    number = 0
    reader = csv.reader(_csv_lines(text, limits, file))
    try:
        for record in reader:
            number += 1
            cells = caps.row(number, record, found)
            if number == 1:
                found = _header_names(cells)
            elif not all(_blank(c) for c in cells):
                rows.append((number, dict(zip(found, cells, strict=False))))
    except csv.Error as exc:
        raise _refused("csv", N_("{file}, row {row}: not readable as CSV ({reason})."), file, number + 1,
                       reason=str(exc)) from exc
    return Table(found, rows)


CSV_ENCODINGS = ("utf-8-sig", "gb18030")
"""UTF-8 (with or without a byte order mark), else GB18030: what Excel on Chinese Windows writes as "CSV (逗号分隔)"."""


def decode_csv(stream: IO[bytes], limits: ImportLimits = DEFAULT_LIMITS, file: str = "<csv>") -> Table:
    """The rows of a CSV file read as a stream: UTF-8, else GB18030 (read again from the start), else refused."""
    start = stream.tell()
    for encoding in CSV_ENCODINGS:
        stream.seek(start)
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            return read_csv(text, limits, file)
        except UnicodeDecodeError:
            continue
        finally:
            text.detach()  # the stream belongs to the caller
    raise _refused("encoding", N_("{file}: the file is neither UTF-8 nor GB18030 text. Save it as “CSV UTF-8”."), file)


def _zip_entries(stream: IO[bytes]) -> int | None:
    """How many files a zip's end record declares (65535 for a zip64 archive), None if it has no end record."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    tail = min(size, 22 + 65535)
    stream.seek(size - tail)
    data = stream.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(data):
        return None
    return int.from_bytes(data[at + 10:at + 12], "little")


def _not_a_workbook(exc: Exception) -> CatalogueImportInvalid:
    return CatalogueImportInvalid([RowError(0, "", f"not an XLSX workbook: {exc}", "")])


@contextmanager
def open_workbook(stream: IO[bytes], limits: ImportLimits = DEFAULT_LIMITS, file: str = "<xlsx>") -> Iterator[Any]:
    """An XLSX workbook with an `entries` sheet, read-only, closed afterwards; otherwise CatalogueImportInvalid.

    The zip's directory is checked first: at most `limits.parts` files, declaring at most `limits.unpacked_bytes`
    in all (zipfile stops any part at its declared size, so the declaration bounds what openpyxl unpacks).
    """
    entries = _zip_entries(stream)
    if entries is not None and entries > limits.parts:
        raise _refused("parts", N_("{file}: the workbook has more than {limit} parts."), file, limit=limits.parts)
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise _not_a_workbook(exc) from exc
    if len(parts) > limits.parts:
        raise _refused("parts", N_("{file}: the workbook has more than {limit} parts."), file, limit=limits.parts)
    unpacked = sum(p.file_size for p in parts)
    if unpacked > limits.unpacked_bytes:
        raise _refused("unpacked", N_("{file}: the workbook unpacks to {megabytes} MB; at most {limit} MB are "
                                      "accepted."), file, megabytes=round(unpacked / MIB, 1),
                       limit=round(limits.unpacked_bytes / MIB, 1))
    stream.seek(0)
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises several unrelated types for a file that is not a workbook
        raise _not_a_workbook(exc) from exc
    try:
        if ENTRIES_SHEET not in book.sheetnames:
            raise CatalogueImportInvalid([RowError(0, "", f"no sheet named {ENTRIES_SHEET!r}", ENTRIES_SHEET)])
        yield book
    finally:
        book.close()


def sheet_rows(book: Any, name: str, limits: ImportLimits, file: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of a sheet, streamed, within the caps; cells beyond the header's columns are dropped."""
    sheet = book[name]
    sheet.reset_dimensions()  # a declared size (say A1:XFD1048576) would pad every row and add empty ones
    caps = _Caps(limits, file, name)
    found: list[str] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = caps.row(number, values, found)
        if number == 1:
            found = _header_names(cells)
        yield number, cells


def xlsx_table(book: Any, limits: ImportLimits = DEFAULT_LIMITS, file: str = "<xlsx>") -> Table:
    """The rows of the workbook's `entries` sheet, within the caps (the header is row 1; blank rows are skipped)."""
    found: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, cells in sheet_rows(book, ENTRIES_SHEET, limits, file):
        if number == 1:
            found = _header_names(cells)
        elif not all(_blank(v) for v in cells):
            rows.append((number, dict(zip(found, cells, strict=False))))
    return Table(found, rows)


def read_spreadsheet(filename: str, stream: IO[bytes], limits: ImportLimits = DEFAULT_LIMITS) -> Table:
    """The entries of an uploaded .csv or .xlsx file, read as a stream within the caps; ImportRefused otherwise."""
    file = display_name(filename)
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > limits.file_bytes:
        raise _refused("file_bytes", N_("{file}: the file is larger than {megabytes} MB."), file,
                       megabytes=round(limits.file_bytes / MIB, 1))
    extension = file.lower().rpartition(".")[2]
    if extension == "xlsx":
        with open_workbook(stream, limits, file) as book:
            return xlsx_table(book, limits, file)
    if extension == "csv":
        return decode_csv(stream, limits, file)
    raise _refused("file_type", N_("{file}: only .csv and .xlsx files can be imported."), file)
