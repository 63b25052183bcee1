"""Answers: parsing raw answer documents into checked values, with precise problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from assessment.domain.numbers import N_ as N_  # the services mark their messages with the same function
from assessment.domain.numbers import NumberRefused, NumberRule, plain, read_decimal, read_number
from assessment.domain.questionnaire import Condition, DataField, Item, ItemType, Questionnaire, order

AnswerValue = str | tuple[str, ...] | int | Fraction | Mapping[str, str | tuple[str, ...]]



@dataclass(frozen=True)
class Problem:
    """Why an answer (or a data figure) is not acceptable. `message` is an English msgid with {params}."""

    item: str | None
    code: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = lambda s: s) -> str:
        """The message, translated and filled in."""
        return translate(self.message).format(**self.params)


class AnswersInvalid(ValueError):
    """Raised when an answer document has problems; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.render() for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Answers:
    """Checked answers to one questionnaire: values by item id, and raw data figures by field id."""

    questionnaire: str
    values: Mapping[str, AnswerValue]
    data: Mapping[str, Fraction] = field(default_factory=dict)
    derived: Mapping[str, Fraction] = field(default_factory=dict)


def to_fraction(raw: Any) -> Fraction | None:
    """An exact number from JSON/YAML/form input (0.7 becomes 7/10), or None if it is not a number.

    Bounded like every number read (domain/numbers.py): plain decimal text of at most 32 characters, or an int,
    float or Decimal of at most 32 digits; an exponent, Infinity, NaN or anything longer is not a number.
    """
    return read_decimal(raw)


def item_rule(item: Item) -> NumberRule:
    """What a number item accepts: its own min and max."""
    return NumberRule(item.minimum, item.maximum)


def field_rule(spec: DataField) -> NumberRule:
    """What a data field (a figure of a computed answer) accepts: its own min, max and whole numbers."""
    return NumberRule(spec.minimum, spec.maximum, integer=spec.integer)


def _range_text(rule: NumberRule) -> str:
    """A range for developers' messages: 0–100, ≥ 0, ≤ 100 (an open end is left out, never ∞)."""
    if rule.minimum is not None and rule.maximum is not None:
        return f"{plain(rule.minimum)}–{plain(rule.maximum)}"
    if rule.minimum is not None:
        return f"≥ {plain(rule.minimum)}"
    return f"≤ {plain(rule.maximum)}" if rule.maximum is not None else "any number"


def _shown(raw: Any) -> Any:
    """A refused value as a message may quote it: long text cut short, a huge number only named."""
    if isinstance(raw, str) and len(raw) > 40:
        return raw[:40] + "…"
    if isinstance(raw, int) and not isinstance(raw, bool) and read_decimal(raw) is None:
        return "a number of more than 32 digits"
    return raw


ParseResult = tuple[AnswerValue | None, list[Problem]]
"""A checked value (None if unusable) and the problems found."""


def _unknown_option(item: Item, option: Any) -> Problem:
    """An option key the item does not have."""
    return Problem(
        item.id,
        "unknown_option",
        N_("{item}: unknown option {option!r}; expected one of {expected}"),
        {"item": item.id, "option": _shown(option), "expected": ", ".join(item.option_keys)},
    )


def _parse_single(item: Item, raw: Any) -> ParseResult:
    """One option key."""
    if isinstance(raw, list):
        return None, [Problem(item.id, "list_for_single", N_("{item}: a single-choice item takes one option, not a list"),
                              {"item": item.id})]
    if not isinstance(raw, str) or raw not in item.option_set:
        return None, [_unknown_option(item, raw)]
    return raw, []


def _exclusive_clash(item: Item, chosen: set[str]) -> Problem | None:
    """The first exclusive ("none") option chosen together with an option it excludes, as a problem."""
    for key in sorted(chosen & item.exclusive_keys):
        clash = chosen & item.conflicts(key)
        if not clash:
            continue
        option = item.option(key)
        excludes_all = clash == item.option_set - {key} or option is None or not option.excludes
        return Problem(
            item.id,
            "exclusive_mixed",
            N_("{item}: option {option} (none) excludes every other option")
            if excludes_all
            else N_("{item}: option {option} cannot be combined with {others}"),
            {"item": item.id, "option": key, "others": ", ".join(sorted(clash))},
        )
    return None


def _parse_multi(item: Item, raw: Any) -> ParseResult:
    """A non-empty list of option keys (one key alone is taken as a list of one), in the item's order."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        return None, [Problem(item.id, "bad_multi", N_("{item}: a multiple-choice item takes a non-empty list of options"),
                              {"item": item.id})]
    unknown = [k for k in raw if not isinstance(k, str) or k not in item.option_set]
    if unknown:
        return None, [_unknown_option(item, unknown[0])]
    chosen = set(raw)
    clash = _exclusive_clash(item, chosen)
    if clash is not None:
        return None, [clash]
    return tuple(k for k in item.option_keys if k in chosen), []


def _parse_rating(item: Item, raw: Any) -> ParseResult:
    """A whole number within the item's levels."""
    if isinstance(raw, bool) or not isinstance(raw, int) or not item.min_rating <= raw <= item.max_rating:
        return None, [Problem(
            item.id,
            "rating_range",
            N_("{item}: level must be a whole number from {low} to {high}, not {value!r}"),
            {"item": item.id, "low": item.min_rating, "high": item.max_rating, "value": _shown(raw)},
        )]
    return raw, []


def _parse_number(item: Item, raw: Any) -> ParseResult:
    """An exact number within the item's min and max."""
    rule = item_rule(item)
    try:
        return read_number(raw, rule), []
    except NumberRefused as refused:
        if refused.code == "not_a_number":
            return None, [Problem(item.id, "not_a_number", N_("{item}: {value!r} is not a number"),
                                  {"item": item.id, "value": _shown(raw)})]
        return None, [Problem(
            item.id,
            "number_range",
            N_("{item}: {value} is out of range ({range})"),
            {"item": item.id, "value": _shown(raw), "low": item.minimum, "high": item.maximum, "range": _range_text(rule)},
        )]


def _unknown_column(item: Item, row: str, value: Any, col_keys: list[str]) -> Problem:
    """A grid cell naming a column the item does not have."""
    return Problem(
        item.id,
        "unknown_column",
        N_("{item}: row {row}: {value!r} is not one of {expected}"),
        {"item": item.id, "row": row, "value": _shown(value), "expected": ", ".join(col_keys)},
    )


def _grid_row(item: Item, row: Any, cell: Any, col_keys: list[str]) -> str | tuple[str, ...] | Problem:
    """One row of a grid answer: its column (or columns, in order), or the problem with it."""
    if row not in [r.key for r in item.rows]:
        return Problem(item.id, "unknown_row", N_("{item}: unknown row {row!r}"), {"item": item.id, "row": _shown(row)})
    if not item.grid_multi:
        if isinstance(cell, list) or cell not in col_keys:
            return _unknown_column(item, row, cell, col_keys)
        return str(cell)
    cells = cell if isinstance(cell, list) else [cell]
    bad = [c for c in cells if c not in col_keys]
    if bad:
        return _unknown_column(item, row, bad[0], col_keys)
    return tuple(c for c in col_keys if c in cells)


def _parse_grid(item: Item, raw: Any) -> ParseResult:
    """An object of row → column (or row → list of columns); a single-choice grid needs every row."""
    if not isinstance(raw, dict):
        return None, [Problem(item.id, "bad_grid", N_("{item}: a grid item takes an object of row → column"), {"item": item.id})]
    col_keys = [c.key for c in item.columns]
    out: dict[str, str | tuple[str, ...]] = {}
    problems: list[Problem] = []
    for row, cell in raw.items():
        checked = _grid_row(item, row, cell, col_keys)
        if isinstance(checked, Problem):
            problems.append(checked)
        else:
            out[row] = checked
    if problems:
        return None, problems
    missing_rows = [] if item.grid_multi else [r.key for r in item.rows if r.key not in out]
    if missing_rows:
        return None, [Problem(item.id, "grid_rows_missing", N_("{item}: rows without an answer: {rows}"),
                              {"item": item.id, "rows": ", ".join(missing_rows)})]
    return out, []


PARSERS: Mapping[ItemType, Callable[[Item, Any], ParseResult]] = {
    "single": _parse_single,
    "multi": _parse_multi,
    "rating": _parse_rating,
    "number": _parse_number,
    "grid": _parse_grid,
}
"""The parser of each item type."""


def parse_value(item: Item, raw: Any) -> ParseResult:
    """Check one raw answer against its item; returns the value (None if unusable) and the problems."""
    return PARSERS[item.type](item, raw)


def condition_holds(cond: Condition, values: Mapping[str, AnswerValue]) -> bool:
    """Whether a display condition holds for the answers given so far (unanswered ⇒ False)."""
    if cond.all_of:
        return all(condition_holds(c, values) for c in cond.all_of)
    if cond.any_of:
        return any(condition_holds(c, values) for c in cond.any_of)
    value = values.get(cond.item or "")
    if value is None:
        return False
    if cond.at_least is not None:
        return isinstance(value, (int, Fraction)) and value >= cond.at_least
    chosen = {value} if isinstance(value, str) else set(value) if isinstance(value, tuple) else set()
    if cond.in_options:
        return bool(chosen & set(cond.in_options))
    if cond.not_in_options:
        return not chosen & set(cond.not_in_options)
    return True


def visible_items(questionnaire: Questionnaire, values: Mapping[str, AnswerValue]) -> list[Item]:
    """The items shown for these answers, in order."""
    return [i for i in questionnaire.items if i.show_if is None or condition_holds(i.show_if, values)]


def parse_data(questionnaire: Questionnaire, raw: Any) -> tuple[dict[str, Fraction], list[Problem]]:
    """Check raw data figures (for computed answers) against the questionnaire's data fields."""
    problems: list[Problem] = []
    data: dict[str, Fraction] = {}
    if raw is None:
        return data, problems
    if not isinstance(raw, dict):
        return data, [Problem(None, "bad_data", N_("data must be an object of field → number"), {})]
    fields = questionnaire.data_fields()
    for fid, value in raw.items():
        spec = fields.get(fid)
        if spec is None:
            problems.append(Problem(None, "unknown_field", N_("data: unknown field {field!r}"), {"field": fid}))
            continue
        if value is None or value == "":
            continue
        rule = field_rule(spec)
        try:
            data[fid] = read_number(value, rule)
        except NumberRefused as refused:
            shown = _shown(value)
            if refused.code == "not_a_number":
                problems.append(Problem(None, "field_not_number", N_("data: {field} = {value!r} is not a number"),
                                        {"field": fid, "value": shown}))
            elif refused.code == "not_integer":
                problems.append(Problem(None, "field_not_integer",
                                        N_("data: {field} must be a whole number, not {value}"),
                                        {"field": fid, "value": shown}))
            else:
                problems.append(
                    Problem(
                        None,
                        "field_range",
                        N_("data: {field} = {value} is out of range ({range})"),
                        {"field": fid, "value": shown, "low": spec.minimum, "high": spec.maximum,
                         "range": _range_text(rule)},
                    )
                )
    problems.extend(_parts_over_whole(fields, data))
    return data, problems


def _parts_over_whole(fields: Mapping[str, DataField], data: dict[str, Fraction]) -> list[Problem]:
    """A problem for each figure larger than the whole it is part of; such a figure is taken out of `data`."""
    problems = [
        Problem(None, "field_exceeds_whole", N_("data: {field} = {value} is more than {whole} = {limit}"),
                {"field": fid, "value": plain(part), "whole": spec.at_most, "limit": plain(whole)})
        for fid, part in data.items()
        if (spec := fields[fid]).at_most is not None and (whole := data.get(spec.at_most)) is not None
        and order(part, whole) > 0
    ]
    for problem in problems:
        del data[problem.params["field"]]
    return problems


def _raw_answers(questionnaire: Questionnaire, document: Any) -> tuple[Mapping[str, Any], list[Problem]]:
    """The document's raw answers and the problems of its envelope; raises AnswersInvalid if it has no usable shape."""
    if not isinstance(document, dict):
        raise AnswersInvalid([Problem(None, "bad_document", N_("the answers document must be a JSON object"), {})])
    problems: list[Problem] = []
    qid = document.get("questionnaire")
    if qid is not None and qid != questionnaire.id:
        problems.append(
            Problem(
                None,
                "wrong_questionnaire",
                N_("answers are for questionnaire {got!r}, not {expected!r}"),
                {"got": qid, "expected": questionnaire.id},
            )
        )
    raw_answers = document.get("answers", {})
    if not isinstance(raw_answers, dict):
        raise AnswersInvalid([*problems, Problem(None, "bad_answers", N_("'answers' must be an object of item → answer"), {})])
    return raw_answers, problems


def _item_values(questionnaire: Questionnaire, raw_answers: Mapping[str, Any], problems: list[Problem]) -> dict[str, AnswerValue]:
    """The usable values of the given answers; their problems are added to `problems`."""
    index = questionnaire.item_index
    values: dict[str, AnswerValue] = {}
    for iid, raw in raw_answers.items():
        item = index.get(iid)
        if item is None:
            problems.append(Problem(iid, "unknown_item", N_("unknown item {item!r}"), {"item": iid}))
            continue
        if raw is None:
            continue
        value, item_problems = parse_value(item, raw)
        problems.extend(item_problems)
        if value is not None:
            values[iid] = value
    return values


def _derive(
    questionnaire: Questionnaire, data: Mapping[str, Fraction], values: dict[str, AnswerValue], problems: list[Problem]
) -> dict[str, Fraction]:
    """The figures computed from data; a computed option fills an unanswered item, and contradicting one is a problem."""
    derived: dict[str, Fraction] = {}
    for item in questionnaire.derived_items if data else ():
        assert item.derive is not None
        result = item.derive.derive(data)
        if result is None:
            continue
        option, figure = result
        derived[item.id] = figure
        given = values.get(item.id)
        if given is None:
            values[item.id] = option
        elif given != option:
            problems.append(
                Problem(
                    item.id,
                    "contradicts_data",
                    N_("{item}: the figures give option {derived} ({figure}), but option {given} was chosen"),
                    {"item": item.id, "derived": option, "given": given, "figure": format_figure(figure)},
                )
            )
    return derived


def _missing(shown: list[Item], values: Mapping[str, AnswerValue], problems: list[Problem]) -> list[Problem]:
    """A problem for each shown required item without an answer (unless it already has a problem)."""
    with_problems = {p.item for p in problems}
    return [
        Problem(item.id, "missing", N_("{item}: no answer"), {"item": item.id})
        for item in shown
        if item.required and item.id not in values and item.id not in with_problems
    ]


def parse_answers(questionnaire: Questionnaire, document: Any, *, complete: bool = True) -> Answers:
    """Turn an answers document into checked Answers, or raise AnswersInvalid listing every problem.

    With complete=False (a draft), missing answers are allowed.
    """
    raw_answers, problems = _raw_answers(questionnaire, document)
    data, data_problems = parse_data(questionnaire, document.get("data"))
    problems.extend(data_problems)
    values = _item_values(questionnaire, raw_answers, problems)
    derived = _derive(questionnaire, data, values, problems)
    if questionnaire.has_conditions:
        shown = visible_items(questionnaire, values)
        shown_ids = {i.id for i in shown}
        values = {k: v for k, v in values.items() if k in shown_ids}
    else:
        shown = list(questionnaire.items)
    if complete:
        problems.extend(_missing(shown, values, problems))
    if problems:
        raise AnswersInvalid(problems)
    return Answers(questionnaire.id, values, data, derived)


def format_figure(value: Fraction) -> str:
    """A computed figure for messages: at most two decimals."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def answers_to_document(answers: Answers) -> dict[str, Any]:
    """The JSON document form of Answers (inverse of parse_answers)."""
    out: dict[str, Any] = {}
    for key, value in answers.values.items():
        if isinstance(value, tuple):
            out[key] = list(value)
        elif isinstance(value, Fraction):
            out[key] = int(value) if value.denominator == 1 else float(value)
        elif isinstance(value, Mapping):
            out[key] = {r: list(c) if isinstance(c, tuple) else c for r, c in value.items()}
        else:
            out[key] = value
    doc: dict[str, Any] = {"questionnaire": answers.questionnaire, "answers": out}
    if answers.data:
        doc["data"] = {k: int(v) if v.denominator == 1 else float(v) for k, v in answers.data.items()}
    return doc
