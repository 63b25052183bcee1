"""Cell tables: breakdown axes with groups and margins, and enterprise counts with sums over every cell of their cross."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final, NamedTuple, TypeAlias


class Margin(Enum):
    """The margin coordinate of an axis: all of its categories together."""

    TOTAL = "total"

    # The one member is its own identity: hashing by it (in C) instead of by name keeps keys holding TOTAL cheap.
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "TOTAL"


TOTAL: Final = Margin.TOTAL

Category: TypeAlias = str | int
Coordinate: TypeAlias = str | int | Margin
Key: TypeAlias = tuple[Coordinate, ...]


# ---------------------------------------------------------------------------------------------------------------
# Axes


@dataclass(frozen=True)
class Axis:
    """A breakdown variable: its categories in display order, optional nested groups, and whether it has a total."""

    # total=False is for a variable that does not partition the population (periods, where one enterprise can be
    # counted in several; scenarios): its categories are then independent slices with no margin across them.
    name: str
    categories: tuple[Category, ...]
    groups: tuple[tuple[Category, tuple[Category, ...]], ...] = ()
    total: bool = True
    _parent: dict[Category, Coordinate] = field(init=False, repr=False, compare=False)
    _children: dict[Coordinate, tuple[Category, ...]] = field(init=False, repr=False, compare=False)
    _position: dict[Coordinate, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "groups", tuple((g, tuple(members)) for g, members in self.groups))
        names = [*self.categories, *(g for g, _ in self.groups)]
        self._check_names(names)
        parent: dict[Category, Coordinate] = dict(self._group_of(names))
        if self.total:
            for name in names:
                parent.setdefault(name, TOTAL)
        children: dict[Coordinate, list[Category]] = {}
        for name in names:
            if name in parent:
                children.setdefault(parent[name], []).append(name)
        object.__setattr__(self, "_parent", parent)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})
        object.__setattr__(self, "_position", {c: i for i, c in enumerate(self.coordinates)})

    def _check_names(self, names: list[Category]) -> None:
        """Refuse an axis without categories, with a name twice, or with groups but no total."""
        if not names:
            raise ValueError(f"axis {self.name!r} has no categories")
        if len(set(names)) != len(names):
            raise ValueError(f"axis {self.name!r} repeats a category or group name")
        if self.groups and not self.total:
            # A group is a subtotal; on a variable that does not partition the population it would not add up.
            raise ValueError(f"axis {self.name!r} has groups but no total; groups need an additive variable")

    def _group_of(self, names: list[Category]) -> dict[Category, Category]:
        """The group each grouped category or group belongs to, after checking that the groups nest."""
        parent: dict[Category, Category] = {}
        for group, members in self.groups:
            if not members:
                raise ValueError(f"axis {self.name!r}: group {group!r} is empty")
            for member in members:
                if member not in names:
                    raise ValueError(f"axis {self.name!r}: group {group!r} names unknown {member!r}")
                if member in parent:
                    raise ValueError(f"axis {self.name!r}: {member!r} is in two groups; groups must nest")
                parent[member] = group
        for name in names:
            seen = {name}
            node = parent.get(name)
            while node is not None:
                if node in seen:
                    raise ValueError(f"axis {self.name!r}: groups form a cycle through {node!r}")
                seen.add(node)
                node = parent.get(node)
        return parent

    @property
    def coordinates(self) -> tuple[Coordinate, ...]:
        """Every coordinate of the axis: categories, then groups, then TOTAL if the axis has one."""
        groups = tuple(g for g, _ in self.groups)
        return (*self.categories, *groups, *((TOTAL,) if self.total else ()))

    def parent(self, coordinate: Coordinate) -> Coordinate | None:
        """The group or TOTAL a coordinate adds into; None for TOTAL and on an axis without a total."""
        return None if isinstance(coordinate, Margin) else self._parent.get(coordinate)

    def children(self, coordinate: Coordinate) -> tuple[Category, ...]:
        """What a group or TOTAL sums (its direct members); () for a category."""
        return self._children.get(coordinate, ())

    def chain(self, coordinate: Coordinate) -> tuple[Coordinate, ...]:
        """A coordinate and every coordinate it adds into, innermost first (…, TOTAL)."""
        out: list[Coordinate] = [coordinate]
        node = self.parent(coordinate)
        while node is not None:
            out.append(node)
            node = self.parent(node)
        return tuple(out)

    def position(self, coordinate: Coordinate) -> int:
        """Where a coordinate stands in `coordinates` (KeyError if it is not one)."""
        return self._position[coordinate]

    def is_category(self, value: object) -> bool:
        """Whether a value is one of the axis's categories (a data value, not a group or TOTAL)."""
        return isinstance(value, str | int) and value in self.categories


def level_axis(levels: Sequence[int] = (0, 1, 2, 3, 4), at_or_above: int | None = 2, name: str = "level") -> Axis:
    """The level axis, with a group "N+" of the levels at or above N (e.g. 2+ for 二级及以上) when asked."""
    if at_or_above is None:
        return Axis(name, tuple(levels))
    upper = tuple(lv for lv in levels if lv >= at_or_above)
    if not upper:
        raise ValueError(f"no level at or above {at_or_above} in {tuple(levels)}")
    return Axis(name, tuple(levels), groups=((f"{at_or_above}+", upper),))


def score_band(score: float, edges: Sequence[float] = (20, 40, 60, 80)) -> str:
    """The band a score falls in, lower bound inclusive: "<20", "20-40", …, ">=80" (MIIT thresholds are inclusive)."""
    if score < edges[0]:
        return f"<{edges[0]:g}"
    for low, high in itertools.pairwise(edges):
        if low <= score < high:
            return f"{low:g}-{high:g}"
    return f">={edges[-1]:g}"


def score_band_axis(edges: Sequence[float] = (20, 40, 60, 80), name: str = "score_band") -> Axis:
    """The axis of score bands produced by `score_band` with the same edges, in ascending order."""
    if not edges or any(b <= a for a, b in itertools.pairwise(edges)):
        raise ValueError(f"band edges must be non-empty and strictly increasing, got {tuple(edges)}")
    labels = [f"<{edges[0]:g}", *(f"{a:g}-{b:g}" for a, b in itertools.pairwise(edges)), f">={edges[-1]:g}"]
    return Axis(name, tuple(labels))


# ---------------------------------------------------------------------------------------------------------------
# Cell tables


@dataclass(frozen=True)
class CellStats:
    """One cell: how many enterprises, sums of the table's statistics over them, and how many the viewer knows."""

    count: int
    sums: tuple[float, ...] = ()
    known: int = 0


class Row(NamedTuple):
    """One GROUP BY row: a category on every axis, the enterprise count, sums of the statistics, known enterprises."""

    key: tuple[Category, ...]
    enterprises: int
    sums: tuple[float, ...] = ()
    known: int = 0


@dataclass(frozen=True)
class CellTable:
    """Enterprise counts over the cross of some axes with every margin (cells absent count 0); build with from_rows or tabulate."""

    # from_rows and tabulate sum margins and group subtotals from category-level rows, so they always add up.

    axes: tuple[Axis, ...]
    statistics: tuple[str, ...]
    cells: Mapping[Key, CellStats]

    def __post_init__(self) -> None:
        names = [a.name for a in self.axes]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"a table needs at least one axis and distinct axis names, got {names}")

    @classmethod
    def from_rows(cls, axes: Sequence[Axis], rows: Iterable[Row | tuple[Any, ...]], statistics: Sequence[str] = ()) -> CellTable:
        """The table of category-level rows (several rows with one key add up); margins and groups are summed here."""
        table_axes = tuple(axes)
        totals = _rolled_up(table_axes, _category_sums(table_axes, rows, statistics))
        cells = {key: CellStats(int(v[0]), tuple(v[2:]), int(v[1])) for key, v in totals.items()}
        return cls(table_axes, tuple(statistics), cells)

    @classmethod
    def from_counts(cls, axes: Sequence[Axis], counts: Mapping[tuple[Any, ...], int]) -> CellTable:
        """The table of category-level counts with no statistics (key tuple → count)."""
        return cls.from_rows(axes, (Row(key, n) for key, n in counts.items()))

    def axis(self, name: str) -> Axis:
        """The axis with this name."""
        for axis in self.axes:
            if axis.name == name:
                return axis
        raise KeyError(name)

    def cell(self, key: Key) -> CellStats:
        """The cell at a key (TOTAL on an axis for its margin); zero if no enterprise falls in it."""
        self._check(key)
        return self.cells.get(key) or CellStats(0, (0.0,) * len(self.statistics))

    def count(self, key: Key) -> int:
        """The enterprise count of a cell."""
        return self.cell(key).count

    def sum(self, key: Key, statistic: str) -> float:
        """The sum of a statistic over a cell's enterprises."""
        return self.cell(key).sums[self.statistics.index(statistic)]

    def mean(self, key: Key, statistic: str) -> float | None:
        """The mean of a statistic over a cell's enterprises; None for an empty cell."""
        stats = self.cell(key)
        return stats.sums[self.statistics.index(statistic)] / stats.count if stats.count else None

    def key_space(self) -> Iterator[Key]:
        """Every key of the table (categories, groups and margins on every axis), zero cells included, in order."""
        return itertools.product(*(a.coordinates for a in self.axes))

    def nonzero_keys(self) -> list[Key]:
        """The keys of the cells with at least one enterprise, in table order."""
        positions = [a._position for a in self.axes]
        return sorted(self.cells, key=lambda key: tuple(map(dict.__getitem__, positions, key)))

    def population_keys(self) -> Iterator[Key]:
        """The keys whose count is a whole population: TOTAL on every axis that has one; a slice per other category."""
        return itertools.product(*((TOTAL,) if a.total else a.categories for a in self.axes))

    def _order(self, key: Key) -> tuple[int, ...]:
        return tuple(map(dict.__getitem__, [a._position for a in self.axes], key))

    def _check(self, key: Key) -> None:
        if len(key) != len(self.axes):
            raise KeyError(f"key {key!r} has {len(key)} coordinates; the table has {len(self.axes)} axes")
        for axis, c in zip(self.axes, key, strict=True):
            if c not in axis._position:
                raise KeyError(f"axis {axis.name!r} has no coordinate {c!r}")


def _category_sums(axes: tuple[Axis, ...], rows: Iterable[Row | tuple[Any, ...]], statistics: Sequence[str]) -> dict[Key, list[float]]:
    """Checked rows added up by key: [enterprises, known, *sums] per category-level key with any enterprise."""
    width = len(statistics)
    categories = [frozenset(axis.categories) for axis in axes]
    acc: dict[Key, list[float]] = {}
    for raw in rows:
        row = raw if isinstance(raw, Row) else Row(*raw)
        leaf: tuple[Category, ...] = tuple(row.key)
        key: Key = leaf
        if len(key) != len(axes):
            raise ValueError(f"row key {key!r} has {len(key)} coordinates; the table has {len(axes)} axes")
        for axis, known, value in zip(axes, categories, key, strict=True):
            if not (isinstance(value, str | int) and value in known):  # what Axis.is_category says, faster
                raise ValueError(f"axis {axis.name!r}: {value!r} is not one of its categories")
        if row.enterprises < 0 or not 0 <= row.known <= row.enterprises:
            raise ValueError(f"row {key!r}: need count ≥ 0 and 0 ≤ known ≤ count, got {row.enterprises}, {row.known}")
        if len(row.sums) != width:
            raise ValueError(f"row {key!r} has {len(row.sums)} sums; the table has statistics {tuple(statistics)}")
        if row.enterprises == 0:
            continue
        slot = acc.get(key)
        values = [row.enterprises, row.known, *row.sums]
        acc[key] = values if slot is None else list(map(operator.add, slot, values))
    return acc


def _rolled_up(axes: tuple[Axis, ...], acc: dict[Key, list[float]]) -> dict[Key, list[float]]:
    """The category-level sums with every group and margin added, one axis at a time."""
    # Each pass adds every cell so far into its groups and total on that axis. The value lists are never changed
    # in place (a sum is a new list), so one list may stand in several cells.
    for a, axis in enumerate(axes):
        chains = {c: axis.chain(c) for c in axis.coordinates}
        rolled: dict[Key, list[float]] = {}
        for key, values in acc.items():
            before, after = key[:a], key[a + 1:]
            for node in chains[key[a]]:
                target = (*before, node, *after)
                slot = rolled.get(target)
                rolled[target] = values if slot is None else list(map(operator.add, slot, values))
        acc = rolled
    return acc
