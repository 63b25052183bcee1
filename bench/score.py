"""Scored assessments per second on 10,000 generated valid MIIT answer sets, in one process.

Prints: parse + score (what `assessment score` does per file, minus I/O), score alone, score with the full
explanation, and a naive baseline in the same process (float sum of option points from a dict, no checks,
no level rule) so the figures can be compared across machines as ratios.
Run: .venv/bin/python bench/score.py [--count N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assessment.content.loader import load_library
from assessment.domain.answers import parse_answers
from assessment.domain.model import ScoringModel
from assessment.domain.sampling import random_document
from assessment.domain.scoring import score

ROOT = Path(__file__).resolve().parents[1]


def rate(label: str, count: int, run: Callable[[], object], repeats: int = 3) -> float:
    """Best-of-N throughput of run() over `count` items, printed as items per second."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    per_second = count / best
    print(f"{label:<42} {per_second:>12,.0f} /s   {best / count * 1e6:8.1f} µs each")
    return per_second


def item_points(model: ScoringModel) -> dict[tuple[str, str], float]:
    """The points of each (item, option) in the model, as floats for the naive baseline."""
    points: dict[tuple[str, str], float] = {}
    for node in model.nodes.values():
        if node.scorer is not None:
            for key, value in node.scorer.points.items():
                points[(node.scorer.item, key)] = float(value)
    return points


def naive_sum(docs: list[dict[str, Any]], points: dict[tuple[str, str], float]) -> None:
    """Add up the points of every answer with no checks at all: the baseline."""
    for d in docs:
        total = 0.0
        for item, value in d["answers"].items():
            if isinstance(value, list):
                total += sum(points.get((item, k), 0.0) for k in value)
            elif isinstance(value, str):
                total += points.get((item, value), 0.0)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    lib = load_library(ROOT)
    q, m = lib.questionnaire("miit-2024"), lib.model("miit-2024")
    rng = random.Random(args.seed)
    docs = [random_document(q, rng) for _ in range(args.count)]
    parsed = [parse_answers(q, d) for d in docs]
    points = item_points(m)

    def parse_and_score() -> None:
        for d in docs:
            score(q, m, parse_answers(q, d))

    def score_only() -> None:
        for a in parsed:
            score(q, m, a)

    def with_explanation() -> None:
        for a in parsed:
            _ = score(q, m, a).explanation

    levels = Counter(score(q, m, a).level for a in parsed)
    print(f"{args.count:,} generated answer sets, levels {dict(sorted(levels.items()))}")
    base = rate("baseline: naive float sum (no checks)", args.count, lambda: naive_sum(docs, points))
    full = rate("parse + score (exact, level rule)", args.count, parse_and_score)
    rate("score only (answers already parsed)", args.count, score_only)
    rate("score + full explanation", args.count, with_explanation)
    print(f"parse + score runs at {full / base:.2f}× the naive baseline; goal ≥ 20,000 /s: {'met' if full >= 20_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
