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

Modules: `tables` (axes, cell tables), `policy` (k, zeros, the population floor), `network` (the system of additive
lines and the line rule), `suppression` (primary and complementary suppression, protected tables), `bounds` and
`equations` (the two checks of the audit), `audit`, and `aggregation` (tables counted from assessments, shares).
"""

from assessment.domain.disclosure.aggregation import (
    Classifier,
    Record,
    Share,
    TabulatedAssessment,
    field_reader,
    level_table,
    scenario_tables,
    score_distribution,
    shares_at_or_above,
    tabulate,
)
from assessment.domain.disclosure.audit import Exposure, audit
from assessment.domain.disclosure.network import Reason, Via
from assessment.domain.disclosure.policy import DEFAULT_POLICY, MIN_POPULATION_FACTOR, Policy, population_problem
from assessment.domain.disclosure.suppression import ProtectedTable, PublishedCell, protect, protect_linked
from assessment.domain.disclosure.tables import (
    TOTAL,
    Axis,
    Category,
    CellStats,
    CellTable,
    Coordinate,
    Key,
    Margin,
    Row,
    level_axis,
    score_band,
    score_band_axis,
)

__all__ = [
    "DEFAULT_POLICY", "MIN_POPULATION_FACTOR", "TOTAL", "Axis", "Category", "CellStats", "CellTable", "Classifier", "Coordinate",
    "Exposure", "Key", "Margin", "Policy", "ProtectedTable", "PublishedCell", "Reason", "Record", "Row", "Share",
    "TabulatedAssessment", "Via", "audit", "field_reader", "level_axis", "level_table", "population_problem", "protect",
    "protect_linked", "scenario_tables", "score_band", "score_band_axis", "score_distribution", "shares_at_or_above",
    "tabulate",
]
