"""The QA dashboard's four charts, built with Qt Charts from the services' figures.

Why Qt Charts: a maintained chart library that draws in the window's own widgets
(axes, legends, hover and the system palette), so the dashboard holds no drawing code.
Why every chart also has a sentence: colour is never the only signal (issue 8), and a
screen reader reads the sentence, not the bars; the same sentence says plainly when a
chart has nothing to show. Why every piece of text is escaped on its way into a chart:
Qt Charts reads titles, axis labels and legend names as HTML, and an auditor's name or
a team's is typed by a person (see ``plain``).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

from desktop.models.enums import Grade
from desktop.qt import QColor, QPainter, QPalette, QtCharts, QtCore
from desktop.reports.monthly import base_name, interval, name, percent
from desktop.reports.text import label
from desktop.services.reporting.weekly import AuditorQuota, Findings
from desktop.services.statistics.compliance import Figure
from desktop.views.plain import escaped
from desktop.words import plural

#: The estimate's marker and its interval's bar (blue reads on light and dark alike).
ESTIMATE_COLOUR = QColor("#1f6fb2")
QUOTA_COLOUR = QColor("#9aa5b1")
DONE_COLOUR = QColor("#1f6fb2")
DISAGREE_COLOUR = QColor("#c2410c")


#: Height of a bar chart per category, and around them (axes, title, legend), in pixels.
ROW_PX = 26
#: The height of a line of a name beside its bars, in pixels.
LINE_PX = 17
FRAME_PX = 150
MIN_HEIGHT = 260


@dataclass(frozen=True)
class Drawn:
    """A chart, a short sentence shown under it, and every figure in words (read by a
    screen reader and shown as the sentence's tooltip).

    Attributes:
        rows: the categories the chart has (its height follows them).
    """

    chart: QtCharts.QChart
    summary: str
    text: str
    rows: int = 0


def _chart(title: str, dark: bool) -> QtCharts.QChart:
    chart = QtCharts.QChart()
    chart.setTitle(escaped(title))
    chart.setTheme(QtCharts.QChart.ChartTheme.ChartThemeDark if dark
                   else QtCharts.QChart.ChartTheme.ChartThemeLight)
    chart.setAnimationOptions(QtCharts.QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(QtCore.Qt.AlignmentFlag.AlignBottom)
    return chart


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


#: The most characters on one line of a standard's name on the compliance axis.
AXIS_LINE = 24
#: The most characters on one line of an auditor's or a team's name beside its bars:
#: on one line Qt Charts elided the longer team names ("Exeter Child Protectio...") in
#: the dashboard's half of a 1024-pixel window.
NAME_LINE = 20
#: The compliance chart's axis title, on two lines: on one it was elided to "Cases
#: meeting it: estimate and 95..." in a 1024-pixel window.
X_TITLE = ("Cases meeting it:", "estimate and 95% interval")


def wrapped(text: str, width: int) -> str:
    """``text`` escaped, on lines of at most ``width`` characters (a longer word keeps
    its line); Qt Charts reads a label as HTML, so the lines break at ``<br>``."""
    return "<br>".join(escaped(line) for line in textwrap.wrap(text, width) or [""])


def axis_lines(figure: Figure) -> list[str]:
    """A standard's name on the compliance axis, wrapped, then the cases it covers on a
    line of its own ("(Green cases only)", issue 24): on one line the axis elided it at
    the dashboard's usual width, and a figure of Green cases read as the caseload's."""
    lines = textwrap.wrap(base_name(figure), AXIS_LINE) or [""]
    if figure.partial:
        lines.append(f"({figure.population})")
    if not figure.estimate.sufficient:
        lines.append("(insufficient sample)")
    return lines


def compliance(figures: list[Figure], period: str, dark: bool) -> Drawn:
    """Each standard's weighted estimate as a point on its 95% interval.

    A standard with too few audits has no point: its axis label says "insufficient
    sample", as the printed monthly report does.
    """
    chart = _chart(f"Compliance per standard, {period}", dark)
    if not figures:
        chart.setTitle(escaped(f"Compliance per standard, {period}: no standards to show"))
        said = f"No compliance figures for {period}."
        return Drawn(chart, said, said)
    points = QtCharts.QScatterSeries()
    points.setName("Estimate")
    points.setColor(ESTIMATE_COLOUR)
    points.setMarkerSize(11)
    points.setPointLabelsVisible(True)
    points.setPointLabelsFormat("@xPoint%")
    points.setPointLabelsClipping(False)
    chart.addSeries(points)
    bars: list[QtCharts.QLineSeries] = []
    rows = list(reversed(figures))  # the first standard at the top
    sentences: list[str] = []
    for position, figure in enumerate(rows):
        estimate = figure.estimate
        y = position + 0.5
        if estimate.sufficient and estimate.low is not None and estimate.high is not None:
            assert estimate.rate is not None
            points.append(round(100 * estimate.rate, 1), y)
            bar = QtCharts.QLineSeries()
            bar.setName("95% interval")
            pen = bar.pen()
            pen.setColor(ESTIMATE_COLOUR)
            pen.setWidth(3)
            bar.setPen(pen)
            bar.append(100 * estimate.low, y)
            bar.append(100 * estimate.high, y)
            chart.addSeries(bar)
            bars.append(bar)
    for figure in figures:
        estimate = figure.estimate
        sentences.append(f"{name(figure)}: {percent(estimate.rate)} ({interval(figure)})"
                         if estimate.sufficient else
                         f"{name(figure)}: {estimate.note or 'insufficient sample'}")
    x_axis = QtCharts.QValueAxis()
    x_axis.setRange(0, 100)
    x_axis.setLabelFormat("%d%%")
    x_axis.setTitleText("<br>".join(escaped(line) for line in X_TITLE))
    y_axis = QtCharts.QCategoryAxis()
    y_axis.setRange(0, len(rows))
    y_axis.setLabelsPosition(
        QtCharts.QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    extra = 0
    for position, figure in enumerate(rows):
        lines = axis_lines(figure)
        extra += len(lines) - 1
        y_axis.append("<br>".join(escaped(line) for line in lines), position + 0.5)
    chart.addAxis(x_axis, QtCore.Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, QtCore.Qt.AlignmentFlag.AlignLeft)
    for series in (points, *bars):
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
    markers = chart.legend().markers()
    for marker in markers[2:]:  # one "95% interval" entry is enough
        marker.setVisible(False)
    shown = sum(f.estimate.sufficient for f in figures)
    summary = (f"{shown} of {len(figures)} standards have a figure; the others have too "
               "few audits (insufficient sample)." if shown < len(figures) else
               f"Every standard has a figure ({shown}).")
    return Drawn(chart, summary,
                 f"Compliance per standard, {period}: " + "; ".join(sentences) + ".",
                 len(figures) + (extra + 1) // 2)


def _bars(title: str, categories: list[str], sets: list[tuple[str, QColor, list[int]]],
          dark: bool) -> QtCharts.QChart:
    """Horizontal bars, one group per category (the first category at the top), its
    name wrapped onto lines of ``NAME_LINE`` characters."""
    chart = _chart(title, dark)
    series = QtCharts.QHorizontalBarSeries()
    for set_name, colour, values in sets:
        bar_set = QtCharts.QBarSet(escaped(set_name))
        bar_set.setColor(colour)
        bar_set.setLabelColor(QColor("#f0f0f0") if dark else QColor("#202020"))
        bar_set.append([float(v) for v in reversed(values)])
        series.append(bar_set)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QtCharts.QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(series)
    y_axis = QtCharts.QBarCategoryAxis()
    y_axis.append([wrapped(c, NAME_LINE) for c in reversed(categories)])
    top = max((max(values, default=0) for _n, _c, values in sets), default=0)
    x_axis = count_axis(top)
    chart.addAxis(y_axis, QtCore.Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(x_axis, QtCore.Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(y_axis)
    series.attachAxis(x_axis)
    return chart


#: Room past the longest bar for its label.
HEADROOM = 1.15


def count_step(reach: float) -> int:
    """The whole-number step between an axis's labels: 1, 2, 5, 10, 20, 50 ... so that
    at most five steps reach ``reach``."""
    magnitude = 1
    while True:
        for digit in (1, 2, 5):
            if reach <= 5 * digit * magnitude:
                return digit * magnitude
        magnitude *= 10


def count_axis(top: float) -> QtCharts.QValueAxis:
    """An axis of counts labelled at whole numbers only. Why not applyNiceNumbers: for
    a largest count of one it chose ticks a quarter apart, which "%d" printed as
    "0 0 0 1 1"."""
    reach = top * HEADROOM
    step = count_step(reach)
    axis = QtCharts.QValueAxis()
    axis.setRange(0, step * max(1, math.ceil(reach / step)))
    axis.setTickType(QtCharts.QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setLabelFormat("%d")
    return axis


def name_rows(names: list[str]) -> int:
    """The rows of ``ROW_PX`` the names beside the bars take: one a name, or its lines'
    height when it wraps (Qt Charts elides a name taller than its share of the axis)."""
    return math.ceil(sum(max(1.0, (len(textwrap.wrap(n, NAME_LINE)) * LINE_PX + 8) / ROW_PX)
                         for n in names))


def quota(quotas: list[AuditorQuota], week: str, dark: bool) -> Drawn:
    """Each auditor's audits against the quota of their weekly sample."""
    if not quotas:
        chart = _chart(f"Audits against quota, {week}: no auditors", dark)
        said = f"No auditors had a quota in {week}."
        return Drawn(chart, said, said)
    names = [q.name or "Unnamed auditor" for q in quotas]
    chart = _bars(f"Audits against quota, {week}", names,
                  [("Quota", QUOTA_COLOUR, [q.wanted for q in quotas]),
                   ("Audited", DONE_COLOUR, [q.audited for q in quotas])], dark)
    short = [f"{n}: {q.audited} of {q.wanted}" + ("" if q.drawn else " (no sample drawn)")
             for n, q in zip(names, quotas, strict=True)]
    done = sum(min(q.audited, q.wanted) for q in quotas)
    wanted = sum(q.wanted for q in quotas)
    behind = sum(q.audited < q.wanted for q in quotas)
    undrawn = sum(not q.drawn for q in quotas)
    summary = (f"{done} of {wanted} audits of the quotas done; {behind} of {len(quotas)} "
               f"auditors behind" + (f"; {undrawn} drew no sample" if undrawn else "") + ".")
    return Drawn(chart, summary,
                 f"Audits against quota, {week}: " + "; ".join(short) + ".", name_rows(names))


def grades(total: Findings, week: str, dark: bool) -> Drawn:
    """How the week's submitted audits were graded (the Ofsted scale)."""
    order = [g.value for g in Grade]
    counts = [total.grades.get(g, 0) for g in order]
    ungraded = total.audits - sum(counts)
    words = [label(g) for g in order]
    if ungraded:
        words.append("Not graded")
        counts.append(ungraded)
    if not total.audits:
        chart = _chart(f"Grades, {week}: no submitted audits", dark)
        said = f"No submitted audits in {week}, so no grades."
        return Drawn(chart, said, said)
    chart = _bars(f"Grades of the week's audits, {week}", words,
                  [("Audits", DONE_COLOUR, counts)], dark)
    chart.legend().setVisible(False)
    said = "; ".join(f"{w}: {c}" for w, c in zip(words, counts, strict=True))
    return Drawn(chart, f"{said}.", f"Grades, {week}: {said}.", len(words))


def disagreements(teams: list[Findings], week: str, dark: bool) -> Drawn:
    """Per team: the week's audits and the RAG disagreements opened on them."""
    audited = [t for t in teams if t.audits]
    if not audited:
        chart = _chart(f"RAG disagreements by team, {week}: no audits", dark)
        said = f"No submitted audits in {week}, so no disagreements."
        return Drawn(chart, said, said)
    chart = _bars(f"Audits and RAG disagreements by team, {week}",
                  [t.name for t in audited],
                  [("Audits", DONE_COLOUR, [t.audits for t in audited]),
                   ("RAG disagreements", DISAGREE_COLOUR,
                    [t.disagreements for t in audited])], dark)
    said = "; ".join(f"{t.name}: {t.disagreements:,} of {plural(t.audits, 'audit')}"
                     for t in audited)
    opened = sum(t.disagreements for t in audited)
    audits = sum(t.audits for t in audited)
    summary = (f"{plural(opened, 'RAG disagreement')} on {plural(audits, 'audit')} "
               f"in {plural(len(audited), 'team')}.")
    return Drawn(chart, summary, f"RAG disagreements by team, {week}: {said}.",
                 name_rows([t.name for t in audited]))


def chart_view(accessible: str) -> QtCharts.QChartView:
    view = QtCharts.QChartView()
    view.setAccessibleName(accessible)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumSize(360, MIN_HEIGHT)
    return view
