"""Generated answer sets for any questionnaire (tests, benchmarks, labelled demo data)."""

from __future__ import annotations

import random
from typing import Any

from assessment.domain.questionnaire import Item, Questionnaire


def random_answer(item: Item, rng: random.Random, maturity: float = 0.5) -> Any:
    """A valid raw answer for one item; `maturity` (0–1) skews choices towards later options and higher ratings."""
    if item.type == "single":
        keys = item.option_keys
        pos = min(len(keys) - 1, max(0, round(rng.betavariate(1 + 4 * maturity, 1 + 4 * (1 - maturity)) * (len(keys) - 1))))
        return keys[pos]
    if item.type == "multi":
        plain = [k for k in item.option_keys if k not in item.exclusive_keys]
        chosen = [k for k in plain if rng.random() < maturity]
        if not chosen:
            return sorted(item.exclusive_keys)[:1] or plain[:1]
        return chosen
    if item.type == "rating":
        low, high = item.min_rating, item.max_rating
        return min(high, max(low, round(rng.gauss(low + maturity * (high - low), 0.9))))
    if item.type == "grid":
        cols = [c.key for c in item.columns]
        if item.grid_multi:
            return {r.key: [c for c in cols if rng.random() < maturity] for r in item.rows}
        return {r.key: cols[min(len(cols) - 1, int(rng.random() * len(cols) * (0.5 + maturity)))] for r in item.rows}
    lowest = float(item.minimum) if item.minimum is not None else 0.0
    highest = float(item.maximum) if item.maximum is not None else 100.0
    return round(rng.uniform(lowest, highest), 2)


def random_document(questionnaire: Questionnaire, rng: random.Random, maturity: float | None = None) -> dict[str, Any]:
    """A complete, valid answers document; maturity is drawn per document when not given."""
    level = rng.random() if maturity is None else maturity
    answers = {item.id: random_answer(item, rng, level) for item in questionnaire.items}
    return {"questionnaire": questionnaire.id, "answers": answers}
