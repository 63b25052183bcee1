"""Scoring-model values: the indicator tree, item scorers, item sets and the level rule as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from assessment.domain.questionnaire import Text

Aggregate = Literal["sum", "mean", "weighted"]
ScoreMethod = Literal["options", "grid", "rating"]


@dataclass(frozen=True)
class Scorer:
    """How one item becomes a number.

    options: chosen option's points (multi: their sum, capped at `cap`).
    grid: each row scores the points of its chosen column(s); the item scores the mean over rows.
    rating: the rating itself.
    With `scale_to`, the raw value is divided by its maximum and multiplied by scale_to.
    """

    item: str
    method: ScoreMethod
    points: Mapping[str, Fraction] = field(default_factory=dict)
    cap: Fraction | None = None
    scale_to: Fraction | None = None


@dataclass(frozen=True)
class Node:
    """A node of the indicator tree: a leaf scoring an item, or an aggregate of child nodes."""

    id: str
    name: Text
    maximum: Fraction
    children: tuple[str, ...] = ()
    aggregate: Aggregate = "sum"
    weights: tuple[Fraction, ...] = ()
    scale: Fraction = Fraction(1)
    scorer: Scorer | None = None
    short: Text | None = None
    description: Text | None = None


@dataclass(frozen=True)
class ScoreCondition:
    """The score of `node` is at least `minimum` (or, if strict, above it)."""

    node: str
    minimum: Fraction
    strict: bool = False


@dataclass(frozen=True)
class RatingCondition:
    """At least `count` items of `item_set` are rated `at_least` or higher."""

    item_set: str
    at_least: int
    count: int


LevelCondition = ScoreCondition | RatingCondition


@dataclass(frozen=True)
class LevelDef:
    """A result level with the conditions that all must hold to reach it."""

    level: int
    name: Text
    conditions: tuple[LevelCondition, ...] = ()
    label: Text | None = None
    descriptor: Text | None = None
    caveat: Text | None = None
    """What to bear in mind about this level's rule, shown with a result that rule decided."""


@dataclass(frozen=True)
class ItemSet:
    """A named set of items (e.g. all scenarios, the constraint scenarios)."""

    id: str
    name: Text
    items: tuple[str, ...]


@dataclass(frozen=True)
class Equivalent:
    """What a level is worth elsewhere, e.g. 专精特新 points, with its source."""

    id: str
    name: Text
    values: Mapping[int, Fraction]
    source: Text | None = None


@dataclass(frozen=True)
class ScoringModel:
    """A versioned scoring model for one questionnaire; equal when every field is."""

    id: str
    version: str
    name: Text
    questionnaire: str
    root: str
    nodes: Mapping[str, Node]
    levels: tuple[LevelDef, ...]
    below: LevelDef
    item_sets: Mapping[str, ItemSet] = field(default_factory=dict)
    equivalents: tuple[Equivalent, ...] = ()
    description: Text | None = None
    source: Text | None = None
    caveats: tuple[Text, ...] = ()

    def __hash__(self) -> int:
        """The hash of the reference: equal models share it, and it is cheap where a model keys a cache."""
        return hash((self.id, self.version))

    @property
    def ref(self) -> str:
        """`id@version`, the reference stored with every assessment."""
        return f"{self.id}@{self.version}"

    @property
    def dimensions(self) -> tuple[Node, ...]:
        """The root's children: the dimensions shown on radars and bars."""
        return tuple(self.nodes[c] for c in self.nodes[self.root].children)

    def caveats_for(self, level: int) -> tuple[Text, ...]:
        """The caveats of a result at `level`: the model's, and that of the rule which decided it.

        A result below the lowest level was decided by the lowest level's rule, which it did not meet.
        """
        deciding = self.level_def(level) if level else min(self.levels, key=lambda lv: lv.level)
        return (*self.caveats, *((deciding.caveat,) if deciding.caveat is not None else ()))

    def level_def(self, level: int) -> LevelDef:
        """The definition of a level (0 = below the lowest)."""
        for lv in self.levels:
            if lv.level == level:
                return lv
        return self.below

    @property
    def top_level(self) -> int:
        """The highest level."""
        return max(lv.level for lv in self.levels)

    def scored_items(self) -> tuple[str, ...]:
        """Items that carry points, in tree order."""
        return tuple(n.scorer.item for n in self.nodes.values() if n.scorer is not None)

    def leaf_for_item(self, item_id: str) -> Node | None:
        """The leaf node scoring this item, if any."""
        for node in self.nodes.values():
            if node.scorer is not None and node.scorer.item == item_id:
                return node
        return None

    def parent_of(self, node_id: str) -> str | None:
        """The parent node id, or None for the root."""
        for node in self.nodes.values():
            if node_id in node.children:
                return node.id
        return None
