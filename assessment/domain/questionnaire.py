"""Questionnaire values: sections, items, options, data fields, derivations and display conditions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import Literal

Text = Mapping[str, str]
"""A user-facing string per language code, e.g. {"zh": "数字化基础", "en": "Digital foundation"}."""

ItemType = Literal["single", "multi", "number", "rating", "grid"]


def tr(text: Text | None, lang: str, fallback: str = "zh") -> str:
    """The text in `lang`, else in `fallback`, else any language, else ""."""
    if not text:
        return ""
    return text.get(lang) or text.get(fallback) or next(iter(text.values()), "")


@dataclass(frozen=True)
class Option:
    """One choice of a single- or multiple-choice item."""

    key: str
    text: Text
    exclusive: bool = False
    note: Text | None = None
    excludes: tuple[str, ...] = ()
    """For an exclusive option: the keys it cannot be combined with (empty = every other option)."""


@dataclass(frozen=True)
class RatingLevel:
    """One level of a rating item (e.g. a scenario rated 0–4) with its descriptor."""

    level: int
    title: Text
    descriptor: Text


@dataclass(frozen=True)
class GridRow:
    """One row of a grid item."""

    key: str
    text: Text


@dataclass(frozen=True)
class DataField:
    """A raw figure from which an answer can be computed (e.g. number of devices)."""

    id: str
    label: Text
    unit: Text | None = None
    minimum: Fraction | None = Fraction(0)
    maximum: Fraction | None = None
    integer: bool = False
    at_most: str | None = None
    """The data field this one is a part of and so cannot exceed (digitized devices ≤ devices in total)."""


def order(a: Fraction, b: Fraction) -> int:
    """-1, 0 or 1 as a is less than, equal to or greater than b.

    Exact, like Fraction's own comparisons, without their check of the other operand against the numbers ABCs on
    every call; a save compares each computed figure with its bands and limits.
    """
    left, right = a.numerator * b.denominator, b.numerator * a.denominator  # denominators are positive
    return (left > right) - (left < right)


@dataclass(frozen=True)
class Quantity:
    """numerator / denominator × factor, over data fields; denominator optional."""

    numerator: str
    denominator: str | None = None
    factor: Fraction = Fraction(1)

    def fields(self) -> tuple[str, ...]:
        """The data fields this quantity reads."""
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)

    def evaluate(self, data: Mapping[str, Fraction]) -> Fraction | None:
        """The value, or None when a field is missing or the denominator is zero."""
        num = data.get(self.numerator)
        if num is None:
            return None
        if self.denominator is None:
            return num * self.factor
        den = data.get(self.denominator)
        if den is None or den == 0:
            return None
        return num / den * self.factor


@dataclass(frozen=True)
class Band:
    """An interval of a computed value that selects an option."""

    option: str
    lower: Fraction | None
    lower_inclusive: bool
    upper: Fraction | None
    upper_inclusive: bool

    def contains(self, value: Fraction) -> bool:
        """Whether value lies in this band."""
        if self.lower is not None:
            below = order(value, self.lower)
            if below < 0 or (below == 0 and not self.lower_inclusive):
                return False
        if self.upper is not None:
            above = order(value, self.upper)
            if above > 0 or (above == 0 and not self.upper_inclusive):
                return False
        return True


@dataclass(frozen=True)
class BandDerivation:
    """Option chosen by the band a computed quantity falls in (e.g. device digitization rate)."""

    quantity: Quantity
    bands: tuple[Band, ...]
    unit: str = ""

    def fields(self) -> tuple[str, ...]:
        """The data fields this derivation reads."""
        return self.quantity.fields()

    def derive(self, data: Mapping[str, Fraction]) -> tuple[str, Fraction] | None:
        """(option, computed value), or None when the data is incomplete or outside every band."""
        value = self.quantity.evaluate(data)
        if value is None:
            return None
        for band in self.bands:
            if band.contains(value):
                return band.option, value
        return None


@dataclass(frozen=True)
class ChangeDerivation:
    """Option chosen by comparing a current and a previous quantity (增加 / 持平 / 降低).

    `tolerance` is relative: |current − previous| ≤ tolerance × |previous| counts as unchanged.
    """

    current: Quantity
    previous: Quantity
    increase: str
    same: str
    decrease: str
    tolerance: Fraction = Fraction(0)

    def fields(self) -> tuple[str, ...]:
        """The data fields this derivation reads."""
        return self.current.fields() + self.previous.fields()

    def derive(self, data: Mapping[str, Fraction]) -> tuple[str, Fraction] | None:
        """(option, relative change), or None when the data is incomplete."""
        cur = self.current.evaluate(data)
        prev = self.previous.evaluate(data)
        if cur is None or prev is None:
            return None
        diff = cur - prev
        relative = diff / abs(prev) if prev != 0 else (Fraction(0) if diff == 0 else Fraction(1 if diff > 0 else -1))
        if abs(diff) <= self.tolerance * abs(prev):
            return self.same, relative
        return (self.increase if diff > 0 else self.decrease), relative


Derivation = BandDerivation | ChangeDerivation


@dataclass(frozen=True)
class Condition:
    """A display condition: the item is shown only when this holds for the answers so far.

    Exactly one of the forms is used: `all_of`/`any_of` combine sub-conditions; otherwise `item` with
    `in_options` (single: chosen one of; multi: chose any of), `not_in_options`, or `at_least` (number, rating).
    """

    item: str | None = None
    in_options: tuple[str, ...] = ()
    not_in_options: tuple[str, ...] = ()
    at_least: Fraction | None = None
    all_of: tuple[Condition, ...] = ()
    any_of: tuple[Condition, ...] = ()

    def items(self) -> tuple[str, ...]:
        """Every item this condition reads."""
        own = (self.item,) if self.item else ()
        return own + tuple(i for c in self.all_of + self.any_of for i in c.items())


@dataclass(frozen=True)
class Item:
    """One question of a questionnaire."""

    id: str
    type: ItemType
    text: Text
    short: Text | None = None
    help: Text | None = None
    definition: Text | None = None
    evidence: tuple[Text, ...] = ()
    options: tuple[Option, ...] = ()
    levels: tuple[RatingLevel, ...] = ()
    rows: tuple[GridRow, ...] = ()
    columns: tuple[Option, ...] = ()
    grid_multi: bool = False
    minimum: Fraction | None = None
    maximum: Fraction | None = None
    unit: Text | None = None
    fields: tuple[DataField, ...] = ()
    derive: Derivation | None = None
    show_if: Condition | None = None
    required: bool = True
    group: str | None = None
    notes: tuple[Text, ...] = ()

    def option(self, key: str) -> Option | None:
        """The option with this key, if any."""
        for opt in self.options:
            if opt.key == key:
                return opt
        return None

    @cached_property
    def option_keys(self) -> tuple[str, ...]:
        """Option keys in order."""
        return tuple(o.key for o in self.options)

    @cached_property
    def option_set(self) -> frozenset[str]:
        """Option keys as a set."""
        return frozenset(self.option_keys)

    @cached_property
    def exclusive_keys(self) -> frozenset[str]:
        """Keys of exclusive ("none") options."""
        return frozenset(o.key for o in self.options if o.exclusive)

    def conflicts(self, key: str) -> frozenset[str]:
        """The options an exclusive option cannot be combined with."""
        opt = self.option(key)
        if opt is None or not opt.exclusive:
            return frozenset()
        return frozenset(opt.excludes) if opt.excludes else self.option_set - {key}

    @cached_property
    def max_rating(self) -> int:
        """The highest level of a rating item."""
        return max((lv.level for lv in self.levels), default=0)

    @cached_property
    def min_rating(self) -> int:
        """The lowest level of a rating item."""
        return min((lv.level for lv in self.levels), default=0)


@dataclass(frozen=True)
class Section:
    """A step of the questionnaire: a titled group of items."""

    id: str
    title: Text
    intro: Text | None
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Questionnaire:
    """A versioned questionnaire: its sections and items, in order; equal when every field is."""

    id: str
    version: str
    title: Text
    languages: tuple[str, ...]
    sections: tuple[Section, ...]
    description: Text | None = None
    source: Text | None = None
    groups: Mapping[str, Text] = field(default_factory=dict)

    def __hash__(self) -> int:
        """The hash of the reference: equal questionnaires share it, and it is cheap where one keys a cache."""
        return hash((self.id, self.version))

    @property
    def ref(self) -> str:
        """`id@version`, the reference stored with every assessment."""
        return f"{self.id}@{self.version}"

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """Every item, in questionnaire order."""
        return tuple(i for s in self.sections for i in s.items)

    def item(self, item_id: str) -> Item | None:
        """The item with this id, if any."""
        return self.item_index.get(item_id)

    @cached_property
    def item_index(self) -> Mapping[str, Item]:
        """Items by id."""
        return {i.id: i for i in self.items}

    @cached_property
    def derived_items(self) -> tuple[Item, ...]:
        """Items whose answer can be computed from data."""
        return tuple(i for i in self.items if i.derive is not None)

    @cached_property
    def has_conditions(self) -> bool:
        """Whether any item has a display condition."""
        return any(i.show_if is not None for i in self.items)

    @cached_property
    def _data_fields(self) -> Mapping[str, DataField]:
        return MappingProxyType({f.id: f for i in self.items for f in i.fields})

    def data_fields(self) -> Mapping[str, DataField]:
        """Every data field by id (read-only; built once)."""
        return self._data_fields
