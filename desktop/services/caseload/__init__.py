"""The caseload import: profiles, row checks, organisation resolution and the upsert."""

from desktop.services.caseload.importer import import_caseload
from desktop.services.caseload.report import ImportReport, RowProblem

__all__ = ["ImportReport", "RowProblem", "import_caseload"]
