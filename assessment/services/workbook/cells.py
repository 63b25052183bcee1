"""One answer cell of a workbook read back: its hidden id says what it answers; its value is checked on its own with
the same rules (and messages) as an answers document, then collected into the document."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assessment.domain.answers import N_, Problem, parse_data, parse_value
from assessment.domain.enterprise import SIZE_CLASSES, normalise_region_code, section_of_division
from assessment.domain.questionnaire import Item, Questionnaire
from assessment.domain.spreadsheet import restore
from assessment.services.workbook.layout import NO_WORDS, PROFILE_KEYS, PROFILE_TEXT_MAX, YES_WORDS


@dataclass
class Collected:
    """The answers read so far: single values, marks of multi-choice options and grid cells, figures, the profile,
    and where each item, figure and profile field is (`sheet!cell`, for the problems of the answers together)."""

    values: dict[str, Any] = field(default_factory=dict)
    marks: dict[str, dict[str, bool]] = field(default_factory=dict)
    grid_marks: dict[str, dict[str, dict[str, bool]]] = field(default_factory=dict)
    data: dict[str, int | float | str] = field(default_factory=dict)
    profile: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def place(self, key: str, where: str) -> None:
        """Remember the first cell of an item, figure or profile field."""
        self.cells.setdefault(key, where)

    def answers(self) -> dict[str, Any]:
        """The raw answers: values, chosen options of answered multi-choice items, marked grid rows."""
        out = dict(self.values)
        for item, marks in self.marks.items():
            out[item] = [key for key, chosen in marks.items() if chosen]
        for item, rows in self.grid_marks.items():
            grid = out.setdefault(item, {})
            for row, marks in rows.items():
                if any(marks.values()):  # as on the web: a row with nothing chosen is left out of the answer
                    grid[row] = [key for key, chosen in marks.items() if chosen]
        return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _text(value: Any) -> Any:
    """A cell as the text a person typed: a whole float without ".0", text stripped and restored."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return restore(value.strip()) if isinstance(value, str) else value


def _level(value: Any) -> Any:
    """A level as a whole number when the cell holds one (5, 5.0 or "5")."""
    text = _text(value)
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 5 else text


def _number(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _mark(item: Item, value: Any) -> bool | Problem:
    """是 / 否 (Yes / No, TRUE / FALSE, 1 / 0)."""
    text = str(_text(value)).lower()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    return Problem(item.id, "not_yes_no", N_("{item}: mark 是 (Yes) or 否 (No), not {value!r}"),
                   {"item": item.id, "value": str(value)[:40]})


def _unknown(key: str) -> Problem:
    return Problem(None, "unknown_id", N_("unknown id {key} in the hidden column A; the workbook was changed or is "
                                          "for another version"), {"key": key[:60]})


def _choice(item: Item, parts: list[str], value: Any, found: Collected) -> Problem | None:
    """A multi-choice option's mark, or a grid row's column (or one grid cell's mark)."""
    if item.type == "multi" and len(parts) == 1 and parts[0] in item.option_set:
        mark = _mark(item, value)
        if isinstance(mark, Problem):
            return mark
        found.marks.setdefault(item.id, {key: False for key in item.option_keys})[parts[0]] = mark
        return None
    rows = {row.key for row in item.rows}
    columns = [column.key for column in item.columns]
    if item.type != "grid" or not parts or parts[0] not in rows:
        return _unknown(":".join([item.id, *parts]))
    if not item.grid_multi and len(parts) == 1:
        column = _text(value)
        if column not in columns:
            return Problem(item.id, "unknown_column", N_("{item}: row {row}: {value!r} is not one of {expected}"),
                           {"item": item.id, "row": parts[0], "value": str(column)[:40], "expected": ", ".join(columns)})
        found.values.setdefault(item.id, {})[parts[0]] = column
        return None
    if item.grid_multi and len(parts) == 2 and parts[1] in columns:
        mark = _mark(item, value)
        if isinstance(mark, Problem):
            return mark
        row = found.grid_marks.setdefault(item.id, {}).setdefault(parts[0], {key: False for key in columns})
        row[parts[1]] = mark
        return None
    return _unknown(":".join([item.id, *parts]))


def _item(item: Item, kind: str, parts: list[str], value: Any, found: Collected) -> Problem | None:
    if kind in ("multi", "grid"):
        return _choice(item, parts, value, found)
    raw = _level(value) if kind == "rating" else _number(value) if kind == "number" else _text(value)
    _checked, problems = parse_value(item, raw)
    if problems:
        return problems[0]
    found.values[item.id] = raw
    return None


def _field(questionnaire: Questionnaire, name: str, value: Any, found: Collected) -> Problem | None:
    if name not in questionnaire.data_fields():
        return _unknown(f"field:{name}")
    raw = _number(value)
    _data, problems = parse_data(questionnaire, {name: raw})
    if problems:
        return problems[0]
    found.data[name] = raw
    return None


def _known(item: Item, kind: str, parts: list[str]) -> bool:
    """Whether an id names a row the item's layout has (its answer, an option, a grid row or grid cell)."""
    if kind != item.type:
        return False
    if kind == "multi":
        return len(parts) == 1 and parts[0] in item.option_set
    if kind == "grid":
        rows, columns = {row.key for row in item.rows}, {column.key for column in item.columns}
        cell = len(parts) == 2 and parts[1] in columns
        return bool(parts) and parts[0] in rows and (cell if item.grid_multi else len(parts) == 1)
    return not parts


def check_cell(questionnaire: Questionnaire, key: str, value: Any, where: str, found: Collected) -> Problem | None:
    """Check one answer cell by its hidden id and collect its value; the problem with it, if any."""
    kind, _, rest = key.partition(":")
    if kind == "profile":
        if rest not in PROFILE_KEYS:
            return _unknown(key)
        found.place(f"profile.{rest}", where)
        if not _blank(value):
            text = _text(value)
            found.profile[rest] = text if isinstance(text, str) else str(text)
        return None
    if kind == "field":
        found.place(f"field:{rest}", where)
        return None if _blank(value) else _field(questionnaire, rest, value, found)
    item_id, *parts = rest.split(":")
    item = questionnaire.item(item_id)
    if item is None or not _known(item, kind, parts):
        return _unknown(key)
    found.place(item.id, where)
    return None if _blank(value) else _item(item, kind, parts, value, found)


def profile_problems(profile: Mapping[str, str]) -> list[Problem]:
    """The enterprise profile's problems: text too long, codes that are not GB/T codes, an unknown size class."""
    problems = [Problem(f"profile.{key}", "type", N_("Enter {field} as text of at most {maximum} characters."),
                        {"field": key, "maximum": PROFILE_TEXT_MAX})
                for key, value in profile.items() if len(value) > PROFILE_TEXT_MAX]
    if "industry" in profile and section_of_division(profile["industry"]) is None:
        problems.append(Problem("profile.industry", "code", N_("Enter a GB/T 4754-2017 industry code such as 3670 or C3670.")))
    if "region" in profile and normalise_region_code(profile["region"]) is None:
        problems.append(Problem("profile.region", "code", N_("Enter a GB/T 2260 region code such as 370102.")))
    if "size_class" in profile and profile["size_class"] not in SIZE_CLASSES:
        problems.append(Problem("profile.size_class", "choice", N_("Choose one of the listed size classes.")))
    return problems
