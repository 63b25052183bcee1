"""The scoring engine: score(questionnaire, model, answers) -> Scorecard, exact and pure.

Every node value is an integer numerator over a denominator fixed when the model is compiled, so sums,
means and thresholds are exact (ten options of 0.7 make 7) and scoring needs no Fraction arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from math import lcm

from assessment.domain.answers import Answers, AnswerValue
from assessment.domain.model import (
    LevelDef,
    Node,
    RatingCondition,
    ScoreCondition,
    ScoringModel,
)
from assessment.domain.questionnaire import Item, Questionnaire


class ModelError(ValueError):
    """The model cannot be applied to the questionnaire (e.g. it scores an item that does not exist)."""


@dataclass(frozen=True)
class NodeScore:
    """A node's exact score num/den out of `maximum`."""

    id: str
    num: int
    den: int
    maximum: Fraction

    @property
    def value(self) -> Fraction:
        """The exact score."""
        return Fraction(self.num, self.den)

    @property
    def ratio(self) -> float:
        """Score as a share of the maximum, 0–1."""
        return float(self.value / self.maximum) if self.maximum else 0.0


@dataclass(frozen=True)
class ConditionResult:
    """One condition of a level, checked against a scorecard."""

    met: bool
    condition: ScoreCondition | RatingCondition
    actual: Fraction
    shortfall: Fraction
    below: tuple[tuple[str, int], ...] = ()

    @property
    def kind(self) -> str:
        """'score' or 'ratings'."""
        return "score" if isinstance(self.condition, ScoreCondition) else "ratings"


@dataclass(frozen=True)
class LevelCheck:
    """Whether a level's conditions hold, and the least rating upgrades that would satisfy its rating conditions."""

    level: int
    met: bool
    conditions: tuple[ConditionResult, ...]
    upgrades: tuple[tuple[str, int, int], ...]

    @property
    def points_short(self) -> Fraction:
        """Points missing on score conditions (0 if none)."""
        return max((c.shortfall for c in self.conditions if c.kind == "score"), default=Fraction(0))

    @property
    def unmet(self) -> tuple[ConditionResult, ...]:
        """Conditions that do not hold."""
        return tuple(c for c in self.conditions if not c.met)


@dataclass(frozen=True)
class Explanation:
    """Why the level is what it is, and what the next levels need."""

    reached: LevelCheck | None
    next: LevelCheck | None
    after_next: LevelCheck | None


@dataclass(frozen=True)
class Scorecard:
    """The result of scoring one set of answers under one model.

    Node scores and the explanation are derived from the exact numerators on first use. Two scorecards are equal
    when they hold the same result; the compiled model they were derived with is named by the two references.
    """

    questionnaire: str
    model: str
    root: str
    ratings: Mapping[str, int]
    level: int
    numerators: Mapping[str, int] = field(repr=False)
    compiled: CompiledModel = field(repr=False, compare=False)

    @cached_property
    def nodes(self) -> Mapping[str, NodeScore]:
        """Every node's exact score with its maximum."""
        cm = self.compiled
        return {nid: NodeScore(nid, self.numerators[nid], cm.dens[nid], cm.maxima[nid]) for nid in cm.dens}

    @cached_property
    def explanation(self) -> Explanation:
        """Why this level, and what the next levels need."""
        return explain(self.compiled, self.level, self.numerators, self.ratings)

    @property
    def total(self) -> NodeScore:
        """The root node's score."""
        return self.nodes[self.root]


@dataclass(frozen=True)
class _Leaf:
    node: str
    item: str
    kind: str  # "single" | "multi" | "grid_single" | "grid_multi" | "rating"
    points: Mapping[str, int]
    cap: int | None
    mult: int
    rows: int


@dataclass(frozen=True)
class _Agg:
    node: str
    children: tuple[tuple[str, int], ...]  # (child, multiplier)
    mult: int


@dataclass(frozen=True)
class CompiledModel:
    """A model bound to its questionnaire, with fixed denominators per node."""

    questionnaire: Questionnaire
    model: ScoringModel
    leaves: tuple[_Leaf, ...]
    aggregates: tuple[_Agg, ...]
    dens: Mapping[str, int]
    maxima: Mapping[str, Fraction]
    set_items: Mapping[str, tuple[str, ...]]
    rated_items: tuple[str, ...]
    positions: Mapping[str, int]


def _leaf_raw_max(item: Item, node: Node) -> Fraction:
    """The largest raw value an item can score before scaling."""
    scorer = node.scorer
    assert scorer is not None
    pts = scorer.points
    if scorer.method == "rating":
        return Fraction(item.max_rating)
    if scorer.method == "grid":
        cols = [pts.get(c.key, Fraction(0)) for c in item.columns]
        return sum(cols, Fraction(0)) if item.grid_multi else max(cols, default=Fraction(0))
    if item.type == "multi":
        total = sum((p for k, p in pts.items() if not _exclusive(item, k)), Fraction(0))
        return min(total, scorer.cap) if scorer.cap is not None else total
    return max(pts.values(), default=Fraction(0))


def _exclusive(item: Item, key: str) -> bool:
    opt = item.option(key)
    return opt is not None and opt.exclusive


def _compile_leaf(questionnaire: Questionnaire, node: Node) -> tuple[_Leaf, int, Fraction]:
    """A leaf node as integer points over its denominator; returns the leaf, its denominator and its maximum."""
    scorer = node.scorer
    assert scorer is not None
    item = questionnaire.item(scorer.item)
    if item is None:
        raise ModelError(f"node {node.id!r} scores item {scorer.item!r}, which the questionnaire lacks")
    raw_max = _leaf_raw_max(item, node)
    factor = (scorer.scale_to / raw_max) if (scorer.scale_to is not None and raw_max) else Fraction(1)
    if scorer.method == "rating":
        d0 = 1
        pts_int: dict[str, int] = {}
        kind, rows = "rating", 1
    else:
        d0 = lcm(*(p.denominator for p in scorer.points.values()), scorer.cap.denominator if scorer.cap else 1)
        pts_int = {k: int(p * d0) for k, p in scorer.points.items()}
        if scorer.method == "grid":
            kind = "grid_multi" if item.grid_multi else "grid_single"
            rows = len(item.rows)
        else:
            kind, rows = item.type, 1
    cap = int(scorer.cap * d0) if scorer.cap is not None else None
    sc = node.scale
    leaf = _Leaf(node.id, item.id, kind, pts_int, cap, factor.numerator * sc.numerator, rows)
    return leaf, d0 * rows * factor.denominator * sc.denominator, raw_max * factor * sc


def _child_weights(node: Node) -> list[int]:
    """Whole-number weights of an aggregate's children (1 each unless the node is weighted)."""
    if node.aggregate != "weighted":
        return [1] * len(node.children)
    if len(node.weights) != len(node.children):
        raise ModelError(f"node {node.id!r} has {len(node.children)} children but {len(node.weights)} weights")
    wden = lcm(*(w.denominator for w in node.weights))
    return [int(w * wden) for w in node.weights]


def _compile_aggregate(node: Node, dens: Mapping[str, int], maxima: Mapping[str, Fraction]) -> tuple[_Agg, int, Fraction]:
    """An aggregate node over its compiled children; returns the aggregate, its denominator and its maximum."""
    base = lcm(*(dens[c] for c in node.children))
    weights = _child_weights(node)
    if node.aggregate == "sum":
        divisor = 1
        cmax = sum((maxima[c] for c in node.children), Fraction(0))
    else:
        divisor = sum(weights)
        cmax = sum((maxima[c] * w for c, w in zip(node.children, weights, strict=True)), Fraction(0)) / divisor
    sc = node.scale
    den = base * divisor * sc.denominator
    children = tuple((c, (base // dens[c]) * w) for c, w in zip(node.children, weights, strict=True))
    return _Agg(node.id, children, sc.numerator), den, cmax * sc


@dataclass
class _Tree:
    """The indicator tree compiled so far: leaves and aggregates in evaluation order, denominators and maxima."""

    model: ScoringModel
    questionnaire: Questionnaire
    leaves: list[_Leaf] = field(default_factory=list)
    aggregates: list[_Agg] = field(default_factory=list)
    dens: dict[str, int] = field(default_factory=dict)
    maxima: dict[str, Fraction] = field(default_factory=dict)

    def visit(self, node_id: str, seen: tuple[str, ...]) -> None:
        """Compile a node after its children, so every aggregate follows what it sums."""
        if node_id in seen:
            raise ModelError(f"node {node_id!r} is its own ancestor")
        node = self.model.nodes.get(node_id)
        if node is None:
            raise ModelError(f"node {node_id!r} is referenced but not defined")
        if node.scorer is not None:
            leaf, self.dens[node_id], self.maxima[node_id] = _compile_leaf(self.questionnaire, node)
            self.leaves.append(leaf)
            return
        if not node.children:
            raise ModelError(f"node {node_id!r} has neither children nor an item")
        for child in node.children:
            self.visit(child, (*seen, node_id))
        agg, self.dens[node_id], self.maxima[node_id] = _compile_aggregate(node, self.dens, self.maxima)
        self.aggregates.append(agg)


def _item_sets(questionnaire: Questionnaire, model: ScoringModel) -> dict[str, tuple[str, ...]]:
    """The items of each item set, checked against the questionnaire."""
    for sid, item_set in model.item_sets.items():
        for iid in item_set.items:
            if questionnaire.item(iid) is None:
                raise ModelError(f"item set {sid!r} names item {iid!r}, which the questionnaire lacks")
    return {sid: item_set.items for sid, item_set in model.item_sets.items()}


def _check_levels(model: ScoringModel, dens: Mapping[str, int], set_items: Mapping[str, tuple[str, ...]]) -> None:
    """Every level condition names a node of the tree or a defined item set."""
    for lv in model.levels:
        for cond in lv.conditions:
            if isinstance(cond, ScoreCondition) and cond.node not in dens:
                raise ModelError(f"level {lv.level} tests node {cond.node!r}, which is not in the tree")
            if isinstance(cond, RatingCondition) and cond.item_set not in set_items:
                raise ModelError(f"level {lv.level} counts item set {cond.item_set!r}, which is not defined")


def compile_model(questionnaire: Questionnaire, model: ScoringModel) -> CompiledModel:
    """Bind a model to its questionnaire: check references, fix denominators, compute maxima."""
    if model.questionnaire != questionnaire.id:
        raise ModelError(f"model {model.ref} is for questionnaire {model.questionnaire!r}, not {questionnaire.id!r}")
    tree = _Tree(model, questionnaire)
    tree.visit(model.root, ())
    set_items = _item_sets(questionnaire, model)
    rated = tuple(dict.fromkeys(i for s in set_items.values() for i in s))
    _check_levels(model, tree.dens, set_items)
    positions = {item.id: n for n, item in enumerate(questionnaire.items)}
    return CompiledModel(
        questionnaire, model, tuple(tree.leaves), tuple(tree.aggregates), tree.dens, tree.maxima, set_items, rated, positions
    )


@lru_cache(maxsize=64)
def compiled(questionnaire: Questionnaire, model: ScoringModel) -> CompiledModel:
    """compile_model, memoised per (questionnaire, model) pair."""
    return compile_model(questionnaire, model)


def _leaf_value(leaf: _Leaf, value: AnswerValue | None) -> int:
    # Answers were checked by parse_answers, so each kind meets the value shape it expects.
    if value is None:
        return 0
    kind = leaf.kind
    pts = leaf.points
    raw = 0
    if kind == "single":
        raw = pts.get(value, 0) if isinstance(value, str) else 0
    elif kind == "multi":
        for key in value if isinstance(value, tuple) else ():
            raw += pts.get(key, 0)
        if leaf.cap is not None and raw > leaf.cap:
            raw = leaf.cap
    elif kind == "rating":
        raw = value if isinstance(value, int) else 0
    elif isinstance(value, Mapping):
        for cells in value.values():
            if isinstance(cells, str):
                raw += pts.get(cells, 0)
            else:
                for cell in cells:
                    raw += pts.get(cell, 0)
    return raw * leaf.mult


def score(questionnaire: Questionnaire, model: ScoringModel, answers: Answers) -> Scorecard:
    """Score checked answers under a model; pure, exact, never mutates its inputs."""
    cm = compiled(questionnaire, model)
    values = answers.values
    nums: dict[str, int] = {}
    for leaf in cm.leaves:
        nums[leaf.node] = _leaf_value(leaf, values.get(leaf.item))
    for agg in cm.aggregates:
        total = 0
        for child, mult in agg.children:
            total += nums[child] * mult
        nums[agg.node] = total * agg.mult
    ratings: dict[str, int] = {}
    for iid in cm.rated_items:
        v = values.get(iid)
        ratings[iid] = v if isinstance(v, int) else 0
    level = model.below.level
    for lv in model.levels:
        if _level_met(cm, lv, nums, ratings):
            level = lv.level
            break
    return Scorecard(questionnaire.ref, model.ref, model.root, ratings, level, nums, cm)


def _score_met(cond: ScoreCondition, num: int, den: int) -> bool:
    lhs = num * cond.minimum.denominator
    rhs = cond.minimum.numerator * den
    return lhs > rhs if cond.strict else lhs >= rhs


def _level_met(cm: CompiledModel, lv: LevelDef, nums: Mapping[str, int], ratings: Mapping[str, int]) -> bool:
    for cond in lv.conditions:
        if isinstance(cond, ScoreCondition):
            if not _score_met(cond, nums[cond.node], cm.dens[cond.node]):
                return False
        else:
            n = 0
            for iid in cm.set_items[cond.item_set]:
                if ratings[iid] >= cond.at_least:
                    n += 1
            if n < cond.count:
                return False
    return True


def check_level(cm: CompiledModel, lv: LevelDef, nums: Mapping[str, int], ratings: Mapping[str, int]) -> LevelCheck:
    """Every condition of a level with actual values, shortfalls and the items closest to the threshold."""
    results: list[ConditionResult] = []
    for cond in lv.conditions:
        if isinstance(cond, ScoreCondition):
            actual = Fraction(nums[cond.node], cm.dens[cond.node])
            met = _score_met(cond, nums[cond.node], cm.dens[cond.node])
            results.append(ConditionResult(met, cond, actual, Fraction(0) if met else cond.minimum - actual))
        else:
            items = cm.set_items[cond.item_set]
            at = sum(1 for i in items if ratings[i] >= cond.at_least)
            pos = cm.positions
            below = sorted(((i, ratings[i]) for i in items if ratings[i] < cond.at_least), key=lambda p: (cond.at_least - p[1], pos[p[0]]))
            short = max(0, cond.count - at)
            results.append(ConditionResult(short == 0, cond, Fraction(at), Fraction(short), tuple(below)))
    met = all(r.met for r in results)
    return LevelCheck(lv.level, met, tuple(results), minimal_upgrades(cm, lv, ratings))


def minimal_upgrades(cm: CompiledModel, lv: LevelDef, ratings: Mapping[str, int]) -> tuple[tuple[str, int, int], ...]:
    """A smallest-gap set of rating upgrades that satisfies every rating condition of a level.

    Conditions over smaller item sets are served first, so an upgrade of a constraint scenario also
    counts toward the condition over all scenarios.
    """
    conds = sorted((c for c in lv.conditions if isinstance(c, RatingCondition)), key=lambda c: (len(cm.set_items[c.item_set]), -c.at_least))
    raised: dict[str, int] = {}
    for cond in conds:
        items = cm.set_items[cond.item_set]
        have = sum(1 for i in items if max(ratings[i], raised.get(i, 0)) >= cond.at_least)
        candidates = sorted(
            (i for i in items if max(ratings[i], raised.get(i, 0)) < cond.at_least),
            key=lambda i: (cond.at_least - max(ratings[i], raised.get(i, 0)), cm.positions[i]),
        )
        for iid in candidates[: max(0, cond.count - have)]:
            raised[iid] = cond.at_least
    return tuple(sorted(((i, ratings[i], to) for i, to in raised.items()), key=lambda u: cm.positions[u[0]]))


def explain(cm: CompiledModel, level: int, nums: Mapping[str, int], ratings: Mapping[str, int]) -> Explanation:
    """The level reached with its conditions, and what the next two levels need."""
    by_level = {lv.level: lv for lv in cm.model.levels}
    reached = check_level(cm, by_level[level], nums, ratings) if level in by_level else None
    higher = sorted(lv for lv in by_level if lv > level)
    nxt = check_level(cm, by_level[higher[0]], nums, ratings) if higher else None
    after = check_level(cm, by_level[higher[1]], nums, ratings) if len(higher) > 1 else None
    return Explanation(reached, nxt, after)


def rescore_with(
    questionnaire: Questionnaire,
    model: ScoringModel,
    answers: Answers,
    ratings: Mapping[str, int] | None = None,
    values: Mapping[str, AnswerValue] | None = None,
) -> Scorecard:
    """Score answers with some ratings or item values replaced (for what-if planning)."""
    merged = dict(answers.values)
    if values:
        merged.update(values)
    if ratings:
        merged.update(ratings)
    return score(questionnaire, model, Answers(answers.questionnaire, merged, answers.data, answers.derived))


def option_points(model: ScoringModel, item_id: str) -> Mapping[str, Fraction]:
    """The points each option of an item carries under a model (empty if the item is not scored)."""
    leaf = model.leaf_for_item(item_id)
    return leaf.scorer.points if leaf is not None and leaf.scorer is not None else {}


def dimension_scores(card: Scorecard, model: ScoringModel) -> Sequence[NodeScore]:
    """The scores of the model's dimensions, in order."""
    return [card.nodes[d.id] for d in model.dimensions]
