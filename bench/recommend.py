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
from pathlib import Path

from assessment.content.catalogue import load_catalogue_dir
from assessment.content.loader import load_library
from assessment.domain.answers import Answers, parse_answers
from assessment.domain.catalogue import Catalogue
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.domain.recommend import (
    MatchingProfile,
    RecommendOptions,
    RoadmapStep,
    apply_solution,
    exclusion,
    index_catalogues,
    prerequisites_met,
    recommend,
)
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
    index = index_catalogues((demo,))
    rng = random.Random(args.seed)
    options = RecommendOptions(budget_cny=args.budget)

    times: list[float] = []
    cpu: list[float] = []
    with_next = closable_next = reached_next = reached_next_closable = 0
    with_target = closable_target = reached_target = reached_target_closable = 0
    claims_wrong = step_level_wrong = 0
    fits_known = fits_reached = 0
    next_costs_min: list[int] = []
    next_costs_max: list[int] = []
    target_costs_mid: list[float] = []
    recommendations = 0
    levels: dict[int, int] = {}
    for _ in range(args.count):
        answers = parse_answers(q, random_document(q, rng))
        profile = MatchingProfile(rng.choice(INDUSTRIES), rng.choices(SIZES, SIZE_WEIGHTS)[0], rng.choice(REGIONS))
        start, start_cpu = time.perf_counter(), time.process_time()
        advice = recommend(q, m, answers, index, profile, options)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        recommendations += len(advice.recommendations)
        levels[advice.level] = levels.get(advice.level, 0) + 1
        if advice.level >= m.top_level:
            continue
        best = highest_reachable(q, m, answers, demo, profile)
        next_level = advice.level + 1
        state = answers
        reached_at: dict[int, tuple[int, int]] = {}
        for step in advice.roadmap.steps:
            state = apply_solution(q, m, state, step.solution)
            level = score(q, m, state).level
            step_level_wrong += level != step.level_after
            for lv in range(advice.level + 1, level + 1):
                reached_at.setdefault(lv, (step.cost_min_cny, step.cost_max_cny))
        final = score(q, m, state).level
        claims_wrong += advice.roadmap.reaches_target != (final >= advice.target_level)
        with_next += 1
        closable_next += best >= next_level
        if args.budget is not None and best >= next_level:
            free = recommend(q, m, answers, index, profile, RecommendOptions())
            first = free.roadmap.stages[0] if free.roadmap.stages else None
            if first is not None and first.reached and first.cost_max_cny <= args.budget:
                fits_known += 1
                fits_reached += final_after(q, m, answers, advice.roadmap.steps) >= next_level
        if final >= next_level:
            reached_next += 1
            reached_next_closable += best >= next_level
            low, high = reached_at[next_level]
            next_costs_min.append(low)
            next_costs_max.append(high)
        if advice.target_level > next_level:
            with_target += 1
            closable_target += best >= advice.target_level
            if final >= advice.target_level:
                reached_target += 1
                reached_target_closable += best >= advice.target_level
                target_costs_mid.append((advice.roadmap.cost_min_cny + advice.roadmap.cost_max_cny) / 2)

    def pct(part: int, whole: int) -> str:
        return f"{part:,}/{whole:,} = {100 * part / whole:.1f} %" if whole else "n/a"

    times.sort()
    print(f"{args.count:,} generated enterprises (seed {args.seed}), demo catalogue {demo.ref} "
          f"({len(demo.solutions)} entries), budget {args.budget or 'none'}")
    print(f"levels now: {dict(sorted(levels.items()))}; {recommendations / args.count:.1f} recommendations each")
    print(f"next level reached by the roadmap's declared effects (engine): {pct(reached_next, with_next)}")
    print(f"  where the catalogue can close the gap:                     {pct(reached_next_closable, closable_next)}")
    print(f"  catalogue can close the gap to the next level:             {pct(closable_next, with_next)}")
    print(f"level after next reached (engine):                           {pct(reached_target, with_target)}")
    print(f"  where the catalogue can close the gap:                     {pct(reached_target_closable, closable_target)}")
    if args.budget is not None:
        print("  (with a budget, 'can close' ignores the price; a path known to fit is the unbudgeted one)")
        print(f"  where a path within the budget is known to exist:          {pct(fits_reached, fits_known)}")
    print(f"roadmap claims contradicted by the engine: {claims_wrong}; step levels contradicted: {step_level_wrong}")
    if next_costs_min:
        print(f"median cost of the path to the next level: {statistics.median(next_costs_min):,.0f}–"
              f"{statistics.median(next_costs_max):,.0f} CNY (min–max price ranges)")
    if target_costs_mid:
        print(f"median cost of the whole roadmap (mid-range): {statistics.median(target_costs_mid):,.0f} CNY")
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"time per enterprise (recommend: gaps + ranking + roadmap): mean {statistics.fmean(times):.1f} ms, "
          f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms (wall clock)")
    print(f"  CPU time per enterprise: mean {statistics.fmean(cpu):.1f} ms, median {statistics.median(cpu):.1f} ms "
          f"(load average when done: {os.getloadavg()[0]:.1f})")
    complete = fits_reached == fits_known if args.budget is not None else reached_next_closable == closable_next
    met = complete and statistics.median(times) < 50
    where = "a path within the budget is known" if args.budget is not None else "closable"
    print(f"goal (100 % where {where}, < 50 ms per enterprise): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
