"""Catalogues as spreadsheets: CSV and XLSX import and export, one row per entry, all-or-nothing.

Rows are checked by the same schema and rules as `catalogue/*.yaml` (assessment.content.catalogue); every
problem names its row (as a spreadsheet shows it: the header is row 1), its column and the reason.
Cell syntax for list fields is documented in docs/catalogue-format.md.

Files are read as streams (the csv reader line by line, openpyxl in read-only mode row by row) within the caps of
`ImportLimits`: file size, rows, columns, characters per cell and in all, and for an XLSX the number of parts and
their declared unpacked size, checked before openpyxl opens it (a zip bomb is refused from its directory). A cap
that is hit raises `ImportRefused`, whose `problem` is an English msgid with the file, row, column and cap.
Exported text cells are neutralised (assessment.domain.spreadsheet) and restored when a file is imported.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import PurePath
from typing import IO, Any

import openpyxl
from openpyxl.utils import get_column_letter

from assessment.content.catalogue import FORMAT, build_catalogue
from assessment.content.loader import ContentError, Document
from assessment.domain.answers import N_, Problem, to_fraction
from assessment.domain.catalogue import Catalogue, Solution
from assessment.domain.questionnaire import Questionnaire, Text
from assessment.domain.spreadsheet import neutralise_row, restore

LIST_SEPARATOR = ";"
ENTRIES_SHEET = "entries"
HEADER_SHEET = "catalogue"
_TEXT_FIELDS = ("name", "summary", "provider_name", "price_note", "effects", "showcase")


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


def columns(languages: Sequence[str]) -> list[str]:
    """The column names, in order, for a catalogue in these languages."""

    def each(base: str) -> list[str]:
        return [f"{base}_{lang}" for lang in languages]

    return ["id", *each("name"), *each("summary"), *each("provider_name"), "provider_type", "regions",
            "deployment", "scenarios", "items", "industries", "sizes", "price_model", "price_min_cny",
            "price_max_cny", *each("price_note"), "weeks_min", "weeks_max", "requires", *each("effects"),
            *each("showcase"), "listing_status", "listing_source", "listing_date", "version"]


# ---------------------------------------------------------------- export


def _decimal(value: Fraction) -> str:
    """A fraction with a finite decimal form as plain decimal text (7/10 → 0.7)."""
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _row(solution: Solution, languages: Sequence[str]) -> dict[str, str | int]:
    s = solution
    row: dict[str, str | int] = {
        "id": s.id,
        "provider_type": s.provider.type,
        "regions": LIST_SEPARATOR.join(s.provider.regions),
        "deployment": LIST_SEPARATOR.join(s.deployment),
        "scenarios": LIST_SEPARATOR.join(f"{x.scenario}:{x.from_level}->{x.to_level}" for x in s.scenarios),
        "items": LIST_SEPARATOR.join(
            f"{x.item}:{','.join(x.options)}" + (f"+{_decimal(x.points)}" if x.points is not None else "")
            for x in s.items),
        "industries": LIST_SEPARATOR.join(s.industries),
        "sizes": LIST_SEPARATOR.join(s.sizes),
        "price_model": s.price.model,
        "price_min_cny": s.price.min_cny,
        "price_max_cny": s.price.max_cny,
        "weeks_min": s.weeks.min_weeks,
        "weeks_max": s.weeks.max_weeks,
        "requires": LIST_SEPARATOR.join(
            f"{r.item}>={r.at_least}" if r.at_least is not None else f"{r.item}:{','.join(r.any_of)}"
            for r in s.requires),
        "listing_status": s.listing.status,
        "listing_source": s.listing.source,
        "listing_date": s.listing.date,
        "version": s.version,
    }
    texts: dict[str, Text | None] = {"name": s.name, "summary": s.summary, "provider_name": s.provider.name,
                                     "price_note": s.price.note, "showcase": s.showcase}
    for lang in languages:
        for base, text in texts.items():
            row[f"{base}_{lang}"] = (text or {}).get(lang, "")
        row[f"effects_{lang}"] = "\n".join(e.get(lang, "") for e in s.effects)
    return row


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
    return [{name: str(value) for name, value in _row(solution, catalogue.languages).items()}
            for solution in catalogue.solutions]


def export_csv(catalogue: Catalogue) -> str:
    """The catalogue's entries as CSV text (UTF-8; write it with a BOM for Excel), text cells neutralised."""
    out = io.StringIO()
    names = columns(catalogue.languages)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for solution in catalogue.solutions:
        row = _row(solution, catalogue.languages)
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
        row = _row(solution, catalogue.languages)
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


# ---------------------------------------------------------------- import


def _text_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def entry_id(cells: Mapping[str, Any]) -> str:
    """The entry id a row's cells give (as the importer reads it)."""
    return _text_cell(cells.get("id")).strip()


def _codes(text: str) -> list[str]:
    return [p.strip() for p in text.split(LIST_SEPARATOR) if p.strip()]


_SCENARIO = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*:\s*(\d+)\s*(?:->|→)\s*(\d+)$")
_ITEM = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*:\s*([^+]+?)\s*(?:\+\s*([0-9]+(?:\.[0-9]+)?))?$")
_AT_LEAST = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*(?:>=|≥)\s*(\d+)$")


class _RowReader:
    """Turns one spreadsheet row into the raw entry the YAML format would hold, noting cell-syntax problems."""

    def __init__(self, cells: Mapping[str, Any], languages: Sequence[str]) -> None:
        self.cells = cells
        self.languages = languages
        self.problems: list[tuple[str, str]] = []

    def text(self, column: str) -> str:
        return _text_cell(self.cells.get(column))

    def whole(self, column: str) -> int | None:
        value = self.cells.get(column)
        if isinstance(value, bool):
            value = str(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = _text_cell(value).strip().replace(",", "")
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        self.problems.append((column, f"{_text_cell(value)!r} is not a whole number" if text else "is required"))
        return None

    def translated(self, base: str) -> dict[str, str]:
        return {lang: t for lang in self.languages if (t := self.text(f"{base}_{lang}"))}

    def entry(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"id": self.text("id").strip()}
        for base, key in (("name", "name"), ("summary", "summary"), ("showcase", "showcase")):
            value = self.translated(base)
            if value:
                raw[key] = value
        provider: dict[str, Any] = {"type": self.text("provider_type").strip(), "regions": _codes(self.text("regions"))}
        if name := self.translated("provider_name"):
            provider["name"] = name
        raw["provider"] = provider
        raw["deployment"] = _codes(self.text("deployment"))
        if scenarios := self.scenarios():
            raw["scenarios"] = scenarios
        if items := self.items():
            raw["items"] = items
        raw["industries"] = _codes(self.text("industries"))
        raw["sizes"] = _codes(self.text("sizes"))
        price: dict[str, Any] = {"model": self.text("price_model").strip(), "min": self.whole("price_min_cny"),
                                 "max": self.whole("price_max_cny")}
        if note := self.translated("price_note"):
            price["note"] = note
        raw["price"] = price
        raw["weeks"] = {"min": self.whole("weeks_min"), "max": self.whole("weeks_max")}
        if requires := self.requires():
            raw["requires"] = requires
        if effects := self.effects():
            raw["effects"] = effects
        raw["listing"] = {"status": self.text("listing_status").strip(), "source": self.text("listing_source"),
                          "date": self.text("listing_date").strip()}
        raw["version"] = self.text("version").strip()
        return raw

    def scenarios(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in _codes(self.text("scenarios")):
            match = _SCENARIO.match(part)
            if match is None:
                self.problems.append(("scenarios", f"{part!r} is not SCENARIO:FROM->TO, e.g. S06:1->3"))
                continue
            out.append({"id": match[1], "from": int(match[2]), "to": int(match[3])})
        return out

    def items(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in _codes(self.text("items")):
            match = _ITEM.match(part)
            if match is None:
                self.problems.append(("items", f"{part!r} is not ITEM:OPTION,OPTION[+POINTS], e.g. Q6:B,C+2.5"))
                continue
            item: dict[str, Any] = {"id": match[1], "options": [o.strip() for o in match[2].split(",") if o.strip()]}
            if match[3] is not None:
                item["points"] = to_fraction(match[3])
            out.append(item)
        return out

    def requires(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in _codes(self.text("requires")):
            at_least = _AT_LEAST.match(part)
            if at_least is not None:
                out.append({"id": at_least[1], "at_least": int(at_least[2])})
                continue
            name, sep, options = part.partition(":")
            keys = [o.strip() for o in options.split(",") if o.strip()]
            if not sep or not keys or not name.strip():
                self.problems.append(("requires", f"{part!r} is neither ITEM>=LEVEL (S13>=2) nor ITEM:OPTIONS (Q1:B,C)"))
                continue
            out.append({"id": name.strip(), "any_of": keys})
        return out

    def effects(self) -> list[dict[str, str]]:
        lines = {lang: self.text(f"effects_{lang}").splitlines() for lang in self.languages}
        counts = {len(v) for v in lines.values()}
        if len(counts) > 1:
            first = self.languages[0]
            for lang in self.languages[1:]:
                if len(lines[lang]) != len(lines[first]):
                    self.problems.append((f"effects_{lang}", f"has {len(lines[lang])} line(s) but effects_{first} has "
                                                             f"{len(lines[first])}; one effect per line in each language"))
            return []
        return [{lang: lines[lang][n] for lang in self.languages if lines[lang][n]}
                for n in range(max(counts, default=0))]


_ENTRY_PATH = re.compile(r"^entries\[(\d+)\]\.?(.*)$")
_SIMPLE_COLUMNS = {
    "id": "id", "provider.type": "provider_type", "provider.regions": "regions", "provider": "provider_type",
    "deployment": "deployment", "scenarios": "scenarios", "items": "items", "industries": "industries",
    "sizes": "sizes", "price.model": "price_model", "price.min": "price_min_cny", "price.max": "price_max_cny",
    "price": "price_max_cny", "weeks.min": "weeks_min", "weeks.max": "weeks_max", "weeks": "weeks_max",
    "requires": "requires", "listing.status": "listing_status", "listing.source": "listing_source",
    "listing.date": "listing_date", "listing": "listing_status", "version": "version", "": "scenarios",
}
_TEXT_PATHS = {"name": "name", "summary": "summary", "showcase": "showcase", "provider.name": "provider_name",
               "price.note": "price_note", "effects": "effects"}
_REQUIRED_KEYS = {"name": "name", "provider": "provider_name"}


def _column(field: str, message: str, languages: Sequence[str]) -> str:
    """The spreadsheet column a YAML-style path inside one entry came from."""
    base = re.sub(r"\[\d+\]", "", field)
    head = base.split(".")[0]
    lang = re.search(r"no '([^']+)' text", message)
    if base in _TEXT_PATHS or head == "effects":
        column = _TEXT_PATHS.get(base, "effects")
        chosen = lang[1] if lang else languages[0]
        return f"{column}_{chosen}"
    if base == "" and "is required" in message:
        missing = re.match(r"'([a-z_]+)' is required", message)
        if missing is not None and missing[1] in _REQUIRED_KEYS:
            return f"{_REQUIRED_KEYS[missing[1]]}_{languages[0]}"
    if base == "provider" and "'name' is required" in message:
        return f"provider_name_{languages[0]}"
    for prefix in (base, ".".join(base.split(".")[:2]), head):
        if prefix in _SIMPLE_COLUMNS:
            return _SIMPLE_COLUMNS[prefix]
    return head or "id"


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
        reader = _RowReader(cells, header.languages)
        entry = reader.entry()
        errors.extend(RowError(number, column, message) for column, message in reader.problems)
        if not reader.problems:  # a row whose cells do not parse would only add echoes of the same problem
            entries.append(entry)
            row_numbers.append(number)
    data = _header_data(header)
    data["entries"] = entries
    doc = Document(file, data, None)
    catalogue = build_catalogue(doc, questionnaires)
    errors.extend(_row_error(e, row_numbers, header.languages, header_rows) for e in doc.errors)
    if errors or catalogue is None:
        raise CatalogueImportInvalid(sorted(errors, key=lambda e: (e.sheet != HEADER_SHEET, e.row)))
    return catalogue


def _row_error(error: ContentError, rows: Sequence[int], languages: Sequence[str],
               header_rows: Mapping[str, int] | None) -> RowError:
    match = _ENTRY_PATH.match(error.path)
    if match is None:
        key = error.path.split(".")[0].split("[")[0]
        if key in ("name", "description", "publisher", "source"):
            lang = re.search(r"no '([^']+)' text", error.message)
            key = f"{key}_{lang[1] if lang else languages[0]}"
        row = (header_rows or {}).get(key, 0)
        return RowError(row, key or "catalogue", error.message, HEADER_SHEET)
    index, field = int(match[1]), match[2]
    return RowError(rows[index], _column(field, error.message, languages), error.message)


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
    found = [_text_cell(c) for c in cells]
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


def _sheet_rows(book: Any, name: str, limits: ImportLimits, file: str) -> Iterator[tuple[int, list[Any]]]:
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
    for number, cells in _sheet_rows(book, ENTRIES_SHEET, limits, file):
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
    for number, record in _sheet_rows(book, HEADER_SHEET, limits, file):
        if number == 1 or not record or record[0] is None:
            continue
        key = _text_cell(record[0]).strip()
        values[key] = _text_cell(record[1] if len(record) > 1 else None)
        rows[key] = number
    errors = [RowError(0, key, "is required", HEADER_SHEET) for key in ("id", "version", "questionnaire", "languages")
              if not values.get(key, "").strip()]
    demo = values.get("demo", "false").strip().lower()
    if demo not in ("true", "false"):
        errors.append(RowError(rows.get("demo", 0), "demo", f"{demo!r} is not true or false", HEADER_SHEET))
    if errors:
        raise CatalogueImportInvalid(errors)
    languages = tuple(_codes(values["languages"]))

    def text(field: str) -> Text | None:
        found = {lang: values[f"{field}_{lang}"] for lang in languages if values.get(f"{field}_{lang}")}
        return found or None

    header = CatalogueHeader(values["id"].strip(), values["version"].strip(), values["questionnaire"].strip(),
                             languages, text("name") or {}, demo == "true", text("description"), text("publisher"),
                             text("source"))
    return header, rows
