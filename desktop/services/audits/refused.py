"""An import refused as a whole, carrying every bad row (row number, column, reason).

Why an exception and not a report: the historical-audit and improvement-plan imports
are all or nothing, and the CLI's contract for refused input is :class:`InputProblem`
(exit 1). The one-line message names the first few rows; ``problems`` holds them all
for the CLI (which prints every one) and the import dialog.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.errors import InputProblem
from desktop.services.caseload.report import RowProblem

SHOWN = 3


class ImportRefused(InputProblem):
    def __init__(self, source: str, problems: Sequence[RowProblem]) -> None:
        self.problems = sorted(problems)
        first = "; ".join(str(p) for p in self.problems[:SHOWN])
        more = f" (and {len(self.problems) - SHOWN} more)" if len(self.problems) > SHOWN else ""
        rows = len({p.row for p in self.problems})
        super().__init__(f"{source}: nothing imported, {rows} bad row{'s' * (rows != 1)}: "
                         f"{first}{more}")
