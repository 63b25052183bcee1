"""Primary and complementary suppression: protected tables, and the linked tables of one population protected together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from assessment.domain.answers import Problem
from assessment.domain.disclosure.network import Network, Reason
from assessment.domain.disclosure.policy import DEFAULT_POLICY, Policy, population_problem
from assessment.domain.disclosure.tables import CellTable, Coordinate, Key


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


def protect(table: CellTable, policy: Policy = DEFAULT_POLICY) -> ProtectedTable:
    """The table with primary and complementary suppression applied (the method is in the package docstring)."""
    return protect_linked((table,), policy)[0]




def protect_linked(tables: Sequence[CellTable], policy: Policy = DEFAULT_POLICY) -> tuple[ProtectedTable, ...]:
    """Tables of one population protected together, so no table's totals reveal a cell hidden in another."""
    # Tables sharing an axis name must use the same Axis, and a cell in several tables (a region's total in "by
    # region" and "by region × size") must have one count in all, else ValueError: tables over different
    # populations cannot be linked (and differencing between them is then not prevented).
    network = Network(tables, policy)
    refused = withhold_small_populations(network, tables, policy)
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


def withhold_small_populations(network: Network, tables: Sequence[CellTable], policy: Policy) -> list[Problem | None]:
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

