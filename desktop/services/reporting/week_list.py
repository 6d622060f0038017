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
from desktop.services.reporting.case_tool import AS_SUBMITTED, WeekChoice, week_audit_ids
from desktop.services.reporting.names import user_names


@dataclass(frozen=True)
class WeekCaseTool:
    audit_id: str
    case_ref: str
    auditor: str
    status: str
    audit_date: dt.date | None


@dataclass(frozen=True)
class LeftOut:
    """What a week's batch leaves out as chosen, so the preview can say so.

    Attributes:
        drafts: audits not yet submitted (left out unless asked for).
        without_findings: cases with neither actions nor noted good practice (left out
            when only those with findings were asked for).
    """

    drafts: int
    without_findings: int


def week_case_tool_list(ctx: ServiceContext, week: str, auditor_id: str | None = None,
                        choice: WeekChoice = AS_SUBMITTED) -> list[WeekCaseTool]:
    """The audits whose case tools a week's batch writes (as ``choice`` says), in the
    same order.

    Raises:
        InputProblem: ``week`` is not an ISO week such as 2026-W47.
    """
    guard(ctx, P.REPORTS)
    ids = week_audit_ids(ctx, week, auditor_id, choice)
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


def week_left_out(ctx: ServiceContext, week: str, auditor_id: str | None,
                  choice: WeekChoice) -> LeftOut:
    """How many of the week's audits ``choice`` leaves out, and why.

    Raises:
        InputProblem: ``week`` is not an ISO week such as 2026-W47.
    """
    every = set(week_audit_ids(ctx, week, auditor_id, WeekChoice(drafts=True)))
    submitted = set(week_audit_ids(ctx, week, auditor_id))
    drafts = 0 if choice.drafts else len(every - submitted)
    without = 0
    if choice.findings_only:
        kept = set(week_audit_ids(ctx, week, auditor_id,
                                  WeekChoice(drafts=choice.drafts, findings_only=True)))
        without = len((every if choice.drafts else submitted) - kept)
    return LeftOut(drafts, without)
