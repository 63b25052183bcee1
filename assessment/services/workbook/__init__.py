"""The questionnaire as an Excel workbook for work offline: exported (pre-filled from answers and a profile) and read
back into an answers document, with every problem as `sheet!cell: reason` (docs/workbook.md)."""

from assessment.services.workbook.export import export_workbook
from assessment.services.workbook.reading import CellProblem, WorkbookInvalid, read_workbook

__all__ = ["CellProblem", "WorkbookInvalid", "export_workbook", "read_workbook"]
