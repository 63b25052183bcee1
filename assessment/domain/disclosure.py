"""Statistical disclosure control for officials' aggregates: cell tables with margins, k-threshold, complementary suppression.

The method (documented for officials and auditors in docs/disclosure.md):

1. A table counts enterprises in every combination of its axes' categories, with every margin (row, column and
   grand totals, and subtotals of grouped categories). Sums of statistics (score, dimension scores) ride along
   in each cell, so a mean is shown exactly where its count is.
2. Primary suppression: a cell counting 1 … k−1 enterprises is hidden (and, with `publish_zeros=False`, a 0 too).
3. Complementary suppression, iterated until stable: every additive line (a total and the cells it sums) holds
   no hidden cell or at least two, and the hidden cells of a line whose total is shown must not be pinned by
   their known lower bounds (two hidden 1s under a shown total of 2 would be); the partner is the shown cell
   with the smallest count. Linked tables (the same population broken down several ways) are protected as one
   system: a cell that appears in two tables is the same unknown in both.
4. Audit, repeated until clean: exact linear algebra over all the equations finds hidden cells still derivable
   (the line rule alone misses some), and bound propagation finds cells pinned by non-negativity; each gets
   another partner.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, Final, Literal, NamedTuple, TypeAlias

from assessment.domain.answers import N_, Problem


class Margin(Enum):
    """The margin coordinate of an axis: all of its categories together."""

    TOTAL = "total"

    def __repr__(self) -> str:
        return "TOTAL"


TOTAL: Final = Margin.TOTAL

Category: TypeAlias = str | int
Coordinate: TypeAlias = str | int | Margin
Key: TypeAlias = tuple[Coordinate, ...]

MIN_POPULATION_FACTOR: Final = 4
"""Default population floor as a multiple of k: a filter matching fewer than 4·k enterprises is not published."""

BOUND_PASSES: Final = 200
"""Bound propagation revisits at most 200 × (number of equations) equations per audit; bounds are valid at any stop."""

Reason = Literal["primary", "complementary", "population"]
"""Why a cell is hidden; for auditors only: showing which cells are primary tells a reader they are small."""


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
        if not names:
            raise ValueError(f"axis {self.name!r} has no categories")
        if len(set(names)) != len(names):
            raise ValueError(f"axis {self.name!r} repeats a category or group name")
        if self.groups and not self.total:
            # A group is a subtotal; on a variable that does not partition the population it would not add up.
            raise ValueError(f"axis {self.name!r} has groups but no total; groups need an additive variable")
        parent: dict[Category, Coordinate] = {}
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
            node: Coordinate | None = parent.get(name)
            while isinstance(node, str | int) and not isinstance(node, Margin):
                if node in seen:
                    raise ValueError(f"axis {self.name!r}: groups form a cycle through {node!r}")
                seen.add(node)
                node = parent.get(node)
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
        axes = tuple(axes)
        width = len(statistics)
        acc: dict[Key, list[float]] = {}
        for raw in rows:
            row = raw if isinstance(raw, Row) else Row(*raw)
            leaf: tuple[Category, ...] = tuple(row.key)
            key: Key = leaf
            if len(key) != len(axes):
                raise ValueError(f"row key {key!r} has {len(key)} coordinates; the table has {len(axes)} axes")
            for axis, value in zip(axes, key, strict=True):
                if not axis.is_category(value):
                    raise ValueError(f"axis {axis.name!r}: {value!r} is not one of its categories")
            if row.enterprises < 0 or not 0 <= row.known <= row.enterprises:
                raise ValueError(f"row {key!r}: need count ≥ 0 and 0 ≤ known ≤ count, got {row.enterprises}, {row.known}")
            if len(row.sums) != width:
                raise ValueError(f"row {key!r} has {len(row.sums)} sums; the table has statistics {tuple(statistics)}")
            if row.enterprises == 0:
                continue
            slot = acc.get(key)
            if slot is None:
                acc[key] = [row.enterprises, row.known, *row.sums]
            else:
                for i, v in enumerate((row.enterprises, row.known, *row.sums)):
                    slot[i] += v
        # Roll up one axis at a time: each pass adds every cell so far into its groups and total on that axis.
        for a, axis in enumerate(axes):
            rolled: dict[Key, list[float]] = {}
            for key, values in acc.items():
                for node in axis.chain(key[a]):
                    target = (*key[:a], node, *key[a + 1:])
                    slot = rolled.get(target)
                    if slot is None:
                        rolled[target] = list(values)
                    else:
                        for i, v in enumerate(values):
                            slot[i] += v
            acc = rolled
        cells = {key: CellStats(int(v[0]), tuple(v[2:]), int(v[1])) for key, v in acc.items()}
        return cls(axes, tuple(statistics), cells)

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
        return sorted(self.cells, key=self._order)

    def population_keys(self) -> Iterator[Key]:
        """The keys whose count is a whole population: TOTAL on every axis that has one; a slice per other category."""
        return itertools.product(*((TOTAL,) if a.total else a.categories for a in self.axes))

    def _order(self, key: Key) -> tuple[int, ...]:
        return tuple(a.position(c) for a, c in zip(self.axes, key, strict=True))

    def _check(self, key: Key) -> None:
        if len(key) != len(self.axes):
            raise KeyError(f"key {key!r} has {len(key)} coordinates; the table has {len(self.axes)} axes")
        for axis, c in zip(self.axes, key, strict=True):
            if c not in axis._position:
                raise KeyError(f"axis {axis.name!r} has no coordinate {c!r}")


# ---------------------------------------------------------------------------------------------------------------
# Policy and the population floor


@dataclass(frozen=True)
class Policy:
    """Disclosure-control parameters: threshold k, whether zeros are shown, and the population floor."""

    k: int = 5
    publish_zeros: bool = True
    min_population: int | None = None

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")
        if self.min_population is not None and self.min_population < 0:
            raise ValueError(f"min_population must not be negative, got {self.min_population}")

    @property
    def population_floor(self) -> int:
        """The fewest enterprises a published population may have: min_population, else 4·k (0 when k = 1)."""
        if self.min_population is not None:
            return self.min_population
        # k = 1 declares no cell sensitive; refusing small populations would then protect nothing.
        return 0 if self.k == 1 else MIN_POPULATION_FACTOR * self.k

    def sensitive(self, stats: CellStats) -> bool:
        """Whether a cell must be hidden on its own: 1 … k−1 enterprises, or 1 … k−1 the viewer does not know."""
        if stats.count == 0:
            return not self.publish_zeros
        unknown = stats.count - stats.known
        return stats.count < self.k or 0 < unknown < self.k


def population_problem(count: int, policy: Policy, supersets: Iterable[int] = ()) -> Problem | None:
    """Why a filtered population may not be published (None if it may); messages never state the exact count."""
    # `supersets` are the populations of the filter with one condition dropped each (e.g. the whole jurisdiction for
    # "size = small"): one that differs from `count` by 1 … floor−1 enterprises would let a reader compare the two
    # dashboards and describe that small difference group.
    floor = policy.population_floor
    if count == 0:
        return None if policy.publish_zeros else Problem(None, "population_empty", N_("No enterprise matches this filter"))
    if count < floor:
        return Problem(None, "population_floor",
                       N_("Fewer than {floor} enterprises match this filter; results are not shown so that no enterprise "
                          "can be identified"), {"floor": floor})
    for superset in supersets:
        if superset < count:
            raise ValueError(f"a superset population ({superset}) is smaller than the filtered one ({count})")
        if 0 < superset - count < floor:
            return Problem(None, "population_difference",
                           N_("This filter leaves out fewer than {floor} enterprises of a wider selection; results are "
                              "not shown because comparing the two would describe those enterprises"), {"floor": floor})
    return None


# ---------------------------------------------------------------------------------------------------------------
# Protected tables


@dataclass(frozen=True)
class PublishedCell:
    """One cell as it may be shown: count and means, or None for each where the cell is suppressed."""

    key: Key
    count: int | None
    means: tuple[float | None, ...]

    @property
    def suppressed(self) -> bool:
        """Whether the cell is hidden."""
        return self.count is None


@dataclass(frozen=True)
class ProtectedTable:
    """A table with its suppression pattern; read cells only through it, never through `table` directly."""

    table: CellTable
    policy: Policy
    reasons: Mapping[Key, Reason]
    refusal: Problem | None = None

    def published(self, key: Key) -> bool:
        """Whether a cell may be shown."""
        self.table._check(key)
        return key not in self.reasons

    def count(self, key: Key) -> int | None:
        """The count of a cell, or None if it is suppressed."""
        return self.table.count(key) if self.published(key) else None

    def mean(self, key: Key, statistic: str) -> float | None:
        """The mean of a statistic in a cell, or None if the cell is suppressed or empty."""
        return self.table.mean(key, statistic) if self.published(key) else None

    def sum(self, key: Key, statistic: str) -> float | None:
        """The sum of a statistic in a cell, or None if the cell is suppressed."""
        return self.table.sum(key, statistic) if self.published(key) else None

    @property
    def suppressed(self) -> frozenset[Key]:
        """Every hidden key."""
        return frozenset(self.reasons)

    def cells(self, zeros: bool = True) -> Iterator[PublishedCell]:
        """Every cell in table order, suppressed ones with None; zeros=False leaves out published zero cells."""
        keys: Iterable[Key] = self.table.key_space() if zeros else sorted(
            set(self.table.cells) | set(self.reasons), key=self.table._order)
        hidden = (None,) * len(self.table.statistics)
        for key in keys:
            stats = self.table.cells.get(key)
            if key in self.reasons:
                yield PublishedCell(key, None, hidden)
            elif stats is None:
                yield PublishedCell(key, 0, hidden)
            else:
                yield PublishedCell(key, stats.count, tuple(s / stats.count for s in stats.sums))


def protect(table: CellTable, policy: Policy = Policy()) -> ProtectedTable:
    """The table with primary and complementary suppression applied (see the module docstring)."""
    return protect_linked((table,), policy)[0]


def protect_linked(tables: Sequence[CellTable], policy: Policy = Policy()) -> tuple[ProtectedTable, ...]:
    """Tables of one population protected together, so no table's totals reveal a cell hidden in another."""
    # Tables sharing an axis name must use the same Axis, and a cell in several tables (a region's total in "by
    # region" and "by region × size") must have one count in all, else ValueError: tables over different
    # populations cannot be linked (and differencing between them is then not prevented).
    network = _Network(tables, policy)
    refused = _withhold_small_populations(network, tables, policy)
    network.suppress_sensitive()
    network.settle()
    while exposed := network.exposures(every_check=False):
        # One partner per exposed cell, except where a partner chosen this round already shares a line with it.
        touched: set[int] = set()
        for cell, _via in exposed:
            partner = network.partner_around(cell) if touched.isdisjoint(network.lines_of(cell)) else None
            if partner is not None:
                network.hide(partner, "complementary")
                touched.update(network.lines_of(partner))
        network.settle()
    return tuple(
        ProtectedTable(table, policy, network.reasons_for(t), refused[t])
        for t, table in enumerate(tables))


def _withhold_small_populations(network: _Network, tables: Sequence[CellTable], policy: Policy) -> list[Problem | None]:
    """Hide every cell of a population (or period slice) below the floor; the refusal per table if all are."""
    free = [tuple(i for i in sorted(range(len(t.axes)), key=[a.name for a in t.axes].__getitem__) if not t.axes[i].total)
            for t in tables]

    def slice_of(t: int, key: Key) -> tuple[tuple[str, Coordinate], ...]:
        """The slice (axes without totals, by name) a cell belongs to."""
        return tuple((tables[t].axes[i].name, key[i]) for i in free[t])

    names = {tuple(tables[t].axes[i].name for i in f) for t, f in enumerate(free)}
    if len(names) > 1:
        raise ValueError(f"linked tables must share the same axes without totals (slices), got {sorted(names)}")
    refused: list[Problem | None] = []
    withheld: set[tuple[tuple[str, Coordinate], ...]] = set()
    for t, table in enumerate(tables):
        problems: list[Problem] = []
        populations = 0
        for key in table.population_keys():
            count = table.count(key)
            problem = population_problem(count, policy) if count else None
            populations += bool(count)
            if problem is not None:
                problems.append(problem)
                withheld.add(slice_of(t, key))
        refused.append(problems[0] if problems and len(problems) == populations else None)
    if withheld:
        for cell, places in enumerate(network.places):
            if slice_of(*places[0]) in withheld:
                network.hide(cell, "population")
    return refused


# ---------------------------------------------------------------------------------------------------------------
# Audit


Via = Literal["line", "bounds", "equations"]


@dataclass(frozen=True)
class Exposure:
    """A hidden cell that a reader could pin down from what is shown, and how."""

    table: int
    key: Key
    via: Via


def audit(protected: Sequence[ProtectedTable]) -> tuple[Exposure, ...]:
    """Every hidden cell of these linked tables that the shown cells pin to one value, as far as the checks see."""
    # Checks lines with one hidden cell, exact linear algebra over all the equations, and lower bounds propagated
    # line by line. It solves no linear programme, so an empty answer is strong evidence, not proof, that no hidden
    # cell can be pinned (docs/disclosure.md §9 measures the gap).
    if not protected:
        return ()
    policy = protected[0].policy
    if any(p.policy != policy for p in protected):
        raise ValueError("linked tables were protected under different policies")
    network = _Network([p.table for p in protected], policy)
    for cell, places in enumerate(network.places):
        for t, key in places:
            reason = protected[t].reasons.get(key)
            if reason is not None:
                network.hide(cell, reason)
                break
    for p, table in zip(protected, network.tables, strict=True):
        for key in p.reasons:
            if table.count(key) == 0 and policy.publish_zeros:
                raise ValueError(f"a zero cell {key!r} is hidden although zeros are published")
    out = []
    for cell, via in network.exposures(every_check=True):
        t, key = network.places[cell][0]
        out.append(Exposure(t, key, via))
    return tuple(out)


# ---------------------------------------------------------------------------------------------------------------
# The constraint network behind protect_linked and audit

_Canon: TypeAlias = tuple[tuple[str, Coordinate], ...]
_Q: TypeAlias = int | Fraction


class _Line(NamedTuple):
    members: tuple[int, ...]
    total: int


class _Network:
    """The cells of linked tables as one system of additive lines, with the current suppression state."""

    def __init__(self, tables: Sequence[CellTable], policy: Policy) -> None:
        self.tables = tuple(tables)
        self.policy = policy
        axes: dict[str, Axis] = {}
        for table in tables:
            for axis in table.axes:
                if axes.setdefault(axis.name, axis) != axis:
                    raise ValueError(f"linked tables define axis {axis.name!r} differently; use one Axis value")
        self._sorted_axes = [sorted(range(len(t.axes)), key=[a.name for a in t.axes].__getitem__) for t in tables]
        self.index: dict[_Canon, int] = {}
        self.counts: list[int] = []
        self.lower: list[int] = []
        self.margins: list[int] = []
        self.sensitive: list[bool] = []
        self.places: list[list[tuple[int, Key]]] = []
        self.reasons: list[Reason | None] = []
        self.lines: list[_Line] = []
        self._line_index: dict[tuple[str, Coordinate, _Canon], int] = {}
        self._lines_of: list[list[int] | None] = []
        self._queue: deque[int] = deque()
        self._queued: list[bool] = []
        zero_floor = 1 if policy.publish_zeros else 0
        for t, table in enumerate(tables):
            keys = table.nonzero_keys() if policy.publish_zeros else table.key_space()
            for key in keys:
                stats = table.cell(key)
                canon = self._canon(t, key)
                cell = self.index.get(canon)
                if cell is not None:
                    if self.counts[cell] != stats.count:
                        raise ValueError(f"linked tables disagree on cell {dict(canon)}: {self.counts[cell]} vs "
                                         f"{stats.count} enterprises; are they over the same population?")
                    self.places[cell].append((t, key))
                    continue
                self.index[canon] = len(self.counts)
                self.counts.append(stats.count)
                # What a reader knows without the cell: zeros are shown, so a hidden cell holds at least one
                # enterprise; and at least as many as the viewer already holds individual results for.
                self.lower.append(max(stats.known, zero_floor))
                self.margins.append(sum(not a.is_category(c) for a, c in zip(table.axes, key, strict=True)))
                self.sensitive.append(policy.sensitive(stats))
                self.places.append([(t, key)])
                self.reasons.append(None)
                self._lines_of.append(None)

    def _canon(self, t: int, key: Key) -> _Canon:
        axes = self.tables[t].axes
        return tuple((axes[i].name, key[i]) for i in self._sorted_axes[t] if key[i] is not TOTAL)

    def hidden(self, cell: int) -> bool:
        """Whether a cell is suppressed."""
        return self.reasons[cell] is not None

    def hide(self, cell: int, reason: Reason) -> None:
        """Suppress a cell and queue every line through it for checking."""
        if self.reasons[cell] is not None:
            return
        self.reasons[cell] = reason
        for line in self.lines_of(cell):
            if not self._queued[line]:
                self._queued[line] = True
                self._queue.append(line)

    def suppress_sensitive(self) -> None:
        """Primary suppression."""
        for cell, sensitive in enumerate(self.sensitive):
            if sensitive:
                self.hide(cell, "primary")

    def lines_of(self, cell: int) -> list[int]:
        """The lines a cell is a member or the total of (built on first use)."""
        known = self._lines_of[cell]
        if known is not None:
            return known
        found: list[int] = []
        for t, key in self.places[cell]:
            for a, axis in enumerate(self.tables[t].axes):
                for node in (axis.parent(key[a]), key[a] if axis.children(key[a]) else None):
                    if node is not None:
                        line = self._line(t, key, a, axis, node)
                        if line not in found:
                            found.append(line)
        self._lines_of[cell] = found
        return found

    def _line(self, t: int, key: Key, a: int, axis: Axis, node: Coordinate) -> int:
        rest = self._canon(t, (*key[:a], TOTAL, *key[a + 1:]))
        ident = (axis.name, node, rest)
        line = self._line_index.get(ident)
        if line is not None:
            return line
        members = []
        for child in axis.children(node):
            cell = self.index.get(self._canon(t, (*key[:a], child, *key[a + 1:])))
            if cell is not None:  # absent only when it is a published zero: a known constant, not an unknown
                members.append(cell)
        total = self.index[self._canon(t, (*key[:a], node, *key[a + 1:]))]
        line = len(self.lines)
        self.lines.append(_Line(tuple(members), total))
        self._line_index[ident] = line
        self._queued.append(False)
        return line

    def line_exposed(self, line: _Line) -> bool:
        """Whether a line alone pins a hidden cell: exactly one hidden, or hidden members at their lower bounds."""
        hidden_members = [m for m in line.members if self.hidden(m)]
        n = len(hidden_members) + self.hidden(line.total)
        if n == 0:
            return False
        if n == 1:
            return True
        if self.hidden(line.total):
            return False
        # Shown total: the hidden members sum to a known S; each lies in [lower, S − others' lowers].
        return sum(self.counts[m] for m in hidden_members) <= sum(self.lower[m] for m in hidden_members)

    def _rank(self, cell: int) -> tuple[int, int, int]:
        # Smallest count first; on a tie an inner cell before a margin, then the first in table order.
        return (self.counts[cell], self.margins[cell], cell)

    def partner(self, line: _Line) -> int:
        """The shown cell to hide in an exposed line: the smallest count among those that settle the line."""
        shown = [c for c in (*line.members, line.total) if not self.hidden(c)]
        settling = []
        for c in shown:
            self.reasons[c] = "complementary"
            if not self.line_exposed(line):
                settling.append(c)
            self.reasons[c] = None
        pool = settling or shown
        if not pool:
            raise RuntimeError("an exposed line has no shown cell to suppress")  # impossible: see docs/disclosure.md
        return min(pool, key=self._rank)

    def partner_around(self, cell: int) -> int | None:
        """The shown cell with the smallest count nearest to a hidden cell, searching outwards through its lines."""
        seen = {cell}
        frontier = [cell]
        while frontier:
            shown: list[int] = []
            reached: list[int] = []
            for c in frontier:
                for line in self.lines_of(c):
                    ln = self.lines[line]
                    for other in (*ln.members, ln.total):
                        if other not in seen:
                            seen.add(other)
                            (reached if self.hidden(other) else shown).append(other)
            if shown:
                return min(shown, key=self._rank)
            frontier = reached
        # Everything connected is hidden (a partner chosen earlier in the round hid the last shown cell). With
        # nothing shown, scaling the true counts up keeps every equation and bound, so nothing is pinned.
        return None

    def settle(self) -> None:
        """Complementary suppression by lines until every queued line is settled."""
        while self._queue:
            line = self._queue.popleft()
            self._queued[line] = False
            ln = self.lines[line]
            while self.line_exposed(ln):
                self.hide(self.partner(ln), "complementary")

    def reasons_for(self, t: int) -> dict[Key, Reason]:
        """The hidden keys of one table and why."""
        out: dict[Key, Reason] = {}
        for cell, reason in enumerate(self.reasons):
            if reason is not None:
                for place, key in self.places[cell]:
                    if place == t:
                        out[key] = reason
        return out

    # -- audit ---------------------------------------------------------------------------------------------------

    def _hidden_lines(self) -> list[int]:
        lines: set[int] = set()
        for cell in range(len(self.counts)):
            if self.hidden(cell):
                lines.update(self.lines_of(cell))
        return sorted(lines)

    def exposures(self, every_check: bool) -> list[tuple[int, Via]]:
        """Hidden cells a reader could pin down, in cell order, with how; without every_check, only the first check that finds any."""
        lines = self._hidden_lines()
        found: dict[int, Via] = {}
        for line in lines:
            ln = self.lines[line]
            hidden = [c for c in (*ln.members, ln.total) if self.hidden(c)]
            if len(hidden) == 1:
                found.setdefault(hidden[0], "line")
        if not found or every_check:
            for cell in self._pinned_by_bounds(lines):
                found.setdefault(cell, "bounds")
        if not found or every_check:
            for cell in self._determined(lines):
                found.setdefault(cell, "equations")
        return sorted(found.items())

    def _equation(self, line: int) -> tuple[list[tuple[int, int]], int]:
        """A line as Σ sign·x = b over its hidden cells, with the shown cells moved to b."""
        ln = self.lines[line]
        terms = [(m, 1) for m in ln.members if self.hidden(m)]
        shown = sum(self.counts[m] for m in ln.members if not self.hidden(m))
        if self.hidden(ln.total):
            terms.append((ln.total, -1))
            return terms, -shown
        return terms, self.counts[ln.total] - shown

    def _determined(self, lines: list[int]) -> list[int]:
        """Hidden cells fixed by the equations alone: exact elimination, then one random null vector (see comment)."""
        # Forward elimination over the rationals, then one exact back-substitution of a null vector whose free
        # values are seeded random 62-bit integers. A cell is fixed exactly when every null vector is 0 there; a
        # random one is 0 at a cell that is not fixed with probability below 2⁻⁶² (the cell is then needlessly
        # hidden, never wrongly shown). The seed is fixed, so the result is deterministic.
        rows: dict[int, dict[int, _Q]] = {}   # pivot column → its row, pivot coefficient 1
        order: dict[int, int] = {}            # pivot column → when it became one
        # Short equations first: the pivot rows stay short, which cuts fill-in a hundredfold on large tables.
        equations = sorted((self._equation(line)[0] for line in lines), key=len)
        degree: dict[int, int] = {}
        for terms in equations:
            for c, _s in terms:
                degree[c] = degree.get(c, 0) + 1
        for terms in equations:
            row: dict[int, _Q] = {}
            for c, s in terms:
                row[c] = row.get(c, 0) + s
            # A pivot row holds only columns that were free when it was made, so reducing by pivots in the
            # order they were made never brings back one already used.
            heap = [(order[c], c) for c in row if c in rows]
            heapq.heapify(heap)
            while heap:
                _, p = heapq.heappop(heap)
                f = row.pop(p, 0)
                if not f:
                    continue
                for c, v in rows[p].items():
                    if c == p:
                        continue
                    nv = row.get(c, 0) - f * v
                    if nv:
                        if c not in row and c in rows:
                            heapq.heappush(heap, (order[c], c))
                        row[c] = nv
                    else:
                        row.pop(c, None)
            row = {c: v for c, v in row.items() if v}
            if not row:
                continue
            # Any pivot is exact; one that few equations use keeps later rows short (less fill-in).
            q = min(row, key=lambda c: (abs(row[c]) != 1, degree[c], c))
            pivot = row[q]
            if pivot != 1:
                # Dividing by ±1 keeps integers; only a pivot of another size needs fractions.
                row = {c: v * pivot if pivot == -1 else Fraction(v) / pivot for c, v in row.items()}
            order[q] = len(order)
            rows[q] = row
        rng = random.Random(0x5EED)
        columns = sorted({c for row in rows.values() for c in row})
        value: dict[int, _Q] = {c: rng.getrandbits(62) + 1 for c in columns if c not in rows}
        for q in sorted(rows, key=order.__getitem__, reverse=True):
            value[q] = -sum((v * value[c] for c, v in rows[q].items() if c != q), start=0)
        return sorted(q for q in rows if value[q] == 0)

    def _pinned_by_bounds(self, lines: list[int]) -> list[int]:
        """Hidden cells whose interval, propagated through the equations from their lower bounds, is one value."""
        lo: dict[int, float] = {}
        hi: dict[int, float] = {}
        equations = [self._equation(line) for line in lines]
        uses: dict[int, list[int]] = {}
        for e, (terms, _) in enumerate(equations):
            for c, _s in terms:
                lo[c] = self.lower[c]
                hi[c] = math.inf
                uses.setdefault(c, []).append(e)
        queue = deque(range(len(equations)))
        queued = [True] * len(equations)
        budget = BOUND_PASSES * len(equations)
        while queue and budget:
            budget -= 1
            e = queue.popleft()
            queued[e] = False
            terms, b = equations[e]
            # min and max of each term s·x; infinities are only ever +inf in maxima and −inf in minima.
            mins = [lo[c] if s > 0 else -hi[c] for c, s in terms]
            maxs = [hi[c] if s > 0 else -lo[c] for c, s in terms]
            min_inf = sum(map(math.isinf, mins))
            max_inf = sum(map(math.isinf, maxs))
            min_sum = sum(v for v in mins if v != -math.inf)
            max_sum = sum(v for v in maxs if v != math.inf)
            for (c, s), mn, mx in zip(terms, mins, maxs, strict=True):
                own_min_inf, own_max_inf = mn == -math.inf, mx == math.inf
                others_min = -math.inf if min_inf - own_min_inf else min_sum - (0 if own_min_inf else mn)
                others_max = math.inf if max_inf - own_max_inf else max_sum - (0 if own_max_inf else mx)
                low, high = (b - others_max, b - others_min) if s > 0 else (others_min - b, others_max - b)
                if low > lo[c] or high < hi[c]:
                    lo[c], hi[c] = max(lo[c], low), min(hi[c], high)
                    for other in uses[c]:
                        if not queued[other]:
                            queued[other] = True
                            queue.append(other)
        return sorted(c for c in lo if lo[c] >= hi[c])


# ---------------------------------------------------------------------------------------------------------------
# Aggregation over records


@dataclass(frozen=True)
class AssessmentRecord:
    """One consented, submitted assessment as the aggregates see it (one per enterprise per period)."""

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


Record: TypeAlias = AssessmentRecord | Mapping[str, Any]
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
        if type(record) is AssessmentRecord or not isinstance(record, Mapping):
            return getattr(record, name)
        return record[name]
    return read


def _is_shared(record: Record) -> bool:
    if type(record) is AssessmentRecord or not isinstance(record, Mapping):
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
