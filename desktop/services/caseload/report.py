"""What an import tells the user: counts, and every bad row with its column and reason.

Why no personal data here: the report is printed, logged, pasted into support tickets.
A problem names the spreadsheet row and the column; it quotes the offending value only
for dates and codes, never a name or a case reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class RowProblem:
    """One reason one row cannot be imported.

    Attributes:
        row: the spreadsheet row number (the header is row 1).
        column: the column as the file spells it; empty for the row as a whole.
        reason: a short phrase, free of personal data.
    """

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, column '{self.column}'" if self.column else f"row {self.row}"
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    """The outcome of one import (or dry run).

    Every row of the file is exactly one of created, updated or unchanged. ``closed``
    and ``reopened`` count status changes on top: cases closed because a full import
    no longer lists them (or the file says closed), and closed cases listed again.

    Attributes:
        file: the file's name (not its folder).
        profile: the mapping profile used.
        dry_run: nothing was meant to be written.
        written: something was written (False for a dry run or a refused file).
        rows: data rows read.
        rag_changes: RAG changes recorded as case events.
        events: case events recorded in all (RAG changes, visits, closures, ...).
        errors: every problem found; when there is any, nothing was written.
    """

    file: str
    profile: str
    dry_run: bool = False
    written: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    reopened: int = 0
    rag_changes: int = 0
    events: int = 0
    errors: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        """The CLI's ``--json`` contract."""
        return {
            "file": self.file, "profile": self.profile, "dry_run": self.dry_run,
            "written": self.written, "rows": self.rows, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "closed": self.closed,
            "reopened": self.reopened, "rag_changes": self.rag_changes,
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason}
                       for e in self.errors],
        }

    def summary(self) -> str:
        """One line of counts, for people."""
        if self.errors:
            rows = len({e.row for e in self.errors})
            return (f"{self.rows:,} rows read; {rows:,} bad row(s), {len(self.errors):,} "
                    "problem(s): nothing was written")
        counts = (f"{self.rows:,} rows: {self.created:,} created, {self.updated:,} updated, "
                  f"{self.unchanged:,} unchanged, {self.closed:,} closed, "
                  f"{self.reopened:,} reopened, {self.rag_changes:,} RAG changes")
        return counts + (" (dry run: nothing was written)" if self.dry_run else "")
