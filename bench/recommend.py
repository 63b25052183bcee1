"""Recommendations on generated enterprises: does the roadmap reach the next level by the engine, at what cost, how fast.

For each of N seeded enterprises (a generated MIIT answer set plus an industry, size and region), the bench
  1. times `recommend()` (gaps, ranked solutions, roadmap) with the demo catalogue;
  2. applies the declared effects of the roadmap's steps one by one and scores the result with the engine;
  3. decides independently whether the catalogue can close the gap at all: it adopts every eligible solution
     whose prerequisites hold until nothing changes, and asks the engine for the level (adopting more never
     lowers an answer, so this is the highest level any combination reaches).
Prints how often the roadmap reaches the next level (overall and where the catalogue can close the gap), the
same for the target level (the level after next), the median path cost, and the time per enterprise (wall clock
and CPU time, since a shared machine inflates the first).
Run: .venv/bin/python bench/recommend.py [--count N] [--seed S] [--budget CNY]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assessment.content.catalogue import load_catalogue_dir
from assessment.content.loader import load_library
from assessment.domain.answers import Answers, parse_answers
from assessment.domain.catalogue import Catalogue
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.domain.recommend.advice import recommend
from assessment.domain.recommend.eligibility import MatchingProfile, RecommendOptions, exclusion
from assessment.domain.recommend.index import SolutionIndex, index_catalogues
from assessment.domain.recommend.planner import apply_solution, prerequisites_met
from assessment.domain.recommend.roadmap import RoadmapStep
from assessment.domain.sampling import random_document
from assessment.domain.scoring import score

ROOT = Path(__file__).resolve().parents[1]
INDUSTRIES = ["3670", "1711", "3981", "2614", "3360", "1351", "3311", "2927", "3484", "1810", "5110", "6513"]
SIZES = ["micro", "small", "medium", "large"]
SIZE_WEIGHTS = [30, 40, 25, 5]
REGIONS = ["370102", "320506", "440305", "330106", "510104", "110105", "370202"]


def highest_reachable(q: Questionnaire, m: ScoringModel, answers: Answers, catalogue: Catalogue,
                      profile: MatchingProfile) -> int:
    """The level reached by adopting every eligible solution (ignoring budget) until nothing more applies."""
    pool = [s for s in catalogue.solutions if exclusion(s, profile, RecommendOptions(), q.id, catalogue.questionnaire) is None]
    changed = True
    while changed:
        changed = False
        for s in pool:
            if prerequisites_met(q, m, answers, s):
                after = apply_solution(q, m, answers, s)
                if after is not answers:
                    answers, changed = after, True
    return score(q, m, answers).level


def final_after(q: Questionnaire, m: ScoringModel, answers: Answers, steps: Sequence[RoadmapStep]) -> int:
    """The engine's level after applying the steps' declared effects in order."""
    for step in steps:
        answers = apply_solution(q, m, answers, step.solution)
    return score(q, m, answers).level


@dataclass
class Tally:
    """What the bench counts over the enterprises."""

    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    with_next: int = 0
    closable_next: int = 0
    reached_next: int = 0
    reached_next_closable: int = 0
    with_target: int = 0
    closable_target: int = 0
    reached_target: int = 0
    reached_target_closable: int = 0
    claims_wrong: int = 0
    step_level_wrong: int = 0
    fits_known: int = 0
    fits_reached: int = 0
    next_costs_min: list[int] = field(default_factory=list)
    next_costs_max: list[int] = field(default_factory=list)
    target_costs_mid: list[float] = field(default_factory=list)
    recommendations: int = 0
    levels: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Setting:
    """The content, catalogue and options every enterprise is advised with."""

    q: Questionnaire
    m: ScoringModel
    demo: Catalogue
    index: SolutionIndex
    options: RecommendOptions
    budget: int | None


def advise_one(setting: Setting, answers: Answers, profile: MatchingProfile, tally: Tally) -> None:
    """Time the advice for one enterprise and check its roadmap against the engine."""
    q, m = setting.q, setting.m
    start, start_cpu = time.perf_counter(), time.process_time()
    advice = recommend(q, m, answers, setting.index, profile, setting.options)
    tally.times.append((time.perf_counter() - start) * 1000)
    tally.cpu.append((time.process_time() - start_cpu) * 1000)
    tally.recommendations += len(advice.recommendations)
    tally.levels[advice.level] = tally.levels.get(advice.level, 0) + 1
    if advice.level >= m.top_level:
        return
    best = highest_reachable(q, m, answers, setting.demo, profile)
    next_level = advice.level + 1
    state = answers
    reached_at: dict[int, tuple[int, int]] = {}
    for step in advice.roadmap.steps:
        state = apply_solution(q, m, state, step.solution)
        level = score(q, m, state).level
        tally.step_level_wrong += level != step.level_after
        for lv in range(advice.level + 1, level + 1):
            reached_at.setdefault(lv, (step.cost_min_cny, step.cost_max_cny))
    final = score(q, m, state).level
    tally.claims_wrong += advice.roadmap.reaches_target != (final >= advice.target_level)
    tally.with_next += 1
    tally.closable_next += best >= next_level
    if setting.budget is not None and best >= next_level:
        free = recommend(q, m, answers, setting.index, profile, RecommendOptions())
        first = free.roadmap.stages[0] if free.roadmap.stages else None
        if first is not None and first.reached and first.cost_max_cny <= setting.budget:
            tally.fits_known += 1
            tally.fits_reached += final_after(q, m, answers, advice.roadmap.steps) >= next_level
    if final >= next_level:
        tally.reached_next += 1
        tally.reached_next_closable += best >= next_level
        low, high = reached_at[next_level]
        tally.next_costs_min.append(low)
        tally.next_costs_max.append(high)
    if advice.target_level > next_level:
        tally.with_target += 1
        tally.closable_target += best >= advice.target_level
        if final >= advice.target_level:
            tally.reached_target += 1
            tally.reached_target_closable += best >= advice.target_level
            tally.target_costs_mid.append((advice.roadmap.cost_min_cny + advice.roadmap.cost_max_cny) / 2)


def pct(part: int, whole: int) -> str:
    """A share as "part/whole = p %"."""
    return f"{part:,}/{whole:,} = {100 * part / whole:.1f} %" if whole else "n/a"


def print_reach(t: Tally, budget: int | None) -> None:
    """How often the roadmaps reach the next level and the one after, and whether any claim is wrong."""
    print(f"next level reached by the roadmap's declared effects (engine): {pct(t.reached_next, t.with_next)}")
    print(f"  where the catalogue can close the gap:                     {pct(t.reached_next_closable, t.closable_next)}")
    print(f"  catalogue can close the gap to the next level:             {pct(t.closable_next, t.with_next)}")
    print(f"level after next reached (engine):                           {pct(t.reached_target, t.with_target)}")
    print(f"  where the catalogue can close the gap:                     "
          f"{pct(t.reached_target_closable, t.closable_target)}")
    if budget is not None:
        print("  (with a budget, 'can close' ignores the price; a path known to fit is the unbudgeted one)")
        print(f"  where a path within the budget is known to exist:          {pct(t.fits_reached, t.fits_known)}")
    print(f"roadmap claims contradicted by the engine: {t.claims_wrong}; step levels contradicted: {t.step_level_wrong}")
    if t.next_costs_min:
        print(f"median cost of the path to the next level: {statistics.median(t.next_costs_min):,.0f}–"
              f"{statistics.median(t.next_costs_max):,.0f} CNY (min–max price ranges)")
    if t.target_costs_mid:
        print(f"median cost of the whole roadmap (mid-range): {statistics.median(t.target_costs_mid):,.0f} CNY")


def print_times(t: Tally, budget: int | None) -> None:
    """The time per enterprise, and whether the goal is met."""
    times = sorted(t.times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"time per enterprise (recommend: gaps + ranking + roadmap): mean {statistics.fmean(times):.1f} ms, "
          f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms (wall clock)")
    print(f"  CPU time per enterprise: mean {statistics.fmean(t.cpu):.1f} ms, median {statistics.median(t.cpu):.1f} ms "
          f"(load average when done: {os.getloadavg()[0]:.1f})")
    complete = t.fits_reached == t.fits_known if budget is not None else t.reached_next_closable == t.closable_next
    met = complete and statistics.median(times) < 50
    where = "a path within the budget is known" if budget is not None else "closable"
    print(f"goal (100 % where {where}, < 50 ms per enterprise): {'met' if met else 'NOT met'}")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--budget", type=int, default=None, help="CNY for the whole roadmap (default: none)")
    args = parser.parse_args()
    lib = load_library(ROOT)
    q, m = lib.questionnaire("miit-2024"), lib.model("miit-2024")
    catalogues, errors = load_catalogue_dir(ROOT / "catalogue", {q.id: q})
    assert not errors, errors
    demo = next(c for c in catalogues if c.id == "demo")
    setting = Setting(q, m, demo, index_catalogues((demo,)), RecommendOptions(budget_cny=args.budget), args.budget)
    rng = random.Random(args.seed)
    tally = Tally()
    for _ in range(args.count):
        answers = parse_answers(q, random_document(q, rng))
        profile = MatchingProfile(rng.choice(INDUSTRIES), rng.choices(SIZES, SIZE_WEIGHTS)[0], rng.choice(REGIONS))
        advise_one(setting, answers, profile, tally)
    print(f"{args.count:,} generated enterprises (seed {args.seed}), demo catalogue {demo.ref} "
          f"({len(demo.solutions)} entries), budget {args.budget or 'none'}")
    print(f"levels now: {dict(sorted(tally.levels.items()))}; {tally.recommendations / args.count:.1f} recommendations each")
    print_reach(tally, args.budget)
    print_times(tally, args.budget)


if __name__ == "__main__":
    main()
