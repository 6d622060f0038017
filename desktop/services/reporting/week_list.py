"""Which case tools a week's batch will write: one line per audit, before writing them.

Why a list of its own: the Reports screen shows what a batch holds (and lets a person
print one of them) without reading every answer, comment and action the PDFs need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from desktop.models import Audit, Case
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.reporting.case_tool import week_audit_ids
from desktop.services.reporting.names import user_names


@dataclass(frozen=True)
class WeekCaseTool:
    audit_id: str
    case_ref: str
    auditor: str
    status: str
    audit_date: dt.date | None


def week_case_tool_list(ctx: ServiceContext, week: str, auditor_id: str | None = None
                        ) -> list[WeekCaseTool]:
    """The audits whose case tools ``week_case_tools`` writes, in the same order.

    Raises:
        InputProblem: ``week`` is not an ISO week such as 2026-W47.
    """
    guard(ctx, P.REPORTS)
    ids = week_audit_ids(ctx, week, auditor_id)
    if not ids:
        return []
    with ctx.read() as session:
        found = {a.id: (a, ref) for a, ref in session.execute(
            select(Audit, Case.case_ref).join(Case, Case.id == Audit.case_id)
            .where(Audit.id.in_(ids)))}
        names = user_names(session, (a.auditor_id for a, _ in found.values()))
        return [WeekCaseTool(i, found[i][1], names.get(found[i][0].auditor_id, ""),
                             found[i][0].status, found[i][0].audit_date)
                for i in ids if i in found]
