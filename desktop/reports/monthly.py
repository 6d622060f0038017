"""The monthly quality assurance report (seed 002): key messages, this month's weighted
compliance with its intervals drawn, and the trend over the months before.

Why the intervals are drawn and the word "estimate" repeated: the figures are weighted
estimates for the whole caseload from a sample that over-samples Red and Amber
(docs/domain.md, 'Reporting'); a bare percentage would read as a count.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph

from desktop.files import write_out
from desktop.reports import formats
from desktop.reports.fonts import BODY
from desktop.reports.layout import FRAME_WIDTH, build, cell, heading, styles, table
from desktop.reports.text import label, markup, or_none
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_report_export
from desktop.services.reporting.monthly import MonthlyData, month_name, monthly_data, parse_month
from desktop.services.statistics.compliance import Figure

TITLE = "Monthly quality assurance report"
ESTIMATE_NOTE = (
    "Every percentage below is an estimate for the whole open caseload, not a count of "
    "audits: each audit is weighted by its RAG stratum's share of the caseload, and each "
    "estimate has a 95% interval, drawn as a bar. A figure based on too few audits says "
    "'insufficient sample' instead of a number.")


def name(figure: Figure) -> str:
    """A figure's name: its label, in words when the service gave only a code."""
    return label(figure.label) if figure.label == figure.key else figure.label


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


def interval_chart(figures: list[Figure]) -> Drawing:
    """Each sufficient estimate as a dot on its interval bar, on a 0-100% scale."""
    shown = [f for f in figures if f.estimate.sufficient]
    label_w, row_h, top = 150.0, 18.0, 24.0
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
        y = axis_y - row_h * (n + 1) + 4
        text = name(f) if len(name(f)) <= 34 else name(f)[:33] + "…"
        drawing.add(String(0, y - 3, text, fontName=BODY, fontSize=7.5))
        lo, hi, rate = (x0 + plot_w * (v or 0.0) for v in (e.low, e.high, e.rate))
        drawing.add(Line(lo, y, hi, y, strokeColor=colors.black, strokeWidth=2))
        drawing.add(Line(lo, y - 3, lo, y + 3, strokeColor=colors.black))
        drawing.add(Line(hi, y - 3, hi, y + 3, strokeColor=colors.black))
        drawing.add(Circle(rate, y, 3, fillColor=colors.white, strokeColor=colors.black))
    return drawing


def _trend(data: MonthlyData) -> Flowable:
    s = styles()
    keys: dict[str, str] = {}
    for report in data.trend:
        for f in report.by_standard:
            keys.setdefault(f.key, name(f))
    months = [r.start.strftime("%b %Y") for r in data.trend]
    w = FRAME_WIDTH
    first_w = w * 0.28
    col_w = (w - first_w) / len(months)
    rows: list[list[object]] = [["Standard", *months]]
    for key, shown in keys.items():
        row: list[object] = [cell(shown, first_w, s.small)]
        for report in data.trend:
            found = next((f for f in report.by_standard if f.key == key), None)
            row.append(percent(found.estimate.rate) if found and found.estimate.sufficient
                       else "-")
        rows.append(row)
    rows.append(["Audits", *[str(r.audits) for r in data.trend]])
    return table(rows, [first_w, *[col_w] * len(months)])


def story(data: MonthlyData) -> list[Flowable]:
    s = styles()
    current = data.current
    figures = current.by_standard
    first, _ = parse_month(data.month)
    out: list[Flowable] = [
        Paragraph(TITLE, s.title),
        Paragraph(f"{month_name(first)}: {current.audits} audits finalised in the month",
                  s.subtitle),
        *heading("Key messages"),
        Paragraph(or_none(data.key_messages,
                          "No key messages were written for this month."), s.body),
        *heading("Compliance with the practice standards: estimates"),
        Paragraph(markup(ESTIMATE_NOTE), s.body),
    ]
    if figures:
        out += [_figures_table(figures), Paragraph("", s.body), interval_chart(figures)]
    else:
        out.append(Paragraph("<i>No finalised audits answered a standard this month.</i>",
                             s.body))
    out += [*heading("Trend over the last six months (estimates; - is insufficient sample)"),
            _trend(data)]
    if current.excluded:
        out.append(Paragraph(f"{current.excluded} targeted audits are not in the estimates "
                             "(they were not drawn at random).", s.body))
    out.append(Paragraph(f"Dates: {formats.day(current.start)} to {formats.day(current.end)}.",
                         s.small))
    return out


def monthly_pdf(ctx: ServiceContext, month: str, out: Path | BinaryIO,
                key_messages: str = "") -> MonthlyData:
    """Write the month's report (``YYYY-MM``); the data it shows, for the screen.

    Logged as the export of a report (``monthly-<YYYY-MM>``), not of records: it holds
    figures only, no record of a child, a person or an exercise. To a path it is
    handed out as :mod:`desktop.files` does (aside, logged, then renamed).
    """
    data = monthly_data(ctx, month, key_messages)
    write_out(out, lambda handle: build(handle, TITLE, story(data)),
              lambda: log_report_export(ctx, "monthly", data.month))
    return data
