"""The audit: every hidden cell of protected linked tables that what they show would let a reader pin down."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assessment.domain.disclosure.network import Network, Via
from assessment.domain.disclosure.suppression import ProtectedTable
from assessment.domain.disclosure.tables import Key


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
    network = Network([p.table for p in protected], policy)
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
