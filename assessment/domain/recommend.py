"""Recommendations: the gaps to the next levels, catalogue solutions that close them, and a costed roadmap.

The scoring engine is the only judge of levels: every plan is checked by re-scoring upgraded answers, so
the advice stays right when the model file changes. Search heuristics only decide what to try first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from math import lcm
from typing import TYPE_CHECKING, Any, Literal

from assessment.domain.answers import N_, Answers, AnswerValue
from assessment.domain.catalogue import Catalogue, Deployment, Solution
from assessment.domain.enterprise import EnterpriseProfile, SizeClass
from assessment.domain.explanation import number
from assessment.domain.model import LevelDef, RatingCondition, ScoreCondition, ScoringModel
from assessment.domain.questionnaire import Item, Questionnaire, Text, tr
from assessment.domain.scoring import CompiledModel, Scorecard, check_level, compiled, score

if TYPE_CHECKING:  # numpy and scikit-learn are imported where the text index is built and read, not on import
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

# Heuristic weight of one missing rating step against one missing point; it orders the search only.
LEVEL_STEP_POINTS = Fraction(5)
# Free tools still take effort to roll out; the floor keeps cost ratios finite and favours real impact.
EFFORT_FLOOR_CNY = Fraction(1000)
# Blend of the ranking: how much of the gap a solution closes, how well its text matches the gap, how cheap.
RANK_WEIGHTS = (0.55, 0.25, 0.20)
MAX_ROADMAP_STEPS = 40
# Normalised text similarity at which a solution is said to match the gap description.
SIMILAR_ENOUGH = 0.5
# The text index costs time per character of the query; the next level's needs come first and fill it.
GAP_TEXT_CHARS = 1200

SIZE_NAMES: Mapping[str, Text] = {
    "large": {"zh": "大型", "en": "large"},
    "medium": {"zh": "中型", "en": "medium-sized"},
    "small": {"zh": "小型", "en": "small"},
    "micro": {"zh": "微型", "en": "micro"},
}

Blocker = Literal["budget", "catalogue", "earlier_stage"]


@dataclass(frozen=True)
class MatchingProfile:
    """What solutions are matched on: GB/T 4754 industry, size class, GB/T 2260 region; None = not applied."""

    industry: str | None = None
    size: SizeClass | None = None
    region: str | None = None

    @classmethod
    def of(cls, enterprise: EnterpriseProfile) -> MatchingProfile:
        """The matching facts of a full enterprise profile."""
        return cls(enterprise.industry_code, enterprise.size, enterprise.region_code)


@dataclass(frozen=True)
class RecommendOptions:
    """User choices: budget (CNY, whole roadmap), target level, and filters (empty = no filter)."""

    budget_cny: int | None = None
    target_level: int | None = None
    deployments: frozenset[Deployment] = frozenset()
    scenarios: frozenset[str] = frozenset()
    limit: int = 10


@dataclass(frozen=True)
class Reason:
    """Why something is recommended or missing: an English msgid with params, translated where shown.

    Params that are texts ({"zh": …, "en": …}) are shown in the reader's language.
    """

    kind: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str = "zh", translate: Callable[[str], str] = lambda s: s) -> str:
        """The sentence in `lang`, translated and filled in."""
        params = {k: tr(v, lang) if isinstance(v, Mapping) else v for k, v in self.params.items()}
        return translate(self.message).format(**params)


@dataclass(frozen=True)
class Upgrade:
    """One answer change: a rating raised, an option reached, or options added."""

    item: str
    before: AnswerValue | None
    after: AnswerValue
    steps: int = 1


@dataclass(frozen=True)
class ConditionGap:
    """One condition of a level and how far the answers are from it."""

    kind: Literal["score", "ratings"]
    target: str
    name: Text
    required: Fraction
    actual: Fraction
    short: Fraction
    at_least: int | None = None
    strict: bool = False


@dataclass(frozen=True)
class LevelGap:
    """What blocks a level, and the cheapest combination of item and rating upgrades found to close it."""

    level: int
    name: Text
    met: bool
    conditions: tuple[ConditionGap, ...]
    upgrades: tuple[Upgrade, ...]
    upgrade_steps: int
    level_after_upgrades: int
    reasons: tuple[Reason, ...]

    @property
    def points_short(self) -> Fraction:
        """Points missing on score conditions (0 if none)."""
        return max((c.short for c in self.conditions if c.kind == "score"), default=Fraction(0))

    @property
    def ratings_short(self) -> Mapping[str, int]:
        """Rated items missing per item set (e.g. scenarios, constraint scenarios)."""
        return {c.target: int(c.short) for c in self.conditions if c.kind == "ratings"}


@dataclass(frozen=True)
class GapClosure:
    """A gap a solution closes, checked by the engine: a rated item reaching a short condition, or points."""

    level: int
    kind: Literal["score", "ratings"]
    condition: str
    item: str | None
    before: int | None
    after: int | None
    points: Fraction
    short: Fraction


@dataclass(frozen=True)
class Recommendation:
    """A ranked solution the enterprise can adopt now, the gaps it closes, and why."""

    solution: Solution
    closes: tuple[GapClosure, ...]
    changes: tuple[Upgrade, ...]
    reasons: tuple[Reason, ...]
    level_before: int
    level_after: int
    rank: float
    similarity: float


@dataclass(frozen=True)
class RoadmapStep:
    """One solution on the way to a level, with cumulative cost and time and the engine's level after it."""

    solution: Solution
    stage: int
    changes: tuple[Upgrade, ...]
    closes: tuple[GapClosure, ...]
    reasons: tuple[Reason, ...]
    level_after: int
    cost_min_cny: int
    cost_max_cny: int
    weeks_min: int
    weeks_max: int


@dataclass(frozen=True)
class Stage:
    """The steps that take the enterprise to one level, or a plain statement of why none do."""

    level: int
    name: Text
    reached: bool
    closable: bool
    blocker: Blocker | None
    steps: tuple[RoadmapStep, ...]
    cost_min_cny: int
    cost_max_cny: int
    weeks_min: int
    weeks_max: int
    message: Reason | None
    missing: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Roadmap:
    """Ordered stages from the current level to the target level."""

    target_level: int
    stages: tuple[Stage, ...]
    reaches_target: bool
    cost_min_cny: int
    cost_max_cny: int
    weeks_min: int
    weeks_max: int
    message: Reason | None

    @property
    def steps(self) -> tuple[RoadmapStep, ...]:
        """Every step of every stage, in order."""
        return tuple(s for stage in self.stages for s in stage.steps)


@dataclass(frozen=True)
class Advice:
    """Everything the results page, the report and the CLI show about recommendations."""

    questionnaire: str
    model: str
    level: int
    level_name: Text
    target_level: int
    gaps: tuple[LevelGap, ...]
    recommendations: tuple[Recommendation, ...]
    roadmap: Roadmap
    excluded: Mapping[str, int]
    notes: tuple[Reason, ...]
    catalogues: tuple[str, ...]


# ---------------------------------------------------------------- catalogue index (TF-IDF, fitted once)


@dataclass(frozen=True, eq=False)
class SolutionIndex:
    """The solutions of a set of catalogues with a character n-gram TF-IDF fitted on their texts."""

    catalogues: tuple[Catalogue, ...]
    solutions: tuple[Solution, ...]
    questionnaires: tuple[str, ...]
    vectorizer: TfidfVectorizer
    matrix: Any

    def similarity(self, text: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Cosine similarity of every solution's text to `text` (rows are L2-normalised)."""
        import numpy as np

        if not self.solutions or not text.strip():
            return np.zeros(len(self.solutions))
        query = self.vectorizer.transform([text])
        return np.asarray((self.matrix @ query.T).toarray()).ravel()


def solution_text(solution: Solution) -> str:
    """The words that describe a solution: name, summary and effects in every language."""
    parts: list[str] = [*solution.name.values(), *(solution.summary or {}).values()]
    for effect in solution.effects:
        parts.extend(effect.values())
    return " ".join(parts)


@lru_cache(maxsize=16)
def index_catalogues(catalogues: tuple[Catalogue, ...]) -> SolutionIndex:
    """Fit the text index once per set of catalogues (cached by identity)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    pairs = sorted(((s, c.questionnaire) for c in catalogues for s in c.solutions), key=lambda p: p[0].key)
    solutions = tuple(s for s, _q in pairs)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    matrix = vectorizer.fit_transform([solution_text(s) for s in solutions]) if solutions else None
    return SolutionIndex(catalogues, solutions, tuple(q for _s, q in pairs), vectorizer, matrix)


# ---------------------------------------------------------------- the engine, as the planner sees it


@dataclass(frozen=True)
class _Target:
    """A level's conditions in whole units (1/unit of a point), so shortfalls add up without fractions."""

    level: int
    scores: tuple[tuple[str, int, int, bool], ...]
    ratings: tuple[tuple[tuple[str, ...], int, int], ...]


@dataclass(frozen=True, eq=False)
class _Rules:
    questionnaire: Questionnaire
    model: ScoringModel
    cm: CompiledModel
    levels: Mapping[int, LevelDef]
    targets: Mapping[int, _Target]
    points: Mapping[str, Mapping[str, Fraction]]
    choice_items: tuple[str, ...]
    nodes: tuple[str, ...]
    step_units: int
    order: Mapping[str, int]


@lru_cache(maxsize=32)
def _rules(questionnaire: Questionnaire, model: ScoringModel) -> _Rules:
    cm = compiled(questionnaire, model)
    points: dict[str, Mapping[str, Fraction]] = {}
    for node in model.nodes.values():
        scorer = node.scorer
        if scorer is not None and scorer.method in ("options", "grid"):
            points[scorer.item] = scorer.points
    score_conds = [c for lv in model.levels for c in lv.conditions if isinstance(c, ScoreCondition)]
    nodes = tuple(sorted({c.node for c in score_conds}))
    unit = lcm(1, *(cm.dens[n] for n in nodes), *(c.minimum.denominator for c in score_conds))
    targets = {
        lv.level: _Target(
            lv.level,
            tuple((c.node, unit // cm.dens[c.node], int(c.minimum * unit), c.strict)
                  for c in lv.conditions if isinstance(c, ScoreCondition)),
            tuple((cm.set_items[c.item_set], c.at_least, c.count)
                  for c in lv.conditions if isinstance(c, RatingCondition)))
        for lv in model.levels}
    return _Rules(questionnaire, model, cm, {lv.level: lv for lv in model.levels}, targets, points,
                  tuple(i.id for i in questionnaire.items if i.id in points), nodes, int(LEVEL_STEP_POINTS * unit),
                  {i.id: n for n, i in enumerate(questionnaire.items)})


@dataclass(frozen=True)
class _State:
    """Answers under consideration with the engine's numerators of the tested nodes and the ratings."""

    values: Mapping[str, AnswerValue]
    nums: Mapping[str, int]
    ratings: Mapping[str, int]


class _Planner:
    """Scores candidate answers with the engine and measures how far they are from a level.

    The engine's scores are linear in its leaves, so the effect of changing one item on the tested nodes
    does not depend on the other answers: it is computed once by the engine and reused (`shift`). Whether a
    level is reached is always asked of the engine itself.
    """

    def __init__(self, rules: _Rules, answers: Answers) -> None:
        self.rules = rules
        self.answers = answers
        self._deltas: dict[tuple[str, Any, Any], tuple[tuple[str, int], ...]] = {}
        self._memo: tuple[Mapping[str, int], int, int] | None = None
        self.moves: dict[tuple[str, Any], list[tuple[str, AnswerValue, int]]] = {}
        self._effects: dict[tuple[str, tuple[Any, ...]], dict[str, AnswerValue] | None] = {}
        self._touched: dict[str, tuple[str, ...]] = {}

    def score(self, values: Mapping[str, AnswerValue]) -> Scorecard:
        a = self.answers
        return score(self.rules.questionnaire, self.rules.model, Answers(a.questionnaire, values, a.data, a.derived))

    def state(self, values: Mapping[str, AnswerValue]) -> _State:
        card = self.score(values)
        return _State(dict(values), {n: card.numerators[n] for n in self.rules.nodes}, dict(card.ratings))

    def level(self, state: _State) -> int:
        """The engine's level for a state."""
        return self.score(state.values).level

    def shift(self, state: _State, changes: Mapping[str, AnswerValue]) -> _State:
        """The state after some answer changes."""
        nums, ratings = self._moved(state, changes)
        return _State({**state.values, **changes}, nums, ratings)

    def peek(self, level: int, state: _State, changes: Mapping[str, AnswerValue]) -> int:
        """The shortfall for a level after some answer changes, without building the new state."""
        nums, ratings = self._moved(state, changes)
        return self._shortfall(level, nums, ratings)

    def _moved(self, state: _State, changes: Mapping[str, AnswerValue]) -> tuple[dict[str, int], Mapping[str, int]]:
        nums = dict(state.nums)
        ratings = state.ratings
        for item, new in changes.items():
            key = (item, _hashable(state.values.get(item)), _hashable(new))
            delta = self._deltas.get(key)
            if delta is None:
                trial = self.score({**state.values, item: new})
                delta = tuple((n, trial.numerators[n] - state.nums[n]) for n in self.rules.nodes)
                self._deltas[key] = delta
            for node, d in delta:
                nums[node] += d
            if item in ratings:
                if ratings is state.ratings:
                    ratings = dict(ratings)
                ratings[item] = new if isinstance(new, int) else 0  # type: ignore[index]
        return nums, ratings

    def shortfall(self, level: int, state: _State) -> int:
        """Points plus weighted rating steps still missing for a level's conditions, in units (0: all hold)."""
        return self._shortfall(level, state.nums, state.ratings)

    def _shortfall(self, level: int, nums: Mapping[str, int], ratings: Mapping[str, int]) -> int:
        target = self.rules.targets.get(level)
        if target is None:
            return 0
        total = 0
        for node, scale, threshold, strict in target.scores:
            short = threshold - nums[node] * scale + (1 if strict else 0)
            if short > 0:
                total += short
        return total + self._ratings_short(target, ratings)

    def _ratings_short(self, target: _Target, ratings: Mapping[str, int]) -> int:
        # Item moves leave the ratings object untouched, so one remembered answer saves most of the work.
        memo = self._memo
        if memo is not None and memo[0] is ratings and memo[1] == target.level:
            return memo[2]
        total = 0
        for items, at_least, count in target.ratings:
            gaps = sorted(at_least - ratings[i] for i in items if ratings[i] < at_least)
            need = count - (len(items) - len(gaps))
            if need > 0:
                total += self.rules.step_units * sum(gaps[:need])
        self._memo = (ratings, target.level, total)
        return total

    def conditions(self, level: int, values: Mapping[str, AnswerValue]) -> tuple[ConditionGap, ...]:
        """The level's conditions with required, actual and short, as the engine reports them."""
        card = self.score(values)
        model = self.rules.model
        check = check_level(self.rules.cm, self.rules.levels[level], card.numerators, card.ratings)
        out: list[ConditionGap] = []
        for res in check.conditions:
            cond = res.condition
            if isinstance(cond, ScoreCondition):
                out.append(ConditionGap("score", cond.node, model.nodes[cond.node].name, cond.minimum, res.actual,
                                        res.shortfall, None, cond.strict))
            else:
                out.append(ConditionGap("ratings", cond.item_set, model.item_sets[cond.item_set].name,
                                        Fraction(cond.count), res.actual, res.shortfall, cond.at_least))
        return tuple(out)

    # -- declared effects of a solution

    def apply(self, solution: Solution, values: Mapping[str, AnswerValue]) -> dict[str, AnswerValue] | None:
        """The answer changes a solution's declared effects make, or None when none of them changes anything."""
        touched = self._touched.get(solution.key)
        if touched is None:
            touched = self._touched[solution.key] = (*(x.scenario for x in solution.scenarios),
                                                     *(x.item for x in solution.items))
        key = (solution.key, tuple(_hashable(values.get(i)) for i in touched))
        if key not in self._effects:
            self._effects[key] = self._apply(solution, values)
        return self._effects[key]

    def _apply(self, solution: Solution, values: Mapping[str, AnswerValue]) -> dict[str, AnswerValue] | None:
        q = self.rules.questionnaire
        changed: dict[str, AnswerValue] = {}
        for scenario in solution.scenarios:
            item = q.item(scenario.scenario)
            current = values.get(scenario.scenario)
            rating = current if isinstance(current, int) else 0
            if item is not None and item.type == "rating" and scenario.from_level <= rating < scenario.to_level:
                changed[scenario.scenario] = min(scenario.to_level, item.max_rating)
        for lift in solution.items:
            item = q.item(lift.item)
            if item is None:
                continue
            new = self._option_value(item, values.get(lift.item), lift.options)
            if new is not None:
                changed[lift.item] = new
        return changed or None

    def _option_value(self, item: Item, current: AnswerValue | None,
                      options: Sequence[str]) -> AnswerValue | None:
        if item.type == "multi":
            chosen = set(current) if isinstance(current, tuple) else set()
            chosen -= item.exclusive_keys
            wanted = {o for o in options if o in item.option_set and o not in item.exclusive_keys}
            if wanted <= chosen:
                return None
            return tuple(k for k in item.option_keys if k in chosen | wanted)
        if item.type == "single" and options and options[0] in item.option_set:
            target = options[0]
            if current == target:
                return None
            pts = self.rules.points.get(item.id)
            if pts is not None:
                now = pts.get(current, Fraction(-1)) if isinstance(current, str) else Fraction(-1)
                return target if pts.get(target, Fraction(0)) > now else None
            order = item.option_keys
            now_at = order.index(current) if isinstance(current, str) and current in item.option_set else -1
            return target if order.index(target) > now_at else None
        return None

    def waiting(self, solution: Solution, values: Mapping[str, AnswerValue]) -> bool:
        """Whether some scenario lift of the solution needs a higher starting level than the answers have."""
        for lift in solution.scenarios:
            current = values.get(lift.scenario)
            if (current if isinstance(current, int) else 0) < lift.from_level:
                return True
        return False

    def upgrades(self, before: Mapping[str, AnswerValue], changes: Mapping[str, AnswerValue]) -> tuple[Upgrade, ...]:
        """Answer changes as upgrades, in questionnaire order."""
        order = self.rules.order
        return tuple(Upgrade(i, before.get(i), v, _steps_between(self.rules, i, before.get(i), v))
                     for i, v in sorted(changes.items(), key=lambda c: order.get(c[0], len(order))))

    def closures(self, level: int, before: _State, after: _State) -> tuple[GapClosure, ...]:
        """The short conditions of a level that the change from `before` to `after` helps meet."""
        lv = self.rules.levels[level]
        cm = self.rules.cm
        out: list[GapClosure] = []
        for cond in lv.conditions:
            if isinstance(cond, ScoreCondition):
                den = cm.dens[cond.node]
                was = Fraction(before.nums[cond.node], den)
                now = Fraction(after.nums[cond.node], den)
                short = cond.minimum - was
                if (short > 0 or (cond.strict and short == 0)) and now > was:
                    out.append(GapClosure(level, "score", cond.node, None, None, None, now - was, max(short, Fraction(0))))
            else:
                items = cm.set_items[cond.item_set]
                missing = cond.count - sum(1 for i in items if before.ratings[i] >= cond.at_least)
                if missing <= 0:
                    continue
                for iid in items:
                    b, a = before.ratings[iid], after.ratings[iid]
                    if b < cond.at_least <= a:
                        out.append(GapClosure(level, "ratings", cond.item_set, iid, b, a, Fraction(0),
                                              Fraction(missing)))
        return tuple(out)

    def prerequisites_met(self, solution: Solution, values: Mapping[str, AnswerValue]) -> bool:
        """Whether every prerequisite of a solution holds for these answers."""
        for req in solution.requires:
            value = values.get(req.item)
            if req.at_least is not None:
                if not (isinstance(value, int) and value >= req.at_least):
                    return False
                continue
            chosen = {value} if isinstance(value, str) else set(value) if isinstance(value, tuple) else set()
            if not chosen & set(req.any_of):
                return False
        return True


def apply_solution(questionnaire: Questionnaire, model: ScoringModel, answers: Answers,
                   solution: Solution) -> Answers:
    """Answers after a solution's declared effects (unchanged when none apply)."""
    changes = _Planner(_rules(questionnaire, model), answers).apply(solution, answers.values)
    if changes is None:
        return answers
    return Answers(answers.questionnaire, {**answers.values, **changes}, answers.data, answers.derived)


def prerequisites_met(questionnaire: Questionnaire, model: ScoringModel, answers: Answers, solution: Solution) -> bool:
    """Whether every prerequisite of a solution holds for these answers."""
    return _Planner(_rules(questionnaire, model), answers).prerequisites_met(solution, answers.values)


# ---------------------------------------------------------------- gaps and the cheapest abstract upgrades


def _item_moves(planner: _Planner, values: Mapping[str, AnswerValue]) -> list[tuple[str, AnswerValue, int]]:
    """Every one-move improvement of a scored choice item: add an option, or reach a higher-scoring one."""
    moves: list[tuple[str, AnswerValue, int]] = []
    for iid in planner.rules.choice_items:
        current = values.get(iid)
        key = (iid, _hashable(current))
        found = planner.moves.get(key)
        if found is None:
            found = planner.moves[key] = _moves_of(planner.rules, iid, current)
        moves.extend(found)
    return moves


def _moves_of(rules: _Rules, iid: str, current: AnswerValue | None) -> list[tuple[str, AnswerValue, int]]:
    item = rules.questionnaire.item_index[iid]
    pts = rules.points[iid]
    if item.type == "multi":
        chosen = (set(current) if isinstance(current, tuple) else set()) - item.exclusive_keys
        # Options worth the same points are interchangeable moves: the first in order stands for them all.
        first: dict[Fraction, str] = {}
        for key in item.option_keys:
            if key not in chosen and key not in item.exclusive_keys and pts.get(key, Fraction(0)) > 0:
                first.setdefault(pts[key], key)
        return [(iid, tuple(k for k in item.option_keys if k in chosen or k == key), 1) for key in first.values()]
    if item.type == "single":
        now = pts.get(current, Fraction(-1)) if isinstance(current, str) else Fraction(-1)
        worth = {key: pts.get(key, Fraction(0)) for key in item.option_keys}
        tiers = sorted({p for p in worth.values() if p > now})
        return [(iid, key, tiers.index(p) + 1) for key, p in worth.items() if p > now]
    if item.type == "grid":
        return [(iid, cells, 1) for cells in _grid_moves(item, pts, current)]
    return []


def _grid_moves(item: Item, pts: Mapping[str, Fraction], current: AnswerValue | None) -> list[dict[str, Any]]:
    """One row moved to a higher-scoring column (or, for a multi grid, one more column ticked)."""
    cells: dict[str, Any] = dict(current) if isinstance(current, Mapping) else {}
    out: list[dict[str, Any]] = []
    columns = [c.key for c in item.columns]
    for row in item.rows:
        have = cells.get(row.key)
        if item.grid_multi:
            ticked = set(have) if isinstance(have, tuple) else set()
            out.extend({**cells, row.key: tuple(c for c in columns if c in ticked or c == key)}
                       for key in columns if key not in ticked and pts.get(key, Fraction(0)) > 0)
        else:
            now = pts.get(have, Fraction(-1)) if isinstance(have, str) else Fraction(-1)
            out.extend({**cells, row.key: key} for key in columns if pts.get(key, Fraction(0)) > now)
    return out


def _hashable(value: AnswerValue | None) -> Any:
    """Grid answers are mappings; the change cache needs a hashable form."""
    if isinstance(value, Mapping):
        return tuple(sorted(value.items()))
    return value


def _rating_moves(rules: _Rules, values: Mapping[str, AnswerValue]) -> list[tuple[str, AnswerValue, int]]:
    moves: list[tuple[str, AnswerValue, int]] = []
    for iid in rules.cm.rated_items:
        item = rules.questionnaire.item_index[iid]
        current = values.get(iid)
        rating = current if isinstance(current, int) else 0
        if rating < item.max_rating:
            moves.append((iid, rating + 1, 1))
    return moves


def _steps_between(rules: _Rules, iid: str, before: AnswerValue | None, after: AnswerValue) -> int:
    item = rules.questionnaire.item_index[iid]
    if item.type == "rating" and isinstance(after, int):
        return after - (before if isinstance(before, int) else 0)
    if item.type == "multi" and isinstance(after, tuple):
        was = set(before) if isinstance(before, tuple) else set()
        return len(set(after) - was)
    if item.type == "grid" and isinstance(after, Mapping):
        old: Mapping[str, Any] = before if isinstance(before, Mapping) else {}
        return sum(1 for row, cell in after.items() if old.get(row) != cell)
    pts = rules.points.get(iid, {})
    now = pts.get(before, Fraction(-1)) if isinstance(before, str) else Fraction(-1)
    tiers = sorted({p for p in pts.values() if p > now})
    target = pts.get(after, Fraction(0)) if isinstance(after, str) else Fraction(0)
    return tiers.index(target) + 1 if target in tiers else 1


def _cheapest_upgrades(planner: _Planner, level: int, start: _State, card: Scorecard) -> dict[str, AnswerValue]:
    """Fewest rating steps and option moves found that reach a level by the engine.

    Rating upgrades come from the engine's own minimal set; points come greedily from the moves that remove
    most shortfall per step; moves that turn out unnecessary are dropped again.
    """
    rules = planner.rules
    lv = rules.levels[level]
    chosen: dict[str, AnswerValue] = {
        iid: after for iid, _before, after in check_level(rules.cm, lv, card.numerators, card.ratings).upgrades}
    state = planner.shift(start, chosen)
    for _ in range(64):
        if planner.level(state) >= level:
            break
        short = planner.shortfall(level, state)
        best: tuple[float, int, int] | None = None
        pick: tuple[str, AnswerValue] | None = None
        for n, (iid, new, cost) in enumerate(_item_moves(planner, state.values) + _rating_moves(rules, state.values)):
            gain = short - planner.peek(level, state, {iid: new})
            key = (gain / cost, -cost, -n)
            if gain > 0 and (best is None or key > best):
                best, pick = key, (iid, new)
        if pick is None:
            break
        iid, new = pick
        state = planner.shift(state, {iid: new})
        chosen[iid] = new
    if planner.level(state) >= level:
        for iid in sorted(chosen, key=lambda i: (-_steps_between(rules, i, start.values.get(i), chosen[i]),
                                                 rules.order[i])):
            trial_changes = {k: v for k, v in chosen.items() if k != iid}
            if planner.score({**start.values, **trial_changes}).level >= level:
                chosen = trial_changes
    return chosen


def _stage_levels(model: ScoringModel, level: int, target: int | None) -> tuple[int, list[int]]:
    """The target level and every level between the current one and it (default: the next two)."""
    above = sorted(lv.level for lv in model.levels if lv.level > level)
    default = above[min(1, len(above) - 1)] if above else level
    goal = default if target is None else min(target, model.top_level)
    return goal, [lv for lv in above if lv <= goal]


def level_gaps(questionnaire: Questionnaire, model: ScoringModel, answers: Answers,
               target_level: int | None = None) -> tuple[LevelGap, ...]:
    """The gaps blocking the next level and the one after (or every level up to a target)."""
    planner = _Planner(_rules(questionnaire, model), answers)
    card = planner.score(answers.values)
    start = planner.state(answers.values)
    _goal, stages = _stage_levels(model, card.level, target_level)
    return tuple(_level_gap(planner, level, start, card) for level in stages)


def _level_gap(planner: _Planner, level: int, start: _State, card: Scorecard) -> LevelGap:
    rules = planner.rules
    conditions = planner.conditions(level, start.values)
    chosen = _cheapest_upgrades(planner, level, start, card)
    after = planner.score({**start.values, **chosen})
    upgrades = planner.upgrades(start.values, chosen)
    name = rules.model.level_def(level).name
    reasons = [_condition_reason(c, name) for c in conditions if c.short > 0]
    reasons += [_upgrade_reason(rules, u) for u in upgrades]
    return LevelGap(level, name, all(c.short == 0 for c in conditions), conditions, upgrades,
                    sum(u.steps for u in upgrades), after.level, tuple(reasons))


def _item_name(rules: _Rules, iid: str) -> Text:
    item = rules.questionnaire.item(iid)
    if item is None:
        return {"zh": iid, "en": iid}
    return item.short or item.text


def _option_names(rules: _Rules, iid: str, keys: Iterable[str]) -> Text:
    item = rules.questionnaire.item(iid)
    langs = rules.questionnaire.languages
    if item is None:
        return {lang: ", ".join(keys) for lang in langs}
    opts = [o for o in item.options if o.key in set(keys)]
    sep = {"zh": "、"}
    return {lang: sep.get(lang, ", ").join(f"{o.key} {tr(o.text, lang)}" for o in opts) for lang in langs}


def _in_sentence(text: Text) -> Text:
    """A set name inside an English sentence starts lower-case ("constraint scenarios")."""
    return {k: (v[:1].lower() + v[1:] if k == "en" else v) for k, v in text.items()}


def _condition_reason(cond: ConditionGap, level_name: Text) -> Reason:
    if cond.kind == "score":
        return Reason("points_short", N_("{level} needs {required} points on {node}; you have {actual}, {short} short"),
                      {"level": level_name, "required": number(cond.required), "node": cond.name,
                       "actual": number(cond.actual), "short": number(cond.short)})
    return Reason("ratings_short", N_("{level} needs {required} {set} at L{at_least} or above; you have {actual}, "
                                      "{short} short"),
                  {"level": level_name, "required": number(cond.required), "set": _in_sentence(cond.name),
                   "at_least": cond.at_least, "actual": number(cond.actual), "short": number(cond.short)})


def _upgrade_reason(rules: _Rules, upgrade: Upgrade) -> Reason:
    item = rules.questionnaire.item_index[upgrade.item]
    if item.type == "rating":
        return Reason("raise_rating", N_("raise {item} from L{before} to L{after}"),
                      {"item": _item_name(rules, upgrade.item), "before": upgrade.before or 0, "after": upgrade.after})
    if item.type == "grid" and isinstance(upgrade.after, Mapping):
        old: Mapping[str, Any] = upgrade.before if isinstance(upgrade.before, Mapping) else {}
        rows = [r for r in item.rows if old.get(r.key) != upgrade.after.get(r.key)]
        sep = {"zh": "、"}
        langs = rules.questionnaire.languages
        return Reason("improve_rows", N_("{item}: move up on {rows}"),
                      {"item": _item_name(rules, upgrade.item),
                       "rows": {lang: sep.get(lang, ", ").join(tr(r.text, lang) for r in rows) for lang in langs}})
    if item.type == "multi":
        was = set(upgrade.before) if isinstance(upgrade.before, tuple) else set()
        added = [k for k in upgrade.after if k not in was]  # type: ignore[union-attr]
        return Reason("add_options", N_("{item}: also achieve {options}"),
                      {"item": _item_name(rules, upgrade.item), "options": _option_names(rules, upgrade.item, added)})
    return Reason("reach_option", N_("{item}: reach {option}"),
                  {"item": _item_name(rules, upgrade.item),
                   "option": _option_names(rules, upgrade.item, [str(upgrade.after)])})


# ---------------------------------------------------------------- eligibility


def exclusion(solution: Solution, profile: MatchingProfile, options: RecommendOptions,
              questionnaire_id: str, catalogue_questionnaire: str) -> str | None:
    """The first rule that rules a solution out for this enterprise, or None when it is eligible."""
    if catalogue_questionnaire != questionnaire_id:
        return "questionnaire"
    if solution.listing.status == "delisted":
        return "delisted"
    if profile.industry is not None and not solution.fits_industry(profile.industry):
        return "industry"
    if profile.size is not None and profile.size not in solution.sizes:
        return "size"
    if profile.region is not None and not solution.provider.serves(profile.region):
        return "region"
    if options.deployments and not set(solution.deployment) & options.deployments:
        return "deployment"
    if options.budget_cny is not None and solution.price.max_cny > options.budget_cny:
        return "budget"
    return None


def _cost(solution: Solution) -> Fraction:
    return solution.price.mid_cny + EFFORT_FLOOR_CNY


def _fit_reasons(solution: Solution, profile: MatchingProfile, options: RecommendOptions,
                 rules: _Rules) -> list[Reason]:
    out: list[Reason] = []
    if profile.industry is not None:
        out.append(Reason("fits_industry", N_("made for your industry ({industry})"), {"industry": profile.industry}))
    if profile.size is not None:
        out.append(Reason("fits_size", N_("offered to {size} enterprises"), {"size": SIZE_NAMES[profile.size]}))
    if profile.region is not None:
        out.append(Reason("serves_region", N_("the provider serves your region ({region})"), {"region": profile.region}))
    price = solution.price
    if options.budget_cny is not None:
        out.append(Reason("within_budget", N_("{min}–{max} CNY, within your budget of {budget} CNY"),
                          {"min": price.min_cny, "max": price.max_cny, "budget": options.budget_cny}))
    for req in solution.requires:
        if req.at_least is not None:
            out.append(Reason("prerequisite_met", N_("its prerequisite holds: {item} at L{at_least} or above"),
                              {"item": _item_name(rules, req.item), "at_least": req.at_least}))
        else:
            out.append(Reason("prerequisite_met", N_("its prerequisite holds: {item} includes one of {options}"),
                              {"item": _item_name(rules, req.item), "options": _option_names(rules, req.item, req.any_of)}))
    if solution.provenance.demo:
        out.append(Reason("demo", N_("illustrative demo entry ({catalogue}), not a real product"),
                          {"catalogue": solution.provenance.catalogue}))
    return out


def _closure_reasons(rules: _Rules, closes: Sequence[GapClosure]) -> list[Reason]:
    """One sentence per gap closed; a rated item counted by several sets is named with the narrowest set."""
    out: list[Reason] = []
    model = rules.model
    narrowest: dict[tuple[int, str], GapClosure] = {}
    for c in closes:
        if c.kind == "ratings" and c.item is not None:
            key = (c.level, c.item)
            other = narrowest.get(key)
            if other is None or len(rules.cm.set_items[c.condition]) < len(rules.cm.set_items[other.condition]):
                narrowest[key] = c
    for c in closes:
        level = model.level_def(c.level).name
        if c.kind == "ratings" and c.item is not None:
            if narrowest[(c.level, c.item)] is not c:
                continue
            params = {"scenario": _item_name(rules, c.item), "before": c.before, "after": c.after,
                      "n": int(c.short), "set": _in_sentence(model.item_sets[c.condition].name), "level": level}
            if c.short == 1:
                out.append(Reason("closes_ratings", N_("raises {scenario} from L{before} to L{after} — the one more of "
                                                       "the {set} you still need for {level}"), params))
            else:
                out.append(Reason("closes_ratings", N_("raises {scenario} from L{before} to L{after} — one of the {n} "
                                                       "{set} you still need for {level}"), params))
        else:
            out.append(Reason("closes_points", N_("adds {points} points to {node} — {short} points still missing "
                                                  "for {level}"),
                              {"points": number(c.points), "node": model.nodes[c.condition].name,
                               "short": number(c.short), "level": level}))
    return out


def _progress_reasons(rules: _Rules, changes: Sequence[Upgrade], closes: Sequence[GapClosure]) -> list[Reason]:
    """Changes that move toward a level without closing a condition yet."""
    closed = {c.item for c in closes if c.item is not None}
    out: list[Reason] = []
    for u in changes:
        item = rules.questionnaire.item_index[u.item]
        if item.type == "rating" and u.item not in closed:
            out.append(Reason("progress", N_("raises {scenario} from L{before} to L{after}"),
                              {"scenario": _item_name(rules, u.item), "before": u.before or 0, "after": u.after}))
    return out


# ---------------------------------------------------------------- path search over the catalogue


@dataclass(frozen=True)
class _Candidate:
    solution: Solution
    cost: Fraction
    similarity: float
    order: int  # position by key: ties go to the first

    @property
    def key(self) -> str:
        return self.solution.key


@dataclass(frozen=True)
class _Path:
    steps: tuple[_Candidate, ...]
    reached: bool
    end: _State


def _greedy(planner: _Planner, level: int, start: _State, pool: Sequence[_Candidate], budget: int | None) -> _Path:
    """Repeatedly adopt the solution that removes most shortfall per CNY until the engine says the level holds."""
    state = start
    used: list[_Candidate] = []
    taken: set[str] = set()
    spent = 0
    while planner.level(state) < level and len(used) < MAX_ROADMAP_STEPS:
        short = planner.shortfall(level, state)
        best: tuple[float, float, float, int] | None = None
        pick: tuple[_Candidate, dict[str, AnswerValue]] | None = None
        for cand in pool:
            sol = cand.solution
            if sol.key in taken or (budget is not None and spent + sol.price.max_cny > budget):
                continue
            if not planner.prerequisites_met(sol, state.values):
                continue
            changes = planner.apply(sol, state.values)
            if changes is None:
                continue
            gain = short - planner.peek(level, state, changes)
            if gain <= 0:
                continue
            cost = float(cand.cost)
            key = (gain / cost, cand.similarity, -cost, -cand.order)
            if best is None or key > best:
                best, pick = key, (cand, changes)
        if pick is None:
            break
        cand, chosen_changes = pick
        state = planner.shift(state, chosen_changes)
        used.append(cand)
        taken.add(cand.solution.key)
        spent += cand.solution.price.max_cny
    return _Path(tuple(used), planner.level(state) >= level, state)


def _closure(planner: _Planner, level: int, start: _State, pool: Sequence[_Candidate]) -> _Path:
    """Adopt eligible solutions (cheapest first) until the engine gives the level or nothing more applies.

    Each solution is adopted once, so one whose scenario lift still waits for its starting level is adopted
    only when no other solution is ready; otherwise that lift would be wasted.
    """
    state = start
    used: list[_Candidate] = []
    taken: set[str] = set()
    ordered = sorted(pool, key=lambda c: (c.cost, c.solution.key))
    while planner.level(state) < level:
        partial: tuple[_Candidate, dict[str, AnswerValue]] | None = None
        adopted = False
        for cand in ordered:
            if cand.solution.key in taken or not planner.prerequisites_met(cand.solution, state.values):
                continue
            changes = planner.apply(cand.solution, state.values)
            if changes is None:
                continue
            if planner.waiting(cand.solution, state.values):
                partial = partial or (cand, changes)
                continue
            state = planner.shift(state, changes)
            used.append(cand)
            taken.add(cand.solution.key)
            adopted = True
        if adopted:
            continue
        if partial is None:
            break
        state = planner.shift(state, partial[1])
        used.append(partial[0])
        taken.add(partial[0].solution.key)
    return _Path(tuple(used), planner.level(state) >= level, state)


def _simulate(planner: _Planner, start: _State, steps: Sequence[_Candidate]) -> _Path | None:
    """Apply steps in order; None when a step's prerequisites fail. Steps that change nothing are dropped."""
    state = start
    kept: list[_Candidate] = []
    for cand in steps:
        if not planner.prerequisites_met(cand.solution, state.values):
            return None
        changes = planner.apply(cand.solution, state.values)
        if changes is not None:
            state = planner.shift(state, changes)
            kept.append(cand)
    return _Path(tuple(kept), False, state)


def _prune(planner: _Planner, level: int, start: _State, path: _Path) -> _Path:
    """Drop steps, dearest first, while the rest still reaches the level by the engine in the same order."""
    steps = list(path.steps)
    for cand in sorted(path.steps, key=lambda c: (-c.cost, c.solution.key)):
        if cand not in steps:
            continue
        run = _simulate(planner, start, [c for c in steps if c is not cand])
        if run is not None and planner.level(run.end) >= level:
            steps = list(run.steps)
    run = _simulate(planner, start, steps)
    assert run is not None
    return _Path(run.steps, planner.level(run.end) >= level, run.end)


def _stage_path(planner: _Planner, level: int, start: _State, pool: Sequence[_Candidate],
                dear: Sequence[_Candidate], budget: int | None) -> tuple[_Path, bool]:
    """The cheapest path found to a level within the budget, and whether the catalogue can reach it at all.

    Greedy by shortfall removed per CNY, then pruned. When greedy stalls (a step that only unlocks others, or
    the budget), every applicable solution is adopted and then pruned, which reaches the level whenever any
    combination does; `dear` holds the solutions priced above the budget, so "catalogue" and "budget" blockers
    are told apart.
    """
    greedy = _greedy(planner, level, start, pool, budget)
    if greedy.reached:
        return _prune(planner, level, start, greedy), True
    wide = sorted([*pool, *dear], key=lambda c: c.order)
    closure = _closure(planner, level, start, wide)
    if not closure.reached:
        return greedy, False
    paths: list[_Path] = []
    within = _closure(planner, level, start, pool) if dear else closure
    if within.reached:
        paths.append(_prune(planner, level, start, within))
    unbounded = _greedy(planner, level, start, wide, None)
    if unbounded.reached:
        paths.append(_prune(planner, level, start, unbounded))
    if not paths:
        paths.append(_prune(planner, level, start, closure))

    def rank(path: _Path) -> tuple[bool, int, int]:
        cost = sum(c.solution.price.max_cny for c in path.steps)
        return budget is not None and cost > budget, cost, len(path.steps)

    return min(paths, key=rank), True


# ---------------------------------------------------------------- the advice


def _gap_text(rules: _Rules, gaps: Sequence[LevelGap]) -> str:
    """Words describing what the enterprise lacks: the descriptors and options its upgrades need."""
    parts: list[str] = []
    for gap in gaps:
        for u in gap.upgrades:
            item = rules.questionnaire.item_index[u.item]
            parts.extend((item.short or item.text).values())
            if item.type == "rating" and isinstance(u.after, int):
                parts.extend(t for lv in item.levels if lv.level == u.after for t in lv.descriptor.values())
            elif item.type == "grid" and isinstance(u.after, Mapping):
                parts.extend(t for r in item.rows if r.key in u.after for t in r.text.values())
            else:
                keys = u.after if isinstance(u.after, tuple) else (str(u.after),)
                parts.extend(t for o in item.options if o.key in keys for t in o.text.values())
    out: list[str] = []
    size = 0
    for part in dict.fromkeys(parts):
        size += len(part) + 1
        if size > GAP_TEXT_CHARS:
            break
        out.append(part)
    return " ".join(out)


def recommend(questionnaire: Questionnaire, model: ScoringModel, answers: Answers, index: SolutionIndex,
              profile: MatchingProfile | None = None, options: RecommendOptions | None = None) -> Advice:
    """Gaps, ranked solutions and a costed roadmap for one enterprise; levels are always the engine's."""
    profile = profile or MatchingProfile()
    options = options or RecommendOptions()
    rules = _rules(questionnaire, model)
    planner = _Planner(rules, answers)
    card = planner.score(answers.values)
    start = planner.state(answers.values)
    goal, stage_levels = _stage_levels(model, card.level, options.target_level)
    gaps = tuple(_level_gap(planner, level, start, card) for level in stage_levels)
    notes: list[Reason] = []
    if options.target_level is not None and options.target_level > model.top_level:
        notes.append(Reason("target_clamped", N_("the highest level is {level}; the roadmap aims there"),
                            {"level": model.level_def(model.top_level).name}))
    if any(c.demo for c in index.catalogues):
        notes.append(Reason("demo_catalogue", N_("the catalogue holds illustrative demo data: its products, providers "
                                                 "and prices are not real")))

    similarity = index.similarity(_gap_text(rules, gaps))
    top_similarity = float(similarity.max()) if len(similarity) else 0.0
    excluded: dict[str, int] = {}
    pool: list[_Candidate] = []
    over_budget: list[_Candidate] = []  # eligible but for the price: tells "budget" from "catalogue" blockers
    for n, (sol, for_questionnaire) in enumerate(zip(index.solutions, index.questionnaires, strict=True)):
        rule = exclusion(sol, profile, options, questionnaire.id, for_questionnaire)
        if rule is not None:
            excluded[rule] = excluded.get(rule, 0) + 1
            if rule != "budget":
                continue
        sim = float(similarity[n]) / top_similarity if top_similarity > 0 else 0.0
        (pool if rule is None else over_budget).append(_Candidate(sol, _cost(sol), sim, n))

    recommendations = _rank(planner, card, start, stage_levels, pool, profile, options)
    roadmap = _roadmap(planner, card, start, goal, stage_levels, pool, over_budget, options.budget_cny)
    return Advice(questionnaire.ref, model.ref, card.level, model.level_def(card.level).name, goal, gaps,
                  recommendations, roadmap, dict(sorted(excluded.items())), tuple(notes),
                  tuple(c.ref for c in index.catalogues))


def _rank(planner: _Planner, card: Scorecard, start: _State, stage_levels: Sequence[int],
          pool: Sequence[_Candidate], profile: MatchingProfile, options: RecommendOptions) -> tuple[Recommendation, ...]:
    """Solutions adoptable now that close a named gap, best first."""
    rules = planner.rules
    found: list[tuple[_Candidate, Fraction, tuple[GapClosure, ...], dict[str, AnswerValue], _State]] = []
    shorts = {lv: planner.shortfall(lv, start) for lv in stage_levels}
    for cand in pool:
        sol = cand.solution
        if options.scenarios and not {s.scenario for s in sol.scenarios} & options.scenarios:
            continue
        if not planner.prerequisites_met(sol, start.values):
            continue
        changes = planner.apply(sol, start.values)
        if changes is None:
            continue
        after = planner.shift(start, changes)
        closes = tuple(c for lv in stage_levels for c in planner.closures(lv, start, after))
        if not closes:
            continue
        value = sum((Fraction(shorts[lv] - planner.shortfall(lv, after), 2 ** n) for n, lv in enumerate(stage_levels)),
                    Fraction(0))
        found.append((cand, value, closes, changes, after))
    if not found:
        return ()
    top_value = max((v for _c, v, *_rest in found), default=Fraction(0)) or Fraction(1)
    cheapest = min(c.cost for c, *_rest in found)
    w_gap, w_sim, w_cost = RANK_WEIGHTS
    ranked: list[tuple[float, Fraction, str, Recommendation]] = []
    for cand, value, closes, changes, after in found:
        rank = round(w_gap * float(value / top_value) + w_sim * cand.similarity + w_cost * float(cheapest / cand.cost), 6)
        level_after = planner.level(after)
        upgrades = planner.upgrades(start.values, changes)
        reasons = _closure_reasons(rules, closes) + _progress_reasons(rules, upgrades, closes)
        if level_after > card.level:
            reasons.append(Reason("lifts_level", N_("on its own it takes you from {before} to {after}"),
                                  {"before": rules.model.level_def(card.level).name,
                                   "after": rules.model.level_def(level_after).name}))
        if cand.similarity >= SIMILAR_ENOUGH:
            reasons.append(Reason("matches_gap", N_("its description matches what your gaps call for")))
        reasons += _fit_reasons(cand.solution, profile, options, rules)
        rec = Recommendation(cand.solution, closes, upgrades, tuple(reasons), card.level, level_after, rank,
                             round(cand.similarity, 6))
        ranked.append((-rank, cand.cost, cand.solution.key, rec))
    ranked.sort(key=lambda r: r[:3])
    return tuple(r[3] for r in ranked[: options.limit])


def _roadmap(planner: _Planner, card: Scorecard, start: _State, goal: int, stage_levels: Sequence[int],
             pool: Sequence[_Candidate], dear: Sequence[_Candidate], budget: int | None) -> Roadmap:
    """Stages to each level up to the goal: steps with cumulative cost, time and the engine's level after each."""
    rules = planner.rules
    model = rules.model
    if not stage_levels:
        if card.level >= model.top_level:
            done = Reason("top_level", N_("you are at the highest level, {level}"),
                          {"level": model.level_def(card.level).name})
        else:
            done = Reason("target_reached", N_("you already reach {level}; no roadmap is needed"),
                          {"level": model.level_def(goal).name})
        return Roadmap(goal, (), True, 0, 0, 0, 0, done)
    stages: list[Stage] = []
    state = start
    totals = [0, 0, 0, 0]  # cost min, cost max, weeks min, weeks max, cumulative
    used: set[str] = set()
    blocked: int | None = None
    # Adopting more solutions never lowers an answer, so this is the highest level any combination reaches.
    ceiling = _closure(planner, goal, start, sorted([*pool, *dear], key=lambda c: c.order)).end
    reachable = planner.level(ceiling)
    for level in stage_levels:
        name = model.level_def(level).name
        if blocked is not None:
            stages.append(Stage(level, name, False, False, "earlier_stage", (), 0, 0, 0, 0,
                                Reason("earlier_stage", N_("not planned: {level} has to be reached first"),
                                       {"level": model.level_def(blocked).name})))
            continue
        if planner.level(state) >= level:
            stages.append(Stage(level, name, True, True, None, (), 0, 0, 0, 0, None))
            continue
        left = None if budget is None else budget - totals[1]
        remaining = [c for c in pool if c.solution.key not in used]
        if level > reachable:
            blocked = level
            stages.append(_blocked_stage(planner, level, ceiling, _Path((), False, ceiling), False, left))
            continue
        path, closable = _stage_path(planner, level, state, remaining, dear, left)
        stage_max = sum(c.solution.price.max_cny for c in path.steps)
        if not (path.reached and (left is None or stage_max <= left)):
            blocked = level
            stages.append(_blocked_stage(planner, level, path.end, path, closable, left))
            continue
        steps: list[RoadmapStep] = []
        stage_totals = [0, 0, 0, 0]
        for n, cand in enumerate(path.steps):
            sol = cand.solution
            changes = planner.apply(sol, state.values)
            assert changes is not None
            after = planner.shift(state, changes)
            closes = planner.closures(level, state, after)
            upgrades = planner.upgrades(state.values, changes)
            for acc in (totals, stage_totals):
                acc[0] += sol.price.min_cny
                acc[1] += sol.price.max_cny
                acc[2] += sol.weeks.min_weeks
                acc[3] += sol.weeks.max_weeks
            reasons = _closure_reasons(rules, closes) + _progress_reasons(rules, upgrades, closes)
            reasons += _enabler_reasons(planner, state.values, after.values, path.steps[n + 1:])
            if not reasons:
                reasons.append(Reason("supports", N_("moves your answers closer to {level}"), {"level": name}))
            steps.append(RoadmapStep(sol, level, upgrades, closes, tuple(reasons), planner.level(after), *totals))
            used.add(sol.key)
            state = after
        stages.append(Stage(level, name, True, True, None, tuple(steps), stage_totals[0], stage_totals[1],
                            stage_totals[2], stage_totals[3], None))
    reaches = planner.level(state) >= goal and all(s.reached for s in stages)
    message: Reason | None = None
    if not reaches:
        first = next(s for s in stages if not s.reached)
        params = {"level": model.level_def(goal).name, "stage": first.name}
        if first.blocker == "budget":
            message = Reason("target_unreachable", N_("the roadmap stops before {level}: {stage} cannot be reached "
                                                      "within your budget"), params)
        else:
            message = Reason("target_unreachable", N_("the roadmap stops before {level}: {stage} cannot be reached "
                                                      "with the loaded catalogues"), params)
    return Roadmap(goal, tuple(stages), reaches, totals[0], totals[1], totals[2], totals[3], message)


def _blocked_stage(planner: _Planner, level: int, end: _State, path: _Path, closable: bool, left: int | None) -> Stage:
    """A stage the catalogue cannot deliver, saying plainly why: the budget, or what no solution covers.

    `end` is the state after every solution that could be adopted, for naming what stays missing.
    """
    name = planner.rules.model.level_def(level).name
    if closable:
        message = Reason("over_budget", N_("the cheapest path found to {level} costs {min}–{max} CNY, above the "
                                           "{left} CNY left in your budget"),
                         {"level": name, "min": sum(c.solution.price.min_cny for c in path.steps),
                          "max": sum(c.solution.price.max_cny for c in path.steps), "left": left})
        return Stage(level, name, False, True, "budget", (), 0, 0, 0, 0, message)
    missing = tuple(_condition_reason(c, name) for c in planner.conditions(level, end.values) if c.short > 0)
    message = Reason("not_closable", N_("no combination of the eligible solutions in the loaded catalogues reaches "
                                        "{level}; even with all of them this is still missing:"), {"level": name})
    return Stage(level, name, False, False, "catalogue", (), 0, 0, 0, 0, message, missing)


def _enabler_reasons(planner: _Planner, before: Mapping[str, AnswerValue], after: Mapping[str, AnswerValue],
                     later: Sequence[_Candidate]) -> list[Reason]:
    """Later steps whose prerequisites this step makes true."""
    return [Reason("enables", N_("meets a prerequisite of {solution}, a later step"), {"solution": c.solution.name})
            for c in later
            if not planner.prerequisites_met(c.solution, before) and planner.prerequisites_met(c.solution, after)]
