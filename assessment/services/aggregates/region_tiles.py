"""The picture of a jurisdiction on the officials' dashboard: one tile per child region, coloured by the share at the
target level and above, and the headline figures above it — all read from the dashboard's protected rows, so a tile
shows exactly what the breakdown by region shows and hides exactly what it hides."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from assessment.services.aggregates.cells import Labels
from assessment.services.aggregates.dashboard import CountRow, Dashboard
from assessment.services.aggregates.jurisdiction import child_regions

SHARE_STEPS = (0.2, 0.4, 0.6, 0.8)
"""Where the colour steps of the tiles change: below 20 %, 20–40 %, 40–60 %, 60–80 %, 80 % and more."""

TileState = Literal["shown", "share_hidden", "hidden", "none"]
"""A tile's figures: all shown, the count shown but its share hidden, the count hidden, or no enterprise at all."""


@dataclass(frozen=True)
class RegionTile:
    """One child region: its protected count and share (None where the breakdown by region hides them)."""

    code: str
    name: str
    count: int | None
    at_level: int | None
    share: float | None
    step: int | None
    """The colour step of the share (0 … len(SHARE_STEPS)), None where no share is shown."""
    may_drill: bool

    @property
    def state(self) -> TileState:
        """What the tile can show."""
        if self.count is None:
            return "hidden"
        if self.count == 0:
            return "none"
        return "shown" if self.share is not None else "share_hidden"


@dataclass(frozen=True)
class RegionMap:
    """The tile grid of a jurisdiction's child regions and the share steps of its legend."""

    tiles: tuple[RegionTile, ...]
    steps: tuple[tuple[float, float], ...]

    @property
    def hidden(self) -> bool:
        """Whether any tile hides a figure."""
        return any(t.state in ("hidden", "share_hidden") for t in self.tiles)


def share_step(share: float) -> int:
    """The colour step of a share."""
    return sum(share >= edge for edge in SHARE_STEPS)


def _tile(row: CountRow, may_drill: bool) -> RegionTile:
    """A tile from one protected row of the breakdown by region (named as the table names it)."""
    share = row.share.share
    return RegionTile(str(row.key), row.label, row.count, None if share is None else row.share.count, share,
                      None if share is None else share_step(share), may_drill)


def region_map(board: Dashboard, labels: Labels, drillable: Collection[str]) -> RegionMap | None:
    """The tiles of the breakdown by region (None without one): a tile per child region, in the table's order.

    A category that is no child region (enterprises of the scope itself, an unknown code) gets a tile only where
    the table has a figure for it other than a published 0."""
    breakdown = next((b for b in board.breakdowns if b.field == "region"), None)
    if breakdown is None:
        return None
    children = {r.code for r in child_regions(labels.regions, _scope(board))}
    tiles = tuple(_tile(row, str(row.key) in drillable)
                  for row in breakdown.rows if str(row.key) in children or row.count != 0)
    edges = (0.0, *SHARE_STEPS, 1.0)
    return RegionMap(tiles, tuple(pairwise(edges)))


def _scope(board: Dashboard) -> str | None:
    """The region the breakdown by region is below."""
    return board.selection.region if board.selection.region is not None else board.jurisdiction.code


@dataclass(frozen=True)
class Change:
    """The share at the target level and above against the period before (in percentage points)."""

    previous_label: str
    points: float


def share_change(board: Dashboard) -> Change | None:
    """The change in the published share since the previous period; None where either share is hidden."""
    trend = [p for p in board.trend if p.period <= (board.selection.period or 0)]
    if len(trend) < 2:
        return None
    before, now = trend[-2].row.share.share, trend[-1].row.share.share
    if before is None or now is None:
        return None
    return Change(trend[-2].label, round((now - before) * 100, 1))
