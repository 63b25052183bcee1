"""Questionnaire documents (`questionnaire/1`) checked against their schema and their own references, built into
domain Questionnaires."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assessment.content.documents import Document, Path_, TextCheck, check_schema, number, optional_number
from assessment.content.errors import format_path
from assessment.content.schemas import QUESTIONNAIRE
from assessment.domain.questionnaire import (
    Band,
    BandDerivation,
    ChangeDerivation,
    Condition,
    DataField,
    Derivation,
    GridRow,
    Item,
    Option,
    Quantity,
    Questionnaire,
    RatingLevel,
    Section,
    Text,
)

_NEEDS = {"single": "options", "multi": "options", "rating": "levels", "grid": "rows"}


def _quantity(raw: Mapping[str, Any]) -> Quantity:
    return Quantity(raw["numerator"], raw.get("denominator"), number(raw.get("factor", 1)))


def _condition(raw: Mapping[str, Any]) -> Condition:
    return Condition(
        item=raw.get("item"),
        in_options=tuple(raw.get("in", ())),
        not_in_options=tuple(raw.get("not_in", ())),
        at_least=optional_number(raw.get("at_least")),
        all_of=tuple(_condition(c) for c in raw.get("all", ())),
        any_of=tuple(_condition(c) for c in raw.get("any", ())),
    )


def _derivation(raw: Mapping[str, Any]) -> Derivation:
    if "band" in raw:
        b = raw["band"]
        bands = []
        for spec in b["bands"]:
            lower = spec.get("ge", spec.get("gt"))
            upper = spec.get("le", spec.get("lt"))
            bands.append(Band(spec["option"], optional_number(lower), "ge" in spec, optional_number(upper), "le" in spec))
        return BandDerivation(_quantity(b), tuple(bands), b.get("unit", ""))
    c = raw["change"]
    return ChangeDerivation(
        _quantity(c["current"]), _quantity(c["previous"]), c["increase"], c["same"], c["decrease"], number(c.get("tolerance", 0))
    )


@dataclass
class _Reader:
    """What building one questionnaire has seen so far: ids (to refuse duplicates) and every item with its path."""

    doc: Document
    text: TextCheck
    groups: Mapping[str, Text]
    item_ids: dict[str, Path_] = field(default_factory=dict)
    field_ids: dict[str, Path_] = field(default_factory=dict)
    section_ids: set[str] = field(default_factory=set)
    items: list[tuple[Item, Path_]] = field(default_factory=list)


def build_questionnaire(doc: Document) -> Questionnaire | None:
    """Check a questionnaire document (schema, then meaning) and build it; None if it has errors."""
    check_schema(doc, QUESTIONNAIRE)
    if doc.errors:
        return None
    d = doc.data
    languages = tuple(d["languages"])
    text = TextCheck(doc, languages)
    reader = _Reader(doc, text, {k: text(v, ("groups", k)) for k, v in d.get("groups", {}).items()})
    sections = [_section(reader, s, ("sections", si)) for si, s in enumerate(d["sections"])]
    _check_references(reader)
    if doc.errors:
        return None
    return Questionnaire(
        d["id"],
        str(d["version"]),
        text(d["title"], ("title",)),
        languages,
        tuple(sections),
        text.opt(d.get("description"), ("description",)),
        text.opt(d.get("source"), ("source",)),
        dict(reader.groups),
    )


def _section(reader: _Reader, raw: Mapping[str, Any], sp: Path_) -> Section:
    doc, text = reader.doc, reader.text
    if raw["id"] in reader.section_ids:
        doc.error((*sp, "id"), f"duplicate section id {raw['id']!r}")
    reader.section_ids.add(raw["id"])
    items: list[Item] = []
    for ii, raw_item in enumerate(raw["items"]):
        ip: Path_ = (*sp, "items", ii)
        iid = raw_item["id"]
        if iid in reader.item_ids:
            doc.error((*ip, "id"), f"duplicate item id {iid!r} (first at {format_path(reader.item_ids[iid])})")
        reader.item_ids[iid] = ip
        item = _item(reader, raw_item, ip)
        items.append(item)
        reader.items.append((item, ip))
    return Section(raw["id"], text(raw["title"], (*sp, "title")), text.opt(raw.get("intro"), (*sp, "intro")), tuple(items))


def _check_references(reader: _Reader) -> None:
    """Derivations read declared data fields and select the item's own options; conditions look back, never ahead."""
    doc = reader.doc
    _check_parts(reader)
    order = {i.id: n for n, (i, _) in enumerate(reader.items)}
    for n, (item, ip) in enumerate(reader.items):
        if item.derive is not None:
            for fid in item.derive.fields():
                if fid not in reader.field_ids:
                    doc.error((*ip, "derive"), f"derivation reads data field {fid!r}, which no item declares")
            targets = (
                [b.option for b in item.derive.bands]
                if isinstance(item.derive, BandDerivation)
                else [item.derive.increase, item.derive.same, item.derive.decrease]
            )
            for key in targets:
                if item.option(key) is None:
                    doc.error((*ip, "derive"), f"derivation selects option {key!r}, which {item.id} does not define")
        if item.show_if is not None:
            for ref in item.show_if.items():
                if ref not in order:
                    doc.error((*ip, "show_if"), f"condition refers to unknown item {ref!r}")
                elif order[ref] >= n:
                    doc.error((*ip, "show_if"), f"condition refers to {ref!r}, which comes after {item.id}")


def _check_parts(reader: _Reader) -> None:
    """A data field that is at most another names a declared field other than itself, counted in the same unit."""
    declared = {f.id: f for item, _ in reader.items for f in item.fields}
    for item, ip in reader.items:
        for fi, spec in enumerate(item.fields):
            if spec.at_most is None:
                continue
            path: Path_ = (*ip, "fields", fi, "at_most")
            whole = declared.get(spec.at_most)
            if whole is None:
                reader.doc.error(path, f"{spec.id!r} is at most data field {spec.at_most!r}, which no item declares")
            elif whole.id == spec.id:
                reader.doc.error(path, f"{spec.id!r} cannot be at most itself")
            elif spec.unit != whole.unit:
                reader.doc.error(path, f"{spec.id!r} is at most {whole.id!r}, but they are counted in different units")


def _item(reader: _Reader, raw: Mapping[str, Any], ip: Path_) -> Item:
    doc, text = reader.doc, reader.text
    kind = raw["type"]
    if kind in _NEEDS and _NEEDS[kind] not in raw:
        doc.error(ip, f"a {kind} item needs {_NEEDS[kind]!r}")
    if kind == "grid" and "columns" not in raw:
        doc.error(ip, "a grid item needs 'columns'")
    options = _options(reader, raw, ip)
    levels = _rating_levels(reader, raw, ip)
    rows = tuple(GridRow(r["key"], text(r["text"], (*ip, "rows", n, "text"))) for n, r in enumerate(raw.get("rows", ())))
    columns = tuple(Option(c["key"], text(c["text"], (*ip, "columns", n, "text"))) for n, c in enumerate(raw.get("columns", ())))
    fields = _data_fields(reader, raw, ip)
    group = raw.get("group")
    if group is not None and group not in reader.groups:
        doc.error((*ip, "group"), f"unknown group {group!r}; declare it under 'groups'")
    derive = _derivation(raw["derive"]) if "derive" in raw else None
    if derive is not None and kind != "single":
        doc.error((*ip, "derive"), "only single-choice items can be derived from data")
    return Item(
        id=raw["id"],
        type=kind,
        text=text(raw["text"], (*ip, "text")),
        short=text.opt(raw.get("short"), (*ip, "short")),
        help=text.opt(raw.get("help"), (*ip, "help")),
        definition=text.opt(raw.get("definition"), (*ip, "definition")),
        evidence=tuple(text(e, (*ip, "evidence", n)) for n, e in enumerate(raw.get("evidence", ()))),
        notes=tuple(text(e, (*ip, "notes", n)) for n, e in enumerate(raw.get("notes", ()))),
        options=options,
        levels=levels,
        rows=rows,
        columns=columns,
        grid_multi=bool(raw.get("multiple", False)),
        minimum=optional_number(raw.get("min")),
        maximum=optional_number(raw.get("max")),
        unit=text.opt(raw.get("unit"), (*ip, "unit")),
        fields=fields,
        derive=derive,
        show_if=_condition(raw["show_if"]) if "show_if" in raw else None,
        required=bool(raw.get("required", True)),
        group=group,
    )


def _options(reader: _Reader, raw: Mapping[str, Any], ip: Path_) -> tuple[Option, ...]:
    doc, text = reader.doc, reader.text
    kind, iid = raw["type"], raw["id"]
    options: list[Option] = []
    seen_keys: set[str] = set()
    for oi, o in enumerate(raw.get("options", ())):
        op = (*ip, "options", oi)
        if o["key"] in seen_keys:
            doc.error((*op, "key"), f"duplicate option key {o['key']!r} in {iid}")
        seen_keys.add(o["key"])
        options.append(
            Option(
                o["key"],
                text(o["text"], (*op, "text")),
                bool(o.get("exclusive", False)),
                text.opt(o.get("note"), (*op, "note")),
                tuple(o.get("excludes", ())),
            )
        )
    if options and kind not in ("single", "multi"):
        doc.error((*ip, "options"), f"a {kind} item takes no options")
    if kind == "single" and any(o.exclusive for o in options):
        doc.error((*ip, "options"), "'exclusive' only applies to multiple-choice items")
    for oi, opt in enumerate(options):
        if opt.excludes and not opt.exclusive:
            doc.error((*ip, "options", oi, "excludes"), "'excludes' needs 'exclusive: true'")
        for key in opt.excludes:
            if key not in seen_keys or key == opt.key:
                doc.error((*ip, "options", oi, "excludes"), f"excludes option {key!r}, which is not another option of {iid}")
    return tuple(options)


def _rating_levels(reader: _Reader, raw: Mapping[str, Any], ip: Path_) -> tuple[RatingLevel, ...]:
    text = reader.text
    levels = []
    for li, lv in enumerate(raw.get("levels", ())):
        lp = (*ip, "levels", li)
        levels.append(RatingLevel(lv["level"], text(lv["title"], (*lp, "title")), text(lv["descriptor"], (*lp, "descriptor"))))
    if levels and [lv.level for lv in levels] != list(range(levels[0].level, levels[0].level + len(levels))):
        reader.doc.error((*ip, "levels"), "rating levels must be consecutive whole numbers in increasing order")
    return tuple(levels)


def _data_fields(reader: _Reader, raw: Mapping[str, Any], ip: Path_) -> tuple[DataField, ...]:
    text = reader.text
    fields = []
    for fi, f in enumerate(raw.get("fields", ())):
        fp = (*ip, "fields", fi)
        if f["id"] in reader.field_ids:
            reader.doc.error((*fp, "id"), f"duplicate data field id {f['id']!r} (first at {format_path(reader.field_ids[f['id']])})")
        reader.field_ids[f["id"]] = fp
        fields.append(
            DataField(
                f["id"],
                text(f["label"], (*fp, "label")),
                text.opt(f.get("unit"), (*fp, "unit")),
                optional_number(f.get("min", 0)),
                optional_number(f.get("max")),
                bool(f.get("integer", False)),
                f.get("at_most"),
            )
        )
    return tuple(fields)
