"""The columns of a catalogue spreadsheet, one row per entry: an entry as cells, cells as the raw entry the YAML
format would hold, and a problem found in that entry traced back to its row and column.

Cell syntax for list fields is documented in docs/catalogue-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from assessment.content.catalogue_sheets import HEADER_SHEET, RowError, cell_text
from assessment.content.errors import ContentError
from assessment.domain.answers import to_fraction
from assessment.domain.catalogue import Solution
from assessment.domain.questionnaire import Text

LIST_SEPARATOR = ";"


def columns(languages: Sequence[str]) -> list[str]:
    """The column names, in order, for a catalogue in these languages."""

    def each(base: str) -> list[str]:
        return [f"{base}_{lang}" for lang in languages]

    return ["id", *each("name"), *each("summary"), *each("provider_name"), "provider_type", "regions",
            "deployment", "scenarios", "items", "industries", "sizes", "price_model", "price_min_cny",
            "price_max_cny", *each("price_note"), "weeks_min", "weeks_max", "requires", *each("effects"),
            *each("showcase"), "listing_status", "listing_source", "listing_date", "version"]


# ---------------------------------------------------------------- an entry as cells


def _decimal(value: Fraction) -> str:
    """A fraction with a finite decimal form as plain decimal text (7/10 → 0.7)."""
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def entry_row(solution: Solution, languages: Sequence[str]) -> dict[str, str | int]:
    """An entry's cells by column name (the stored form: numbers stay numbers, nothing neutralised)."""
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


# ---------------------------------------------------------------- cells as an entry


def entry_id(cells: Mapping[str, Any]) -> str:
    """The entry id a row's cells give (as the importer reads it)."""
    return cell_text(cells.get("id")).strip()


def list_codes(text: str) -> list[str]:
    """The codes of a list cell (separated by LIST_SEPARATOR), blanks left out."""
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
        return cell_text(self.cells.get(column))

    def whole(self, column: str) -> int | None:
        value = self.cells.get(column)
        if isinstance(value, bool):
            value = str(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = cell_text(value).strip().replace(",", "")
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        self.problems.append((column, f"{cell_text(value)!r} is not a whole number" if text else "is required"))
        return None

    def translated(self, base: str) -> dict[str, str]:
        return {lang: t for lang in self.languages if (t := self.text(f"{base}_{lang}"))}

    def entry(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"id": self.text("id").strip()}
        for base, key in (("name", "name"), ("summary", "summary"), ("showcase", "showcase")):
            value = self.translated(base)
            if value:
                raw[key] = value
        provider: dict[str, Any] = {"type": self.text("provider_type").strip(), "regions": list_codes(self.text("regions"))}
        if name := self.translated("provider_name"):
            provider["name"] = name
        raw["provider"] = provider
        raw["deployment"] = list_codes(self.text("deployment"))
        if scenarios := self.scenarios():
            raw["scenarios"] = scenarios
        if items := self.items():
            raw["items"] = items
        raw["industries"] = list_codes(self.text("industries"))
        raw["sizes"] = list_codes(self.text("sizes"))
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
        for part in list_codes(self.text("scenarios")):
            match = _SCENARIO.match(part)
            if match is None:
                self.problems.append(("scenarios", f"{part!r} is not SCENARIO:FROM->TO, e.g. S06:1->3"))
                continue
            out.append({"id": match[1], "from": int(match[2]), "to": int(match[3])})
        return out

    def items(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in list_codes(self.text("items")):
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
        for part in list_codes(self.text("requires")):
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


def read_entry(cells: Mapping[str, Any], languages: Sequence[str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The raw entry a row's cells hold, as the YAML format would, and the (column, problem) of each cell that does
    not parse."""
    reader = _RowReader(cells, languages)
    return reader.entry(), reader.problems


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


def row_error(error: ContentError, rows: Sequence[int], languages: Sequence[str],
              header_rows: Mapping[str, int] | None) -> RowError:
    """Where in the spreadsheet a problem of the built catalogue lies: entries[n] is the n-th row read (`rows`),
    anything else a key of the header sheet (`header_rows`)."""
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

