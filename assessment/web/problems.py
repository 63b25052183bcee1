"""Problems with answers, told to the respondent: a plain message per field and the error summary's links."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext, lazy_gettext

from assessment.domain.answers import Problem, field_rule, item_rule
from assessment.domain.numbers import N_, NumberRule, expectation
from assessment.domain.questionnaire import DataField, Item, Questionnaire, tr
from assessment.web.forms import data_name

# The engine's messages name item ids for developers; the page says the same thing beside the field.
ITEM_MESSAGES: Mapping[str, Any] = {
    "missing": lazy_gettext("Answer this question."),
    "unknown_option": lazy_gettext("Choose one of the options shown."),
    "list_for_single": lazy_gettext("Choose one of the options shown."),
    "bad_multi": lazy_gettext("Choose one of the options shown."),
    "rating_range": lazy_gettext("Choose one of the levels shown."),
    "bad_grid": lazy_gettext("Choose an answer in every row."),
    "unknown_row": lazy_gettext("Choose an answer in every row."),
    "unknown_column": lazy_gettext("Choose one of the options shown in every row."),
    "grid_rows_missing": lazy_gettext("Choose an answer in every row; still open: {rows}."),
    "contradicts_data": lazy_gettext("The figures you entered give “{derived}” ({figure}), but “{given}” is chosen. "
                                     "Correct the figures or the choice."),
}
NUMBER_CODES = frozenset({"not_a_number", "number_range"})
FIELD_NUMBER_CODES = frozenset({"field_not_number", "field_not_integer", "field_range"})


def number_message(rule: NumberRule) -> str:
    """What a number field accepts, in the visitor's language: its range and whether whole (domain/numbers.py)."""
    message, params = expectation(rule)
    return str(gettext(message)).format(**params)


@dataclass(frozen=True)
class FieldError:
    """One message for the error summary: where to jump, what it concerns, what is wrong."""

    target: str
    label: str
    message: str


def option_text(item: Item, key: str, lang: str) -> str:
    """An option's text, or its key if unknown."""
    option = item.option(key)
    return tr(option.text, lang) if option is not None else key


def first_control(item: Item) -> str:
    """The id of an item's first form control, where the error summary links to."""
    if item.type in ("single", "multi") and item.options:
        return f"{item.id}-{item.options[0].key}"
    if item.type == "rating" and item.levels:
        return f"{item.id}-{item.levels[0].level}"
    if item.type == "grid" and item.rows and item.columns:
        return f"{item.id}-{item.rows[0].key}-{item.columns[0].key}"
    return item.id


def item_message(problem: Problem, item: Item, lang: str) -> str:
    """The message beside an item for one of its problems."""
    params: dict[str, Any] = dict(problem.params)
    if problem.code == "exclusive_mixed":
        others = [option_text(item, k, lang) for k in str(params.get("others", "")).split(", ") if k]
        joined = ("、" if lang == "zh" else ", ").join(f"“{o}”" for o in others)
        return str(gettext("“{option}” cannot be chosen together with {others}. Untick one of them.")).format(
            option=option_text(item, str(params.get("option")), lang), others=joined)
    if problem.code == "contradicts_data":
        params["derived"] = option_text(item, str(params.get("derived")), lang)
        params["given"] = option_text(item, str(params.get("given")), lang)
    if problem.code in NUMBER_CODES:
        return number_message(item_rule(item))
    template = ITEM_MESSAGES.get(problem.code)
    if template is None:
        return problem.render(gettext)
    return str(template).format(**params)


def field_message(problem: Problem, item: Item, lang: str) -> str:
    """The message beside a figure of a computed answer."""
    fid = str(problem.params.get("field"))
    spec = next((f for f in item.fields if f.id == fid), None)
    if spec is None or problem.code not in FIELD_NUMBER_CODES:
        return problem.render(gettext)
    return str(gettext("{field}: {message}")).format(field=tr(spec.label, lang), message=number_message(field_rule(spec)))


def part_over_whole(part: DataField, whole: DataField, lang: str, translate: Callable[[str], str] = gettext) -> str:
    """The refusal of a figure larger than its whole, naming both; {value} and {limit} are left for the figures."""
    return str(translate(N_("{part} ({value}) cannot be more than {whole} ({limit})."))).format(
        part=tr(part.label, lang), whole=tr(whole.label, lang), value="{value}", limit="{limit}")


def _figure_message(problem: Problem, item: Item, questionnaire: Questionnaire, lang: str) -> str:
    """The message beside a figure: its own rule, or the whole it cannot exceed."""
    if problem.code != "field_exceeds_whole":
        return field_message(problem, item, lang)
    fields = questionnaire.data_fields()
    return part_over_whole(fields[str(problem.params["field"])], fields[str(problem.params["whole"])], lang).format(
        value=problem.params["value"], limit=problem.params["limit"])


def step_errors(problems: Iterable[Problem], questionnaire: Questionnaire, lang: str,
                ) -> tuple[dict[str, list[str]], list[FieldError]]:
    """Messages by form-control group (item id or figure name) and the summary, in questionnaire order."""
    owners = {f.id: item for item in questionnaire.items for f in item.fields}
    beside: dict[str, list[str]] = {}
    summary: list[tuple[int, FieldError]] = []
    order = {item.id: n for n, item in enumerate(questionnaire.items)}
    for problem in problems:
        item = questionnaire.item(problem.item) if problem.item else owners.get(str(problem.params.get("field")))
        if item is None:
            continue
        label = tr(item.short or item.text, lang)
        if problem.item is None:
            name = data_name(item, str(problem.params.get("field")))
            message = _figure_message(problem, item, questionnaire, lang)
            target = name
        else:
            name = item.id
            message = item_message(problem, item, lang)
            target = first_control(item)
        beside.setdefault(name, []).append(message)
        summary.append((order.get(item.id, 0), FieldError(target, label, message)))
    return beside, [e for _, e in sorted(summary, key=lambda p: p[0])]
