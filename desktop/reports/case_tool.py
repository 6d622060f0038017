"""The quality / dip sample case tool (seed 002, form 2): one audit on A4.

Why the layout: the form is attached to the child's record and fed back to the
allocated worker's manager (seed 002), who reads it top to bottom: who and what was
audited, who sampled it and how it was drawn (seed 000), every question with its answer,
the findings and positive practice, the RAG comparison and its discussion (seed 000),
the concern of significant harm in a section of its own (seed 001), the actions with
owner, priority, date and two-week review (seed 001), what the worker and manager said,
the feedback to the manager, and the sign-off. Every section is printed even when
empty, saying so, so a reader can tell "none" from "missing"; a field DipSample does
not record is printed as boxes and lines to fill in by hand on the printed form.

Every page carries the case reference at the top (a loose page 2 is matched to its
child) and a draft says DRAFT on every page. A week's case tools print as one PDF with
a bookmark per case (:func:`week_case_tools_pdf`), or one file each on request
(:func:`week_case_tools`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import Flowable, PageBreak, Spacer

from desktop.errors import InputProblem
from desktop.files import HandOut, batch_folder, write_out
from desktop.models import Audit
from desktop.reports import formats
from desktop.reports.layout import FRAME_WIDTH, PartStart, build, cell, heading, styles, table
from desktop.reports.paragraphs import Paragraph
from desktop.reports.text import label, markup, or_none
from desktop.services.context import ServiceContext
from desktop.services.disagreements import discussion_words
from desktop.services.event_log import log_changes, log_export
from desktop.services.gc_pause import paused_gc
from desktop.services.people.ids import expand_id
from desktop.services.reporting.case_tool import (
    AS_SUBMITTED,
    FED_BACK,
    FED_BACK_ON,
    CaseTool,
    ToolEscalation,
    WeekChoice,
    case_tools,
    week_audit_ids,
)
from desktop.services.sampling.weeks import week_of, week_span

TITLE = "Quality / dip sample case tool"
_STATUS = {
    "draft": "Draft: not yet submitted.",
    "submitted": "Submitted.",
    "open_for_comment": "Open for comment by the worker and team manager.",
    "queried": "Queried: held open until the auditor answers the query.",
    "finalised": "Finalised.",
    "reopened": "Reopened by the auditor: being corrected, not yet submitted again.",
}
_ESCALATION = {
    "awaiting_team_manager": "Awaiting the team manager's response.",
    "escalated_to_hos": "Escalated to the Head of Service: no response in time.",
    "responded": "Responded to; awaiting the auditor's closing.",
    "closed": "Closed.",
}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
#: What a field DipSample does not record prints as, to be filled in by hand.
BOXES = "\u2610 Yes    \u2610 No"
LINE = "_" * 22
DATE_LINE = "____ / ____ / ________"
#: The note beside the fields to fill by hand.
BY_HAND = ("Boxes and lines are fields DipSample does not record: fill them in by hand "
           "on the printed form.")


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


def _plain_date(value: str | None) -> str:
    """A date answer as printed ("2 Nov 2026"), or as typed when it is not a date."""
    if not value:
        return ""
    try:
        return formats.day(dt.date.fromisoformat(value))
    except ValueError:
        return value


def _pairs_table(pairs: Sequence[tuple[str, str]]) -> Flowable:
    """Label and value side by side, two pairs to a row."""
    s = styles()
    quarter = FRAME_WIDTH / 4
    rows: list[list[str | Flowable]] = []
    for i in range(0, len(pairs), 2):
        row: list[str | Flowable] = []
        for name, value in pairs[i:i + 2]:
            row += [name, cell(value or "not recorded", quarter * 1.25, s.small)]
        if len(row) == 2:
            row += ["", ""]
        rows.append(row)
    return table(rows, [quarter * 0.75, quarter * 1.25] * 2, header_rows=0,
                 label_columns=(0, 2))


def _details(tool: CaseTool) -> list[tuple[str, str]]:
    return [
        ("Case reference", tool.case_ref), ("Child's initials", tool.child_initials),
        ("Team", tool.team), ("Allocated worker", tool.worker),
        ("Worker's manager", tool.team_manager or "none on record"),
        ("Date of audit", formats.day(tool.audit_date,
                                      "not yet (set when submitted)" if tool.is_draft
                                      else "not recorded")),
        ("Template", f"{tool.template_title} (version {tool.template_version})"),
        ("Overall grade", label(tool.grade) or "not graded"),
    ]


def _week_words(week: str) -> str:
    return f"{week} ({week_span(week)})"


def _sampling(tool: CaseTool) -> list[tuple[str, str]]:
    """Who sampled, in what role and area, and the RAG group and week (seed 000)."""
    sample = tool.sampling
    pairs = [("Sampled by", tool.auditor or "not recorded"),
             ("Role", tool.auditor_role or "not recorded"),
             ("Area sampled", tool.auditor_areas or "no area on record")]
    if sample.week is not None:
        kind = "weekly sample" if sample.kind == "weekly" else f"{label(sample.kind)} sample"
        group = formats.rag(sample.stratum)
        if sample.rag_at_draw and sample.rag_at_draw != sample.stratum:
            group += f" (the case was {formats.rag(sample.rag_at_draw)} when drawn)"
        pairs += [("Drawn in", f"{_week_words(sample.week)}, {kind}"), ("RAG group", group)]
        if sample.reason.strip():
            pairs.append(("Why drawn", sample.reason))
    else:
        week = week_of(tool.audit_date) if tool.audit_date else None
        rag = tool.recorded_rag or tool.case_rag
        pairs += [("Drawn in", (f"not drawn in a recorded sample; audited in "
                                f"{_week_words(week)}") if week else
                   "not drawn in a recorded sample"),
                  ("RAG group", f"{formats.rag(rag)} (the rating on the record"
                                f"{' when audited' if tool.recorded_rag else ' now'})")]
    if sample.exercise:
        pairs.append(("Exercise", sample.exercise))
    return pairs


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
    if tool.recorded_rag is not None:
        recorded = f"Rating on the record: {formats.rag(tool.recorded_rag)}."
    elif tool.is_draft and tool.case_rag is not None:
        # Taken from the case when the audit is submitted; until then, the case's own.
        recorded = (f"Rating on the record: {formats.rag(tool.case_rag)} (as the case shows "
                    "it now; the audit records it when submitted).")
    else:
        recorded = f"Rating on the record: {formats.rag(tool.recorded_rag)}."
    out: list[Flowable] = [
        *heading("RAG rating"),
        Paragraph(f"{recorded} Auditor's rating: {formats.rag(tool.auditor_rag)}.", s.body)]
    d = tool.disagreement
    if d is None:
        on_record = tool.recorded_rag or tool.case_rag
        agreed = on_record is not None and on_record == tool.auditor_rag
        out.append(Paragraph("The auditor agreed with the rating on the record."
                             if agreed else "<i>No disagreement recorded.</i>", s.body))
        return out
    outcome = (f"agreed rating {formats.rag(d.outcome_rag)}" if d.outcome_rag
               else "no rating agreed yet")
    out.append(Paragraph(f"Disagreement ({markup(label(d.status))}): {outcome}.", s.body))
    if d.rationale.strip():
        out.append(Paragraph(f"Reason: {markup(d.rationale)}", s.answer))
    if d.discussed_at is not None or d.participants:
        who = "; ".join(markup(p) for p in d.participants) or "who took part not recorded"
        out.append(Paragraph(f"{discussion_words(d.discussion_dated)} "
                             f"{formats.moment(d.discussed_at)} with: {who}.",
                             s.answer))
    else:
        out.append(Paragraph("<i>Not yet discussed: no discussion recorded.</i>", s.answer))
    out.append(Paragraph(f"Next steps: {or_none(d.next_steps, 'none recorded')}", s.answer))
    return out


def _one_escalation(number: int, e: ToolEscalation, many: bool) -> list[Flowable]:
    s = styles()
    pairs = [
        ("Raised", formats.moment(e.raised_at)),
        ("To the team manager", e.team_manager or "no team manager on record"),
        ("Respond by", formats.moment(e.respond_by)),
        ("Status", _ESCALATION.get(e.status, label(e.status))),
    ]
    if e.escalated_at is not None:
        pairs += [("Escalated to the Head of Service", e.head_of_service
                   or "no Head of Service on record for the area"),
                  ("Escalated", formats.moment(e.escalated_at))]
    if e.responded_at is not None:
        pairs += [("Response recorded", formats.moment(e.responded_at)),
                  ("Response by", e.responded_by or "not recorded")]
    if e.closed_at is not None:
        pairs.append(("Closed", formats.moment(e.closed_at)))
    out: list[Flowable] = []
    if many:
        out.append(Paragraph(f"<b>Concern {number}</b>", s.body))
    out += [Paragraph(f"<b>The concern:</b> {or_none(e.concern, 'not described')}", s.body),
            _pairs_table(pairs),
            Paragraph(f"<b>The response:</b> "
                      f"{or_none(e.response, 'no response recorded yet')}", s.body)]
    return out


def _escalation(tool: CaseTool) -> list[Flowable]:
    """The concern of significant harm, whom it went to, its deadline and the response
    (seed 001), as a section of its own."""
    s = styles()
    out: list[Flowable] = heading("Concern of significant harm")
    if tool.escalations:
        for number, e in enumerate(tool.escalations, start=1):
            out += _one_escalation(number, e, len(tool.escalations) > 1)
    elif tool.significant_harm and tool.is_draft:
        out.append(Paragraph(
            "<b>Flagged on this draft; the concern is escalated to the team manager when "
            "the audit is submitted.</b> The concern as typed: "
            f"{or_none(tool.draft_concern, 'not yet described')}", s.body))
    elif tool.significant_harm:
        out.append(Paragraph("<b>A concern of significant harm was flagged, but no "
                             "escalation is recorded.</b>", s.body))
    else:
        out.append(Paragraph("<i>No concern of significant harm was raised.</i>", s.body))
    return out


def _actions(tool: CaseTool) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = heading("Actions")
    if not tool.actions:
        out.append(Paragraph("<i>No actions were recorded.</i>", s.body))
        return out
    w = FRAME_WIDTH
    shares = (0.37, 0.17, 0.1, 0.13, 0.12, 0.11)
    widths = [w * share for share in shares]
    rows: list[list[str | Flowable]] = [["What", "Owner", "Priority", "By when",
                                         "Review on", "Status"]]
    for action in tool.actions:
        due = formats.day(action.due_on, "") or action.by_when_text or "not set"
        rows.append([cell(action.description, widths[0], s.small),
                     cell(action.owner or "not assigned", widths[1], s.small),
                     label(action.priority) or "not set",
                     cell(due, widths[3], s.small),
                     cell(formats.day(action.review_on, "not set"), widths[4], s.small),
                     cell(label(action.status), widths[5], s.small)])
    out.append(table(rows, widths))
    out.append(Paragraph("Actions are reviewed by the Practice Development Team two weeks "
                         "after the audit (the review date).", s.small))
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


def _feedback(tool: CaseTool) -> list[Flowable]:
    """Seed 002: fed back to the allocated worker's manager, attached to the child's
    record, sent to the Quality Assurance and Partnerships Team."""
    s = styles()
    fed = tool.answer(FED_BACK)
    fed_on = tool.answer(FED_BACK_ON)
    fed_text = label(fed.value) if fed is not None and fed.value else BOXES
    fed_on_text = _plain_date(fed_on.value if fed_on is not None else None) or DATE_LINE
    w = FRAME_WIDTH
    rows: list[list[str | Flowable]] = [
        ["Allocated worker's manager",
         cell(tool.team_manager or f"none on record: {LINE}", w * 0.62, s.small)],
        ["Findings fed back to the manager", fed_text],
        ["Date fed back", fed_on_text],
        ["Attached to the child's record", f"{BOXES}    Date: {DATE_LINE}"],
        ["Sent to the Quality Assurance and Partnerships Team",
         f"{BOXES}    Date: {DATE_LINE}"],
    ]
    return [*heading("Feedback and where the case tool went"),
            table(rows, [w * 0.38, w * 0.62], header_rows=0, label_columns=(0,)),
            Paragraph(BY_HAND, s.small)]


def _status(tool: CaseTool) -> list[Flowable]:
    s = styles()
    lines = [_STATUS.get(tool.status, markup(label(tool.status)))]
    if tool.submitted_at:
        lines.append(f"Submitted {formats.moment(tool.submitted_at)}.")
    if tool.finalised_at:
        lines.append(f"Finalised {formats.moment(tool.finalised_at)}.")
    elif tool.comment_until and tool.status in ("open_for_comment", "queried"):
        lines.append(f"Comment window closes {formats.moment(tool.comment_until)}.")
    if tool.escalations or tool.significant_harm:
        lines.append("A concern of significant harm: see its section above.")
    return [*heading("Finalisation"), Paragraph(" ".join(lines), s.body)]


def _sign_off(tool: CaseTool) -> list[Flowable]:
    """Who completed the case tool and who received it, to sign on paper."""
    w = FRAME_WIDTH
    s = styles()
    rows: list[list[str | Flowable]] = [
        ["", "Name", "Signature", "Date"],
        ["Dip-sampling manager", cell(tool.auditor or LINE, w * 0.3, s.small), LINE[:16],
         DATE_LINE],
        ["Allocated worker's manager", cell(tool.team_manager or LINE, w * 0.3, s.small),
         LINE[:16], DATE_LINE],
    ]
    return [*heading("Sign-off"),
            table(rows, [w * 0.24, w * 0.3, w * 0.2, w * 0.26], label_columns=(0,))]


def bookmark(tool: CaseTool) -> str:
    """The outline entry of a case tool in a week's PDF: the case and its auditor."""
    text = f"{tool.case_ref} ({tool.auditor})" if tool.auditor else tool.case_ref
    return f"{text}, DRAFT" if tool.is_draft else text


def story(tool: CaseTool, on_start: Callable[[], None] | None = None) -> list[Flowable]:
    """The flowables of one case tool (a week's PDF joins several with page breaks).

    ``on_start`` is called when the case tool's first page is laid out (a week's
    progress and Cancel)."""
    s = styles()
    start = PartStart(f"Case {tool.case_ref}", draft=tool.is_draft, bookmark=bookmark(tool))
    if on_start is not None:
        start.on_draw = on_start
    out: list[Flowable] = [
        start,
        Paragraph(TITLE, s.title),
        Paragraph(f"Case {markup(tool.case_ref)}: {markup(tool.template_title)}", s.subtitle),
    ]
    if tool.is_draft:
        out.append(Paragraph("<b>DRAFT: this audit has not been submitted; what it says "
                             "may still change.</b>", s.body))
    return [
        *out,
        # One table: the case, then who sampled it and how it was drawn (seed 000).
        _pairs_table([*_details(tool), *_sampling(tool)]),
        *_answers(tool),
        *heading("Overview of findings"),
        Paragraph(or_none(tool.overview, "No overview was recorded."), s.body),
        *heading("Positive practice"),
        Paragraph(or_none(tool.positive_practice, "No positive practice was recorded."),
                  s.body),
        *_rag(tool), *_escalation(tool), *_actions(tool), *_comments(tool),
        *_feedback(tool), *_status(tool), *_sign_off(tool),
        Spacer(1, 4),
    ]


def write_case_tool(tool: CaseTool, out: Path | BinaryIO) -> None:
    """Lay out one case tool already read (no database work, nothing logged)."""
    build(out, TITLE, story(tool))


def write_week(tools: Sequence[CaseTool], out: Path | BinaryIO,
               on_start: Callable[[int], None] | None = None) -> None:
    """Lay out several case tools as one PDF: each from a new page, with its own header,
    page numbers and bookmark. ``on_start(n)`` is told as the n-th (from 1) begins.

    Why the cyclic garbage collector waits (:func:`paused_gc`): a week's document keeps
    every case tool's flowables and every page's drawing state alive until it is saved,
    none of it garbage, and the collector re-scanned that growing heap: measured, 1.25 s
    of a 4.3 s week of 450 case tools."""
    flowables: list[Flowable] = []
    with paused_gc():
        for number, tool in enumerate(tools, start=1):
            if flowables:
                flowables.append(PageBreak())
            flowables += story(tool, None if on_start is None else partial(on_start, number))
        build(out, TITLE, flowables)


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


@dataclass(frozen=True)
class WeekResult:
    """A week's case tools written as one PDF.

    Attributes:
        file: the PDF (None when written to an open file, a preview's buffer).
        audit_ids: the audits it holds, in its order (one bookmark each).
    """

    file: Path | None
    audit_ids: tuple[str, ...]


def _log_batch(ctx: ServiceContext, tools: Sequence[CaseTool], bound: bool) -> None:
    with ctx.store.transaction() as session:
        log_changes(session, ctx, [("export", "audit", t.audit_id,
                                    {"format": "pdf", "report": "case_tool", "batch": True}
                                    | ({"bound": True} if bound else {}))
                                   for t in tools])


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
    with HandOut() as out:
        for done, tool in enumerate(tools, start=1):
            out.write(folder / file_name(tool), partial(_write_one, tool))
            ctx.report(done, total, "writing case tools")
        written = out.deliver(lambda: _log_batch(ctx, tools, bound=False))
    return BatchResult(folder, tuple(written))


def _write_one(tool: CaseTool, handle: BinaryIO) -> None:
    # Looked up when called, so a test may hold the batch between two files.
    write_case_tool(tool, handle)


def write_bound(ctx: ServiceContext, audit_ids: Sequence[str], out: Path | BinaryIO
                ) -> WeekResult:
    """The case tools of ``audit_ids`` as one PDF, a bookmark per case, with progress
    (per case laid out) and Cancel; every audit's export logged before the file takes
    its name, as :func:`desktop.files.write_out` does."""
    total = len(audit_ids)
    ctx.report(0, total, "reading audits")
    tools = case_tools(ctx, audit_ids)

    def started(number: int) -> None:
        ctx.report(number - 1, total, "writing case tools")

    def write(handle: BinaryIO) -> None:
        write_week(tools, handle, started)
        ctx.report(total, total, "writing case tools")

    write_out(out, write, lambda: _log_batch(ctx, tools, bound=True))
    return WeekResult(out if isinstance(out, Path) else None,
                      tuple(t.audit_id for t in tools))


def _week_ids(ctx: ServiceContext, auditor_id: str | None, week: str,
              choice: WeekChoice) -> list[str]:
    ids = week_audit_ids(ctx, week, auditor_id, choice)
    if not ids:
        left_out = "" if choice.drafts else " (drafts are left out unless asked for)"
        raise InputProblem(f"no audits in {week.strip().upper()}"
                           + (" by this auditor" if auditor_id else "") + left_out)
    return ids


def week_case_tools(ctx: ServiceContext, auditor_id: str | None, week: str, folder: Path,
                    choice: WeekChoice = AS_SUBMITTED) -> BatchResult:
    """The case tools of a week's sample (one auditor's, or everyone's with None), one
    file each in ``folder``.

    Raises:
        InputProblem: ``week`` is not an ISO week, or the week has no audits.
    """
    return write_case_tools(ctx, _week_ids(ctx, auditor_id, week, choice), folder)


def week_case_tools_pdf(ctx: ServiceContext, auditor_id: str | None, week: str,
                        out: Path | BinaryIO, choice: WeekChoice = AS_SUBMITTED
                        ) -> WeekResult:
    """The case tools of a week's sample as one printable PDF with a bookmark per case.

    Raises:
        InputProblem: ``week`` is not an ISO week, or the week has no audits.
    """
    return write_bound(ctx, _week_ids(ctx, auditor_id, week, choice), out)
