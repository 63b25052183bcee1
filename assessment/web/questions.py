"""Question markup: each item rendered once per questionnaire version and language, then filled in per request.

A wizard step is mostly fixed text (questions, options, level descriptors); only ticks, typed values, messages
and computed answers change. The fixed part is rendered from assess/_item.html with slot markers and kept
split at them (web/slots.py); each request fills in the slots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import render_template
from flask_babel import gettext
from markupsafe import Markup, escape

from assessment.domain.answers import Answers, format_figure
from assessment.domain.questionnaire import BandDerivation, Item, Questionnaire
from assessment.web import slots
from assessment.web.forms import StepForm, data_name, grid_name
from assessment.web.problems import option_text
from assessment.web.site import site
from assessment.web.slots import Slotted, split


def slot(kind: str, name: str) -> Markup:
    """A marker for per-request state in cached markup: kind on|val|err|cls|inv|desc|computed, and a control."""
    return slots.slot(f"{kind}:{name}")


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


def item_markup(questionnaire: Questionnaire, item: Item, lang: str,
                cache: dict[tuple[str, str, str], Slotted] | None = None) -> Slotted:
    """An item's markup with slots, rendered on first use per questionnaire version and language."""
    cache = site().item_markup if cache is None else cache
    key = (questionnaire.ref, item.id, lang)
    found = cache.get(key)
    if found is None:
        found = split(render_template("assess/_item.html", item=item, slot=slot, derive_spec=derive_spec(item),
                                      computed_template=computed_template()))
        cache[key] = found
    return found


def _error_paragraph(name: str, messages: list[str]) -> str:
    label = escape(gettext("Error:"))
    lines = "<br>".join(f'<span class="visually-hidden">{label}</span> {escape(m)}' for m in messages)
    return f'<p class="field-error" id="{escape(name)}-error">{lines}</p>'


def _marks(state: dict[str, str], name: str, errors: Mapping[str, list[str]]) -> None:
    messages = errors.get(name)
    if messages:
        state[f"err:{name}"] = _error_paragraph(name, messages)
        state[f"cls:{name}"] = " has-error"
        state[f"inv:{name}"] = f' aria-invalid="true" aria-describedby="{escape(name)}-error"'


def _picked(value: Any) -> set[str]:
    """The option keys among a control's values (one value, or a list of them)."""
    if isinstance(value, (list, tuple)):
        return {str(v) for v in value}
    return set() if value is None else {str(value)}


def item_state(items: Iterable[Item], form: StepForm | Mapping[str, Any], errors: Mapping[str, list[str]],
               computed_answers: Mapping[str, str | None]) -> dict[str, str]:
    """The slot values of these items for this request: ticks, values, messages, computed answers.

    `form` is the posted step form, or for a page the values by control name (forms.step_initial), which spares
    building a form whose only use would be to hold them.
    """
    def data(name: str) -> Any:
        return form.get(name) if isinstance(form, Mapping) else form[name].data

    state: dict[str, str] = {}
    for item in items:
        iid = item.id
        if item.type in ("single", "multi"):
            picked = _picked(data(iid))
            for option in item.options if picked else ():
                if option.key in picked:
                    state[f"on:{iid}-{option.key}"] = " checked"
        elif item.type == "rating":
            picked = _picked(data(iid))
            for level in item.levels if picked else ():
                if str(level.level) in picked:
                    state[f"on:{iid}-{level.level}"] = " checked"
        elif item.type == "grid":
            for row in item.rows:
                picked = _picked(data(grid_name(item, row)))
                for column in item.columns if picked else ():
                    if column.key in picked:
                        state[f"on:{iid}-{row.key}-{column.key}"] = " checked"
        elif item.type == "number":
            state[f"val:{iid}"] = str(escape(data(iid) or ""))
        if errors:
            _marks(state, iid, errors)
        described = f"{iid}-hint" if item.help else ""
        if errors.get(iid):
            described = f"{described} {iid}-error".lstrip()
        if described:
            state[f"desc:{iid}"] = f' aria-describedby="{escape(described)}"'
        for spec in item.fields:
            name = data_name(item, spec.id)
            figure = data(name)
            if figure:
                state[f"val:{name}"] = str(escape(figure))
            if errors:
                _marks(state, name, errors)
        text = computed_answers.get(iid)
        if text:
            state[f"computed:{iid}"] = str(escape(text))
    return state


def questions_html(questionnaire: Questionnaire, items: list[Item], lang: str, state: Mapping[str, str]) -> Markup:
    """The markup of the shown items with this request's state filled in."""
    cache = site().item_markup
    return Markup("".join(item_markup(questionnaire, item, lang, cache).fill(state) for item in items))


def questions_slotted(questionnaire: Questionnaire, items: list[Item], lang: str) -> Markup:
    """The markup of the shown items with their slot markers, to be part of a kept page (see web/slots.py)."""
    cache = site().item_markup
    return Markup("".join(item_markup(questionnaire, item, lang, cache).markup for item in items))
