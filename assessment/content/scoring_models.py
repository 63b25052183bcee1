"""Scoring-model documents (`scoring-model/1`) checked against their schema and the questionnaire they score,
built into domain ScoringModels."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any, cast

from assessment.content.documents import Document, Path_, TextCheck, check_schema, number, optional_number
from assessment.content.schemas import MODEL
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
from assessment.domain.questionnaire import Questionnaire
from assessment.domain.scoring import ModelError, compile_model

_METHOD_SCORES = {"options": ("single", "multi"), "grid": ("grid",), "rating": ("rating",)}


def build_model(doc: Document, questionnaires: Mapping[str, Questionnaire], broken: Mapping[str, str] | None = None) -> ScoringModel | None:
    """Check a scoring-model document against its schema and its questionnaire, and build it; None on errors."""
    check_schema(doc, MODEL)
    if doc.errors:
        return None
    d = doc.data
    q = _questionnaire(doc, questionnaires, broken)
    if q is None:
        return None
    text = TextCheck(doc, tuple(d.get("languages", q.languages)))
    nodes, node_paths = _nodes(doc, q, text)
    _check_tree(doc, nodes, node_paths)
    item_sets = _item_sets(doc, q, text)
    levels = [_level(lv, ("levels", n), text, d["root"]) for n, lv in enumerate(d["levels"])]
    if [lv.level for lv in levels] != sorted((lv.level for lv in levels), reverse=True) or len({lv.level for lv in levels}) != len(levels):
        doc.error(("levels",), "levels must be listed from the highest down, each once")
    below = _level(d["below"], ("below",), text, d["root"])
    if any(lv.level <= below.level for lv in levels):
        doc.error(("below", "level"), "'below' must be lower than every level")
    _check_level_conditions(doc, q, levels, nodes, item_sets)
    equivalents = _equivalents(doc, text)
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
    _check_points(doc, q, model, node_paths)
    return None if doc.errors else model


def _questionnaire(doc: Document, questionnaires: Mapping[str, Questionnaire], broken: Mapping[str, str] | None) -> Questionnaire | None:
    """The loaded questionnaire the model scores; None (with the reason recorded) if it is broken or missing."""
    qid = doc.data["questionnaire"]
    q = questionnaires.get(qid)
    if q is None and broken and qid in broken:
        doc.error(("questionnaire",), f"questionnaire {qid!r} did not load; see the errors in {broken[qid]}")
    elif q is None:
        doc.error(
            ("questionnaire",),
            f"questionnaire {qid!r} is not among the loaded questionnaires ({', '.join(sorted(questionnaires)) or 'none'})",
        )
    return q


def _nodes(doc: Document, q: Questionnaire, text: TextCheck) -> tuple[dict[str, Node], dict[str, Path_]]:
    """The model's nodes by id with their document paths; a node scoring an item it cannot score is left out."""
    nodes: dict[str, Node] = {}
    node_paths: dict[str, Path_] = {}
    for ni, n in enumerate(doc.data["nodes"]):
        np_: Path_ = ("nodes", ni)
        if n["id"] in nodes:
            doc.error((*np_, "id"), f"duplicate node id {n['id']!r}")
        node_paths[n["id"]] = np_
        scorer = None
        if "item" in n:
            scorer = _scorer(doc, q, n, np_)
            if scorer is None:
                continue
        elif any(k in n for k in ("points", "method", "cap", "scale_to")):
            doc.error(np_, "points, method, cap and scale_to belong on item nodes only")
        nodes[n["id"]] = Node(
            n["id"],
            text(n["name"], (*np_, "name")),
            number(n["max"]),
            tuple(n.get("children", ())),
            n.get("aggregate", "sum"),
            tuple(number(w) for w in n.get("weights", ())),
            number(n.get("scale", 1)),
            scorer,
            text.opt(n.get("short"), (*np_, "short")),
            text.opt(n.get("description"), (*np_, "description")),
        )
    return nodes, node_paths


def _scorer(doc: Document, q: Questionnaire, n: Mapping[str, Any], np_: Path_) -> Scorer | None:
    """How an item node scores its item; None (with the reason recorded) if the item is missing or of another type."""
    item = q.item(n["item"])
    if item is None:
        doc.error((*np_, "item"), f"scores item {n['item']!r}, which questionnaire {q.ref} lacks")
        return None
    method = n.get("method") or ("rating" if item.type == "rating" else "grid" if item.type == "grid" else "options")
    if item.type not in _METHOD_SCORES[method]:
        doc.error((*np_, "method"), f"method {method!r} cannot score {item.id}, a {item.type} item")
        return None
    points = {k: number(v) for k, v in (n.get("points") or {}).items()}
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
    return Scorer(item.id, cast(ScoreMethod, method), points, optional_number(n.get("cap")), optional_number(n.get("scale_to")))


def _check_tree(doc: Document, nodes: Mapping[str, Node], node_paths: Mapping[str, Path_]) -> None:
    """The root and every child are defined nodes."""
    if doc.data["root"] not in nodes:
        doc.error(("root",), f"root node {doc.data['root']!r} is not defined under nodes")
    for nid, node in nodes.items():
        for ci, child in enumerate(node.children):
            if child not in nodes:
                doc.error((*node_paths[nid], "children", ci), f"child {child!r} is not defined under nodes")


def _item_sets(doc: Document, q: Questionnaire, text: TextCheck) -> dict[str, ItemSet]:
    item_sets: dict[str, ItemSet] = {}
    for sid, s in doc.data.get("item_sets", {}).items():
        for n, iid in enumerate(s["items"]):
            if q.item(iid) is None:
                doc.error(("item_sets", sid, "items", n), f"item {iid!r} is not in questionnaire {q.ref}")
        item_sets[sid] = ItemSet(sid, text(s["name"], ("item_sets", sid, "name")), tuple(s["items"]))
    return item_sets


def _level(raw: Mapping[str, Any], lp: Path_, text: TextCheck, root: str) -> LevelDef:
    conds: list[LevelCondition] = []
    for c in raw.get("conditions", ()):
        if "score" in c:
            s = c["score"]
            strict = "above" in s
            conds.append(ScoreCondition(s.get("node", root), number(s["above"] if strict else s["min"]), strict))
        else:
            r = c["ratings"]
            conds.append(RatingCondition(r["set"], int(r.get("at_least", raw["level"])), int(r["count"])))
    return LevelDef(
        raw["level"],
        text(raw["name"], (*lp, "name")),
        tuple(conds),
        text.opt(raw.get("label"), (*lp, "label")),
        text.opt(raw.get("descriptor"), (*lp, "descriptor")),
        text.opt(raw.get("caveat"), (*lp, "caveat")),
    )


def _check_level_conditions(
    doc: Document, q: Questionnaire, levels: list[LevelDef], nodes: Mapping[str, Node], item_sets: Mapping[str, ItemSet]
) -> None:
    """Score conditions name defined nodes; rating conditions name defined sets of rating items that can meet them."""
    for n, lv in enumerate(levels):
        for ci, cond in enumerate(lv.conditions):
            cp: Path_ = ("levels", n, "conditions", ci)
            if isinstance(cond, RatingCondition):
                _check_rating_condition(doc, q, lv, cond, cp, item_sets)
            elif cond.node not in nodes:
                doc.error((*cp, "score", "node"), f"node {cond.node!r} is not defined under nodes")


def _check_rating_condition(
    doc: Document, q: Questionnaire, lv: LevelDef, cond: RatingCondition, cp: Path_, item_sets: Mapping[str, ItemSet]
) -> None:
    iset = item_sets.get(cond.item_set)
    if iset is None:
        doc.error((*cp, "ratings", "set"), f"item set {cond.item_set!r} is not defined under item_sets")
        return
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


def _equivalents(doc: Document, text: TextCheck) -> tuple[Equivalent, ...]:
    return tuple(
        Equivalent(
            e["id"],
            text(e["name"], ("equivalents", n, "name")),
            {int(k): number(v) for k, v in e["values"].items()},
            text.opt(e.get("source"), ("equivalents", n, "source")),
        )
        for n, e in enumerate(doc.data.get("equivalents", ()))
    )


def _check_points(doc: Document, q: Questionnaire, model: ScoringModel, node_paths: Mapping[str, Path_]) -> None:
    """The model compiles against its questionnaire, each declared max is what the points add up to, and every
    node is reachable from the root."""
    try:
        cm = compile_model(q, model)
    except ModelError as exc:
        doc.error(("nodes",), str(exc))
        return
    for nid, node in model.nodes.items():
        if nid in cm.maxima and cm.maxima[nid] != node.maximum:
            doc.error((*node_paths[nid], "max"), f"declared max {_show(node.maximum)} but the points add up to {_show(cm.maxima[nid])}")
    for nid in model.nodes:
        if nid not in cm.dens:
            doc.error((*node_paths[nid], "id"), f"node {nid!r} is not reachable from the root {model.root!r}")


def _show(value: Fraction) -> str:
    return str(int(value)) if value.denominator == 1 else f"{float(value):g}"
