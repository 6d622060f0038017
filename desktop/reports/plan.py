"""The improvement plan report (seed 004): finding, action, lead, by when and status.

Why the table keeps seed 004's shape, the finding written once above its actions:
that is how inspection action plans are written and read at a council's improvement
board; the status column, which the seed's table lacks, is what the tracker adds.
"By when" is printed as the plan wrote it ("Commencing Sept 2010"), since a plan's
deadline is often not a date.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, PageBreak

from desktop.files import write_out
from desktop.reports import formats
from desktop.reports.layout import FRAME_WIDTH, build, cell, heading, styles, table
from desktop.reports.paragraphs import Paragraph
from desktop.reports.text import label, markup
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_changes
from desktop.services.plans import CATEGORIES, FindingView, PlanActionView
from desktop.services.reporting.plan import PlanReport, plan_reports

TITLE = "Improvement plan"
CATEGORY_TITLES = {"priority_action": "Areas for priority action",
                   "area_for_development": "Areas for development"}
WIDTHS = [FRAME_WIDTH * share for share in (0.3, 0.34, 0.14, 0.12, 0.1)]


def by_when(action: PlanActionView) -> str:
    return action.by_when_text or formats.day(action.due_on, "not set")


def _rows(finding: FindingView) -> list[list[object]]:
    s = styles()
    text = f"{finding.number}. {finding.text}" if finding.number else finding.text
    first = cell(text, WIDTHS[0], s.small)
    if not finding.actions:
        return [[first, Paragraph("<i>No action recorded.</i>", s.small), "", "", ""]]
    return [[first if n == 0 else "", cell(a.description, WIDTHS[1], s.small),
             cell(a.lead or "not named", WIDTHS[2], s.small),
             cell(by_when(a), WIDTHS[3], s.small), cell(label(a.status), WIDTHS[4], s.small)]
            for n, a in enumerate(finding.actions)]


def _plan(report: PlanReport) -> list[Flowable]:
    s = styles()
    p = report.plan
    facts = [f"{p.findings} findings, {p.actions} actions, {p.actions_done} done or verified"]
    if p.issued_on:
        facts.append(f"issued {formats.day(p.issued_on)}")
    if p.source:
        facts.append(f"imported from {p.source}")
    out: list[Flowable] = [Paragraph(markup(p.title), s.subtitle),
                           Paragraph(markup("; ".join(facts) + "."), s.small)]
    if not report.findings:
        out.append(Paragraph("<i>The plan has no findings.</i>", s.body))
        return out
    for category in (*CATEGORIES, *sorted({f.category for f in report.findings}
                                          - set(CATEGORIES))):
        findings = [f for f in report.findings if f.category == category]
        if not findings:
            continue
        out += heading(markup(CATEGORY_TITLES.get(category, label(category))))
        rows: list[list[object]] = [["Finding", "Action taken or required", "Lead(s)",
                                     "By when", "Status"]]
        for finding in findings:
            rows += _rows(finding)
        out.append(table(rows, WIDTHS))
    return out


def story(reports: list[PlanReport]) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = [Paragraph(TITLE + ("s" if len(reports) > 1 else ""), s.title)]
    if not reports:
        out.append(Paragraph("<i>No improvement plan has been imported.</i>", s.body))
    for n, report in enumerate(reports):
        if n:
            out.append(PageBreak())
        out += _plan(report)
    return out


def plan_pdf(ctx: ServiceContext, out: Path | BinaryIO, plan_id: str | None = None
             ) -> list[PlanReport]:
    """Write one plan, or every plan, and log each plan's export (ids only, one
    transaction); to a path, handed out as :mod:`desktop.files` does.

    Raises:
        InputProblem: ``plan_id`` names no plan.
    """
    reports = plan_reports(ctx, plan_id)

    def log() -> None:
        with ctx.store.transaction() as session:
            log_changes(session, ctx, [("export", "plan", report.plan.id,
                                        {"format": "pdf", "report": "plan"})
                                       for report in reports])

    write_out(out, lambda handle: build(handle, TITLE, story(reports)), log)
    return reports
