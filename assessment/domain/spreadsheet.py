"""Spreadsheet cells made harmless: text a spreadsheet program would take for a formula is written as text.

Every CSV and XLSX export passes its cells through `neutralise` (the OWASP rule against CSV injection): text that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote in front. Numbers stay numbers (a
negative number written as a number is not a formula); only text is changed. Text that already starts with a
quote gets one more, so `restore` undoes `neutralise` exactly and an exported catalogue imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_MARKED = (*FORMULA_STARTS, QUOTE)

Cell = TypeVar("Cell")


def neutralise(value: Cell) -> Cell | str:
    """The cell as it is written: text that could start a formula (or starts with a quote) with a quote in front."""
    if isinstance(value, str) and value.startswith(_MARKED):
        return QUOTE + value
    return value


def neutralise_row(values: Iterable[Cell]) -> list[Cell | str]:
    """Every cell of a row neutralised."""
    return [neutralise(v) for v in values]


def restore(text: str) -> str:
    """The text a neutralised cell stood for (text `neutralise` would not have changed is returned as it is)."""
    if len(text) > 1 and text[0] == QUOTE and text[1:].startswith(_MARKED):
        return text[1:]
    return text
