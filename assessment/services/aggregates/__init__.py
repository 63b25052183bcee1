"""Officials' aggregates: every published number goes through disclosure control (docs/officials.md).

Modules: `facts` (what a submitted assessment contributes, and its layout), `jurisdiction` (the region an official
sees, and the regions below it), `periods`, `policy` (k, the default model, the download limit), `filters` (the
dashboard's choices), `cells` (fields, axes and names shared by the tables), `dashboard`, `exports` (cell
downloads and their writers), `officials` (the official's journey: views logged, target, shared results) and
`sources` (what the commands need of a running site). Callers import from the modules; the names below are here
for the use cases elsewhere that write and count facts.
"""

from assessment.services.aggregates.cells import Labels
from assessment.services.aggregates.dashboard import Dashboard
from assessment.services.aggregates.exports import CellExport, CellRequest, cell_export, csv_chunks, write_xlsx
from assessment.services.aggregates.facts import FactLayout, layout_of, layouts, milli, rebuild_facts, record_submission
from assessment.services.aggregates.filters import Selection
from assessment.services.aggregates.jurisdiction import NATIONAL, NATIONAL_CODE, Jurisdiction, child_regions, jurisdiction_of

__all__ = [
    "NATIONAL", "NATIONAL_CODE", "CellExport", "CellRequest", "Dashboard", "FactLayout", "Jurisdiction", "Labels",
    "Selection", "cell_export", "child_regions", "csv_chunks", "jurisdiction_of", "layout_of", "layouts",
    "milli", "rebuild_facts", "record_submission", "write_xlsx",
]
