"""Question markup: the shown items of a step, from parts made from content and this request's answers; answers as text.

A question's text, options and level descriptors are the same for everyone who sees its questionnaire version in a
language, and most of a step page's markup: they are rendered once per questionnaire version, item and language from
assess/_question_parts.html (each tickable control both unticked and ticked) and kept in the Site (docs/web.md,
Performance). assess/_questions.html puts them together with what the request shows (ticks, typed figures,
messages, the computed answer), which is never kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext
from markupsafe import Markup

from assessment.domain.answers import Answers, AnswerValue, format_figure
from assessment.domain.questionnaire import BandDerivation, Item, Questionnaire, tr
from assessment.services.language import translations
from assessment.web.forms import StepForm, answer_keys, data_name, grid_name
from assessment.web.problems import option_text, part_over_whole
from assessment.web.site import site
from assessment.web.templating import bound_gettext


@dataclass(frozen=True)
class QuestionState:
    """What one request shows in a question: the ticked controls, typed figures, messages, the computed answer."""

    checked: frozenset[str]
    """Ids of the ticked controls: `Q1-A` (option), `S01-3` (level), `1.1-design-x` (grid cell)."""
    values: Mapping[str, str]
    """Typed figures by control name."""
    errors: Mapping[str, Sequence[str]]
    """Messages by control name."""
    computed: str
    """The answer computed from the figures, as shown beside them ("" if none)."""


@dataclass(frozen=True)
class QuestionParts:
    """A question's markup made from content alone, in one language: the same for every request and account."""

    heading: Markup
    """The question's number, text, hint, definitions and evidence."""
    derive: Markup
    """The data-derive attribute the page script computes an answer with ("" for a question without figures)."""
    controls: Mapping[str, tuple[Markup, Markup]]
    """Each tickable control (option, level, grid cell) with its label, in order, by control id: unticked, ticked."""
    grid_head: Markup = field(default_factory=Markup)
    row_heads: Mapping[str, Markup] = field(default_factory=dict)
    row_controls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The control ids of each grid row, by row key."""

    def ticked(self, checked: frozenset[str], row: str | None = None) -> Markup:
        """The controls (of one grid row, if given), each ticked if its id is in `checked`."""
        ids = self.controls if row is None else self.row_controls[row]
        return Markup("".join(self.controls[control][control in checked] for control in ids))


def computed_template() -> str:
    """The sentence that shows a computed answer; the page script fills it in too."""
    return str(gettext("Computed from your figures: {figure} → “{option}”"))


def computed(item: Item, answers: Answers, lang: str) -> str | None:
    """The computed answer of an item from its figures, as shown beside them (None if not computable)."""
    figure = answers.derived.get(item.id)
    value = answers.values.get(item.id)
    if figure is None or not isinstance(value, str):
        return None
    derive = item.derive
    shown = f"{format_figure(figure)}{derive.unit}" if isinstance(derive, BandDerivation) else f"{format_figure(figure * 100)}%"
    return computed_template().format(figure=shown, option=option_text(item, value, lang))


def derive_spec(item: Item) -> dict[str, Any] | None:
    """What the browser needs to compute an answer live (the server computes it again on saving)."""
    derive = item.derive
    if derive is None:
        return None
    if isinstance(derive, BandDerivation):
        quantity = derive.quantity
        return {"kind": "band", "unit": derive.unit,
                "quantity": [quantity.numerator, quantity.denominator, str(quantity.factor)],
                "bands": [[b.option, None if b.lower is None else str(b.lower), b.lower_inclusive,
                           None if b.upper is None else str(b.upper), b.upper_inclusive] for b in derive.bands]}
    return {"kind": "change", "tolerance": str(derive.tolerance),
            "current": [derive.current.numerator, derive.current.denominator, str(derive.current.factor)],
            "previous": [derive.previous.numerator, derive.previous.denominator, str(derive.previous.factor)],
            "options": [derive.increase, derive.same, derive.decrease]}


def limits_spec(questionnaire: Questionnaire, item: Item, lang: str,
                translate: Callable[[str], str]) -> list[list[str]]:
    """The item's figures that cannot exceed another of its figures, for the live hint: part, whole, refusal."""
    own = {spec.id for spec in item.fields}
    fields = questionnaire.data_fields()
    return [[spec.id, spec.at_most, part_over_whole(spec, fields[spec.at_most], lang, translate)]
            for spec in item.fields if spec.at_most in own]


def _picked(value: Any) -> set[str]:
    """The option keys among a control's values (one value, or a list of them)."""
    if isinstance(value, (list, tuple)):
        return {str(v) for v in value}
    return set() if value is None else {str(value)}


def _checked(item: Item, data: Any) -> frozenset[str]:
    """The ids of the item's ticked controls; `data` gives a control's value by its name."""
    if item.type in ("single", "multi"):
        picked = _picked(data(item.id))
        return frozenset(f"{item.id}-{option.key}" for option in item.options if option.key in picked)
    if item.type == "rating":
        picked = _picked(data(item.id))
        return frozenset(f"{item.id}-{level.level}" for level in item.levels if str(level.level) in picked)
    if item.type == "grid":
        return frozenset(f"{item.id}-{row.key}-{column.key}" for row in item.rows
                         for picked in (_picked(data(grid_name(item, row))),)
                         for column in item.columns if column.key in picked)
    return frozenset()


def _state(item: Item, data: Any, errors: Mapping[str, list[str]], computed_answer: str | None) -> QuestionState:
    values: dict[str, str] = {}
    if item.type == "number":
        values[item.id] = str(data(item.id) or "")
    names = [item.id, *(data_name(item, spec.id) for spec in item.fields)]
    for name in names[1:]:
        figure = data(name)
        if figure:
            values[name] = str(figure)
    return QuestionState(_checked(item, data), values,
                         {name: errors[name] for name in names if errors.get(name)}, computed_answer or "")


def item_state(items: Iterable[Item], form: StepForm | Mapping[str, Any], errors: Mapping[str, list[str]],
               computed_answers: Mapping[str, str | None]) -> dict[str, QuestionState]:
    """What this request shows in each of these items, by item id: ticks, values, messages, computed answers.

    `form` is the posted step form, or for a page the values by control name (forms.step_initial), which spares
    building a form whose only use would be to hold them.
    """
    def data(name: str) -> Any:
        return form.get(name) if isinstance(form, Mapping) else form[name].data

    return {item.id: _state(item, data, errors, computed_answers.get(item.id)) for item in items}


def _rendered_parts(questionnaire: Questionnaire, item: Item, lang: str) -> QuestionParts:
    """Render a question's parts from content and the language only (no request context reaches the macros)."""
    gettext = bound_gettext(lang)
    macros: Any = current_app.jinja_env.get_template("assess/_question_parts.html").make_module(
        {"lang": lang, "_": gettext, "gettext": gettext})
    spec = derive_spec(item)
    if spec is not None:
        spec["limits"] = limits_spec(questionnaire, item, lang, translations(lang).ugettext)
    heading, derive = macros.heading(item), macros.derive(spec)
    controls: dict[str, tuple[Markup, Markup]] = {}
    if item.type in ("single", "multi"):
        kind = "radio" if item.type == "single" else "checkbox"
        for option in item.options:
            controls[f"{item.id}-{option.key}"] = (macros.choice(item, option, kind, False),
                                                   macros.choice(item, option, kind, True))
    elif item.type == "rating":
        for level in item.levels:
            controls[f"{item.id}-{level.level}"] = (macros.level(item, level, False), macros.level(item, level, True))
    elif item.type == "grid":
        rows = {row.key: tuple(f"{item.id}-{row.key}-{column.key}" for column in item.columns) for row in item.rows}
        for row in item.rows:
            for column, control in zip(item.columns, rows[row.key], strict=True):
                controls[control] = (macros.cell(item, row, column, False), macros.cell(item, row, column, True))
        return QuestionParts(heading, derive, controls, macros.grid_head(item),
                             {row.key: macros.row_head(item, row) for row in item.rows}, rows)
    return QuestionParts(heading, derive, controls)


def question_parts(questionnaire: Questionnaire, item: Item, lang: str) -> QuestionParts:
    """A question's parts, rendered on first use per questionnaire version, item and language and kept."""
    kept = site().question_parts
    key = (questionnaire.ref, item.id, lang)
    found = kept.get(key)
    if found is None:
        found = kept[key] = _rendered_parts(questionnaire, item, lang)
    return found


def questions_html(questionnaire: Questionnaire, items: list[Item], lang: str,
                   states: Mapping[str, QuestionState]) -> Markup:
    """The markup of the shown items with this request's answers, messages and computed answers."""
    parts = {item.id: question_parts(questionnaire, item, lang) for item in items}
    return Markup(render_template("assess/_questions.html", items=items, states=states, question_parts=parts,
                                  computed_template=computed_template(), data_fields=questionnaire.data_fields()))


def answer_text(item: Item, value: AnswerValue | None, lang: str) -> list[str]:
    """An answer as lines of text for the review page."""
    if value is None:
        return []
    if item.type in ("single", "multi"):
        return [option_text(item, k, lang) for k in answer_keys(value)]
    if item.type == "rating" and isinstance(value, int):
        level = next((lv for lv in item.levels if lv.level == value), None)
        return [f"{tr(level.title, lang)}：{tr(level.descriptor, lang)}" if level else str(value)]
    if item.type == "grid" and isinstance(value, dict):
        columns = {c.key: tr(c.text, lang) for c in item.columns}
        lines = []
        for row in item.rows:
            cell = value.get(row.key)
            cells = [cell] if isinstance(cell, str) else list(cell or ())
            lines.append(f"{tr(row.text, lang)}: {'、'.join(columns.get(c, c) for c in cells) or '—'}")
        return lines
    unit = tr(item.unit, lang)
    return [f"{value} {unit}".strip()]
