"""The monthly quality assurance report (seed 002): key messages, the month's dip
samples and exercises, the practice standards counted on the whole caseload, this
month's weighted compliance estimates with their intervals drawn, the two side by side,
what the figures rest on, and the trend over the months before.

Why the intervals are drawn and the word "estimate" repeated: the audit figures are
weighted estimates for the whole caseload from a sample that over-samples Red and
Amber (docs/domain.md, 'Reporting'); a bare percentage would read as a count. Why the
census beside them (issue 24, item 4): the case records show the timeliness of every
open case directly, with no sampling error; the audits test what the records cannot
(whether the visit was meaningful, the oversight real). Each says which it is, and a
figure that covers some RAGs only says which ("Green cases only").
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable

from desktop.files import write_out
from desktop.models.enums import EventAction
from desktop.reports import formats
from desktop.reports.fonts import BODY
from desktop.reports.layout import FRAME_WIDTH, build, cell, heading, styles, table
from desktop.reports.paragraphs import Paragraph
from desktop.reports.summary import pairs_table, period_words
from desktop.reports.text import label, markup, or_none
from desktop.services.context import ServiceContext
from desktop.services.event_log import REPORT_ENTITY, log_changes
from desktop.services.reporting.london import ZONE_WORDS
from desktop.services.reporting.monthly import (
    MonthExercise,
    MonthlyData,
    month_name,
    monthly_data,
    parse_month,
)
from desktop.services.reporting.names import standard_name
from desktop.services.sampling.weeks import week_span
from desktop.services.standards.engine import Standard
from desktop.services.statistics.census import NOT_RATED, Census, CensusCell, CensusFigure
from desktop.services.statistics.compliance import ALL_CASES, ComplianceReport, Figure
from desktop.services.statistics.estimates import MIN_AUDITS, MIN_EFFECTIVE_N
from desktop.words import plural

TITLE = "Monthly quality assurance report"
#: The room a table's caption needs below it, or it starts the next page with its table.
CAPTION_ROOM = 30 * mm
ESTIMATE_NOTE = (
    "Every percentage in this section is an estimate for the open caseload from the "
    "month's finalised audits, not a count of audits: each audit is weighted by the share "
    "of the caseload of the group it was drawn from (its RAG rating, whether the child is "
    "in a priority cohort, and its service area), and each estimate has a 95% interval, "
    "drawn as a bar. A standard that is asked of some RAGs only says so beside its name "
    "(for example \"Green cases only\"): it describes those cases, not the whole "
    "caseload. A figure based on too few audits says \"insufficient sample\" instead of "
    "a number.")
CENSUS_NOTE = (
    "Counted on every case open on {day}, from the dates in the case records (visits, "
    "management oversight, VTT reviews and risk assessments), by the practice standards "
    "in force now. Nothing was sampled, so these figures have no sampling error and no "
    "interval: they are exact for the records as they stand, and only as accurate as "
    "those records, which is what the audits test. \"In time\" counts a standard met or "
    "due soon; a case the standard does not apply to is left out of its figure. Fewer "
    f"than {MIN_AUDITS} cases give \"insufficient\" instead of a percentage.")
EFFECTIVE_N_NOTE = (
    "Effective sample size, in plain words. Red cases and children in priority cohorts "
    "are drawn far more often than other cases, so the audits do not count equally: an "
    "audit of a rarely drawn case stands for many more cases than an audit of a Red one. "
    "A month's audits are therefore worth fewer independent answers than their number. "
    "The effective sample size (\"Effective n\") is the number of audits of a simple "
    "random sample that would give the same precision; the interval is worked out from "
    "it, so a small effective n means a wide interval. Below "
    f"{MIN_EFFECTIVE_N:g}, or with fewer than {MIN_AUDITS} audits answering, no figure "
    "is shown.")


def base_name(figure: Figure) -> str:
    """A figure's name in words ("VTT review"), the standard's or the question's."""
    return standard_name(figure.key) if figure.label == figure.key else figure.label


def name(figure: Figure) -> str:
    """A figure's name in words, with the cases it covers when it covers some RAGs
    only ("Face-to-face visit (Green cases only)")."""
    base = base_name(figure)
    return f"{base} ({figure.population})" if figure.partial else base


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def interval(figure: Figure) -> str:
    e = figure.estimate
    if not e.sufficient:
        return e.note or "insufficient sample"
    return f"{percent(e.low)} to {percent(e.high)}"


def _figures_table(figures: list[Figure]) -> Flowable:
    s = styles()
    w = FRAME_WIDTH
    rows: list[list[object]] = [["Standard", "Estimate", "95% interval", "Effective n",
                                 "Audits"]]
    for f in figures:
        e = f.estimate
        rows.append([cell(name(f), w * 0.34, s.small),
                     percent(e.rate) if e.sufficient else "insufficient sample",
                     cell(interval(f), w * 0.24, s.small),
                     "-" if e.effective_n is None else f"{e.effective_n:.0f}",
                     str(e.audits)])
    return table(rows, [w * 0.34, w * 0.16, w * 0.24, w * 0.14, w * 0.12])


def _fitted(text: str, width: float, size: float) -> str:
    """``text`` cut with an ellipsis to ``width`` points in the body font."""
    if stringWidth(text, BODY, size) <= width:
        return text
    while text and stringWidth(text + "…", BODY, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def interval_chart(figures: list[Figure]) -> Drawing:
    """Each sufficient estimate as a dot on its interval bar, on a 0-100% scale; the
    cases a figure covers under its name when it covers some RAGs only."""
    shown = [f for f in figures if f.estimate.sufficient]
    label_w, row_h, top = 170.0, 22.0, 24.0
    plot_w = FRAME_WIDTH - label_w - 20
    height = top + row_h * max(1, len(shown)) + 6
    drawing = Drawing(FRAME_WIDTH, height)
    x0 = label_w
    axis_y = height - top + 8
    drawing.add(Line(x0, axis_y, x0 + plot_w, axis_y, strokeColor=colors.grey))
    for tick in range(0, 101, 20):
        x = x0 + plot_w * tick / 100
        drawing.add(Line(x, axis_y, x, 6, strokeColor=colors.HexColor("#dddddd")))
        drawing.add(String(x, axis_y + 4, f"{tick}%", fontName=BODY, fontSize=7,
                           textAnchor="middle"))
    if not shown:
        drawing.add(String(x0, axis_y - 16, "No estimate has a sufficient sample.",
                           fontName=BODY, fontSize=8))
    for n, f in enumerate(shown):
        e = f.estimate
        y = axis_y - row_h * (n + 1) + 6
        base = base_name(f)
        if f.partial:
            drawing.add(String(0, y, _fitted(base, label_w - 8, 7.5), fontName=BODY,
                               fontSize=7.5))
            drawing.add(String(0, y - 8, _fitted(f"({f.population})", label_w - 8, 6.5),
                               fontName=BODY, fontSize=6.5))
        else:
            drawing.add(String(0, y - 3, _fitted(base, label_w - 8, 7.5), fontName=BODY,
                               fontSize=7.5))
        lo, hi, rate = (x0 + plot_w * (v or 0.0) for v in (e.low, e.high, e.rate))
        drawing.add(Line(lo, y, hi, y, strokeColor=colors.black, strokeWidth=2))
        drawing.add(Line(lo, y - 3, lo, y + 3, strokeColor=colors.black))
        drawing.add(Line(hi, y - 3, hi, y + 3, strokeColor=colors.black))
        drawing.add(Circle(rate, y, 3, fillColor=colors.white, strokeColor=colors.black))
    return drawing


def _trend(data: MonthlyData) -> Flowable:
    s = styles()
    keys: dict[str, str] = {}
    for report in reversed(data.trend):  # the latest month names a standard
        for f in report.by_standard:
            keys.setdefault(f.key, name(f))
    order = [st.value for st in Standard]
    ordered = sorted(keys, key=lambda k: (order.index(k) if k in order else len(order), k))
    months = [r.start.strftime("%b %Y") for r in data.trend]
    w = FRAME_WIDTH
    first_w = w * 0.28
    col_w = (w - first_w) / len(months)
    rows: list[list[object]] = [["Standard", *months]]
    for key in ordered:
        row: list[object] = [cell(keys[key], first_w, s.small)]
        for report in data.trend:
            found = next((f for f in report.by_standard if f.key == key), None)
            row.append(percent(found.estimate.rate) if found and found.estimate.sufficient
                       else "-")
        rows.append(row)
    rows.append(["Audits", *[str(r.audits) for r in data.trend]])
    return table(rows, [first_w, *[col_w] * len(months)])


# -- the month's dip samples and exercises ---------------------------------------------
def _samples(data: MonthlyData) -> list[Flowable]:
    s = styles()
    w = FRAME_WIDTH
    out: list[Flowable] = heading("Dip samples and exercises this month")
    if not data.weeks:
        out.append(Paragraph("<i>No week of the month to report.</i>", s.body))
    else:
        out.append(Paragraph(
            "Weekly samples by ISO week (a week belongs to the month that holds its "
            "Thursday). Audits are those dated in the week and submitted; finalised ones "
            "are counted again on their own.", s.small))
        widths = [w * 0.14, w * 0.22, w * 0.18, w * 0.14, w * 0.16, w * 0.16]
        rows: list[list[object]] = [["Week", "Dates", "Auditors who drew a sample",
                                     "Cases drawn", "Audits submitted", "Finalised"]]
        rows[0] = [Paragraph(h, s.cell_bold) for h in rows[0]]
        for week in data.weeks:
            rows.append([week.week, cell(week_span(week.week), widths[1], s.small),
                         str(week.auditors), str(week.cases), str(week.audits),
                         str(week.finalised)])
        out.append(table(rows, widths))
    out += heading("Targeted samples", question=True)
    if not data.targeted:
        out.append(Paragraph("<i>No targeted samples were drawn in the month's weeks.</i>",
                             s.body))
    else:
        widths = [w * 0.14, w * 0.26, w * 0.48, w * 0.12]
        rows = [["Week", "Drawn by", "Theme (what was targeted)", "Cases"]]
        for t in data.targeted:
            rows.append([t.week, cell(t.auditor or "unknown", widths[1], s.small),
                         cell(t.criteria, widths[2], s.small), str(t.cases)])
        out.append(table(rows, widths))
    out += heading("Dip-sample exercises", question=True)
    if not data.exercises:
        out.append(Paragraph("<i>No dip-sample exercise covers this month.</i>", s.body))
    for exercise in data.exercises:
        out += _exercise(exercise)
    return out


def _exercise(exercise: MonthExercise) -> list[Flowable]:
    s = styles()
    f = exercise.figures
    return [
        Paragraph(markup(exercise.title), s.question),
        pairs_table([
            ("Theme", exercise.theme or "not recorded"),
            ("Service area", exercise.area or "all areas"),
            ("Period", period_words(exercise.period_from, exercise.period_to)),
            ("Led by", exercise.lead or "not recorded"), ("Cases seen", str(f.cases_seen)),
            ("Audits submitted", str(f.audits)),
            ("Judgement", label(exercise.judgement) or "not recorded"),
            ("Actions", f"{f.actions_open} open, {f.actions_done} done")]),
        Paragraph("<b>Key findings:</b> " + or_none(exercise.findings,
                                                    "No findings were recorded."), s.body),
    ]


# -- the census -----------------------------------------------------------------------
def census_text(c: CensusCell | None) -> str:
    """"85.0% (170 of 200)", or why there is no percentage."""
    if c is None or (not c.applicable and not c.unknown):
        return "-"
    if not c.applicable:
        return f"not known ({plural(c.unknown, 'case')})"
    if not c.sufficient:
        return c.note
    return f"{percent(c.rate)} ({c.in_time:,} of {c.applicable:,})"


def _applies(figure: CensusFigure) -> str:
    return "All open cases" if figure.population == ALL_CASES else \
        figure.population[:1].upper() + figure.population[1:]


def _census(census: Census) -> list[Flowable]:
    s = styles()
    w = FRAME_WIDTH
    out: list[Flowable] = heading("Practice standards on every open case: a census, not "
                                  "an estimate")
    out.append(Paragraph(markup(CENSUS_NOTE.format(day=formats.day(census.as_of))), s.body))
    if not census.figures:
        out.append(Paragraph("<i>No case was open on that day.</i>", s.body))
        return out
    out += [CondPageBreak(CAPTION_ROOM),
            Paragraph(f"{census.cases:,} open cases. Cases in time, by RAG rating:", s.small)]
    rag_names = [("Not rated" if r == NOT_RATED else r.title()) for r in census.rags]
    fixed = [w * 0.2, w * 0.15]
    each = (w - sum(fixed)) / (len(rag_names) + 1)
    widths = [*fixed, *[each] * (len(rag_names) + 1)]
    rows: list[list[object]] = [[Paragraph(h, s.cell_bold) for h in
                                 ["Standard", "Applies to", *rag_names, "All open cases"]]]
    for f in census.figures:
        rows.append([cell(standard_name(f.standard), widths[0], s.small),
                     cell(_applies(f), widths[1], s.small),
                     *[cell(census_text(f.by_rag.get(r)), each, s.small) for r in census.rags],
                     cell(census_text(f.overall), each, s.small)])
    out.append(table(rows, widths))
    out += [Paragraph("", s.body), CondPageBreak(CAPTION_ROOM),
            Paragraph("Cases in time, by service area (per cent, of the cases the "
                      "standard applies to):", s.small)]
    area_w = w * 0.22
    each = (w - area_w) / len(census.figures)
    rows = [[Paragraph("Service area", s.cell_bold),
             *[Paragraph(markup(standard_name(f.standard)), s.cell_bold)
               for f in census.figures]]]
    for area in census.areas:
        rows.append([cell(area, area_w, s.small),
                     *[cell(census_text(f.by_area.get(area)), each, s.small)
                       for f in census.figures]])
    out.append(table(rows, [area_w, *[each] * len(census.figures)]))
    unknown = [f for f in census.figures if f.overall.unknown > f.overall.unrated]
    if unknown:
        out.append(Paragraph(markup(
            "Left out because the case system's export does not hold what the standard "
            "is worked out from (not known): " + "; ".join(
                f"{standard_name(f.standard)}, "
                f"{plural(f.overall.unknown - f.overall.unrated, 'case')}"
                for f in unknown) + "."), s.small))
    unrated = [f for f in census.figures if f.overall.unrated]
    if unrated:
        out.append(Paragraph(markup(
            "Left out because the case has no RAG rating on record, so how often it must "
            "be visited is not known (neither in time nor late): " + "; ".join(
                f"{standard_name(f.standard)}, {plural(f.overall.unrated, 'case')}"
                for f in unrated) + "."), s.small))
    return out


def populations_note(counted: str | None, estimated: str | None) -> str:
    """What a side-by-side row says when its two figures are of different cases.

    Why (trial item 8): "VTT review" is a Green-only standard in the census (the
    standards engine) but its audit question is asked of every case, so the row set an
    81.9% of Green cases beside a 72.8% of all open cases as if alike."""
    if counted is None or estimated is None or counted == estimated:
        return ""
    return (f"Not like for like: the census counts {counted}, the estimate covers "
            f"{estimated}.")


def _side_by_side(data: MonthlyData) -> list[Flowable]:
    s = styles()
    w = FRAME_WIDTH
    census = data.census
    out: list[Flowable] = heading("The census and the audit estimates side by side")
    day = formats.day(census.as_of) if census else "-"
    out.append(Paragraph(
        f"The census counts the case records on {markup(day)}; the estimates weigh what "
        "the month's audits found. A gap between them is worth asking about: the records "
        "may say a visit happened that the audit did not find meaningful, or the audits "
        "may have looked at a different mix of cases. Each figure names the cases it "
        "covers; a row whose two figures cover different cases says so (the census's VTT "
        "review is the Green standard, the audit asks about the VTT on every case).",
        s.small))
    estimates = {f.key: f for f in data.current.by_standard}
    order = [st.value for st in Standard]
    keys = sorted({*(f.standard for f in census.figures), *estimates} if census
                  else set(estimates),
                  key=lambda k: (order.index(k) if k in order else len(order), k))
    widths = [w * 0.24, w * 0.34, w * 0.42]
    rows: list[list[object]] = [[Paragraph(h, s.cell_bold) for h in (
        "Standard", f"Census: every open case on {day}",
        f"Audit estimate for {month_name(data.current.start)} (95% interval)")]]
    for key in keys:
        counted = census.figure(key) if census else None
        if counted is None:
            left = "not counted by the standards engine"
        elif not counted.overall.applicable and not counted.overall.unknown:
            left = "no open case it applies to"
        else:
            left = f"{census_text(counted.overall)}; {counted.population}"
        figure = estimates.get(key)
        if figure is None:
            right = "no audit answered it this month"
        elif not figure.estimate.sufficient:
            right = figure.estimate.note or "insufficient sample"
        else:
            right = f"{percent(figure.estimate.rate)} ({interval(figure)})"
        if figure is not None:
            right += f"; {figure.population}"
            if figure.estimate.flag:
                right += f"; {figure.estimate.flag}"
        differ = populations_note(counted.population if counted else None,
                                  figure.population if figure else None)
        if differ:
            right += f". {differ}"
        rows.append([cell(standard_name(key), widths[0], s.small),
                     cell(left, widths[1], s.small), cell(right, widths[2], s.small)])
    out.append(table(rows, widths))
    return out


def _rests_on(report: ComplianceReport) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = heading("What the estimates rest on")
    designed = report.audits - report.excluded
    lines = [
        "The draw: each week's cases are drawn at random within groups of RAG rating, "
        "priority cohort (unborn children, child protection plans, care leavers) or not, "
        "and service area, a priority case several times as often as another; the "
        "estimates undo that by weighting each audit by its group's size "
        "(docs/statistics.md).",
        f"The population: the open cases of each week of the month "
        f"({report.weeks:.1f} weeks of case-weeks), by the groups they are in at the "
        "month's end.",
    ]
    if report.assumed_design:
        lines.append(f"Assumed design: {plural(report.assumed_design, 'audit')} of "
                     f"{designed} had no group recorded at the draw (made before the "
                     "sampler recorded it, or with no sample) and were placed where the "
                     "weekly draw would have put them.")
    else:
        lines.append("Every audit in the estimates had its group recorded at the draw.")
    if report.audits_by_week:
        weeks = ", ".join(f"{week} ({n})" for week, n in report.audits_by_week)
        lines.append(f"Audits by week (ISO week, audits in the estimates): {weeks}.")
        empty = report.weeks_without_audits
        if empty:
            lines.append(f"Weeks with no audit: {', '.join(empty)}. Their cases are "
                         "represented by the audits of the other weeks.")
    if report.excluded:
        lines.append(f"{plural(report.excluded, 'targeted audit')} are not in the "
                     "estimates (they were not drawn at random, so nobody knows their "
                     "chance of selection).")
    flagged = [f for f in report.by_standard if f.estimate.flag]
    for f in flagged:
        lines.append(f"{name(f)}: {f.estimate.flag}.")
    out += [Paragraph(markup(line), s.body) for line in lines]
    return out


def story(data: MonthlyData) -> list[Flowable]:
    s = styles()
    current = data.current
    figures = current.by_standard
    first, _ = parse_month(data.month)
    out: list[Flowable] = [
        Paragraph(TITLE, s.title),
        Paragraph(f"{month_name(first)}: {plural(data.finalised_in_month, 'audit')} "
                  f"finalised in the month; the estimates rest on "
                  f"{plural(current.audits, 'finalised audit')} dated in the month",
                  s.subtitle),
        *heading("Key messages"),
        Paragraph(or_none(data.key_messages,
                          "No key messages were written for this month."), s.body),
        *_samples(data),
    ]
    if data.census is not None:
        out += _census(data.census)
    out += [*heading("Compliance with the practice standards: estimates from the audits"),
            Paragraph(markup(ESTIMATE_NOTE), s.body)]
    if figures:
        out += [_figures_table(figures), Paragraph("", s.body), interval_chart(figures)]
    else:
        out.append(Paragraph("<i>No finalised audits answered a standard this month.</i>",
                             s.body))
    out += [Paragraph(markup(EFFECTIVE_N_NOTE), s.body),
            *_side_by_side(data), *_rests_on(current),
            *heading("Trend over the last six months (estimates; - is insufficient sample)"),
            _trend(data)]
    out.append(Paragraph(f"Dates: {formats.day(current.start)} to {formats.day(current.end)}"
                         f"; days and times are {ZONE_WORDS}.", s.small))
    return out


def monthly_pdf(ctx: ServiceContext, month: str, out: Path | BinaryIO,
                key_messages: str = "") -> MonthlyData:
    """Write the month's report (``YYYY-MM``); the data it shows, for the screen.

    Logged as the export of a report (``monthly-<YYYY-MM>``), and of each exercise whose
    findings it prints (ids only, one transaction): it holds no record of a child. To a
    path it is handed out as :mod:`desktop.files` does (aside, logged, then renamed).
    """
    data = monthly_data(ctx, month, key_messages)

    def log() -> None:
        with ctx.store.transaction() as session:
            log_changes(session, ctx, [
                (EventAction.EXPORT, REPORT_ENTITY, f"monthly-{data.month}",
                 {"format": "pdf", "report": "monthly"}),
                *[(EventAction.EXPORT, "exercise", e.id, {"format": "pdf", "report": "monthly"})
                  for e in data.exercises]])

    write_out(out, lambda handle: build(handle, TITLE, story(data)), log)
    return data
