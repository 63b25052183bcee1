"""The scoring engine as the planner sees it: a level's conditions in whole units, answer changes and their effect.

The engine's scores are linear in its leaves, so the effect of changing one item on the tested nodes does not
depend on the other answers: it is computed once by the engine and reused. Whether a level is reached is always
asked of the engine itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import lcm
from typing import Any, Literal

from assessment.domain.answers import Answers, AnswerValue
from assessment.domain.catalogue import Solution
from assessment.domain.model import LevelDef, RatingCondition, ScoreCondition, ScoringModel
from assessment.domain.questionnaire import Item, Questionnaire, Text
from assessment.domain.scoring import CompiledModel, Scorecard, check_level, compiled, score

# Heuristic weight of one missing rating step against one missing point; it orders the search only.
LEVEL_STEP_POINTS = Fraction(5)


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
class GapClosure:
    """A gap a solution closes, checked by the engine: a rated item reaching a short condition, or points.

    `short` is what the condition lacked before the solution, `left` what it still lacks with it, `met` whether it holds.
    """

    level: int
    kind: Literal["score", "ratings"]
    condition: str
    item: str | None
    before: int | None
    after: int | None
    points: Fraction
    short: Fraction
    left: Fraction = Fraction(0)
    met: bool = False


@dataclass(frozen=True)
class _Target:
    """A level's conditions in whole units (1/unit of a point), so shortfalls add up without fractions."""

    level: int
    scores: tuple[tuple[str, int, int, bool], ...]
    ratings: tuple[tuple[tuple[str, ...], int, int], ...]


@dataclass(frozen=True)
class Rules:
    """A questionnaire and model compiled for planning: level targets in units and the points of choice items."""

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
def rules_for(questionnaire: Questionnaire, model: ScoringModel) -> Rules:
    """The planning rules of a questionnaire and model, built once per pair."""
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
    return Rules(questionnaire, model, cm, {lv.level: lv for lv in model.levels}, targets, points,
                 tuple(i.id for i in questionnaire.items if i.id in points), nodes, int(LEVEL_STEP_POINTS * unit),
                 {i.id: n for n, i in enumerate(questionnaire.items)})


@dataclass(frozen=True)
class State:
    """Answers under consideration with the engine's numerators of the tested nodes and the ratings."""

    values: Mapping[str, AnswerValue]
    nums: Mapping[str, int]
    ratings: Mapping[str, int]


def hashable(value: AnswerValue | None) -> Any:
    """An answer in a form that can key a dict (grid answers are mappings)."""
    if isinstance(value, Mapping):
        return tuple(sorted(value.items()))
    return value


def steps_between(rules: Rules, iid: str, before: AnswerValue | None, after: AnswerValue) -> int:
    """How many rating steps, options or option tiers an answer change takes."""
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


class Planner:
    """Scores candidate answers with the engine and measures how far they are from a level."""

    def __init__(self, rules: Rules, answers: Answers) -> None:
        self.rules = rules
        self.answers = answers
        self._deltas: dict[tuple[str, Any, Any], tuple[tuple[str, int], ...]] = {}
        self._memo: tuple[Mapping[str, int], int, int] | None = None
        self.moves: dict[tuple[str, Any], list[tuple[str, AnswerValue, int]]] = {}
        self._effects: dict[tuple[str, tuple[Any, ...]], dict[str, AnswerValue] | None] = {}
        self._touched: dict[str, tuple[str, ...]] = {}

    def score(self, values: Mapping[str, AnswerValue]) -> Scorecard:
        """The engine's scorecard for these answer values."""
        a = self.answers
        return score(self.rules.questionnaire, self.rules.model, Answers(a.questionnaire, values, a.data, a.derived))

    def state(self, values: Mapping[str, AnswerValue]) -> State:
        """The planning state of these answer values, scored by the engine."""
        card = self.score(values)
        return State(dict(values), {n: card.numerators[n] for n in self.rules.nodes}, dict(card.ratings))

    def level(self, state: State) -> int:
        """The engine's level for a state."""
        return self.score(state.values).level

    def shift(self, state: State, changes: Mapping[str, AnswerValue]) -> State:
        """The state after some answer changes."""
        nums, ratings = self._moved(state, changes)
        return State({**state.values, **changes}, nums, ratings)

    def peek(self, level: int, state: State, changes: Mapping[str, AnswerValue]) -> int:
        """The shortfall for a level after some answer changes, without building the new state."""
        nums, ratings = self._moved(state, changes)
        return self._shortfall(level, nums, ratings)

    def _moved(self, state: State, changes: Mapping[str, AnswerValue]) -> tuple[dict[str, int], Mapping[str, int]]:
        nums = dict(state.nums)
        ratings = state.ratings
        for item, new in changes.items():
            key = (item, hashable(state.values.get(item)), hashable(new))
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

    def shortfall(self, level: int, state: State) -> int:
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
        key = (solution.key, tuple(hashable(values.get(i)) for i in touched))
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
        return tuple(Upgrade(i, before.get(i), v, steps_between(self.rules, i, before.get(i), v))
                     for i, v in sorted(changes.items(), key=lambda c: order.get(c[0], len(order))))

    def closures(self, level: int, before: State, after: State) -> tuple[GapClosure, ...]:
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
                    left = cond.minimum - now
                    out.append(GapClosure(level, "score", cond.node, None, None, None, now - was, max(short, Fraction(0)),
                                          max(left, Fraction(0)), left < 0 if cond.strict else left <= 0))
            else:
                items = cm.set_items[cond.item_set]
                missing = cond.count - sum(1 for i in items if before.ratings[i] >= cond.at_least)
                if missing <= 0:
                    continue
                still = max(cond.count - sum(1 for i in items if after.ratings[i] >= cond.at_least), 0)
                for iid in items:
                    b, a = before.ratings[iid], after.ratings[iid]
                    if b < cond.at_least <= a:
                        out.append(GapClosure(level, "ratings", cond.item_set, iid, b, a, Fraction(0),
                                              Fraction(missing), Fraction(still), still == 0))
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
    changes = Planner(rules_for(questionnaire, model), answers).apply(solution, answers.values)
    if changes is None:
        return answers
    return Answers(answers.questionnaire, {**answers.values, **changes}, answers.data, answers.derived)


def prerequisites_met(questionnaire: Questionnaire, model: ScoringModel, answers: Answers, solution: Solution) -> bool:
    """Whether every prerequisite of a solution holds for these answers."""
    return Planner(rules_for(questionnaire, model), answers).prerequisites_met(solution, answers.values)
