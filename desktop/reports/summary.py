"""The overall summary of quality and dip sample (seed 002, form 1): one exercise on A4.

Why the figures sit under the manager's own words: the form records "a summary of
cases seen and findings, with an overall judgement of where practice is at present"
(seed 002), written by the manager; the counts from the exercise's audits follow, so
the QA team can see the judgement beside the evidence it rests on.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, Spacer, Table

from desktop.files import write_out
from desktop.reports import formats
from desktop.reports.charts import Series, bar_charts
from desktop.reports.layout import FRAME_WIDTH, build, cell, heading, styles, table
from desktop.reports.paragraphs import Paragraph
from desktop.reports.text import label, markup, or_none
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_export
from desktop.services.exercises import GRADES
from desktop.services.reporting.summary import SummaryData, summary_data

TITLE = "Overall summary of quality and dip sample"


def period_words(start: dt.date | None, end: dt.date | None) -> str:
    """An exercise's period in words ("open" for a side left open)."""
    if start is None and end is None:
        return "not recorded"
    return f"{formats.day(start, 'open')} to {formats.day(end, 'open')}"


def period_text(data: SummaryData) -> str:
    return period_words(data.period_from, data.period_to)


def pairs_table(pairs: list[tuple[str, str]]) -> Table:
    """Label and value pairs, two pairs to a row (the form's details block)."""
    s = styles()
    quarter = FRAME_WIDTH / 4
    rows: list[list[object]] = []
    for i in range(0, len(pairs), 2):
        row: list[object] = []
        for name, value in pairs[i:i + 2]:
            row += [name, cell(value, quarter * 1.25, s.small)]
        rows.append(row)
    return table(rows, [quarter * 0.75, quarter * 1.25] * 2, header_rows=0,
                 label_columns=(0, 2))


def _details(data: SummaryData) -> list[Flowable]:
    f = data.figures
    return [pairs_table([
        ("Exercise", data.title), ("Theme", data.theme or "not recorded"),
        ("Service area", data.service_area or "all areas"), ("Period", period_text(data)),
        ("Completed by", data.author or "not recorded"), ("Cases seen", str(f.cases_seen)),
        ("Audits submitted", str(f.audits)),
        ("Actions", f"{f.actions_open} open, {f.actions_done} done"),
    ])]


def _judgement(data: SummaryData) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = heading("Overall judgement: where practice is at present")
    if data.judgement is None and not data.judgement_text.strip():
        out.append(Paragraph("<i>No overall judgement was recorded.</i>", s.body))
        return out
    grade = label(data.judgement) if data.judgement else "not graded"
    out.append(Paragraph(f"<b>Judgement:</b> {markup(grade)}", s.body))
    if data.judgement_text.strip():
        out.append(Paragraph(markup(data.judgement_text), s.body))
    return out


def _figures(data: SummaryData) -> list[Flowable]:
    s = styles()
    f = data.figures
    w = FRAME_WIDTH
    out: list[Flowable] = heading("Figures of the exercise's audits")
    if not f.audits:
        out.append(Paragraph("<i>No submitted audits belong to this exercise yet.</i>",
                             s.body))
        return out
    out.append(Paragraph(f"Counted from the {f.audits} submitted audits of the exercise "
                         "(drafts are not counted).", s.small))
    grade_rows: list[list[object]] = [["Grade", "Audits"]]
    grade_rows += [[label(g), str(f.grades.get(g, 0))] for g in GRADES]
    ungraded = f.audits - sum(f.grades.values())
    grade_rows.append(["Not graded", str(ungraded)])
    grades = table(grade_rows, [w * 0.4, w * 0.15])
    grades.hAlign = "LEFT"
    out.append(grades)
    out.append(Spacer(1, 4))
    out += bar_charts([label(g) for g in GRADES],
                      [Series("Audits", [f.grades.get(g, 0) for g in GRADES])])
    out += heading("Practice standards", question=True)
    if not f.standards:
        out.append(Paragraph("<i>No standard questions were answered.</i>", s.body))
        return out
    rows: list[list[object]] = [["Standard", "Met", "Partly met", "Not met",
                                 "Not applicable"]]
    for code, tally in f.standards.items():
        rows.append([cell(data.questions.get(code) or label(code), w * 0.5, s.small),
                     str(tally.met), str(tally.partly_met), str(tally.not_met),
                     str(tally.not_applicable)])
    out.append(table(rows, [w * 0.5, w * 0.1, w * 0.12, w * 0.11, w * 0.17]))
    return out


def _audits(data: SummaryData) -> list[Flowable]:
    s = styles()
    w = FRAME_WIDTH
    out: list[Flowable] = heading("Audits in the exercise")
    if not data.audits:
        out.append(Paragraph("<i>No audits have been added to this exercise.</i>", s.body))
        return out
    # The date column holds "30 Sep 2026" on one line (issue 24, item 7: it overflowed).
    widths = [w * 0.12, w * 0.14, w * 0.16, w * 0.14, w * 0.14, w * 0.16, w * 0.14]
    rows: list[list[object]] = [["Case", "Date", "Team", "Worker", "Auditor", "Grade",
                                 "Status"]]
    for a in data.audits:
        rows.append([cell(a.case_ref, widths[0], s.small),
                     cell(formats.day(a.audit_date), widths[1], s.small),
                     cell(a.team or "-", widths[2], s.small),
                     cell(a.worker or "-", widths[3], s.small),
                     cell(a.auditor or "-", widths[4], s.small),
                     cell(label(a.grade) or "not graded", widths[5], s.small),
                     cell(label(a.status), widths[6], s.small)])
    out.append(table(rows, widths))
    return out


def _actions(data: SummaryData) -> list[Flowable]:
    s = styles()
    w = FRAME_WIDTH
    out: list[Flowable] = heading("Actions for the exercise as a whole")
    if not data.actions:
        out.append(Paragraph("<i>No actions were recorded for the exercise itself "
                             "(actions on single cases are in their case tools).</i>", s.body))
        return out
    rows: list[list[object]] = [["What", "Lead", "By when", "Status"]]
    for a in data.actions:
        due = formats.day(a.due_on, "") or a.by_when_text or "not set"
        rows.append([cell(a.description, w * 0.52, s.small),
                     cell(a.owner or "not assigned", w * 0.2, s.small),
                     cell(due, w * 0.15, s.small), label(a.status)])
    out.append(table(rows, [w * 0.52, w * 0.2, w * 0.15, w * 0.13]))
    return out


def story(data: SummaryData) -> list[Flowable]:
    s = styles()
    return [
        Paragraph(TITLE, s.title),
        Paragraph(markup(data.title), s.subtitle),
        *_details(data),
        *heading("Findings"),
        Paragraph(or_none(data.findings, "No findings were recorded."), s.body),
        *_judgement(data),
        *_figures(data),
        *_audits(data),
        *_actions(data),
    ]


def summary_pdf(ctx: ServiceContext, exercise_id: str, out: Path | BinaryIO) -> SummaryData:
    """Write the exercise's summary form and log the export (ids only); to a path,
    handed out as :mod:`desktop.files` does (aside, logged, then renamed).

    Raises:
        InputProblem: no such exercise.
    """
    data = summary_data(ctx, exercise_id)
    write_out(out, lambda handle: build(handle, TITLE, story(data)),
              lambda: log_export(ctx, "exercise", exercise_id, "pdf", report="summary"))
    return data
