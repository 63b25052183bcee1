"""The engine's explanation as translatable statements: why this level, and what lifts it to the next."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from assessment.domain.answers import N_
from assessment.domain.model import RatingCondition, ScoreCondition, ScoringModel
from assessment.domain.questionnaire import Questionnaire, tr
from assessment.domain.scoring import ConditionResult, LevelCheck, Scorecard


@dataclass(frozen=True)
class Statement:
    """One sentence of an explanation: an English msgid with parameters, translated where shown."""

    kind: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = lambda s: s) -> str:
        """The sentence, translated and filled in."""
        return translate(self.message).format(**self.params)


@dataclass(frozen=True)
class LevelStory:
    """The statements about one level: the level reached, or the next one(s)."""

    level: int
    level_name: str
    met: bool
    statements: tuple[Statement, ...]
    upgrades: tuple[tuple[str, str, int, int], ...] = ()


@dataclass(frozen=True)
class Story:
    """The whole explanation of a scorecard, ready to render."""

    reached: LevelStory
    next: LevelStory | None
    after_next: LevelStory | None


def number(value: Fraction) -> str:
    """A score for display: exact integers stay integers, others get at most two decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


class _Names:
    def __init__(self, questionnaire: Questionnaire, model: ScoringModel, lang: str) -> None:
        self.q, self.m, self.lang = questionnaire, model, lang

    def level(self, level: int) -> str:
        return tr(self.m.level_def(level).name, self.lang)

    def node(self, node_id: str) -> str:
        return tr(self.m.nodes[node_id].name, self.lang)

    def item(self, item_id: str) -> str:
        item = self.q.item(item_id)
        return tr(item.short or item.text, self.lang) if item else item_id

    def join(self, parts: list[str] | tuple[str, ...]) -> str:
        return ("、" if self.lang == "zh" else ", ").join(parts)

    def item_set(self, set_id: str) -> str:
        return tr(self.m.item_sets[set_id].name, self.lang)


def _condition(res: ConditionResult, names: _Names, level: int) -> Statement:
    cond = res.condition
    params: dict[str, Any]
    if isinstance(cond, ScoreCondition):
        params = {
            "node": names.node(cond.node),
            "actual": number(res.actual),
            "required": number(cond.minimum),
            "short": number(res.shortfall),
            "level": names.level(level),
        }
        if res.met:
            msg = (
                N_("{node}: {actual}, above the {required} that {level} requires.")
                if cond.strict
                else N_("{node}: {actual}, meets the minimum of {required} for {level}.")
            )
            return Statement("score_met", msg, params)
        msg = (
            N_("{node}: {actual}; {level} needs more than {required}.")
            if cond.strict
            else N_("{node}: {actual}; {level} needs {required}, {short} points more.")
        )
        return Statement("score_short", msg, params)
    assert isinstance(cond, RatingCondition)
    params = {
        "set": names.item_set(cond.item_set),
        "actual": int(res.actual),
        "required": cond.count,
        "at_least": names.level(cond.at_least),
        "short": int(res.shortfall),
        "level": names.level(level),
        "closest": names.join([f"{names.item(i)} ({names.level(r)})" for i, r in res.below[: max(3, int(res.shortfall))]]),
    }
    if res.met:
        return Statement("ratings_met", N_("{set}: {actual} at {at_least} or above; {level} needs {required}."), params)
    return Statement(
        "ratings_short", N_("{set}: {actual} at {at_least} or above; {level} needs {required}, {short} more. Closest: {closest}."), params
    )


def _story(check: LevelCheck, names: _Names) -> LevelStory:
    statements = [_condition(c, names, check.level) for c in check.conditions]
    upgrades = tuple((i, names.item(i), a, b) for i, a, b in check.upgrades)
    if not check.met and upgrades:
        statements.append(
            Statement(
                "upgrades",
                N_("Least scenario upgrades that meet these conditions: {upgrades}."),
                {"upgrades": names.join([f"{n} {names.level(a)}→{names.level(b)}" for _, n, a, b in upgrades])},
            )
        )
    return LevelStory(check.level, names.level(check.level), check.met, tuple(statements), upgrades)


def tell(card: Scorecard, questionnaire: Questionnaire, model: ScoringModel, lang: str) -> Story:
    """The explanation of a scorecard in one language's names (sentences still to be translated)."""
    names = _Names(questionnaire, model, lang)
    exp = card.explanation
    if exp.reached is not None:
        reached = _story(exp.reached, names)
        head = Statement("reached", N_("Result: {level}. Every condition of {level} holds:"), {"level": names.level(card.level)})
        reached = LevelStory(reached.level, reached.level_name, True, (head, *reached.statements))
    else:
        reached = LevelStory(
            card.level,
            names.level(card.level),
            False,
            (
                Statement(
                    "none",
                    N_("Result: {level}. The conditions of the lowest level do not all hold yet."),
                    {"level": names.level(card.level)},
                ),
            ),
        )
    nxt = _story(exp.next, names) if exp.next else None
    after = _story(exp.after_next, names) if exp.after_next else None
    return Story(reached, nxt, after)


def story_lines(story: Story, translate: Callable[[str], str] = lambda s: s) -> list[str]:
    """The explanation as plain lines of text (CLI, plain-text exports)."""
    lines = [s.render(translate) for s in story.reached.statements]
    for part in (story.next, story.after_next):
        if part is None:
            continue
        lines.append(translate(N_("To reach {level}:")).format(level=part.level_name))
        lines.extend("  " + s.render(translate) for s in part.statements)
    if story.next is None:
        lines.append(translate(N_("This is the highest level.")))
    return lines
