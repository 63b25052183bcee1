"""The disclosure policy: threshold k, whether zeros are published, and the floor under a published population."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from assessment.domain.answers import N_, Problem
from assessment.domain.disclosure.tables import CellStats

MIN_POPULATION_FACTOR: Final = 4
"""Default population floor as a multiple of k: a filter matching fewer than 4·k enterprises is not published."""


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


DEFAULT_POLICY: Final = Policy()
"""k = 5, zeros published, the population floor 4·k."""


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

