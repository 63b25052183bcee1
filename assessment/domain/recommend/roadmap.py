"""The costed roadmap: per level, the cheapest path of catalogue solutions the engine says reaches it, or why none does.

Per level the search is greedy by shortfall removed per CNY, then pruned; when greedy stalls, every applicable
solution is adopted and pruned, which reaches the level whenever any combination does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from assessment.domain.answers import N_, AnswerValue
from assessment.domain.catalogue import Solution
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Text
from assessment.domain.recommend.eligibility import Candidate
from assessment.domain.recommend.planner import GapClosure, Planner, State, Upgrade
from assessment.domain.recommend.reasons import (
    Reason,
    closure_reasons,
    condition_reason,
    enabler_reasons,
    progress_reasons,
)

MAX_ROADMAP_STEPS = 40

Blocker = Literal["budget", "catalogue", "earlier_stage"]


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


# ---------------------------------------------------------------- path search over the catalogue


@dataclass(frozen=True)
class _Path:
    steps: tuple[Candidate, ...]
    reached: bool
    end: State


def _greedy(planner: Planner, level: int, start: State, pool: Sequence[Candidate], budget: int | None) -> _Path:
    """Repeatedly adopt the solution that removes most shortfall per CNY until the engine says the level holds."""
    state = start
    used: list[Candidate] = []
    taken: set[str] = set()
    spent = 0
    while planner.level(state) < level and len(used) < MAX_ROADMAP_STEPS:
        pick = _best_step(planner, level, state, pool, taken, None if budget is None else budget - spent)
        if pick is None:
            break
        cand, chosen_changes = pick
        state = planner.shift(state, chosen_changes)
        used.append(cand)
        taken.add(cand.solution.key)
        spent += cand.solution.price.max_cny
    return _Path(tuple(used), planner.level(state) >= level, state)


def _best_step(planner: Planner, level: int, state: State, pool: Sequence[Candidate], taken: set[str],
               left: int | None) -> tuple[Candidate, dict[str, AnswerValue]] | None:
    """The solution not yet taken, within what is left of the budget, that removes most shortfall per CNY."""
    short = planner.shortfall(level, state)
    best: tuple[float, float, float, int] | None = None
    pick: tuple[Candidate, dict[str, AnswerValue]] | None = None
    for cand in pool:
        sol = cand.solution
        if sol.key in taken or (left is not None and sol.price.max_cny > left):
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
    return pick


def _closure(planner: Planner, level: int, start: State, pool: Sequence[Candidate]) -> _Path:
    """Adopt eligible solutions (cheapest first) until the engine gives the level or nothing more applies.

    Each solution is adopted once, so one whose scenario lift still waits for its starting level is adopted
    only when no other solution is ready; otherwise that lift would be wasted.
    """
    state = start
    used: list[Candidate] = []
    taken: set[str] = set()
    ordered = sorted(pool, key=lambda c: (c.cost, c.solution.key))
    while planner.level(state) < level:
        partial: tuple[Candidate, dict[str, AnswerValue]] | None = None
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


def _simulate(planner: Planner, start: State, steps: Sequence[Candidate]) -> _Path | None:
    """Apply steps in order; None when a step's prerequisites fail. Steps that change nothing are dropped."""
    state = start
    kept: list[Candidate] = []
    for cand in steps:
        if not planner.prerequisites_met(cand.solution, state.values):
            return None
        changes = planner.apply(cand.solution, state.values)
        if changes is not None:
            state = planner.shift(state, changes)
            kept.append(cand)
    return _Path(tuple(kept), False, state)


def _prune(planner: Planner, level: int, start: State, path: _Path) -> _Path:
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


def _stage_path(planner: Planner, level: int, start: State, pool: Sequence[Candidate],
                dear: Sequence[Candidate], budget: int | None) -> tuple[_Path, bool]:
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


# ---------------------------------------------------------------- the stages


class _Tally(NamedTuple):
    """Cost and weeks of solutions done one after another."""

    cost_min: int = 0
    cost_max: int = 0
    weeks_min: int = 0
    weeks_max: int = 0

    def plus(self, solution: Solution) -> _Tally:
        """The tally with one more solution done."""
        return _Tally(self.cost_min + solution.price.min_cny, self.cost_max + solution.price.max_cny,
                      self.weeks_min + solution.weeks.min_weeks, self.weeks_max + solution.weeks.max_weeks)


class _Stages:
    """Plans the stages one level after another, from the state the earlier stages leave."""

    def __init__(self, planner: Planner, start: State, goal: int, pool: Sequence[Candidate],
                 dear: Sequence[Candidate], budget: int | None) -> None:
        self.planner = planner
        self.pool = pool
        self.dear = dear
        self.budget = budget
        # Adopting more solutions never lowers an answer, so this is the highest level any combination reaches.
        self.ceiling = _closure(planner, goal, start, sorted([*pool, *dear], key=lambda c: c.order)).end
        self.reachable = planner.level(self.ceiling)
        self.state = start
        self.totals = _Tally()
        self.used: set[str] = set()
        self.blocked: int | None = None

    def stage(self, level: int) -> Stage:
        """The stage to a level: reached already, planned, or blocked (and then every later one is too)."""
        planner = self.planner
        model = planner.rules.model
        name = model.level_def(level).name
        if self.blocked is not None:
            return Stage(level, name, False, False, "earlier_stage", (), 0, 0, 0, 0,
                         Reason("earlier_stage", N_("not planned: {level} has to be reached first"),
                                {"level": model.level_def(self.blocked).name}))
        if planner.level(self.state) >= level:
            return Stage(level, name, True, True, None, (), 0, 0, 0, 0, None)
        left = None if self.budget is None else self.budget - self.totals.cost_max
        if level > self.reachable:
            self.blocked = level
            return _blocked_stage(planner, level, self.ceiling, _Path((), False, self.ceiling), False, left)
        remaining = [c for c in self.pool if c.solution.key not in self.used]
        path, closable = _stage_path(planner, level, self.state, remaining, self.dear, left)
        stage_max = sum(c.solution.price.max_cny for c in path.steps)
        if not (path.reached and (left is None or stage_max <= left)):
            self.blocked = level
            return _blocked_stage(planner, level, path.end, path, closable, left)
        return self._adopt(level, name, path)

    def _adopt(self, level: int, name: Text, path: _Path) -> Stage:
        """Take a path's steps in order, each with its reasons, the engine's level after it and cumulative totals."""
        planner = self.planner
        rules = planner.rules
        steps: list[RoadmapStep] = []
        stage_totals = _Tally()
        for n, cand in enumerate(path.steps):
            sol = cand.solution
            changes = planner.apply(sol, self.state.values)
            assert changes is not None
            after = planner.shift(self.state, changes)
            closes = planner.closures(level, self.state, after)
            upgrades = planner.upgrades(self.state.values, changes)
            self.totals = self.totals.plus(sol)
            stage_totals = stage_totals.plus(sol)
            reasons = closure_reasons(rules, closes) + progress_reasons(rules, upgrades, closes)
            reasons += enabler_reasons(planner, self.state.values, after.values,
                                       [c.solution for c in path.steps[n + 1:]])
            if not reasons:
                reasons.append(Reason("supports", N_("moves your answers closer to {level}"), {"level": name}))
            steps.append(RoadmapStep(sol, level, upgrades, closes, tuple(reasons), planner.level(after), *self.totals))
            self.used.add(sol.key)
            self.state = after
        return Stage(level, name, True, True, None, tuple(steps), *stage_totals, None)


def plan_roadmap(planner: Planner, level: int, start: State, goal: int, stage_levels: Sequence[int],
                 pool: Sequence[Candidate], dear: Sequence[Candidate], budget: int | None) -> Roadmap:
    """Stages to each level up to the goal: steps with cumulative cost, time and the engine's level after each.

    `level` is the engine's level now; `dear` holds the solutions eligible but for the price.
    """
    model = planner.rules.model
    if not stage_levels:
        return Roadmap(goal, (), True, 0, 0, 0, 0, _nothing_to_plan(model, level, goal))
    planned = _Stages(planner, start, goal, pool, dear, budget)
    stages = tuple(planned.stage(lv) for lv in stage_levels)
    reaches = planner.level(planned.state) >= goal and all(s.reached for s in stages)
    message = None if reaches else _stops_before(model, goal, stages)
    return Roadmap(goal, stages, reaches, *planned.totals, message)


def _nothing_to_plan(model: ScoringModel, level: int, goal: int) -> Reason:
    if level >= model.top_level:
        return Reason("top_level", N_("you are at the highest level, {level}"), {"level": model.level_def(level).name})
    return Reason("target_reached", N_("you already reach {level}; no roadmap is needed"),
                  {"level": model.level_def(goal).name})


def _stops_before(model: ScoringModel, goal: int, stages: Sequence[Stage]) -> Reason | None:
    """Why the roadmap does not reach the goal: the first stage not reached, and whether the budget stops it."""
    first = next(s for s in stages if not s.reached)
    params = {"level": model.level_def(goal).name, "stage": first.name}
    if first.level == goal and first.blocker == "catalogue":
        return None  # the goal's own stage says why, with what would still be missing
    if first.blocker == "budget":
        return Reason("target_unreachable", N_("the roadmap stops before {level}: {stage} cannot be reached "
                                               "within your budget"), params)
    return Reason("target_unreachable", N_("the roadmap stops before {level}: no combination of the solutions in "
                                           "the catalogue reaches {stage}"), params)


def _blocked_stage(planner: Planner, level: int, end: State, path: _Path, closable: bool, left: int | None) -> Stage:
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
    missing = tuple(condition_reason(c, name, with_all=True) for c in planner.conditions(level, end.values)
                    if c.short > 0)
    message = Reason("not_closable", N_("no combination of the solutions in the catalogue that suit your enterprise "
                                        "reaches {level}; even if you adopted all of them, this would still be "
                                        "missing:"), {"level": name})
    return Stage(level, name, False, False, "catalogue", (), 0, 0, 0, 0, message, missing)
