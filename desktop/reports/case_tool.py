"""The quality / dip sample case tool (seed 002, form 2): one audit on A4.

Why the layout: the form is attached to the child's record and fed back to the
allocated worker's manager (seed 002), who reads it top to bottom: who and what was
audited, every question with its answer, the findings and positive practice, the RAG
comparison (seed 000), the actions with owner and date (seed 001), what the worker and
manager said, and whether the note has finalised. Every section is printed even when
empty, saying so, so a reader can tell "none" from "missing".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, Paragraph, Spacer

from desktop.errors import InputProblem
from desktop.files import HandOut, batch_folder, write_out
from desktop.models import Audit
from desktop.reports import formats
from desktop.reports.layout import FRAME_WIDTH, build, cell, heading, styles, table
from desktop.reports.text import label, markup, or_none
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_changes, log_export
from desktop.services.people.ids import expand_id
from desktop.services.reporting.case_tool import CaseTool, case_tools, week_audit_ids

TITLE = "Quality / dip sample case tool"
_STATUS = {
    "draft": "Draft: not yet submitted.",
    "submitted": "Submitted.",
    "open_for_comment": "Open for comment by the worker and team manager.",
    "queried": "Queried: held open until the auditor answers the query.",
    "finalised": "Finalised.",
    "reopened": "Reopened by the auditor.",
}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _answer_text(tool_answer_type: str, value: str | None) -> str:
    if value is None or value == "":
        return "<i>Not answered</i>"
    if tool_answer_type in ("standard", "yes_no", "grade"):
        return markup(label(value))
    if tool_answer_type == "date":
        try:
            return formats.day(dt.date.fromisoformat(value))
        except ValueError:
            return markup(value)
    return markup(value)


def _details(tool: CaseTool) -> list[Flowable]:
    s = styles()
    pairs = [
        ("Case reference", tool.case_ref), ("Child's initials", tool.child_initials),
        ("Team", tool.team), ("Allocated worker", tool.worker),
        ("Auditor", tool.auditor), ("Date of audit", formats.day(tool.audit_date)),
        ("Template", f"{tool.template_title} (version {tool.template_version})"),
        ("Overall grade", label(tool.grade) or "not graded"),
    ]
    quarter = FRAME_WIDTH / 4
    rows: list[list[str | Flowable]] = []
    for i in range(0, len(pairs), 2):
        row: list[str | Flowable] = []
        for name, value in pairs[i:i + 2]:
            row += [name, cell(value or "not recorded", quarter * 1.25, s.small)]
        rows.append(row)
    return [table(rows, [quarter * 0.75, quarter * 1.25] * 2, header_rows=0,
                  label_columns=(0, 2))]


def _answers(tool: CaseTool) -> list[Flowable]:
    """One paragraph per question (question, answer, note): a long answer still flows
    over pages, and a third of the paragraphs keeps a week's batch quick."""
    s = styles()
    out: list[Flowable] = heading("Questions and answers")
    if not tool.answers:
        out.append(Paragraph("<i>The template has no questions.</i>", s.body))
    section = None
    for number, answer in enumerate(tool.answers, start=1):
        if answer.section and answer.section != section:
            section = answer.section
            out += heading(markup(section), question=True)
        text = (f"{number}. {markup(answer.question)}<br/>"
                f"<b>Answer:</b> {_answer_text(answer.answer_type, answer.value)}")
        if answer.note.strip():
            text += f"<br/><b>Note:</b> {markup(answer.note)}"
        out.append(Paragraph(text, s.body))
    return out


def _rag(tool: CaseTool) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = [
        *heading("RAG rating"),
        Paragraph(f"Rating on the record: {formats.rag(tool.recorded_rag)}. "
                  f"Auditor's rating: {formats.rag(tool.auditor_rag)}.", s.body)]
    d = tool.disagreement
    if d is None:
        agreed = tool.recorded_rag is not None and tool.recorded_rag == tool.auditor_rag
        out.append(Paragraph("The auditor agreed with the rating on the record."
                             if agreed else "<i>No disagreement recorded.</i>", s.body))
        return out
    outcome = (f"agreed rating {formats.rag(d.outcome_rag)}" if d.outcome_rag
               else "no rating agreed yet")
    out.append(Paragraph(f"Disagreement ({markup(label(d.status))}): {outcome}.", s.body))
    if d.rationale.strip():
        out.append(Paragraph(f"Reason: {markup(d.rationale)}", s.answer))
    out.append(Paragraph(f"Next steps: {or_none(d.next_steps, 'none recorded')}", s.answer))
    return out


def _actions(tool: CaseTool) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = heading("Actions")
    if not tool.actions:
        out.append(Paragraph("<i>No actions were recorded.</i>", s.body))
        return out
    w = FRAME_WIDTH
    rows: list[list[str | Flowable]] = [["What", "Owner", "By when", "Status"]]
    for action in tool.actions:
        due = formats.day(action.due_on, "") or action.by_when_text or "not set"
        rows.append([cell(action.description, w * 0.55, s.small),
                     cell(action.owner or "not assigned", w * 0.2, s.small),
                     cell(due, w * 0.13, s.small), label(action.status)])
    out.append(table(rows, [w * 0.55, w * 0.2, w * 0.13, w * 0.12]))
    return out


def _comments(tool: CaseTool) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = heading("Comments from the worker and manager")
    if not tool.comments:
        out.append(Paragraph("<i>No comments were made.</i>", s.body))
    for c in tool.comments:
        kind = "Query" if c.is_query else "Comment"
        if c.is_query:
            kind += " (answered)" if c.answered else " (awaiting an answer)"
        who = markup(c.author) or "unknown author"
        out.append(Paragraph(f"<b>{kind}</b> from {who}, {formats.moment(c.posted_at)}",
                             s.body))
        out.append(Paragraph(markup(c.body), s.answer))
    return out


def _status(tool: CaseTool) -> list[Flowable]:
    s = styles()
    lines = [_STATUS.get(tool.status, markup(label(tool.status)))]
    if tool.submitted_at:
        lines.append(f"Submitted {formats.moment(tool.submitted_at)}.")
    if tool.finalised_at:
        lines.append(f"Finalised {formats.moment(tool.finalised_at)}.")
    elif tool.comment_until and tool.status in ("open_for_comment", "queried"):
        lines.append(f"Comment window closes {formats.moment(tool.comment_until)}.")
    if tool.significant_harm:
        lines.append("<b>A concern of significant harm was raised and escalated.</b>")
    return [*heading("Finalisation"), Paragraph(" ".join(lines), s.body)]


def story(tool: CaseTool) -> list[Flowable]:
    """The flowables of one case tool (the batch joins several with page breaks)."""
    s = styles()
    return [
        Paragraph(TITLE, s.title),
        Paragraph(f"Case {markup(tool.case_ref)}: {markup(tool.template_title)}", s.subtitle),
        *_details(tool),
        *_answers(tool),
        *heading("Overview of findings"),
        Paragraph(or_none(tool.overview, "No overview was recorded."), s.body),
        *heading("Positive practice"),
        Paragraph(or_none(tool.positive_practice, "No positive practice was recorded."),
                  s.body),
        *_rag(tool), *_actions(tool), *_comments(tool), *_status(tool),
        Spacer(1, 4),
    ]


def write_case_tool(tool: CaseTool, out: Path | BinaryIO) -> None:
    """Lay out one case tool already read (no database work, nothing logged)."""
    build(out, TITLE, story(tool))


def resolve_audit(ctx: ServiceContext, text: str) -> str:
    """The audit id a person typed, whole or its first few characters."""
    with ctx.read() as session:
        return expand_id(session, Audit, text, "audit")


def case_tool_pdf(ctx: ServiceContext, audit_id: str, out: Path | BinaryIO) -> None:
    """Write the case tool of one audit and log the export (ids only).

    To a path it is handed out as :mod:`desktop.files` does: written aside (0600), the
    export logged, then renamed into place.

    Raises:
        InputProblem: no such audit.
    """
    tool = case_tools(ctx, [audit_id])[0]
    write_out(out, lambda handle: write_case_tool(tool, handle),
              lambda: log_export(ctx, "audit", audit_id, "pdf", report="case_tool"))


def file_name(tool: CaseTool) -> str:
    """``case-tool_<case ref>_<short id>.pdf``: sorts by case, unique per audit, and only
    letters, digits, ``_ . -`` (a case reference may hold a slash)."""
    ref = _SAFE_NAME.sub("-", tool.case_ref).strip("-") or "case"
    return f"case-tool_{ref}_{tool.audit_id[:8]}.pdf"


@dataclass(frozen=True)
class BatchResult:
    folder: Path
    files: tuple[Path, ...]


def write_case_tools(ctx: ServiceContext, audit_ids: Sequence[str], folder: Path
                     ) -> BatchResult:
    """One PDF per audit in ``folder``, with progress.

    Every PDF is written aside first (:class:`desktop.files.HandOut`); only when all are
    written are their exports logged, in one transaction, and then the files renamed
    into place. So a Cancel or an error while writing leaves no file and logs nothing,
    and after a kill every file under its final name is whole and logged. A folder the
    batch makes is 0700; a killed run's temporaries in it are removed first.
    """
    batch_folder(folder)
    total = len(audit_ids)
    ctx.report(0, total, "reading audits")
    tools = case_tools(ctx, audit_ids)

    def log() -> None:
        with ctx.store.transaction() as session:
            log_changes(session, ctx, [("export", "audit", t.audit_id,
                                        {"format": "pdf", "report": "case_tool",
                                         "batch": True}) for t in tools])

    with HandOut() as out:
        for done, tool in enumerate(tools, start=1):
            out.write(folder / file_name(tool), partial(_write_one, tool))
            ctx.report(done, total, "writing case tools")
        written = out.deliver(log)
    return BatchResult(folder, tuple(written))


def _write_one(tool: CaseTool, handle: BinaryIO) -> None:
    # Looked up when called, so a test may hold the batch between two files.
    write_case_tool(tool, handle)


def week_case_tools(ctx: ServiceContext, auditor_id: str | None, week: str, folder: Path
                    ) -> BatchResult:
    """The case tools of a week's sample (one auditor's, or everyone's with None).

    Raises:
        InputProblem: ``week`` is not an ISO week, or the week has no audits.
    """
    ids = week_audit_ids(ctx, week, auditor_id)
    if not ids:
        raise InputProblem(f"no audits in {week}" + (" by this auditor" if auditor_id else ""))
    return write_case_tools(ctx, ids, folder)

