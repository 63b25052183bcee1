"""Scoring use cases: score an answers document and turn a scorecard into plain, JSON-ready data."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from assessment.domain.answers import Answers, parse_answers
from assessment.domain.explanation import Story, number, story_lines, tell
from assessment.domain.model import RatingCondition, ScoreCondition, ScoringModel
from assessment.domain.questionnaire import Questionnaire, tr
from assessment.domain.scoring import LevelCheck, Scorecard, score


def score_document(questionnaire: Questionnaire, model: ScoringModel, document: Any) -> tuple[Answers, Scorecard]:
    """Parse an answers document (raises AnswersInvalid) and score it."""
    answers = parse_answers(questionnaire, document)
    return answers, score(questionnaire, model, answers)


def _num(value: Fraction) -> float | int:
    return value.numerator if value.denominator == 1 else round(float(value), 6)


def _check(check: LevelCheck | None, model: ScoringModel, lang: str) -> dict[str, Any] | None:
    if check is None:
        return None
    conditions: list[dict[str, Any]] = []
    for c in check.conditions:
        cond = c.condition
        if isinstance(cond, ScoreCondition):
            conditions.append(
                {
                    "kind": "score",
                    "node": cond.node,
                    "met": c.met,
                    "required": _num(cond.minimum),
                    "strict": cond.strict,
                    "actual": _num(c.actual),
                    "short": _num(c.shortfall),
                }
            )
        else:
            assert isinstance(cond, RatingCondition)
            conditions.append(
                {
                    "kind": "ratings",
                    "set": cond.item_set,
                    "met": c.met,
                    "at_least": cond.at_least,
                    "required": cond.count,
                    "actual": int(c.actual),
                    "short": int(c.shortfall),
                    "closest": [[i, r] for i, r in c.below],
                }
            )
    return {
        "level": check.level,
        "level_name": tr(model.level_def(check.level).name, lang),
        "met": check.met,
        "points_short": _num(check.points_short),
        "conditions": conditions,
        "upgrades": [{"item": i, "from": a, "to": b} for i, a, b in check.upgrades],
    }


def scorecard_document(
    card: Scorecard, questionnaire: Questionnaire, model: ScoringModel, lang: str = "zh", translate: Callable[[str], str] = lambda s: s
) -> dict[str, Any]:
    """A scorecard as plain JSON-ready data, with names in `lang` and the explanation rendered."""
    story: Story = tell(card, questionnaire, model, lang)
    parents = {c: n.id for n in model.nodes.values() for c in n.children}
    nodes = card.nodes
    level_def = model.level_def(card.level)
    return {
        "questionnaire": card.questionnaire,
        "model": card.model,
        "level": card.level,
        "level_name": tr(level_def.name, lang),
        "level_label": tr(level_def.label, lang) or None,
        "level_descriptor": tr(level_def.descriptor, lang) or None,
        "score": _num(card.total.value),
        "score_display": number(card.total.value),
        "max": _num(card.total.maximum),
        "dimensions": [
            {"id": d.id, "name": tr(d.name, lang), "score": _num(nodes[d.id].value), "max": _num(nodes[d.id].maximum)}
            for d in model.dimensions
        ],
        "indicators": [
            {
                "id": n.id,
                "name": tr(n.name, lang),
                "parent": parents.get(n.id),
                "item": n.scorer.item if n.scorer else None,
                "score": _num(nodes[n.id].value),
                "max": _num(nodes[n.id].maximum),
            }
            for n in model.nodes.values()
            if n.id != model.root
        ],
        "ratings": dict(card.ratings),
        "equivalents": [
            {
                "id": e.id,
                "name": tr(e.name, lang),
                "value": _num(e.values.get(card.level, Fraction(0))),
                "source": tr(e.source, lang) or None,
            }
            for e in model.equivalents
        ],
        "explanation": {
            "reached": _check(card.explanation.reached, model, lang),
            "next": _check(card.explanation.next, model, lang),
            "after_next": _check(card.explanation.after_next, model, lang),
            "text": story_lines(story, translate),
        },
    }
