"""The weekly report for senior management (seed 001): the week's findings by team and
by individual worker, and each auditor's audits against the weekly quota, with charts.

Why counts and not estimates here: the weekly report says what the week's audits
found for each team and worker, people a manager can act on; the weighted estimates
for the whole caseload belong in the monthly report, labelled as such.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.graphics.shapes import Drawing
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer

from desktop.files import write_out
from desktop.reports import formats
from desktop.reports.charts import Series, bar_charts
from desktop.reports.fonts import BOLD
from desktop.reports.layout import FRAME_WIDTH, build, cell, heading, styles, table
from desktop.reports.paragraphs import Paragraph
from desktop.reports.text import label, markup
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_report_export
from desktop.services.reporting.london import ZONE_WORDS
from desktop.services.reporting.weekly import (
    GRADES,
    AuditorQuota,
    Findings,
    WeeklyData,
    weekly_data,
)
from desktop.words import plural

TITLE = "Weekly report for senior management"
_SHORT_GRADE = {"outstanding": "Outstanding", "good": "Good",
                "requires_improvement": "Requires improvement", "inadequate": "Inadequate"}


def grades_text(grades: dict[str, int] | None) -> str:
    """"Good 3, Inadequate 1" in the Ofsted scale's order; "none graded" when empty."""
    if not grades:
        return "none graded"
    known = [f"{_SHORT_GRADE[g]} {grades[g]}" for g in GRADES if grades.get(g)]
    other = [f"{label(g)} {n}" for g, n in grades.items() if g not in GRADES and n]
    return ", ".join(known + other)


def standards_text(f: Findings) -> str:
    """"8 of 10 met (80%)", partly met counted as not met; or why there is no share."""
    applicable = sum(f.standards[v] for v in ("met", "partly_met", "not_met"))
    if not applicable:
        return "no standards answered"
    return f"{f.standards['met']} of {applicable} met ({formats.percent(f.met_share)})"


def _quota_section(quotas: list[AuditorQuota]) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = heading("Audits against quota, by auditor")
    if not quotas:
        out.append(Paragraph("<i>No auditors and no audits this week.</i>", s.body))
        return out
    w = FRAME_WIDTH
    rows: list[list[object]] = [["Auditor", "Quota", "Audited", "Of quota", "Weekly sample"]]
    for q in quotas:
        rows.append([cell(q.name or "unknown auditor", w * 0.4, s.small), str(q.wanted),
                     str(q.audited), formats.percent(q.audited / q.wanted if q.wanted else None),
                     "drawn" if q.drawn else "not drawn"])
    out.append(table(rows, [w * 0.4, w * 0.13, w * 0.13, w * 0.14, w * 0.2]))
    out.append(Spacer(1, 6))
    out.extend(bar_charts([q.name or "unknown auditor" for q in quotas],
                          [Series("Quota", [q.wanted for q in quotas]),
                           Series("Audited", [q.audited for q in quotas])]))
    return out


HEADER = ParagraphStyle("weekly_header", fontName=BOLD, fontSize=7.5, leading=9)


def _findings_rows(groups: list[Findings], with_team: bool) -> tuple[list[list[object]],
                                                                       list[float]]:
    """The rows of a findings table, its header as wrapping paragraphs (narrow columns)."""
    s = styles()
    w = FRAME_WIDTH
    head = ["Audits", "Grades", "Standards met", "RAG disagreed", "Escalated",
            "Overdue actions on audited cases"]
    if with_team:
        shares = [0.16, 0.17, 0.075, 0.165, 0.12, 0.10, 0.10, 0.11]
        head = ["Worker", "Team", *head]
    else:
        shares = [0.22, 0.08, 0.24, 0.14, 0.11, 0.10, 0.11]
        head = ["Team", *head]
    widths = [w * share for share in shares]
    rows: list[list[object]] = [[Paragraph(h, HEADER) for h in head]]
    for g in groups:
        first = [cell(g.name, widths[0], s.small)]
        if with_team:
            first.append(cell(g.team, widths[1], s.small))
        at = len(first)
        rows.append([*first, str(g.audits), cell(grades_text(g.grades), widths[at + 1], s.small),
                     cell(standards_text(g), widths[at + 2], s.small), str(g.disagreements),
                     str(g.escalations), str(g.overdue)])
    return rows, widths


def _findings_section(title: str, groups: list[Findings], with_team: bool, empty: str
                      ) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = heading(title)
    if not groups:
        out.append(Paragraph(f"<i>{empty}</i>", s.body))
        return out
    rows, widths = _findings_rows(groups, with_team)
    out.append(table(rows, widths))
    return out


def _captioned(caption: str, drawings: list[Drawing]) -> list[Flowable]:
    """A chart's caption kept on the page of the chart's first part."""
    return [KeepTogether([Paragraph(caption, styles().small), drawings[0]]), *drawings[1:]]


def _charts(data: WeeklyData) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = heading("Charts: grades and standards met, by team")
    teams = [t for t in data.teams if t.audits]
    if not teams:
        out.append(Paragraph("<i>No audits this week, so nothing to chart.</i>", s.body))
        return out
    out += _captioned("Grades given this week, by team (number of audits):", bar_charts(
        [t.name for t in teams],
        [Series(_SHORT_GRADE[g], [t.grades.get(g, 0) for t in teams]) for g in GRADES]))
    out.append(Spacer(1, 6))
    out += _captioned("Standards met, by team (per cent of applicable answers; a team with "
                      "none answered shows 0):", bar_charts(
                          [t.name for t in teams],
                          [Series("Met", [100 * (t.met_share or 0.0) for t in teams])],
                          value_format="%.0f%%", max_value=100))
    return out


def _caseload_section(data: WeeklyData) -> list[Flowable]:
    """The caseload's overdue actions, by team: labelled as the whole caseload's, apart
    from the findings (which count the audited cases only)."""
    s = styles()
    day = formats.day(data.as_of)
    out: list[Flowable] = heading("Overdue actions on the whole caseload, by team")
    out.append(Paragraph(markup(
        f"Every case of the team, audited this week or not: actions past their due date "
        f"and not finished at the end of {day}. These are not findings of this week's "
        "audits."), s.small))
    if not data.caseload_by_team:
        out.append(Paragraph(f"<i>No action was overdue at the end of {day}.</i>", s.body))
        return out
    w = FRAME_WIDTH
    rows: list[list[object]] = [["Team", "Overdue actions (whole caseload)"]]
    rows += [[cell(t.team, w * 0.6, s.small), str(t.overdue)]
             for t in data.caseload_by_team]
    rows.append(["All teams", str(data.caseload_overdue)])
    out.append(table(rows, [w * 0.6, w * 0.3]))
    return out


def story(data: WeeklyData) -> list[Flowable]:
    s = styles()
    t = data.total
    day = formats.day(data.as_of)
    summary = (f"{plural(t.audits, 'audit')} submitted this week; {grades_text(t.grades)}; "
               f"{standards_text(t)}; {plural(t.disagreements, 'RAG disagreement')}; "
               f"{plural(t.escalations, 'escalation')} of significant harm; "
               f"{plural(t.overdue, 'action')} overdue at the end of {day} on the cases "
               "audited this week.")
    caseload = (f"On the whole caseload (every case, audited this week or not), "
                f"{plural(data.caseload_overdue, 'action was', 'actions were')} overdue at "
                f"the end of {day}.")
    return [
        Paragraph(TITLE, s.title),
        Paragraph(f"Week {markup(data.week)}: {markup(data.span)}", s.subtitle),
        *heading("Summary"),
        Paragraph(markup(summary), s.body),
        Paragraph(markup(caseload), s.body),
        Paragraph(markup(
            "Figures are counts of the week's submitted audits, by the team and allocated "
            "worker of each case audited; a team or worker is listed for its audits and "
            "escalations. Overdue actions on audited cases are the actions on the cases "
            f"audited this week that were past their due date and not finished at the end "
            f"of {day}, read from each action's history: a reprint gives the same figure "
            f"after they are done. Days are {ZONE_WORDS}."), s.small),
        *_quota_section(data.quotas),
        *_findings_section("Findings by team", data.teams, False,
                           "No audits or escalations this week."),
        *_findings_section("Findings by individual worker", data.workers, True,
                           "No audits or escalations this week."),
        *_caseload_section(data),
        *_charts(data),
    ]


def weekly_pdf(ctx: ServiceContext, week: str, out: Path | BinaryIO) -> WeeklyData:
    """Write the week's report (``YYYY-Www``); the data it shows, for the screen.

    Logged as the export of a report (``weekly-<week>``), not of records: it holds
    counts by team and worker, no child's record, audit or action. To a path it is
    handed out as :mod:`desktop.files` does (aside, logged, then renamed).
    """
    data = weekly_data(ctx, week)
    write_out(out, lambda handle: build(handle, TITLE, story(data)),
              lambda: log_report_export(ctx, "weekly", data.week))
    return data
