"""An independent implementation of the MIIT 2024 rules, written from miit-2024.md §2.3–2.6 (not from our data files)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# Points per option, typed in from the reference tables (§2.4), not read from scoring_models/.
POINTS: dict[str, dict[str, str]] = {
    "Q1": {"A": "0", "B": "2", "C": "2", "D": "2", "E": "2"},
    "Q2": {"A": "0", "B": "1.5", "C": "3", "D": "4.5", "E": "6"},
    "Q3": {"A": "0", "B": "1.5", "C": "3", "D": "4.5", "E": "6"},
    "Q4": {"A": "0", **{k: "0.7" for k in "BCDEFGHIJKLMN"}, "O": "0.9"},
    "Q5": {"A": "0", "B": "2.5", "C": "5", "D": "7.5", "E": "10"},
    "Q6": {"A": "0", "B": "1.25", "C": "1.25", "D": "1.25", "E": "1.25"},
    "Q7": {"A": "0", "B": "1.25", "C": "1.25", "D": "1.25", "E": "1.25"},
    "Q8": {"A": "0", "B": "1.5", "C": "3", "D": "4.5", "E": "6", "F": "7.5"},
    "Q9": {"A": "0", "B": "1.875", "C": "1.875", "D": "1.875", "E": "1.875"},
    "Q10": {"A": "0", "B": "1.5", "C": "1.5", "D": "1.5", "E": "1.5", "F": "1.5"},
    "Q11": {"A": "0", "B": "1.875", "C": "3.75", "D": "5.625", "E": "7.5"},
    "Q12": {"A": "0", "B": "3.5", "C": "7"},
    "Q13": {"A": "0", "B": "3.5", "C": "7"},
    "Q14": {"A": "0", "B": "1.5", "C": "3"},
    "Q15": {"A": "0", "B": "1.5", "C": "3"},
}
MULTI = {"Q1", "Q4", "Q6", "Q7", "Q9", "Q10"}
SCENARIOS = [f"S{n:02d}" for n in range(1, 17)]
CONSTRAINT = {"S01", "S03", "S06", "S07", "S08", "S09", "S10", "S11", "S12", "S13"}
RULES = [(4, 80, 10, 6), (3, 60, 8, 5), (2, 40, 6, 3), (1, 20, 6, 3)]


def base_score(answers: dict[str, Any]) -> Decimal:
    """Part A total with decimal arithmetic."""
    total = Decimal(0)
    for qid, table in POINTS.items():
        chosen = answers[qid]
        keys = chosen if qid in MULTI else [chosen]
        total += sum((Decimal(table[k]) for k in keys), Decimal(0))
    return total


def level(answers: dict[str, Any]) -> int:
    """The level per the §2.6 pseudocode."""
    base = base_score(answers)
    for lv, minimum, n_all, n_con in RULES:
        at = [s for s in SCENARIOS if answers[s] >= lv]
        if base >= minimum and len(at) >= n_all and len([s for s in at if s in CONSTRAINT]) >= n_con:
            return lv
    return 0
