"""What a report will hold, as a table the Reports screen shows before it is saved.

Why a table of contents beside the PDF's pages (the Reports screen's Pages tab): a
person choosing a period wants to see what it holds (the month's estimates, the case
tools the week holds, the rows an export writes) before its layout, and it is read in
a moment where drawing a month's report takes seconds. Each preview reads with the
same service the report writes with, so what is shown is what is saved. Runs on the
worker: nothing here touches Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop.reports import formats
from desktop.reports.monthly import interval, name, percent
from desktop.reports.text import label
from desktop.services.context import ServiceContext
from desktop.services.reporting.case_tool import AS_SUBMITTED, WeekChoice
from desktop.services.reporting.exports import Period, export_tables
from desktop.services.reporting.monthly import month_name, monthly_data, parse_month
from desktop.services.reporting.week_list import week_case_tool_list, week_left_out
from desktop.services.sampling.weeks import parse_week, week_span
from desktop.words import plural


@dataclass(frozen=True)
class Preview:
    """Attributes:
        summary: one or two sentences on what the report holds.
        audit_ids: the audit of each row, when a row is a case tool (to print one).
    """

    summary: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    audit_ids: tuple[str, ...] = ()


def case_tools(ctx: ServiceContext, week: str, auditor_id: str | None,
               choice: WeekChoice = AS_SUBMITTED) -> Preview:
    week = parse_week(week.strip().upper())
    tools = week_case_tool_list(ctx, week, auditor_id, choice)
    left = week_left_out(ctx, week, auditor_id, choice)
    whose = " by this auditor" if auditor_id else ""
    if not tools:
        summary = f"No audits in {week} ({week_span(week)}){whose}: there is nothing to save."
    else:
        summary = (f"{plural(len(tools), 'case tool')} in {week} ({week_span(week)}){whose}: "
                   "Save writes them as one PDF with a bookmark per case (or one file per "
                   "case); Print prints them all, each from a new page.")
    notes = []
    if left.drafts:
        notes.append(f"{plural(left.drafts, 'draft')} left out (tick Include drafts)")
    if left.without_findings:
        notes.append(f"{plural(left.without_findings, 'case')} with neither actions nor "
                     "good practice left out")
    if notes:
        summary += " " + "; ".join(notes) + "."
    return Preview(summary, ("Case", "Auditor", "Status", "Audit date"),
                   [(t.case_ref, t.auditor, label(t.status), formats.day(t.audit_date, ""))
                    for t in tools], tuple(t.audit_id for t in tools))


def monthly(ctx: ServiceContext, month: str) -> Preview:
    data = monthly_data(ctx, month)
    current = data.current
    # The same two counts as the report's first line: finalised in the month, and the
    # finalised audits dated in it that the estimates rest on (they differ).
    summary = (f"{month_name(parse_month(month)[0])}: "
               f"{plural(data.finalised_in_month, 'audit')} finalised in the month; the "
               f"estimates rest on {plural(current.audits, 'finalised audit')} dated in it. "
               "Every percentage is an estimate for the whole caseload, with its 95% "
               "interval; the report adds the census of the caseload and the six-month "
               "trend.")
    rows = [(name(f), percent(f.estimate.rate) if f.estimate.sufficient
             else "insufficient sample", interval(f),
             "-" if f.estimate.effective_n is None else f"{f.estimate.effective_n:.0f}",
             str(f.estimate.audits)) for f in current.by_standard]
    return Preview(summary, ("Standard", "Estimate", "95% interval", "Effective n", "Audits"),
                   rows)


def weekly(ctx: ServiceContext, week: str) -> Preview:
    """The weekly report's figures by team (helper K's report, when it is there)."""
    from desktop.reports.weekly import grades_text, standards_text
    from desktop.services.reporting.weekly import weekly_data

    data = weekly_data(ctx, week)
    summary = (f"Week {data.week} ({data.span}): {plural(data.total.audits, 'audit')} "
               f"submitted by {plural(len(data.teams), 'team')}; the report adds each "
               "worker's figures, the auditors' quotas and the charts.")
    rows = [(t.name, str(t.audits), grades_text(t.grades), standards_text(t),
             str(t.disagreements), str(t.escalations), str(t.overdue)) for t in data.teams]
    return Preview(summary, ("Team", "Audits", "Grades", "Standards", "RAG disagreements",
                             "Escalations", "Actions overdue"), rows)


def export(ctx: ServiceContext, kinds: tuple[str, ...], period: Period) -> Preview:
    tables = export_tables(ctx, kinds, period)
    dates = ("all dates" if period.start is None and period.end is None else
             f"audits dated {formats.day(period.start, 'any date')} to "
             f"{formats.day(period.end, 'any date')}")
    total = sum(len(t.rows) for t in tables)
    summary = f"{plural(total, 'row')} in {plural(len(tables), 'table')}, {dates}."
    return Preview(summary, ("Table", "Rows", "Columns"),
                   [(t.name, str(len(t.rows)), ", ".join(t.headers)) for t in tables])


def summary(ctx: ServiceContext, exercise_id: str) -> Preview:
    """An exercise's overall summary: its figures in a sentence, its audits listed."""
    from desktop.services.reporting.summary import summary_data

    data = summary_data(ctx, exercise_id)
    f = data.figures
    text = (f"{data.title}: {plural(f.audits, 'audit')} submitted, "
            f"{plural(f.cases_seen, 'case')} seen; {f.actions_open} actions open and "
            f"{f.actions_done} done. The summary adds the findings, the judgement and the "
            "figures by standard.")
    rows = [(a.case_ref, formats.day(a.audit_date, ""), a.team, a.auditor,
             label(a.grade) or "not graded", label(a.status)) for a in data.audits]
    return Preview(text, ("Case", "Audit date", "Team", "Auditor", "Grade", "Status"), rows)


def plan(ctx: ServiceContext, plan_id: str | None) -> Preview:
    """The improvement plan (or every plan): each action under its finding."""
    from desktop.services.reporting.plan import plan_reports

    reports = plan_reports(ctx, plan_id)
    rows = [(r.plan.title, finding.text, a.description, a.lead or "not named",
             a.by_when_text or formats.day(a.due_on, "not set"), label(a.status))
            for r in reports for finding in r.findings for a in finding.actions]
    findings = sum(len(r.findings) for r in reports)
    text = (f"{plural(len(reports), 'plan')}, {plural(findings, 'finding')}, "
            f"{plural(len(rows), 'action')}." if reports else
            "No improvement plan has been imported: there is nothing to report.")
    return Preview(text, ("Plan", "Finding", "Action", "Lead", "By when", "Status"), rows)
