"""Tables counted from assessments (or mappings), and shares at or above a level read from protected tables."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from assessment.domain.disclosure.suppression import ProtectedTable
from assessment.domain.disclosure.tables import (
    TOTAL,
    Axis,
    Category,
    CellTable,
    Key,
    Row,
    level_axis,
    score_band,
    score_band_axis,
)


@dataclass(frozen=True)
class TabulatedAssessment:
    """What one consented, submitted assessment brings to the tables (one per enterprise per period)."""

    region: str
    industry: str
    size_class: str
    zjtx: str
    mode: str
    period: str
    level: int
    score: float
    dimensions: Mapping[str, float] = field(default_factory=dict)
    scenarios: Mapping[str, int] = field(default_factory=dict)
    shared: bool = False


Record: TypeAlias = TabulatedAssessment | Mapping[str, Any]
Classifier: TypeAlias = Callable[[Any], Category]


def field_reader(name: str) -> Callable[[Record], Any]:
    """A function reading a record's field: plain names, "dimension:<id>" and "scenario:<id>"; dataclass or mapping."""
    prefix, _, inner = name.partition(":")
    if inner and prefix in ("dimension", "scenario"):
        container = field_reader(prefix + "s")

        def read_nested(record: Record) -> Any:
            """One entry of the record's dimensions or scenarios."""
            return container(record)[inner]
        return read_nested

    def read(record: Record) -> Any:
        """The field of a dataclass record or a mapping."""
        # The exact-type test first: it is the common case and much cheaper than an isinstance(…, Mapping) check.
        if type(record) is TabulatedAssessment or not isinstance(record, Mapping):
            return getattr(record, name)
        return record[name]
    return read


def _is_shared(record: Record) -> bool:
    if type(record) is TabulatedAssessment or not isinstance(record, Mapping):
        return bool(getattr(record, "shared", False))
    return bool(record.get("shared", False))


def tabulate(records: Iterable[Record], axes: Sequence[Axis], statistics: Sequence[str] = (),
             classify: Mapping[str, Classifier] | None = None) -> CellTable:
    """Count records into a table with margins, summing the statistics; each axis reads its field or `classify[name]`."""
    # classify gives a category from a record (the child region of a county code, score_band of the score);
    # a record marked `shared` counts as known to the viewer.
    classify = classify or {}
    readers = [classify.get(axis.name) or field_reader(axis.name) for axis in axes]
    values = [field_reader(s) for s in statistics]
    groups: dict[tuple[Category, ...], list[float]] = {}
    for record in records:
        key = tuple([read(record) for read in readers])
        slot = groups.get(key)
        if slot is None:
            slot = groups[key] = [0, 0] + [0.0] * len(values)
        slot[0] += 1
        if _is_shared(record):
            slot[1] += 1
        for i, value in enumerate(values, start=2):
            slot[i] += value(record)
    rows = (Row(key, int(v[0]), tuple(float(x) for x in v[2:]), int(v[1])) for key, v in groups.items())
    return CellTable.from_rows(axes, rows, statistics)


def level_table(records: Iterable[Record], by: Sequence[Axis], levels: Axis | None = None,
                dimensions: Sequence[str] = (), classify: Mapping[str, Classifier] | None = None) -> CellTable:
    """Counts by level for each breakdown, carrying the score and dimension scores for their means."""
    stats = ("score", *(f"dimension:{d}" for d in dimensions))
    return tabulate(records, (*by, levels or level_axis()), stats, classify)


def score_distribution(records: Iterable[Record], by: Sequence[Axis], edges: Sequence[float] = (20, 40, 60, 80),
                       classify: Mapping[str, Classifier] | None = None) -> CellTable:
    """Counts by score band for each breakdown (band axis "score_band"), carrying the score for its mean."""
    bands = score_band_axis(edges)
    score = field_reader("score")
    chosen = {**(classify or {}), bands.name: lambda r: score_band(score(r), edges)}
    return tabulate(records, (*by, bands), ("score",), chosen)


def scenario_tables(records: Iterable[Record], by: Sequence[Axis], scenarios: Sequence[str],
                    ratings: Sequence[int] = (1, 2, 3, 4), classify: Mapping[str, Classifier] | None = None) -> tuple[CellTable, ...]:
    """One table per scenario: counts by that scenario's level (axis "scenario:<id>") for each breakdown."""
    rows = list(records)
    return tuple(tabulate(rows, (*by, Axis(f"scenario:{s}", tuple(ratings))), (), classify) for s in scenarios)


@dataclass(frozen=True)
class Share:
    """The enterprises at or above a level in one breakdown cell, against a target share (None where suppressed)."""

    key: Key
    count: int | None
    population: int | None
    target: float | None = None

    @property
    def share(self) -> float | None:
        """count / population, or None if either is suppressed or the population is empty."""
        if self.count is None or not self.population:
            return None
        return self.count / self.population

    @property
    def meets_target(self) -> bool | None:
        """Whether the share reaches the target; None without a target or a share."""
        share = self.share
        return None if share is None or self.target is None else share >= self.target

    @property
    def gap(self) -> int | None:
        """Enterprises still to reach the target share (0 if reached); None without a target or a count."""
        if self.count is None or self.population is None or self.target is None:
            return None
        return max(0, math.ceil(round(self.target * self.population, 9)) - self.count)


def shares_at_or_above(protected: ProtectedTable, group: Category = "2+", axis: str = "level",
                       target: float | None = None) -> tuple[Share, ...]:
    """The share in a level group (e.g. "2+" from level_axis) for every breakdown cell, from a protected table."""
    table = protected.table
    a = [x.name for x in table.axes].index(axis)
    if group not in table.axes[a].coordinates:
        raise KeyError(f"axis {axis!r} has no group {group!r}; build it with level_axis(at_or_above=…)")
    others = [x.coordinates for i, x in enumerate(table.axes) if i != a]
    out = []
    for rest in itertools.product(*others):
        key_in = (*rest[:a], group, *rest[a:])
        key_all = (*rest[:a], TOTAL, *rest[a:])
        out.append(Share(rest, protected.count(key_in), protected.count(key_all), target))
    return tuple(out)
