"""Catalogues as spreadsheets: CSV and XLSX import and export, one row per entry, all-or-nothing.

Rows are checked by the same schema and rules as `catalogue/*.yaml` (assessment.content.catalogue); every
problem names its row (as a spreadsheet shows it: the header is row 1), its column and the reason.
Cell syntax for list fields is documented in docs/catalogue-format.md.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import openpyxl

from assessment.content.catalogue import FORMAT, build_catalogue
from assessment.content.loader import ContentError, Document
from assessment.domain.answers import to_fraction
from assessment.domain.catalogue import Catalogue, Solution
from assessment.domain.questionnaire import Questionnaire, Text

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


def export_csv(catalogue: Catalogue) -> str:
    """The catalogue's entries as CSV text (UTF-8; write it with a BOM for Excel)."""
    out = io.StringIO()
    names = columns(catalogue.languages)
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    for solution in catalogue.solutions:
        writer.writerow(_row(solution, catalogue.languages))
    return out.getvalue()


def export_xlsx(catalogue: Catalogue) -> bytes:
    """The catalogue as an XLSX workbook: sheet `entries` (one row per entry) and sheet `catalogue` (header)."""
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
    sheet.append(list(values))
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


def _records(reader: Iterator[list[str]]) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    found = next(reader, [])
    rows = []
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        rows.append((number, dict(zip(found, record, strict=False))))
    return found, rows


def import_csv(text: str, header: CatalogueHeader, questionnaires: Mapping[str, Questionnaire] | None = None,
               file: str = "<csv>") -> Catalogue:
    """A catalogue from CSV text (one row per entry); raises CatalogueImportInvalid listing every problem."""
    found, rows = _records(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    return _import(rows, found, header, file, questionnaires)


def import_xlsx(data: bytes, header: CatalogueHeader | None = None,
                questionnaires: Mapping[str, Questionnaire] | None = None, file: str = "<xlsx>") -> Catalogue:
    """A catalogue from an XLSX workbook (sheet `entries`, header from sheet `catalogue` unless given)."""
    with entries_workbook(data) as book:
        header_rows: dict[str, int] = {}
        if header is None:
            header, header_rows = _xlsx_header(book)
        sheet_rows = book[ENTRIES_SHEET].iter_rows(values_only=True)
        found = [_text_cell(c) for c in next(sheet_rows, ())]
        while found and not found[-1]:
            found.pop()
        rows = []
        for number, values in enumerate(sheet_rows, start=2):
            if all(v is None or _text_cell(v).strip() == "" for v in values):
                continue
            rows.append((number, dict(zip(found, values, strict=False))))
    return _import(rows, found, header, file, questionnaires, header_rows)


@contextmanager
def entries_workbook(data: bytes) -> Iterator[Any]:
    """An XLSX workbook that has an `entries` sheet, closed afterwards; otherwise CatalogueImportInvalid."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a file that is not a workbook
        raise CatalogueImportInvalid([RowError(0, "", f"not an XLSX workbook: {exc}", "")]) from exc
    try:
        if ENTRIES_SHEET not in book.sheetnames:
            raise CatalogueImportInvalid([RowError(0, "", f"no sheet named {ENTRIES_SHEET!r}", ENTRIES_SHEET)])
        yield book
    finally:
        book.close()


def _xlsx_header(book: Any) -> tuple[CatalogueHeader, dict[str, int]]:
    if HEADER_SHEET not in book.sheetnames:
        raise CatalogueImportInvalid([RowError(0, "", f"no sheet named {HEADER_SHEET!r}; pass the catalogue header",
                                               HEADER_SHEET)])
    values: dict[str, str] = {}
    rows: dict[str, int] = {}
    for number, record in enumerate(book[HEADER_SHEET].iter_rows(values_only=True), start=1):
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
