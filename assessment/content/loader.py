"""Read and validate content files into frozen domain values; every error names file, line, path and reason."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import jsonschema
import yaml

from assessment.content.schemas import MODEL, QUESTIONNAIRE
from assessment.domain.answers import to_fraction
from assessment.domain.model import (
    Equivalent,
    ItemSet,
    LevelCondition,
    LevelDef,
    Node,
    RatingCondition,
    ScoreCondition,
    ScoreMethod,
    Scorer,
    ScoringModel,
)
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
from assessment.domain.scoring import ModelError, compile_model

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class ContentError:
    """One problem in a content file."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f" {self.path}:" if self.path else ""
        return f"{self.file}:{self.line}:{where} {self.message}"


class ContentInvalid(ValueError):
    """Raised when content files needed to start are broken; carries every error."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def format_path(path: Iterable[str | int]) -> str:
    """A document path like sections[0].items[3].options[1].key."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Document:
    """A parsed YAML file with its node tree, to find the line of any path."""

    file: str
    data: Any
    node: yaml.Node | None
    errors: list[ContentError] = field(default_factory=list)

    def line(self, path: Path_, key: bool = False) -> int:
        """1-based line of the value at path (or of its key, if key=True); nearest existing ancestor otherwise."""
        node = self.node
        line = node.start_mark.line + 1 if node is not None else 1
        for n, part in enumerate(path):
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == part:
                        last = n == len(path) - 1
                        line = (k if key and last else v).start_mark.line + 1
                        node = v
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def error(self, path: Path_, message: str, key: bool = False) -> None:
        """Record an error at path."""
        self.errors.append(ContentError(self.file, self.line(path, key), format_path(path), message))


def _duplicate_keys(node: yaml.Node, path: Path_, doc: Document) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for k, v in node.value:
            if k.value in seen:
                doc.errors.append(
                    ContentError(doc.file, k.start_mark.line + 1, format_path((*path, k.value)), f"duplicate key {k.value!r}")
                )
            seen.add(k.value)
            _duplicate_keys(v, (*path, k.value), doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _duplicate_keys(v, (*path, i), doc)


YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it (a few times faster); the same nodes, marks and errors."""


def read_document(path: Path, display: str | None = None) -> Document:
    """Parse a YAML (or JSON) file, keeping its node tree; syntax errors become ContentErrors."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Document(name, None, None, [ContentError(name, 1, "", f"cannot read file: {exc}")])
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return Document(name, None, None, [ContentError(name, line, "", f"YAML syntax error: {exc.problem}")])
    finally:
        loader.dispose()
    doc = Document(name, data, node)
    if node is not None:
        _duplicate_keys(node, (), doc)
    return doc


def _schema_errors(doc: Document, schema: Mapping[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    for err in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            for extra in err.instance:
                if extra not in allowed:
                    doc.error((*path, extra), f"unknown key {extra!r}; allowed here: {', '.join(sorted(allowed))}", key=True)
            continue
        if err.validator == "oneOf" and err.context:
            best = min(err.context, key=lambda e: len(list(e.absolute_path)))
            doc.error(path, _schema_message(best))
            continue
        doc.error(path, _schema_message(err))


def _schema_message(err: jsonschema.ValidationError) -> str:
    if err.validator == "required":
        return str(err.message).replace("is a required property", "is required")
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    if err.validator == "type" and isinstance(err.instance, bool):
        return f"{str(err.instance).lower()} is not text: YAML reads yes/no/on/off as true/false; quote it"
    if err.validator == "const":
        return f"must be {err.validator_value!r}, not {err.instance!r}"
    return str(err.message)


def _num(value: Any) -> Fraction:
    out = to_fraction(value)
    if out is None:
        raise ValueError(f"not a number: {value!r}")
    return out


def _opt_num(value: Any) -> Fraction | None:
    return None if value is None else _num(value)


class _TextCheck:
    """Checks that every user-facing text has every declared language."""

    def __init__(self, doc: Document, languages: tuple[str, ...]) -> None:
        self.doc = doc
        self.languages = languages

    def __call__(self, value: Any, path: Path_) -> Text:
        if not isinstance(value, dict):
            return {}
        for lang in self.languages:
            if not value.get(lang):
                self.doc.error(path, f"missing translation: no {lang!r} text")
        return dict(value)

    def opt(self, value: Any, path: Path_) -> Text | None:
        return None if value is None else self(value, path)


def _quantity(raw: Mapping[str, Any]) -> Quantity:
    return Quantity(raw["numerator"], raw.get("denominator"), _num(raw.get("factor", 1)))


def _condition(raw: Mapping[str, Any]) -> Condition:
    return Condition(
        item=raw.get("item"),
        in_options=tuple(raw.get("in", ())),
        not_in_options=tuple(raw.get("not_in", ())),
        at_least=_opt_num(raw.get("at_least")),
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
            bands.append(Band(spec["option"], _opt_num(lower), "ge" in spec, _opt_num(upper), "le" in spec))
        return BandDerivation(_quantity(b), tuple(bands), b.get("unit", ""))
    c = raw["change"]
    return ChangeDerivation(
        _quantity(c["current"]), _quantity(c["previous"]), c["increase"], c["same"], c["decrease"], _num(c.get("tolerance", 0))
    )


def build_questionnaire(doc: Document) -> Questionnaire | None:
    """Check a questionnaire document (schema, then meaning) and build it; None if it has errors."""
    _schema_errors(doc, QUESTIONNAIRE)
    if doc.errors:
        return None
    d = doc.data
    languages = tuple(d["languages"])
    text = _TextCheck(doc, languages)
    groups = {k: text(v, ("groups", k)) for k, v in d.get("groups", {}).items()}
    item_ids: dict[str, Path_] = {}
    field_ids: dict[str, Path_] = {}
    section_ids: set[str] = set()
    sections: list[Section] = []
    all_items: list[tuple[Item, Path_]] = []
    for si, s in enumerate(d["sections"]):
        sp: Path_ = ("sections", si)
        if s["id"] in section_ids:
            doc.error((*sp, "id"), f"duplicate section id {s['id']!r}")
        section_ids.add(s["id"])
        items: list[Item] = []
        for ii, raw in enumerate(s["items"]):
            ip: Path_ = (*sp, "items", ii)
            iid = raw["id"]
            if iid in item_ids:
                doc.error((*ip, "id"), f"duplicate item id {iid!r} (first at {format_path(item_ids[iid])})")
            item_ids[iid] = ip
            item = _build_item(doc, raw, ip, text, groups, field_ids)
            items.append(item)
            all_items.append((item, ip))
        sections.append(Section(s["id"], text(s["title"], (*sp, "title")), text.opt(s.get("intro"), (*sp, "intro")), tuple(items)))
    order = {i.id: n for n, (i, _) in enumerate(all_items)}
    for n, (item, ip) in enumerate(all_items):
        if item.derive is not None:
            for fid in item.derive.fields():
                if fid not in field_ids:
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
        groups,
    )


def _build_item(
    doc: Document, raw: Mapping[str, Any], ip: Path_, text: _TextCheck, groups: Mapping[str, Text], field_ids: dict[str, Path_]
) -> Item:
    kind = raw["type"]
    iid = raw["id"]
    needs = {"single": "options", "multi": "options", "rating": "levels", "grid": "rows"}
    if kind in needs and needs[kind] not in raw:
        doc.error(ip, f"a {kind} item needs {needs[kind]!r}")
    if kind == "grid" and "columns" not in raw:
        doc.error(ip, "a grid item needs 'columns'")
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
    levels = []
    for li, lv in enumerate(raw.get("levels", ())):
        lp = (*ip, "levels", li)
        levels.append(RatingLevel(lv["level"], text(lv["title"], (*lp, "title")), text(lv["descriptor"], (*lp, "descriptor"))))
    if levels and [lv.level for lv in levels] != list(range(levels[0].level, levels[0].level + len(levels))):
        doc.error((*ip, "levels"), "rating levels must be consecutive whole numbers in increasing order")
    rows = tuple(GridRow(r["key"], text(r["text"], (*ip, "rows", n, "text"))) for n, r in enumerate(raw.get("rows", ())))
    columns = tuple(Option(c["key"], text(c["text"], (*ip, "columns", n, "text"))) for n, c in enumerate(raw.get("columns", ())))
    fields = []
    for fi, f in enumerate(raw.get("fields", ())):
        fp = (*ip, "fields", fi)
        if f["id"] in field_ids:
            doc.error((*fp, "id"), f"duplicate data field id {f['id']!r} (first at {format_path(field_ids[f['id']])})")
        field_ids[f["id"]] = fp
        fields.append(
            DataField(
                f["id"],
                text(f["label"], (*fp, "label")),
                text.opt(f.get("unit"), (*fp, "unit")),
                _opt_num(f.get("min", 0)),
                _opt_num(f.get("max")),
                bool(f.get("integer", False)),
            )
        )
    group = raw.get("group")
    if group is not None and group not in groups:
        doc.error((*ip, "group"), f"unknown group {group!r}; declare it under 'groups'")
    derive = _derivation(raw["derive"]) if "derive" in raw else None
    if derive is not None and kind != "single":
        doc.error((*ip, "derive"), "only single-choice items can be derived from data")
    return Item(
        id=iid,
        type=kind,
        text=text(raw["text"], (*ip, "text")),
        short=text.opt(raw.get("short"), (*ip, "short")),
        help=text.opt(raw.get("help"), (*ip, "help")),
        definition=text.opt(raw.get("definition"), (*ip, "definition")),
        evidence=tuple(text(e, (*ip, "evidence", n)) for n, e in enumerate(raw.get("evidence", ()))),
        notes=tuple(text(e, (*ip, "notes", n)) for n, e in enumerate(raw.get("notes", ()))),
        options=tuple(options),
        levels=tuple(levels),
        rows=rows,
        columns=columns,
        grid_multi=bool(raw.get("multiple", False)),
        minimum=_opt_num(raw.get("min")),
        maximum=_opt_num(raw.get("max")),
        unit=text.opt(raw.get("unit"), (*ip, "unit")),
        fields=tuple(fields),
        derive=derive,
        show_if=_condition(raw["show_if"]) if "show_if" in raw else None,
        required=bool(raw.get("required", True)),
        group=group,
    )


def _level(raw: Mapping[str, Any], lp: Path_, text: _TextCheck, root: str) -> LevelDef:
    conds: list[LevelCondition] = []
    for c in raw.get("conditions", ()):
        if "score" in c:
            s = c["score"]
            strict = "above" in s
            conds.append(ScoreCondition(s.get("node", root), _num(s["above"] if strict else s["min"]), strict))
        else:
            r = c["ratings"]
            conds.append(RatingCondition(r["set"], int(r.get("at_least", raw["level"])), int(r["count"])))
    return LevelDef(
        raw["level"],
        text(raw["name"], (*lp, "name")),
        tuple(conds),
        text.opt(raw.get("label"), (*lp, "label")),
        text.opt(raw.get("descriptor"), (*lp, "descriptor")),
    )


def build_model(doc: Document, questionnaires: Mapping[str, Questionnaire], broken: Mapping[str, str] | None = None) -> ScoringModel | None:
    """Check a scoring-model document against its schema and its questionnaire, and build it; None on errors."""
    _schema_errors(doc, MODEL)
    if doc.errors:
        return None
    d = doc.data
    q = questionnaires.get(d["questionnaire"])
    if q is None and broken and d["questionnaire"] in broken:
        doc.error(("questionnaire",), f"questionnaire {d['questionnaire']!r} did not load; see the errors in {broken[d['questionnaire']]}")
        return None
    if q is None:
        doc.error(
            ("questionnaire",),
            f"questionnaire {d['questionnaire']!r} is not among the loaded questionnaires ({', '.join(sorted(questionnaires)) or 'none'})",
        )
        return None
    languages = tuple(d.get("languages", q.languages))
    text = _TextCheck(doc, languages)
    nodes: dict[str, Node] = {}
    node_paths: dict[str, Path_] = {}
    for ni, n in enumerate(d["nodes"]):
        np_: Path_ = ("nodes", ni)
        if n["id"] in nodes:
            doc.error((*np_, "id"), f"duplicate node id {n['id']!r}")
        node_paths[n["id"]] = np_
        scorer = None
        if "item" in n:
            item = q.item(n["item"])
            if item is None:
                doc.error((*np_, "item"), f"scores item {n['item']!r}, which questionnaire {q.ref} lacks")
                continue
            method = n.get("method") or ("rating" if item.type == "rating" else "grid" if item.type == "grid" else "options")
            allowed = {"options": ("single", "multi"), "grid": ("grid",), "rating": ("rating",)}[method]
            if item.type not in allowed:
                doc.error((*np_, "method"), f"method {method!r} cannot score {item.id}, a {item.type} item")
                continue
            points = {k: _num(v) for k, v in (n.get("points") or {}).items()}
            keys = item.option_keys if method == "options" else tuple(c.key for c in item.columns)
            for key in points:
                if key not in keys:
                    doc.error(
                        (*np_, "points", key),
                        f"points for option {key!r}, which {item.id} does not define (it has {', '.join(keys)})",
                        key=True,
                    )
            if method == "options":
                for key in keys:
                    if key not in points:
                        doc.error((*np_, "points"), f"option {key!r} of {item.id} has no points")
            scorer = Scorer(item.id, cast(ScoreMethod, method), points, _opt_num(n.get("cap")), _opt_num(n.get("scale_to")))
        elif any(k in n for k in ("points", "method", "cap", "scale_to")):
            doc.error(np_, "points, method, cap and scale_to belong on item nodes only")
        nodes[n["id"]] = Node(
            n["id"],
            text(n["name"], (*np_, "name")),
            _num(n["max"]),
            tuple(n.get("children", ())),
            n.get("aggregate", "sum"),
            tuple(_num(w) for w in n.get("weights", ())),
            _num(n.get("scale", 1)),
            scorer,
            text.opt(n.get("short"), (*np_, "short")),
            text.opt(n.get("description"), (*np_, "description")),
        )
    if d["root"] not in nodes:
        doc.error(("root",), f"root node {d['root']!r} is not defined under nodes")
    for nid, node in nodes.items():
        for ci, child in enumerate(node.children):
            if child not in nodes:
                doc.error((*node_paths[nid], "children", ci), f"child {child!r} is not defined under nodes")
    item_sets: dict[str, ItemSet] = {}
    for sid, s in d.get("item_sets", {}).items():
        for n, iid in enumerate(s["items"]):
            if q.item(iid) is None:
                doc.error(("item_sets", sid, "items", n), f"item {iid!r} is not in questionnaire {q.ref}")
        item_sets[sid] = ItemSet(sid, text(s["name"], ("item_sets", sid, "name")), tuple(s["items"]))
    levels = [_level(lv, ("levels", n), text, d["root"]) for n, lv in enumerate(d["levels"])]
    if [lv.level for lv in levels] != sorted((lv.level for lv in levels), reverse=True) or len({lv.level for lv in levels}) != len(levels):
        doc.error(("levels",), "levels must be listed from the highest down, each once")
    below = _level(d["below"], ("below",), text, d["root"])
    if any(lv.level <= below.level for lv in levels):
        doc.error(("below", "level"), "'below' must be lower than every level")
    for n, lv in enumerate(levels):
        for ci, cond in enumerate(lv.conditions):
            cp: Path_ = ("levels", n, "conditions", ci)
            if isinstance(cond, RatingCondition):
                iset = item_sets.get(cond.item_set)
                if iset is None:
                    doc.error((*cp, "ratings", "set"), f"item set {cond.item_set!r} is not defined under item_sets")
                    continue
                if cond.count > len(iset.items):
                    doc.error(
                        (*cp, "ratings", "count"),
                        f"level {lv.level} asks for {cond.count} items of {cond.item_set!r}, which has only {len(iset.items)}",
                    )
                for iid in iset.items:
                    item = q.item(iid)
                    if item is not None and item.type != "rating":
                        doc.error((*cp, "ratings", "set"), f"item set {cond.item_set!r} holds {iid}, which is not a rating item")
                        break
                    if item is not None and cond.at_least > item.max_rating:
                        doc.error((*cp, "ratings"), f"asks for rating {cond.at_least} but {iid} goes up to {item.max_rating}")
                        break
            elif cond.node not in nodes:
                doc.error((*cp, "score", "node"), f"node {cond.node!r} is not defined under nodes")
    equivalents = tuple(
        Equivalent(
            e["id"],
            text(e["name"], ("equivalents", n, "name")),
            {int(k): _num(v) for k, v in e["values"].items()},
            text.opt(e.get("source"), ("equivalents", n, "source")),
        )
        for n, e in enumerate(d.get("equivalents", ()))
    )
    if doc.errors:
        return None
    model = ScoringModel(
        d["id"],
        str(d["version"]),
        text(d["name"], ("name",)),
        q.id,
        d["root"],
        nodes,
        tuple(levels),
        below,
        item_sets,
        equivalents,
        text.opt(d.get("description"), ("description",)),
        text.opt(d.get("source"), ("source",)),
        tuple(text(c, ("caveats", n)) for n, c in enumerate(d.get("caveats", ()))),
    )
    try:
        cm = compile_model(q, model)
    except ModelError as exc:
        doc.error(("nodes",), str(exc))
        return None
    for nid, node in nodes.items():
        if nid in cm.maxima and cm.maxima[nid] != node.maximum:
            doc.error((*node_paths[nid], "max"), f"declared max {_show(node.maximum)} but the points add up to {_show(cm.maxima[nid])}")
    unreachable = [nid for nid in nodes if nid not in cm.dens]
    for nid in unreachable:
        doc.error((*node_paths[nid], "id"), f"node {nid!r} is not reachable from the root {d['root']!r}")
    return None if doc.errors else model


def _show(value: Fraction) -> str:
    return str(int(value)) if value.denominator == 1 else f"{float(value):g}"


@dataclass
class Library:
    """All loaded questionnaires and models, by id then version, with every error found."""

    questionnaires: dict[str, dict[str, Questionnaire]] = field(default_factory=dict)
    models: dict[str, dict[str, ScoringModel]] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    def questionnaire(self, qid: str, version: str | None = None) -> Questionnaire:
        """A questionnaire by id (latest version unless one is named)."""
        versions = self.questionnaires[qid]
        return versions[version] if version else versions[_latest(versions)]

    def model(self, mid: str, version: str | None = None) -> ScoringModel:
        """A model by id (latest version unless one is named)."""
        versions = self.models[mid]
        return versions[version] if version else versions[_latest(versions)]

    def models_for(self, qid: str) -> list[ScoringModel]:
        """The latest version of every model for a questionnaire."""
        return [self.model(mid) for mid, vs in sorted(self.models.items()) if self.model(mid).questionnaire == qid]

    def latest_questionnaires(self) -> list[Questionnaire]:
        """The latest version of every questionnaire, by id."""
        return [self.questionnaire(qid) for qid in sorted(self.questionnaires)]

    def default_model(self, qid: str) -> ScoringModel:
        """The model with the questionnaire's own id if there is one, else the first for it."""
        if qid in self.models and self.model(qid).questionnaire == qid:
            return self.model(qid)
        found = self.models_for(qid)
        if not found:
            raise KeyError(f"no scoring model for questionnaire {qid!r}")
        return found[0]


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split("."))


def _latest(versions: Mapping[str, Any]) -> str:
    return max(versions, key=_version_key)


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


def load_library(root: Path, extra: Iterable[Path] = (), display: Callable[[Path], str] | None = None) -> Library:
    """Load every questionnaire and model under root (questionnaires/, scoring_models/) plus extra files.

    A file's kind comes from its `format:` key, so extra files may be of either kind.
    """
    show = display or (lambda p: _relative(p, root))
    lib = Library()
    docs = [read_document(p, show(p)) for p in [*_files(root / "questionnaires"), *_files(root / "scoring_models"), *extra]]
    q_docs, m_docs = [], []
    broken: dict[str, str] = {}
    for doc in docs:
        if doc.errors:
            lib.errors.extend(doc.errors)
            qid = doc.data.get("id") if isinstance(doc.data, dict) else None
            if doc.file.startswith("questionnaires") or (isinstance(doc.data, dict) and doc.data.get("format") == "questionnaire/1"):
                broken[qid if isinstance(qid, str) else Path(doc.file).stem] = doc.file
            continue
        fmt = doc.data.get("format") if isinstance(doc.data, dict) else None
        if fmt == "questionnaire/1":
            q_docs.append(doc)
        elif fmt == "scoring-model/1":
            m_docs.append(doc)
        else:
            doc.error(("format",), f"unknown format {fmt!r}; expected 'questionnaire/1' or 'scoring-model/1'")
            lib.errors.extend(doc.errors)
    for doc in q_docs:
        q = build_questionnaire(doc)
        lib.errors.extend(doc.errors)
        if q is None and isinstance(doc.data.get("id"), str):
            broken[doc.data["id"]] = doc.file
        if q is not None:
            if q.version in lib.questionnaires.get(q.id, {}):
                lib.errors.append(
                    ContentError(
                        doc.file, doc.line(("version",)), "version", f"questionnaire {q.ref} is defined twice (also in {lib.files[q.ref]})"
                    )
                )
                continue
            lib.questionnaires.setdefault(q.id, {})[q.version] = q
            lib.files[q.ref] = doc.file
    latest_q = {qid: lib.questionnaire(qid) for qid in lib.questionnaires}
    for doc in m_docs:
        m = build_model(doc, latest_q, broken)
        lib.errors.extend(doc.errors)
        if m is not None:
            if m.version in lib.models.get(m.id, {}):
                lib.errors.append(
                    ContentError(
                        doc.file,
                        doc.line(("version",)),
                        "version",
                        f"model {m.ref} is defined twice (also in {lib.files['model:' + m.ref]})",
                    )
                )
                continue
            lib.models.setdefault(m.id, {})[m.version] = m
            lib.files["model:" + m.ref] = doc.file
    return lib


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def content_root() -> Path:
    """The default content root: the project directory holding questionnaires/ and scoring_models/."""
    return Path(__file__).resolve().parents[2]
