"""Independent checks of protected cell tables: they know the tables' layout, not the disclosure module's network."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np

from assessment.domain.disclosure.suppression import ProtectedTable
from assessment.domain.disclosure.tables import TOTAL, CellTable, Key


def lines_of(table: CellTable) -> Iterator[tuple[list[Key], Key]]:
    """Every additive line of a table: (the keys a total sums, the total's key), read straight from the axes."""
    for a, axis in enumerate(table.axes):
        nodes = [c for c in axis.coordinates if axis.children(c)]
        others = [x.coordinates for i, x in enumerate(table.axes) if i != a]
        for node in nodes:
            for rest in itertools.product(*others):
                members: list[Key] = [(*rest[:a], c, *rest[a:]) for c in axis.children(node)]
                yield members, (*rest[:a], node, *rest[a:])


def canonical(table: CellTable, key: Key) -> tuple[tuple[str, object], ...]:
    """The population a cell counts, independent of which table shows it."""
    return tuple(sorted((axis.name, c) for axis, c in zip(table.axes, key, strict=True) if c is not TOTAL))


def joint_system(protected: Sequence[ProtectedTable]) -> tuple[np.ndarray, list[int], dict[tuple[tuple[str, object], ...], int]]:
    """The equations of linked tables over their shared cells, and which cells no table shows."""
    ids: dict[tuple[tuple[str, object], ...], int] = {}
    rows: list[dict[int, int]] = []
    shown: set[int] = set()
    for p in protected:
        for key in p.table.key_space():
            cid = ids.setdefault(canonical(p.table, key), len(ids))
            if p.published(key):
                shown.add(cid)
        for members, total in lines_of(p.table):
            row: dict[int, int] = {ids[canonical(p.table, total)]: -1}
            for m in members:
                row[ids[canonical(p.table, m)]] = row.get(ids[canonical(p.table, m)], 0) + 1
            rows.append(row)
    matrix = np.zeros((max(len(rows), 1), len(ids)))
    for i, row in enumerate(rows):
        for j, v in row.items():
            matrix[i, j] = v
    return matrix, sorted(set(ids.values()) - shown), ids


def derivable_cells(protected: Sequence[ProtectedTable]) -> list[int]:
    """Hidden cells that the shown ones determine through the equations (rank drops without the cell's column)."""
    matrix, hidden, _ = joint_system(protected)
    if not hidden:
        return []
    sub = matrix[:, hidden]
    rank = np.linalg.matrix_rank(sub)
    return [h for i, h in enumerate(hidden) if np.linalg.matrix_rank(np.delete(sub, i, axis=1)) < rank]


def lines_with_one_hidden(protected: Sequence[ProtectedTable]) -> list[list[int]]:
    """Lines (of any of the linked tables) that hold exactly one hidden cell."""
    matrix, hidden, _ = joint_system(protected)
    hidden_set = set(hidden)
    bad = []
    for row in matrix:
        cells = [int(j) for j in np.nonzero(row)[0]]
        if sum(c in hidden_set for c in cells) == 1:
            bad.append(cells)
    return bad
