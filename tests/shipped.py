"""The content shipped in the repository, loaded once per test process."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from assessment.content.loader import Library, load_library
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire

ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def library() -> Library:
    """Every shipped questionnaire and model; fails loudly if any is broken."""
    lib = load_library(ROOT)
    assert not lib.errors, "\n".join(map(str, lib.errors))
    return lib


def miit() -> tuple[Questionnaire, ScoringModel]:
    """The MIIT 2024 questionnaire and its model."""
    return library().questionnaire("miit-2024"), library().model("miit-2024")


WORKED_EXAMPLE_RATINGS = {
    "S01": 3,
    "S02": 2,
    "S03": 3,
    "S04": 2,
    "S05": 3,
    "S06": 3,
    "S07": 3,
    "S08": 2,
    "S09": 2,
    "S10": 3,
    "S11": 3,
    "S12": 3,
    "S13": 3,
    "S14": 2,
    "S15": 3,
    "S16": 1,
}


def _choices() -> list[tuple[str, list[tuple[Decimal, object]]]]:
    """Every distinct point value each Part-A item can take, with one answer giving it."""
    from miit_reference import MULTI, POINTS

    out: list[tuple[str, list[tuple[Decimal, object]]]] = []
    for qid, table in POINTS.items():
        values: dict[Decimal, object] = {}
        if qid in MULTI:
            keys = [k for k in table if k != "A"]
            values[Decimal(0)] = ["A"]
            for mask in range(1, 1 << len(keys)):
                chosen = [k for n, k in enumerate(keys) if mask >> n & 1]
                values.setdefault(sum((Decimal(table[k]) for k in chosen), Decimal(0)), chosen)
        else:
            for key, pts in table.items():
                values.setdefault(Decimal(pts), key)
        out.append((qid, sorted(values.items(), key=lambda kv: kv[0])))
    return out


@lru_cache(maxsize=256)
def _compose(points: str) -> tuple[tuple[str, object], ...]:
    target = Decimal(points)
    reach: dict[Decimal, tuple[tuple[str, object], ...]] = {Decimal(0): ()}
    for qid, values in _choices():
        nxt: dict[Decimal, tuple[tuple[str, object], ...]] = {}
        for total, path in reach.items():
            for value, answer in values:
                s = total + value
                if s <= target and s not in nxt:
                    nxt[s] = (*path, (qid, answer))
        reach = nxt
    if target not in reach:
        raise ValueError(f"no Part-A answers add up to exactly {points}")
    return reach[target]


def answers_with_base(points: str) -> dict[str, object]:
    """Part-A answers whose base score is exactly `points`."""
    return {qid: (list(a) if isinstance(a, list) else a) for qid, a in _compose(points)}
