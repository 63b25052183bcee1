"""Audit by bounds: hidden cells pinned by their lower bounds propagated through the equations of the lines."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from assessment.domain.disclosure.network import Network

BOUND_PASSES: Final = 200
"""Bound propagation revisits at most 200 × (number of equations) equations per audit; bounds are valid at any stop."""


class Bounds:
    """Hidden cells pinned by their lower bounds propagated through the equations, re-decided only where cells were hidden."""

    # A check finds the greatest fixpoint F(H) of interval narrowing over the equations of the hidden set H, started
    # from [lower bound, ∞) for every hidden cell, and reports the cells whose interval is a single value. Run from
    # scratch, it visits the equations in line order and then first in, first out, with a budget of BOUND_PASSES
    # visits per equation.
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

    def __init__(self, network: Network) -> None:
        self.lo: list[float] = list(network.lower)
        self.hi: list[float] = [math.inf] * len(network.counts)
        self.fixpoint = False          # whether lo and hi hold a fixpoint inside F of the hidden set last checked
        self.unpinned = bytearray(len(network.counts))  # shown not to be pinned; stays so
        self.everyone = bytearray(b"\x01") * len(network.counts)
        self.undecided: set[int] = set()
        self.seen = 0                  # how many of network.hidden_order the checks have taken in

    def pinned(self, network: Network) -> list[int]:
        """The hidden cells whose propagated interval is one value, in cell order."""
        self.undecided.update(network.hidden_order[self.seen:])
        self.seen = len(network.hidden_order)
        if not self.fixpoint:
            return self._from_scratch(network)
        if not self.undecided:
            return []
        limit = len(network.equation_lines) * self.restart_share
        if not self._tight(network, limit):
            return self._from_scratch(network)
        if not self.undecided:
            return []
        pinned = self._loose(network, limit)
        return self._from_scratch(network) if pinned is None else pinned

    def _tight(self, network: Network, limit: float) -> bool:
        """Mark the undecided cells a tight check shows not pinned; False if the check must start from scratch."""
        lower, lo, hi = network.lower, self.lo, self.hi
        for reach in self.tight_reaches:
            region = self._around(network, self.undecided, reach)
            lines = self._lines_around(network, region)
            if len(lines) > limit:
                return False
            for cell in region:
                lo[cell], hi[cell] = lower[cell], math.inf
            if not self._propagate(network, lo, hi, lines, None):
                return False
            for cell in self.undecided:
                if lo[cell] < hi[cell]:
                    self.unpinned[cell] = 1
            self.undecided = {cell for cell in self.undecided if not self.unpinned[cell]}
            if not self.undecided:
                return True
        return True

    def _loose(self, network: Network, limit: float) -> list[int] | None:
        """The undecided cells, all pinned by a loose check, in cell order; None if some stay undecided."""
        lower = network.lower
        pinned: set[int] = set()
        for reach in self.loose_reaches:
            region = self._around(network, self.undecided, reach)
            lines = self._lines_around(network, region)
            if len(lines) > limit:
                return None
            free = bytearray(len(lower))
            for cell in region:
                free[cell] = 1
            loose_lo: list[float] = list(lower)
            loose_hi: list[float] = [math.inf] * len(lower)
            self._propagate(network, loose_lo, loose_hi, lines, free)  # any stop is still wider than F(H)
            pinned.update(cell for cell in self.undecided if loose_lo[cell] >= loose_hi[cell])
            if len(pinned) == len(self.undecided):
                return sorted(pinned)
        return None

    def _from_scratch(self, network: Network) -> list[int]:
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

    def _around(self, network: Network, cells: Iterable[int], reach: int) -> set[int]:
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

    def _lines_around(self, network: Network, cells: Iterable[int]) -> list[int]:
        lines: set[int] = set()
        for cell in cells:
            lines.update(network.lines_of(cell))
        return sorted(lines)

    def _propagate(self, network: Network, lo: list[float], hi: list[float], lines: list[int], free: bytearray | None) -> bool:
        """Narrow the intervals through the equations until nothing changes (True) or the budget is spent (False)."""
        # Every term is narrowed from the values the visit started with; free=None lets every cell narrow.
        lines_of = network.sorted_lines
        if free is None:
            free = self.everyone
        queue = deque(lines)
        queued = bytearray(len(network.lines))
        for line in lines:
            queued[line] = 1
        budget = BOUND_PASSES * len(network.equation_lines)
        narrowed: list[int] = []
        while queue and budget:
            budget -= 1
            line = queue.popleft()
            queued[line] = 0
            _narrow_line(network, line, lo, hi, free, narrowed)
            for cell in narrowed:
                for other in lines_of[cell]:
                    if not queued[other]:
                        queued[other] = 1
                        queue.append(other)
            narrowed.clear()
        return not queue


def _narrow_line(network: Network, line: int, lo: list[float], hi: list[float], free: bytearray, narrowed: list[int]) -> None:
    """Narrow the free hidden cells of one line's equation from the others' intervals, adding those that narrowed."""
    # Σ members − total = b: a member lies in [b − Σ others' highs + total's low, b − Σ others' lows + total's
    # high], the total in [Σ lows − b, Σ highs − b]. Only members' highs and the total's high can be infinite.
    members, total, b = network.hidden_members[line], network.hidden_total[line], network.constant[line]
    inf = math.inf
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
        if low > lm or high < hm:
            lo[m] = low if low > lm else lm
            hi[m] = high if high < hm else hm
            narrowed.append(m)
    if total >= 0 and free[total]:
        low = sum_lo - b
        high = sum_hi - b if not infinite else inf
        if low > lo_t or high < hi_t:
            lo[total] = low if low > lo_t else lo_t
            hi[total] = high if high < hi_t else hi_t
            narrowed.append(total)

