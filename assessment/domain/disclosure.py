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

import bisect
import gc
import heapq
import itertools
import math
import operator
import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, Final, Literal, NamedTuple, TypeAlias

from assessment.domain.answers import N_, Problem


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
        with _cycle_collection_paused():
            return cls._from_rows(tuple(axes), rows, statistics)

    @classmethod
    def _from_rows(cls, axes: tuple[Axis, ...], rows: Iterable[Row | tuple[Any, ...]], statistics: Sequence[str]) -> CellTable:
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
        # Roll up one axis at a time: each pass adds every cell so far into its groups and total on that axis. The
        # value lists are never changed in place (a sum is a new list), so one list may stand in several cells.
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
    with _cycle_collection_paused():
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


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting still frees everything) and restore it after."""
    # Building a table and protecting it allocate tens of thousands of small tuples, lists and dicts that hold no
    # cycles. In a web worker with a large heap, the full collections that so many allocations trigger each walk
    # every object of the process: for the 10,000-cell export of 1,000,000 assessments, about 0.1 s of 0.18 s in
    # building the table and a fifth of the protection time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
        self._sorted_axes = [[(i, t.axes[i].name) for i in sorted(range(len(t.axes)), key=[a.name for a in t.axes].__getitem__)]
                             for t in tables]
        self.index: dict[_Canon, int] = {}
        self.counts: list[int] = []
        self.lower: list[int] = []
        self.margins: list[int] = []
        self.sensitive: list[bool] = []
        self.places: list[list[tuple[int, Key]]] = []
        self.reasons: list[Reason | None] = []
        self.lines: list[_Line] = []
        self._line_index: dict[tuple[str, int], int] = {}
        self._cell_at: list[dict[Key, int]] = [{} for _ in tables]  # per table: key → cell
        self._lines_of: list[list[int] | None] = []
        self._queue: deque[int] = deque()
        self._queued: list[bool] = []
        # Each line as an equation over its hidden cells, kept up to date by `hide`: the hidden members (in member
        # order, with their slots in the line), the total if it is hidden (else -1), and the constant
        # b = shown total − shown members, so that Σ hidden members − hidden total = b.
        self.hidden_members: list[list[int]] = []
        self._member_slots: list[list[int]] = []
        self.hidden_total: list[int] = []
        self.constant: list[int] = []
        self._hidden_counts: list[int] = []        # Σ counts of the hidden members
        self._hidden_lower: list[int] = []         # Σ lower bounds of the hidden members
        self.hidden_order: list[int] = []          # hidden cells in the order they were hidden
        self.equation_lines: list[int] = []        # lines holding a hidden cell, in the order they got one
        self._changed_lines: set[int] = set()      # lines that gained a hidden cell since the lone-cell check
        self._lone_lines: set[int] = set()         # lines with exactly one hidden cell at that check
        zero_floor = 1 if policy.publish_zeros else 0
        for t, table in enumerate(tables):
            keys = table.nonzero_keys() if policy.publish_zeros else table.key_space()
            cell_at = self._cell_at[t]
            totals = [a._children for a in table.axes]  # the coordinates that sum others: groups and TOTAL
            empty = CellStats(0, (0.0,) * len(table.statistics))
            for key in keys:
                stats = table.cells.get(key, empty)
                canon = self._canon(t, key)
                cell = self.index.get(canon)
                if cell is not None:
                    if self.counts[cell] != stats.count:
                        raise ValueError(f"linked tables disagree on cell {dict(canon)}: {self.counts[cell]} vs "
                                         f"{stats.count} enterprises; are they over the same population?")
                    self.places[cell].append((t, key))
                    cell_at[key] = cell
                    continue
                cell_at[key] = self.index[canon] = len(self.counts)
                self.counts.append(stats.count)
                # What a reader knows without the cell: zeros are shown, so a hidden cell holds at least one
                # enterprise; and at least as many as the viewer already holds individual results for.
                self.lower.append(max(stats.known, zero_floor))
                self.margins.append(sum(c in sums for sums, c in zip(totals, key, strict=True)))
                self.sensitive.append(policy.sensitive(stats))
                self.places.append([(t, key)])
                self.reasons.append(None)
                self._lines_of.append(None)
        # A partner's rank: smallest count first; on a tie an inner cell before a margin, then the first in table order.
        width, depth = len(self.counts), max(self.margins, default=0) + 1
        self.ranks = [(count * depth + margins) * width + cell
                      for cell, (count, margins) in enumerate(zip(self.counts, self.margins, strict=True))]
        self._least_shown_of: list[int] = []       # per line: its best shown partner, -1 for none, -2 to work out
        self.sorted_lines: list[list[int]] = [[] for _ in self.counts]  # a hidden cell's lines in line order
        self._bounds = _Bounds(self)
        self._equations = _Equations(self)

    def _canon(self, t: int, key: Key) -> _Canon:
        return tuple([(name, key[i]) for i, name in self._sorted_axes[t] if key[i] is not TOTAL])

    def hidden(self, cell: int) -> bool:
        """Whether a cell is suppressed."""
        return self.reasons[cell] is not None

    def hide(self, cell: int, reason: Reason) -> None:
        """Suppress a cell, move it into the equations of its lines and queue every line through it for checking."""
        if self.reasons[cell] is not None:
            return
        lines = self.lines_of(cell)  # built, if new, while the cell is still shown
        self.reasons[cell] = reason
        self.hidden_order.append(cell)
        self.sorted_lines[cell] = sorted(lines)
        count = self.counts[cell]
        for line in lines:
            ln = self.lines[line]
            if not self.hidden_members[line] and self.hidden_total[line] < 0:
                self.equation_lines.append(line)
            if ln.total == cell:
                self.hidden_total[line] = cell
                self.constant[line] -= count
            else:
                slot = ln.members.index(cell)
                slots = self._member_slots[line]
                at = bisect.bisect(slots, slot)
                slots.insert(at, slot)
                self.hidden_members[line].insert(at, cell)
                self.constant[line] += count
                self._hidden_counts[line] += count
                self._hidden_lower[line] += self.lower[cell]
            self._changed_lines.add(line)
            self._least_shown_of[line] = -2
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
        index = self._line_index
        for t, key in self.places[cell]:
            cell_at = self._cell_at[t]
            for a, axis in enumerate(self.tables[t].axes):
                coordinate = key[a]
                # A member of the line its parent sums; the total of the line of its own members.
                parent = None if isinstance(coordinate, Margin) else axis._parent.get(coordinate)
                for node, total in ((parent, -1), (coordinate, cell)):
                    if node is None or (total >= 0 and coordinate not in axis._children):
                        continue
                    if total < 0:
                        total = cell_at[(*key[:a], node, *key[a + 1:])]
                    # The total's population and the axis's name give the line, in any of the linked tables.
                    line = index.get((axis.name, total))
                    if line is None:
                        line = self._line(t, key, a, axis, node, total)
                    if line not in found:
                        found.append(line)
        self._lines_of[cell] = found
        return found

    def _line(self, t: int, key: Key, a: int, axis: Axis, node: Coordinate, total: int) -> int:
        cell_at = self._cell_at[t]
        before, after = key[:a], key[a + 1:]
        members = []
        for child in axis.children(node):
            cell = cell_at.get((*before, child, *after))
            if cell is not None:  # absent only when it is a published zero: a known constant, not an unknown
                members.append(cell)
        line = len(self.lines)
        self.lines.append(_Line(tuple(members), total))
        self._line_index[(axis.name, total)] = line
        self._queued.append(False)
        self._least_shown_of.append(-2)
        reasons, counts = self.reasons, self.counts
        slots = [i for i, m in enumerate(members) if reasons[m] is not None]
        hidden = [members[i] for i in slots]
        self._member_slots.append(slots)
        self.hidden_members.append(hidden)
        self._hidden_counts.append(sum(counts[m] for m in hidden))
        self._hidden_lower.append(sum(self.lower[m] for m in hidden))
        total_hidden = reasons[total] is not None
        self.hidden_total.append(total if total_hidden else -1)
        shown = sum(counts[m] for m in members) - self._hidden_counts[line]
        self.constant.append((0 if total_hidden else counts[total]) - shown)
        if slots or total_hidden:
            self.equation_lines.append(line)
            self._changed_lines.add(line)
        return line

    def line_exposed(self, line: int, extra: int = -1) -> bool:
        """Whether a line alone pins a hidden cell (also hiding `extra`): one hidden, or hidden members at their lower bounds."""
        members = self.hidden_members[line]
        total = self.lines[line].total
        total_hidden = self.hidden_total[line] >= 0 or extra == total
        added = extra >= 0 and extra != total  # a shown member
        n = len(members) + total_hidden + added
        if n == 0:
            return False
        if n == 1:
            return True
        if total_hidden:
            return False
        # Shown total: the hidden members sum to a known S; each lies in [lower, S − others' lowers].
        if added:
            return self._hidden_counts[line] + self.counts[extra] <= self._hidden_lower[line] + self.lower[extra]
        return self._hidden_counts[line] <= self._hidden_lower[line]

    def _rank(self, cell: int) -> int:
        return self.ranks[cell]

    def _least_shown(self, line: int) -> int:
        """The shown cell of a line that ranks first as a partner, or -1 if every cell of the line is hidden."""
        least = self._least_shown_of[line]
        if least == -2:
            ln, ranks, reasons = self.lines[line], self.ranks, self.reasons
            least = min((c for c in (*ln.members, ln.total) if reasons[c] is None), key=ranks.__getitem__, default=-1)
            self._least_shown_of[line] = least
        return least

    def partner(self, line: int) -> int:
        """The shown cell to hide in an exposed line: the smallest count among those that settle the line."""
        ln = self.lines[line]
        shown = [c for c in (*ln.members, ln.total) if self.reasons[c] is None]
        settling = [c for c in shown if not self.line_exposed(line, extra=c)]
        pool = settling or shown
        if not pool:
            raise RuntimeError("an exposed line has no shown cell to suppress")  # impossible: see docs/disclosure.md
        return min(pool, key=self._rank)

    def partner_around(self, cell: int) -> int | None:
        """The shown cell with the smallest count nearest to a hidden cell, searching outwards through its lines."""
        # Until a shown cell is found only hidden cells are seen, so the shown cells one step further are all new:
        # the best of them is the best of each line's best shown cell.
        ranks, members_of, total_of = self.ranks, self.hidden_members, self.hidden_total
        seen = {cell}
        frontier = [cell]
        while frontier:
            best = -1
            for c in frontier:
                for line in self.lines_of(c):
                    least = self._least_shown(line)
                    if least >= 0 and (best < 0 or ranks[least] < ranks[best]):
                        best = least
            if best >= 0:
                return best
            reached: list[int] = []
            for c in frontier:
                for line in self.lines_of(c):
                    total = total_of[line]
                    for other in (*members_of[line], total) if total >= 0 else members_of[line]:
                        if other not in seen:
                            seen.add(other)
                            reached.append(other)
            frontier = reached
        # Everything connected is hidden (a partner chosen earlier in the round hid the last shown cell). With
        # nothing shown, scaling the true counts up keeps every equation and bound, so nothing is pinned.
        return None

    def settle(self) -> None:
        """Complementary suppression by lines until every queued line is settled."""
        while self._queue:
            line = self._queue.popleft()
            self._queued[line] = False
            while self.line_exposed(line):
                self.hide(self.partner(line), "complementary")

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
    # While a network lives its hidden set only grows (protect_linked never shows a hidden cell again), so each
    # check keeps its state between calls and works from the cells hidden since it last ran (docs/disclosure.md §6).

    def exposures(self, every_check: bool) -> list[tuple[int, Via]]:
        """Hidden cells a reader could pin down, in cell order, with how; without every_check, only the first check that finds any."""
        found: dict[int, Via] = {}
        for cell in self._lone_hidden():
            found.setdefault(cell, "line")
        if not found or every_check:
            for cell in self._bounds.pinned(self):
                found.setdefault(cell, "bounds")
        if not found or every_check:
            for cell in self._equations.determined(self):
                found.setdefault(cell, "equations")
        return sorted(found.items())

    def _lone_hidden(self) -> list[int]:
        """Hidden cells alone in a line; a line changes only when one of its cells is hidden, so only those are looked at."""
        for line in self._changed_lines:
            if len(self.hidden_members[line]) + (self.hidden_total[line] >= 0) == 1:
                self._lone_lines.add(line)
            else:
                self._lone_lines.discard(line)
        self._changed_lines.clear()
        return [self.hidden_members[line][0] if self.hidden_members[line] else self.hidden_total[line]
                for line in self._lone_lines]


class _Bounds:
    """Hidden cells pinned by their lower bounds propagated through the equations, re-decided only where cells were hidden."""

    # A check finds the greatest fixpoint F(H) of interval narrowing over the equations of the hidden set H, started
    # from [lower bound, ∞) for every hidden cell, and reports the cells whose interval is a single value. Run from
    # scratch, it visits the equations in line order and then first in, first out, with a budget of BOUND_PASSES
    # visits per equation (it converges in about 4 on real tables).
    #
    # Hiding more cells only widens F(H) (a cell that was a known constant becomes an unknown ≥ its lower bound; F of
    # the old set, with the new cells at their counts, is a fixpoint inside the new start), so a cell once shown not
    # to be pinned is never pinned again. Only the cells hidden since the last check, and those it found pinned
    # (they have partners now), need deciding:
    # * tight: reset them and every hidden cell sharing a line with them to [lower, ∞), keep the last fixpoint
    #   elsewhere and propagate until nothing changes. The result is a fixpoint inside the from-scratch start, hence
    #   inside F(H): a cell that is not pinned there is not pinned in F(H).
    # * loose: propagate only the lines around the cells still undecided, holding every cell more than one (then
    #   two) lines away at [lower, ∞). F(H) is inside the result: a cell pinned there is pinned in F(H).
    # A cell neither check decides, a region touching more than half the equations, or a tight propagation over
    # budget sends the check from scratch. Either way a check reports exactly the cells F(H) pins.

    tight_reaches: tuple[int, ...] = (0, 1)
    """The tight checks, in turn: reset the undecided cells, then also every hidden cell one line away."""
    loose_reaches: tuple[int, ...] = (1, 2)
    """The loose checks, in turn: free the cells up to one line from the undecided cells, then up to two."""
    restart_share: float = 0.5
    """A region with more than this share of the equations costs about as much as starting again, so the check does."""

    def __init__(self, network: _Network) -> None:
        self.lo: list[float] = list(network.lower)
        self.hi: list[float] = [math.inf] * len(network.counts)
        self.fixpoint = False          # whether lo and hi hold a fixpoint inside F of the hidden set last checked
        self.unpinned = bytearray(len(network.counts))  # shown not to be pinned; stays so
        self.everyone = bytearray(b"\x01") * len(network.counts)
        self.undecided: set[int] = set()
        self.seen = 0                  # how many of network.hidden_order the checks have taken in

    def pinned(self, network: _Network) -> list[int]:
        """The hidden cells whose propagated interval is one value, in cell order."""
        self.undecided.update(network.hidden_order[self.seen:])
        self.seen = len(network.hidden_order)
        if not self.fixpoint:
            return self._from_scratch(network)
        if not self.undecided:
            return []
        lower, lo, hi = network.lower, self.lo, self.hi
        limit = len(network.equation_lines) * self.restart_share
        for reach in self.tight_reaches:
            region = self._around(network, self.undecided, reach)
            lines = self._lines_around(network, region)
            if len(lines) > limit:
                return self._from_scratch(network)
            for cell in region:
                lo[cell], hi[cell] = lower[cell], math.inf
            if not self._propagate(network, lo, hi, lines, None):
                return self._from_scratch(network)
            for cell in self.undecided:
                if lo[cell] < hi[cell]:
                    self.unpinned[cell] = 1
            self.undecided = {cell for cell in self.undecided if not self.unpinned[cell]}
            if not self.undecided:
                return []
        pinned: set[int] = set()
        for reach in self.loose_reaches:
            region = self._around(network, self.undecided, reach)
            lines = self._lines_around(network, region)
            if len(lines) > limit:
                return self._from_scratch(network)
            free = bytearray(len(lower))
            for cell in region:
                free[cell] = 1
            loose_lo: list[float] = list(lower)
            loose_hi: list[float] = [math.inf] * len(lower)
            self._propagate(network, loose_lo, loose_hi, lines, free)  # any stop is still wider than F(H)
            pinned.update(cell for cell in self.undecided if loose_lo[cell] >= loose_hi[cell])
            if len(pinned) == len(self.undecided):
                return sorted(pinned)
        return self._from_scratch(network)

    def _from_scratch(self, network: _Network) -> list[int]:
        lines = sorted(network.equation_lines)
        cells = [cell for cell in network.hidden_order if network.lines_of(cell)]
        lower, lo, hi = network.lower, self.lo, self.hi
        for cell in cells:
            lo[cell], hi[cell] = lower[cell], math.inf
        self.fixpoint = self._propagate(network, lo, hi, lines, None)
        pinned = sorted(cell for cell in cells if lo[cell] >= hi[cell])
        if self.fixpoint:
            for cell in cells:
                if lo[cell] < hi[cell]:
                    self.unpinned[cell] = 1
        self.undecided = set(pinned)
        return pinned

    def _around(self, network: _Network, cells: Iterable[int], reach: int) -> set[int]:
        """The cells and every hidden cell at most `reach` lines away from one of them."""
        out = set(cells)
        edge = list(out)
        for _ in range(reach):
            found: list[int] = []
            for cell in edge:
                for line in network.lines_of(cell):
                    total = network.hidden_total[line]
                    for other in (*network.hidden_members[line], total) if total >= 0 else network.hidden_members[line]:
                        if other not in out:
                            out.add(other)
                            found.append(other)
            edge = found
        return out

    def _lines_around(self, network: _Network, cells: Iterable[int]) -> list[int]:
        lines: set[int] = set()
        for cell in cells:
            lines.update(network.lines_of(cell))
        return sorted(lines)

    def _propagate(self, network: _Network, lo: list[float], hi: list[float], lines: list[int], free: bytearray | None) -> bool:
        """Narrow the intervals through the equations until nothing changes (True) or the budget is spent (False)."""
        # Σ members − total = b: a member lies in [b − Σ others' highs + total's low, b − Σ others' lows + total's
        # high], the total in [Σ lows − b, Σ highs − b]. Only members' highs and the total's high can be infinite.
        # Every term is narrowed from the values the visit started with; free=None lets every cell narrow.
        members_of, total_of, constant = network.hidden_members, network.hidden_total, network.constant
        lines_of = network.sorted_lines
        if free is None:
            free = self.everyone
        inf = math.inf
        queue = deque(lines)
        queued = bytearray(len(network.lines))
        for line in lines:
            queued[line] = 1
        budget = BOUND_PASSES * len(network.equation_lines)
        while queue and budget:
            budget -= 1
            line = queue.popleft()
            queued[line] = 0
            members, total, b = members_of[line], total_of[line], constant[line]
            sum_lo: float = 0
            sum_hi: float = 0
            infinite = 0
            for m in members:
                sum_lo += lo[m]
                h = hi[m]
                if h == inf:
                    infinite += 1
                else:
                    sum_hi += h
            lo_t, hi_t = (lo[total], hi[total]) if total >= 0 else (0, 0)
            for m in members:
                if not free[m]:
                    continue
                lm, hm = lo[m], hi[m]
                high = b - sum_lo + lm + hi_t
                own = hm == inf
                low = -inf if infinite - own else b - sum_hi + (0 if own else hm) + lo_t
                narrowed = False
                if low > lm:
                    lo[m] = low
                    narrowed = True
                if high < hm:
                    hi[m] = high
                    narrowed = True
                if narrowed:
                    for other in lines_of[m]:
                        if not queued[other]:
                            queued[other] = 1
                            queue.append(other)
            if total >= 0 and free[total]:
                low = sum_lo - b
                high = sum_hi - b if not infinite else inf
                narrowed = False
                if low > lo_t:
                    lo[total] = low
                    narrowed = True
                if high < hi_t:
                    hi[total] = high
                    narrowed = True
                if narrowed:
                    for other in lines_of[total]:
                        if not queued[other]:
                            queued[other] = 1
                            queue.append(other)
        return not queue


class _Equations:
    """Hidden cells fixed by the equations alone: an exact elimination that gains a column for each cell hidden."""

    # A hidden cell is fixed exactly when every solution of the homogeneous equations (b = 0) is 0 there. Each hidden
    # cell's column (its lines, +1 as a member, −1 as the total) is reduced against the pivots of the columns before
    # it, in exact arithmetic. A column left non-zero gets a pivot; one reduced to nothing depends on earlier
    # columns, and back-substituting its reduction steps gives a solution that is non-zero on that dependency. The
    # sum of those solutions, with seeded random 62-bit weights, is one random solution: a cell is reported exactly
    # where it is 0, which is wrong (a needless suppression, never a wrong publication) with probability below 2⁻⁶².
    # Hiding a cell only adds a column, so a check reduces only the columns added since the last one.

    def __init__(self, network: _Network) -> None:
        self.seen = 0
        self.pivot_of: dict[int, int] = {}     # line → the column index pivoted there
        self.pivot_line: list[int] = []
        self.reduced: list[dict[int, _Q]] = []  # column index → the column after reduction, by line
        self.steps: list[dict[int, _Q]] = []    # column index → multiples of earlier reduced columns taken off it
        self.cell_of: list[int] = []
        self.solution: dict[int, _Q] = {}      # column index → the random solution there
        self.rng = random.Random(0x5EED)

    def determined(self, network: _Network) -> list[int]:
        """The hidden cells the equations fix, in cell order."""
        fresh = network.hidden_order[self.seen:]
        self.seen = len(network.hidden_order)
        if fresh:
            # Inner cells and cells in few lines first: that keeps the reduced columns short (less fill-in).
            self._add(network, sorted(fresh, key=lambda c: (network.margins[c], len(network.lines_of(c)), c)))
        return sorted(cell for j, cell in enumerate(self.cell_of) if not self.solution.get(j))

    def _add(self, network: _Network, cells: list[int]) -> None:
        dependent: dict[int, _Q] = {}
        for cell in cells:
            column: dict[int, _Q] = {}
            for line in network.lines_of(cell):
                column[line] = column.get(line, 0) + (-1 if network.lines[line].total == cell else 1)
            steps: dict[int, _Q] = {}
            # A reduced column is zero at the pivots made before it, so taking columns off in the order they were
            # made never brings back a pivot already cleared.
            heap = [self.pivot_of[line] for line in column if line in self.pivot_of]
            heapq.heapify(heap)
            while heap:
                j = heapq.heappop(heap)
                p = self.pivot_line[j]
                f = column.pop(p, 0)
                if not f:
                    continue
                reduced = self.reduced[j]
                pivot = reduced[p]
                factor = f if pivot == 1 else -f if pivot == -1 else Fraction(f) / pivot
                steps[j] = factor
                for line, v in reduced.items():
                    if line == p:
                        continue
                    nv = column.get(line, 0) - factor * v
                    if nv:
                        if line not in column and line in self.pivot_of:
                            heapq.heappush(heap, self.pivot_of[line])
                        column[line] = nv
                    else:
                        column.pop(line, None)
            if column:
                # Any pivot is exact; ±1 keeps integers, and a line with few hidden cells keeps later columns short.
                members, totals = network.hidden_members, network.hidden_total
                p = min(column, key=lambda line: (abs(column[line]) != 1, len(members[line]) + (totals[line] >= 0), line))
                self.pivot_of[p] = len(self.reduced)
                self.pivot_line.append(p)
                self.reduced.append(column)
                self.steps.append(steps)
                self.cell_of.append(cell)
            else:
                weight = self.rng.getrandbits(62) + 1
                for j, f in steps.items():
                    dependent[j] = dependent.get(j, 0) + weight * f
        # The original column of pivot j is its reduced column plus the steps taken off it, so the weighted
        # dependencies, written in original columns, come from back-substitution, last column first.
        value = dict(dependent)
        heap = [-j for j in value]
        heapq.heapify(heap)
        while heap:
            j = -heapq.heappop(heap)
            x = value[j]
            if not x:
                continue
            for i, f in self.steps[j].items():
                if i not in value:
                    heapq.heappush(heap, -i)
                    value[i] = -f * x
                else:
                    value[i] -= f * x
        for j, x in value.items():
            if x:
                self.solution[j] = self.solution.get(j, 0) + x


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
