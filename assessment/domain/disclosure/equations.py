"""Audit by the equations: hidden cells that exact linear algebra over all the lines together fixes."""

from __future__ import annotations

import heapq
import random
from fractions import Fraction
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from assessment.domain.disclosure.network import Network

Rational: TypeAlias = int | Fraction
"""An exact rational: integers while the elimination keeps them, fractions where it must divide."""


class Equations:
    """Hidden cells fixed by the equations alone: an exact elimination that gains a column for each cell hidden."""

    # A hidden cell is fixed exactly when every solution of the homogeneous equations (b = 0) is 0 there. Each hidden
    # cell's column (its lines, +1 as a member, −1 as the total) is reduced against the pivots of the columns before
    # it, in exact arithmetic. A column left non-zero gets a pivot; one reduced to nothing depends on earlier
    # columns, and back-substituting its reduction steps gives a solution that is non-zero on that dependency. The
    # sum of those solutions, with seeded random 62-bit weights, is one random solution: a cell is reported exactly
    # where it is 0, which is wrong (a needless suppression, never a wrong publication) with probability below 2⁻⁶².
    # Hiding a cell only adds a column, so a check reduces only the columns added since the last one.

    def __init__(self) -> None:
        self.seen = 0
        self.pivot_of: dict[int, int] = {}     # line → the column index pivoted there
        self.pivot_line: list[int] = []
        self.reduced: list[dict[int, Rational]] = []  # column index → the column after reduction, by line
        self.steps: list[dict[int, Rational]] = []    # column index → multiples of earlier reduced columns taken off it
        self.cell_of: list[int] = []
        self.solution: dict[int, Rational] = {}      # column index → the random solution there
        self.rng = random.Random(0x5EED)

    def determined(self, network: Network) -> list[int]:
        """The hidden cells the equations fix, in cell order."""
        fresh = network.hidden_order[self.seen:]
        self.seen = len(network.hidden_order)
        if fresh:
            # Inner cells and cells in few lines first: that keeps the reduced columns short (less fill-in).
            self._add(network, sorted(fresh, key=lambda c: (network.margins[c], len(network.lines_of(c)), c)))
        return sorted(cell for j, cell in enumerate(self.cell_of) if not self.solution.get(j))

    def _add(self, network: Network, cells: list[int]) -> None:
        """Take in the columns of newly hidden cells: a pivot for each independent one, a solution from the others."""
        dependent: dict[int, Rational] = {}
        for cell in cells:
            column, steps = self._reduce(network, cell)
            if column:
                self._pivot(network, cell, column, steps)
            else:
                weight = self.rng.getrandbits(62) + 1
                for j, f in steps.items():
                    dependent[j] = dependent.get(j, 0) + weight * f
        self._back_substitute(dependent)

    def _reduce(self, network: Network, cell: int) -> tuple[dict[int, Rational], dict[int, Rational]]:
        """A hidden cell's column reduced against the pivots so far, and the multiples of each taken off it."""
        column: dict[int, Rational] = {}
        for line in network.lines_of(cell):
            column[line] = column.get(line, 0) + (-1 if network.lines[line].total == cell else 1)
        steps: dict[int, Rational] = {}
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
        return column, steps

    def _pivot(self, network: Network, cell: int, column: dict[int, Rational], steps: dict[int, Rational]) -> None:
        """Keep a column that did not reduce to nothing, pivoted on one of its lines."""
        # Any pivot is exact; ±1 keeps integers, and a line with few hidden cells keeps later columns short.
        members, totals = network.hidden_members, network.hidden_total
        p = min(column, key=lambda line: (abs(column[line]) != 1, len(members[line]) + (totals[line] >= 0), line))
        self.pivot_of[p] = len(self.reduced)
        self.pivot_line.append(p)
        self.reduced.append(column)
        self.steps.append(steps)
        self.cell_of.append(cell)

    def _back_substitute(self, dependent: dict[int, Rational]) -> None:
        """Add to the random solution the weighted dependencies, written in the original columns."""
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
