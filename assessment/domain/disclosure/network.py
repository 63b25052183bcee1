"""The cells of linked tables as one system of additive lines: the suppression state, the line rule and its partners."""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Sequence
from typing import Literal, NamedTuple, TypeAlias

from assessment.domain.disclosure.bounds import Bounds
from assessment.domain.disclosure.equations import Equations
from assessment.domain.disclosure.policy import Policy
from assessment.domain.disclosure.tables import TOTAL, Axis, CellStats, CellTable, Coordinate, Key, Margin

Reason = Literal["primary", "complementary", "population"]
"""Why a cell is hidden; for auditors only: showing which cells are primary tells a reader they are small."""

Via = Literal["line", "bounds", "equations"]
"""How a reader could pin down a hidden cell: alone in a line, by propagated bounds, or by the equations."""

Canon: TypeAlias = tuple[tuple[str, Coordinate], ...]


class Line(NamedTuple):
    """One additive line: the cells a total sums, and the total's cell."""

    members: tuple[int, ...]
    total: int


class Network:
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
        self.index: dict[Canon, int] = {}
        self.counts: list[int] = []
        self.lower: list[int] = []
        self.margins: list[int] = []
        self.sensitive: list[bool] = []
        self.places: list[list[tuple[int, Key]]] = []
        self.reasons: list[Reason | None] = []
        self.lines: list[Line] = []
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
        for t, table in enumerate(tables):
            self._add_cells(t, table)
        # A partner's rank: smallest count first; on a tie an inner cell before a margin, then the first in table order.
        width, depth = len(self.counts), max(self.margins, default=0) + 1
        self.ranks = [(count * depth + margins) * width + cell
                      for cell, (count, margins) in enumerate(zip(self.counts, self.margins, strict=True))]
        self._least_shown_of: list[int] = []       # per line: its best shown partner, -1 for none, -2 to work out
        self.sorted_lines: list[list[int]] = [[] for _ in self.counts]  # a hidden cell's lines in line order
        self._bounds = Bounds(self)
        self._equations = Equations()

    def _add_cells(self, t: int, table: CellTable) -> None:
        """Take in the cells of one table; a cell another table already holds must have the same count."""
        zero_floor = 1 if self.policy.publish_zeros else 0
        keys = table.nonzero_keys() if self.policy.publish_zeros else table.key_space()
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
            self.sensitive.append(self.policy.sensitive(stats))
            self.places.append([(t, key)])
            self.reasons.append(None)
            self._lines_of.append(None)

    def _canon(self, t: int, key: Key) -> Canon:
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
        self.lines.append(Line(tuple(members), total))
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

