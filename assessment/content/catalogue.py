"""Read and validate solution catalogues (`catalogue/*.yaml`, format `catalogue/1`) into domain values."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from assessment.content.documents import Document, Path_, TextCheck, check_schema, read_document
from assessment.content.errors import ContentError, format_path
from assessment.content.schemas import ID, TEXT
from assessment.domain.answers import to_fraction
from assessment.domain.catalogue import (
    ALL_REGIONS,
    ANY,
    DEPLOYMENTS,
    LISTING_STATUSES,
    PRICE_MODELS,
    PROVIDER_TYPES,
    SIZE_CLASSES,
    Catalogue,
    Deployment,
    ItemLift,
    Listing,
    ListingStatus,
    Prerequisite,
    Price,
    PriceModel,
    Provenance,
    Provider,
    ProviderType,
    ScenarioLift,
    Solution,
    Weeks,
)
from assessment.domain.enterprise import SizeClass
from assessment.domain.questionnaire import Questionnaire

FORMAT = "catalogue/1"
REGION_PATTERN = r"^(all|\d{6})$"
INDUSTRY_PATTERN = r"^(any|[A-T](\d{2}(\d{1,2})?)?)$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_COUNT = {"type": "integer", "minimum": 0}

CATALOGUE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": FORMAT,
    "title": "Solution catalogue",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "id", "version", "questionnaire", "languages", "name", "demo", "entries"],
    "properties": {
        "format": {"const": FORMAT},
        "id": ID,
        "version": {"type": "string", "minLength": 1},
        "questionnaire": ID,
        "languages": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
        "name": {"$ref": "#/$defs/text"},
        "description": {"$ref": "#/$defs/text"},
        "publisher": {"$ref": "#/$defs/text"},
        "source": {"$ref": "#/$defs/text"},
        "demo": {"type": "boolean", "description": "true: illustrative data, shown with a demo label"},
        "entries": {"type": "array", "items": {"$ref": "#/$defs/entry"}},
    },
    "$defs": {
        "text": TEXT,
        "entry": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "name", "provider", "deployment", "industries", "sizes", "price", "weeks",
                         "listing", "version"],
            "anyOf": [{"required": ["scenarios"]}, {"required": ["items"]}],
            "properties": {
                "id": ID,
                "name": {"$ref": "#/$defs/text"},
                "summary": {"$ref": "#/$defs/text"},
                "provider": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "type", "regions"],
                    "properties": {
                        "name": {"$ref": "#/$defs/text"},
                        "type": {"enum": list(PROVIDER_TYPES)},
                        "regions": {"type": "array", "minItems": 1, "uniqueItems": True,
                                    "items": {"type": "string", "pattern": REGION_PATTERN}},
                    },
                },
                "deployment": {"type": "array", "minItems": 1, "uniqueItems": True,
                               "items": {"enum": list(DEPLOYMENTS)}},
                "scenarios": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["id", "from", "to"],
                        "properties": {"id": ID, "from": _COUNT, "to": {"type": "integer", "minimum": 1}},
                    },
                },
                "items": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["id", "options"],
                        "properties": {
                            "id": ID,
                            "options": {"type": "array", "minItems": 1, "uniqueItems": True,
                                        "items": {"type": "string", "minLength": 1}},
                            "points": {"type": "number", "exclusiveMinimum": 0},
                        },
                    },
                },
                "industries": {"type": "array", "minItems": 1, "uniqueItems": True,
                               "items": {"type": "string", "pattern": INDUSTRY_PATTERN}},
                "sizes": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": list(SIZE_CLASSES)}},
                "price": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["model", "min", "max"],
                    "properties": {"model": {"enum": list(PRICE_MODELS)}, "min": _COUNT, "max": _COUNT,
                                   "note": {"$ref": "#/$defs/text"}},
                },
                "weeks": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["min", "max"],
                    "properties": {"min": _COUNT, "max": _COUNT},
                },
                "requires": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["id"],
                        "properties": {
                            "id": ID,
                            "at_least": _COUNT,
                            "any_of": {"type": "array", "minItems": 1, "uniqueItems": True,
                                       "items": {"type": "string", "minLength": 1}},
                        },
                        "oneOf": [{"required": ["at_least"]}, {"required": ["any_of"]}],
                    },
                },
                "effects": {"type": "array", "items": {"$ref": "#/$defs/text"}},
                "showcase": {"$ref": "#/$defs/text"},
                "listing": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["status", "source", "date"],
                    "properties": {
                        "status": {"enum": list(LISTING_STATUSES)},
                        "source": {"type": "string", "minLength": 1},
                        "date": {"type": "string", "pattern": DATE_PATTERN},
                    },
                },
                "version": {"type": "string", "minLength": 1},
            },
        },
    },
}


def _dates_as_text(value: Any) -> Any:
    """YAML reads unquoted 2024-05-01 as a date; the format stores ISO text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    return value


def build_catalogue(doc: Document, questionnaires: Mapping[str, Questionnaire] | None = None) -> Catalogue | None:
    """Check a catalogue document (schema, then meaning, then references to its questionnaire); None on errors.

    With `questionnaires`, scenario, item, option and level references are checked against the questionnaire
    the catalogue names.
    """
    doc.data = _dates_as_text(doc.data)
    check_schema(doc, CATALOGUE)
    if doc.errors:
        return None
    d = doc.data
    languages = tuple(d["languages"])
    text = TextCheck(doc, languages)
    questionnaire: Questionnaire | None = None
    if questionnaires is not None:
        questionnaire = questionnaires.get(d["questionnaire"])
        if questionnaire is None:
            doc.error(("questionnaire",), f"questionnaire {d['questionnaire']!r} is not among the loaded "
                                          f"questionnaires ({', '.join(sorted(questionnaires)) or 'none'})")
    ref = f"{d['id']}@{d['version']}"
    demo = bool(d["demo"])
    provenance = Provenance(ref, doc.file, demo)
    seen: dict[str, Path_] = {}
    solutions: list[Solution] = []
    for n, raw in enumerate(d["entries"]):
        ep: Path_ = ("entries", n)
        if raw["id"] in seen:
            doc.error((*ep, "id"), f"duplicate entry id {raw['id']!r} (first at {format_path(seen[raw['id']])})")
        seen[raw["id"]] = ep
        solutions.append(_solution(doc, raw, ep, text, provenance, questionnaire))
    if doc.errors:
        return None
    return Catalogue(d["id"], str(d["version"]), text(d["name"], ("name",)), d["questionnaire"], languages,
                     tuple(solutions), doc.file, demo, text.opt(d.get("description"), ("description",)),
                     text.opt(d.get("publisher"), ("publisher",)), text.opt(d.get("source"), ("source",)))


def _solution(doc: Document, raw: Mapping[str, Any], ep: Path_, text: TextCheck, provenance: Provenance,
              questionnaire: Questionnaire | None) -> Solution:
    prov = raw["provider"]
    regions = tuple(prov["regions"])
    if ALL_REGIONS in regions and len(regions) > 1:
        doc.error((*ep, "provider", "regions"), "'all' stands alone; remove the other regions or 'all'")
    industries = tuple(raw["industries"])
    if ANY in industries and len(industries) > 1:
        doc.error((*ep, "industries"), "'any' stands alone; remove the other codes or 'any'")
    scenarios = _scenario_lifts(doc, raw, ep, questionnaire)
    items = _item_lifts(doc, raw, ep, questionnaire)
    requires: list[Prerequisite] = []
    for n, r in enumerate(raw.get("requires", ())):
        requires.append(Prerequisite(r["id"], r.get("at_least"), tuple(r.get("any_of", ()))))
        if questionnaire is not None:
            _check_prerequisite(doc, questionnaire, r, (*ep, "requires", n))
    price, weeks, listing = raw["price"], raw["weeks"], raw["listing"]
    _check_terms(doc, raw, ep, provenance)
    return Solution(
        id=raw["id"], name=text(raw["name"], (*ep, "name")),
        provider=Provider(text(prov["name"], (*ep, "provider", "name")), cast(ProviderType, prov["type"]), regions),
        deployment=tuple(cast(Deployment, x) for x in raw["deployment"]), scenarios=scenarios,
        items=items, industries=industries, sizes=tuple(cast(SizeClass, x) for x in raw["sizes"]),
        price=Price(cast(PriceModel, price["model"]), price["min"], price["max"],
                    text.opt(price.get("note"), (*ep, "price", "note"))),
        weeks=Weeks(weeks["min"], weeks["max"]),
        listing=Listing(cast(ListingStatus, listing["status"]), listing["source"], listing["date"]),
        version=raw["version"], provenance=provenance, summary=text.opt(raw.get("summary"), (*ep, "summary")),
        requires=tuple(requires),
        effects=tuple(text(e, (*ep, "effects", n)) for n, e in enumerate(raw.get("effects", ()))),
        showcase=text.opt(raw.get("showcase"), (*ep, "showcase")),
    )


def _scenario_lifts(doc: Document, raw: Mapping[str, Any], ep: Path_,
                    questionnaire: Questionnaire | None) -> tuple[ScenarioLift, ...]:
    scenarios: list[ScenarioLift] = []
    for n, s in enumerate(raw.get("scenarios", ())):
        sp: Path_ = (*ep, "scenarios", n)
        if s["from"] >= s["to"]:
            doc.error(sp, f"{s['id']}: 'from' ({s['from']}) must be below 'to' ({s['to']})")
        if any(o.scenario == s["id"] for o in scenarios):
            doc.error((*sp, "id"), f"scenario {s['id']} is listed twice")
        scenarios.append(ScenarioLift(s["id"], s["from"], s["to"]))
        if questionnaire is not None:
            _check_scenario(doc, questionnaire, s, sp)
    return tuple(scenarios)


def _item_lifts(doc: Document, raw: Mapping[str, Any], ep: Path_,
                questionnaire: Questionnaire | None) -> tuple[ItemLift, ...]:
    items: list[ItemLift] = []
    for n, i in enumerate(raw.get("items", ())):
        ip: Path_ = (*ep, "items", n)
        if any(o.item == i["id"] for o in items):
            doc.error((*ip, "id"), f"item {i['id']} is listed twice")
        items.append(ItemLift(i["id"], tuple(i["options"]), to_fraction(i["points"]) if "points" in i else None))
        if questionnaire is not None:
            _check_item(doc, questionnaire, i, ip)
    return tuple(items)


def _check_terms(doc: Document, raw: Mapping[str, Any], ep: Path_, provenance: Provenance) -> None:
    """Price and weeks ranges run upwards; the listing date is a calendar date; a demo lists illustrations only."""
    price, weeks, listing = raw["price"], raw["weeks"], raw["listing"]
    if price["min"] > price["max"]:
        doc.error((*ep, "price"), f"price min ({price['min']}) is above max ({price['max']})")
    if weeks["min"] > weeks["max"]:
        doc.error((*ep, "weeks"), f"weeks min ({weeks['min']}) is above max ({weeks['max']})")
    try:
        datetime.date.fromisoformat(listing["date"])
    except ValueError:
        doc.error((*ep, "listing", "date"), f"{listing['date']!r} is not a calendar date (YYYY-MM-DD)")
    if provenance.demo and listing["status"] != "illustrative":
        doc.error((*ep, "listing", "status"), "a demo catalogue lists its entries as 'illustrative', "
                                              f"not {listing['status']!r}")


def _check_scenario(doc: Document, q: Questionnaire, raw: Mapping[str, Any], path: Path_) -> None:
    item = q.item(raw["id"])
    if item is None or item.type != "rating":
        doc.error((*path, "id"), f"{raw['id']!r} is not a rated scenario of questionnaire {q.ref}")
        return
    for key in ("from", "to"):
        if not item.min_rating <= raw[key] <= item.max_rating:
            doc.error((*path, key), f"{item.id} is rated {item.min_rating}–{item.max_rating}, not {raw[key]}")


def _check_item(doc: Document, q: Questionnaire, raw: Mapping[str, Any], path: Path_) -> None:
    item = q.item(raw["id"])
    if item is None or item.type not in ("single", "multi"):
        doc.error((*path, "id"), f"{raw['id']!r} is not a choice item of questionnaire {q.ref}")
        return
    for n, key in enumerate(raw["options"]):
        if key not in item.option_set:
            doc.error((*path, "options", n), f"{item.id} has no option {key!r} (it has {', '.join(item.option_keys)})")
        elif key in item.exclusive_keys:
            doc.error((*path, "options", n), f"option {key!r} of {item.id} means none; a solution cannot enable it")
    if item.type == "single" and len(raw["options"]) != 1:
        doc.error((*path, "options"), f"{item.id} is single-choice: name the one option the solution reaches")


def _check_prerequisite(doc: Document, q: Questionnaire, raw: Mapping[str, Any], path: Path_) -> None:
    item = q.item(raw["id"])
    if item is None:
        doc.error((*path, "id"), f"{raw['id']!r} is not an item of questionnaire {q.ref}")
        return
    if "at_least" in raw:
        if item.type != "rating":
            doc.error((*path, "at_least"), f"{item.id} is not rated; use any_of with its options")
        elif not item.min_rating <= raw["at_least"] <= item.max_rating:
            doc.error((*path, "at_least"), f"{item.id} is rated {item.min_rating}–{item.max_rating}, "
                                           f"not {raw['at_least']}")
        return
    if item.type not in ("single", "multi"):
        doc.error((*path, "any_of"), f"{item.id} is not a choice item; use at_least")
        return
    for n, key in enumerate(raw["any_of"]):
        if key not in item.option_set:
            doc.error((*path, "any_of", n), f"{item.id} has no option {key!r} (it has {', '.join(item.option_keys)})")


def _catalogue_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            out.append(path)
    return out


def load_catalogues(paths: Iterable[Path], questionnaires: Mapping[str, Questionnaire] | None = None,
                    display: Callable[[Path], str] | None = None) -> tuple[list[Catalogue], list[ContentError]]:
    """Load catalogue files (directories are searched for *.yaml); a file with errors yields no catalogue.

    Several catalogues load side by side; every entry keeps its provenance (`id@version`, file).
    """
    show = display or str
    catalogues: list[Catalogue] = []
    errors: list[ContentError] = []
    files: dict[str, str] = {}
    for path in _catalogue_files(paths):
        doc = read_document(path, show(path))
        if doc.errors:
            errors.extend(doc.errors)
            continue
        fmt = doc.data.get("format") if isinstance(doc.data, dict) else None
        if fmt != FORMAT:
            doc.error(("format",), f"unknown format {fmt!r}; expected {FORMAT!r}")
            errors.extend(doc.errors)
            continue
        catalogue = build_catalogue(doc, questionnaires)
        errors.extend(doc.errors)
        if catalogue is None:
            continue
        if catalogue.ref in files:
            errors.append(ContentError(doc.file, doc.line(("version",)), "version",
                                       f"catalogue {catalogue.ref} is defined twice (also in {files[catalogue.ref]})"))
            continue
        files[catalogue.ref] = doc.file
        catalogues.append(catalogue)
    return catalogues, errors


def load_catalogue_dir(directory: Path, questionnaires: Mapping[str, Questionnaire] | None = None
                       ) -> tuple[list[Catalogue], list[ContentError]]:
    """Load every catalogue under a directory (e.g. the project's `catalogue/`), files named relative to it."""
    root = directory.resolve()

    def show(path: Path) -> str:
        try:
            return str(Path(directory.name) / path.resolve().relative_to(root))
        except ValueError:
            return str(path)

    return load_catalogues([directory], questionnaires, show)

