"""Questionnaires and scoring models as plain, JSON-ready data in one language (what the JSON API publishes)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from assessment.content.loader import Library
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import DataField, Item, Option, Questionnaire, Text, tr


def _number(value: Fraction | None) -> int | float | None:
    if value is None:
        return None
    return value.numerator if value.denominator == 1 else round(float(value), 6)


def _text(value: Text | None, lang: str) -> str | None:
    return tr(value, lang) or None


def questionnaire_summary(questionnaire: Questionnaire, lang: str) -> dict[str, Any]:
    """Id, version, title and languages of one questionnaire."""
    return {"id": questionnaire.id, "version": questionnaire.version, "title": tr(questionnaire.title, lang),
            "description": _text(questionnaire.description, lang), "languages": list(questionnaire.languages)}


def questionnaires(library: Library, lang: str) -> list[dict[str, Any]]:
    """Every loaded questionnaire version, by id then version."""
    return [questionnaire_summary(q, lang) for _qid, versions in sorted(library.questionnaires.items())
            for _version, q in sorted(versions.items())]


def models(library: Library, lang: str) -> list[dict[str, Any]]:
    """Every loaded scoring model version: the questionnaire it scores and its levels."""
    return [{"id": m.id, "version": m.version, "name": tr(m.name, lang), "questionnaire": m.questionnaire,
             "levels": [{"level": level.level, "name": tr(level.name, lang), "label": _text(level.label, lang)}
                        for level in sorted(m.levels, key=lambda level: level.level)]}
            for _mid, versions in sorted(library.models.items()) for _version, m in sorted(versions.items())]


def _option(option: Option, lang: str) -> dict[str, Any]:
    return {"key": option.key, "text": tr(option.text, lang), "exclusive": option.exclusive,
            "note": _text(option.note, lang)}


def _field(data: DataField, lang: str) -> dict[str, Any]:
    return {"id": data.id, "label": tr(data.label, lang), "unit": _text(data.unit, lang),
            "min": _number(data.minimum), "max": _number(data.maximum), "integer": data.integer}


def _item(item: Item, section: str, lang: str) -> dict[str, Any]:
    return {
        "id": item.id, "section": section, "type": str(item.type), "text": tr(item.text, lang),
        "short": _text(item.short, lang), "help": _text(item.help, lang), "required": item.required,
        "options": [_option(o, lang) for o in item.options],
        "levels": [{"level": r.level, "title": tr(r.title, lang), "descriptor": tr(r.descriptor, lang)}
                   for r in item.levels],
        "rows": [{"key": r.key, "text": tr(r.text, lang)} for r in item.rows],
        "columns": [_option(o, lang) for o in item.columns],
        "min": _number(item.minimum), "max": _number(item.maximum), "unit": _text(item.unit, lang),
        "fields": [_field(f, lang) for f in item.fields],
        "computed": item.derive is not None, "conditional": item.show_if is not None,
    }


def _scenarios(model: ScoringModel | None, questionnaire: Questionnaire, lang: str) -> list[dict[str, Any]]:
    """The rated business scenarios: the items of the model's largest item set."""
    if model is None or not model.item_sets:
        return []
    largest = max(model.item_sets.values(), key=lambda s: len(s.items))
    found = [questionnaire.item(i) for i in largest.items]
    return [{"id": i.id, "name": tr(i.short or i.text, lang)} for i in found if i is not None]


def questionnaire_detail(library: Library, questionnaire: Questionnaire, lang: str) -> dict[str, Any]:
    """One questionnaire with its sections, items (options, rating levels, rows, data fields) and scenarios."""
    try:
        model: ScoringModel | None = library.default_model(questionnaire.id)
    except KeyError:
        model = None
    return {
        **questionnaire_summary(questionnaire, lang),
        "model": model.ref if model is not None else None,
        "sections": [{"id": s.id, "title": tr(s.title, lang), "intro": _text(s.intro, lang)}
                     for s in questionnaire.sections],
        "items": [_item(item, s.id, lang) for s in questionnaire.sections for item in s.items],
        "scenarios": _scenarios(model, questionnaire, lang),
    }
