"""The ranked list: solutions the enterprise can adopt now that close a named gap, best first, with reasons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from assessment.domain.answers import N_, AnswerValue
from assessment.domain.catalogue import Solution
from assessment.domain.questionnaire import Text
from assessment.domain.recommend.eligibility import Candidate, MatchingProfile, RecommendOptions
from assessment.domain.recommend.planner import GapClosure, Planner, State, Upgrade
from assessment.domain.recommend.reasons import Reason, closure_reasons, fit_reasons, progress_reasons
from assessment.domain.scoring import Scorecard

# Blend of the ranking: how much of the gap a solution closes, how well its text matches the gap, how cheap.
RANK_WEIGHTS = (0.55, 0.25, 0.20)
# Normalised text similarity at which a solution is said to match the gap description.
SIMILAR_ENOUGH = 0.5


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
class _Found:
    """A candidate that closes a gap: the value of what it closes and the answers after adopting it."""

    candidate: Candidate
    value: Fraction
    closes: tuple[GapClosure, ...]
    changes: dict[str, AnswerValue]
    after: State


def _closing(planner: Planner, start: State, stage_levels: Sequence[int], pool: Sequence[Candidate],
             options: RecommendOptions) -> list[_Found]:
    """The candidates adoptable now that close a short condition; nearer levels weigh more."""
    found: list[_Found] = []
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
        found.append(_Found(cand, value, closes, changes, after))
    return found


def ranked(planner: Planner, card: Scorecard, start: State, stage_levels: Sequence[int],
           pool: Sequence[Candidate], profile: MatchingProfile, options: RecommendOptions,
           catalogue_names: Mapping[str, Text] | None = None) -> tuple[Recommendation, ...]:
    """Solutions adoptable now that close a named gap, best first; `catalogue_names` titles the demo reasons."""
    rules = planner.rules
    found = _closing(planner, start, stage_levels, pool, options)
    if not found:
        return ()
    top_value = max((f.value for f in found), default=Fraction(0)) or Fraction(1)
    cheapest = min(f.candidate.cost for f in found)
    w_gap, w_sim, w_cost = RANK_WEIGHTS
    ranking: list[tuple[float, Fraction, str, Recommendation]] = []
    for f in found:
        cand = f.candidate
        rank = round(w_gap * float(f.value / top_value) + w_sim * cand.similarity + w_cost * float(cheapest / cand.cost), 6)
        level_after = planner.level(f.after)
        upgrades = planner.upgrades(start.values, f.changes)
        reasons = closure_reasons(rules, f.closes) + progress_reasons(rules, upgrades, f.closes)
        if level_after > card.level:
            reasons.append(Reason("lifts_level", N_("on its own it takes you from {before} to {after}"),
                                  {"before": rules.model.level_def(card.level).name,
                                   "after": rules.model.level_def(level_after).name}))
        if cand.similarity >= SIMILAR_ENOUGH:
            reasons.append(Reason("matches_gap", N_("its description matches what your gaps call for")))
        reasons += fit_reasons(cand.solution, profile, options, rules, catalogue_names)
        rec = Recommendation(cand.solution, f.closes, upgrades, tuple(reasons), card.level, level_after, rank,
                             round(cand.similarity, 6))
        ranking.append((-rank, cand.cost, cand.solution.key, rec))
    ranking.sort(key=lambda r: r[:3])
    return tuple(r[3] for r in ranking[: options.limit])
