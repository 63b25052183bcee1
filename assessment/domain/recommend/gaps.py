"""The gaps to the next levels: the conditions short and the cheapest answer upgrades the engine accepts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from assessment.domain.answers import Answers, AnswerValue
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Item, Questionnaire, Text
from assessment.domain.recommend.planner import (
    ConditionGap,
    Planner,
    Rules,
    State,
    Upgrade,
    hashable,
    rules_for,
    steps_between,
)
from assessment.domain.recommend.reasons import Reason, condition_reason, upgrade_reason
from assessment.domain.scoring import Scorecard, check_level

# The text index costs time per character of the query; the next level's needs come first and fill it.
GAP_TEXT_CHARS = 1200

Move = tuple[str, AnswerValue, int]  # item, new answer, steps


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


def _item_moves(planner: Planner, values: Mapping[str, AnswerValue]) -> list[Move]:
    """Every one-move improvement of a scored choice item: add an option, or reach a higher-scoring one."""
    moves: list[Move] = []
    for iid in planner.rules.choice_items:
        current = values.get(iid)
        key = (iid, hashable(current))
        found = planner.moves.get(key)
        if found is None:
            found = planner.moves[key] = _moves_of(planner.rules, iid, current)
        moves.extend(found)
    return moves


def _moves_of(rules: Rules, iid: str, current: AnswerValue | None) -> list[Move]:
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


def _rating_moves(rules: Rules, values: Mapping[str, AnswerValue]) -> list[Move]:
    moves: list[Move] = []
    for iid in rules.cm.rated_items:
        item = rules.questionnaire.item_index[iid]
        current = values.get(iid)
        rating = current if isinstance(current, int) else 0
        if rating < item.max_rating:
            moves.append((iid, rating + 1, 1))
    return moves


def _best_move(planner: Planner, level: int, state: State) -> tuple[str, AnswerValue] | None:
    """The move that removes most shortfall per step (ties: fewer steps, then the first found)."""
    short = planner.shortfall(level, state)
    best: tuple[float, int, int] | None = None
    pick: tuple[str, AnswerValue] | None = None
    for n, (iid, new, cost) in enumerate(_item_moves(planner, state.values) + _rating_moves(planner.rules, state.values)):
        gain = short - planner.peek(level, state, {iid: new})
        key = (gain / cost, -cost, -n)
        if gain > 0 and (best is None or key > best):
            best, pick = key, (iid, new)
    return pick


def _cheapest_upgrades(planner: Planner, level: int, start: State, card: Scorecard) -> dict[str, AnswerValue]:
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
        pick = _best_move(planner, level, state)
        if pick is None:
            break
        iid, new = pick
        state = planner.shift(state, {iid: new})
        chosen[iid] = new
    if planner.level(state) >= level:
        for iid in sorted(chosen, key=lambda i: (-steps_between(rules, i, start.values.get(i), chosen[i]),
                                                 rules.order[i])):
            trial_changes = {k: v for k, v in chosen.items() if k != iid}
            if planner.score({**start.values, **trial_changes}).level >= level:
                chosen = trial_changes
    return chosen


def stage_levels(model: ScoringModel, level: int, target: int | None) -> tuple[int, list[int]]:
    """The target level and every level between the current one and it (default: the next two)."""
    above = sorted(lv.level for lv in model.levels if lv.level > level)
    default = above[min(1, len(above) - 1)] if above else level
    goal = default if target is None else min(target, model.top_level)
    return goal, [lv for lv in above if lv <= goal]


def level_gaps(questionnaire: Questionnaire, model: ScoringModel, answers: Answers,
               target_level: int | None = None) -> tuple[LevelGap, ...]:
    """The gaps blocking the next level and the one after (or every level up to a target)."""
    planner = Planner(rules_for(questionnaire, model), answers)
    card = planner.score(answers.values)
    start = planner.state(answers.values)
    _goal, stages = stage_levels(model, card.level, target_level)
    return tuple(level_gap(planner, level, start, card) for level in stages)


def level_gap(planner: Planner, level: int, start: State, card: Scorecard) -> LevelGap:
    """The gap to one level: its conditions, the cheapest upgrades, and the level they reach by the engine."""
    rules = planner.rules
    conditions = planner.conditions(level, start.values)
    chosen = _cheapest_upgrades(planner, level, start, card)
    after = planner.score({**start.values, **chosen})
    upgrades = planner.upgrades(start.values, chosen)
    name = rules.model.level_def(level).name
    reasons = [condition_reason(c, name) for c in conditions if c.short > 0]
    reasons += [upgrade_reason(rules, u) for u in upgrades]
    return LevelGap(level, name, all(c.short == 0 for c in conditions), conditions, upgrades,
                    sum(u.steps for u in upgrades), after.level, tuple(reasons))


def gap_text(rules: Rules, gaps: Sequence[LevelGap]) -> str:
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
