"""Bar charts for printed reports, drawn with reportlab's own graphics.

Why every bar carries its number and every series a pattern and a word in the legend:
reports are printed on black-and-white office printers and read by people who may not
tell colours apart, so shade alone must never carry the meaning (the figures are also
in the table beside each chart).

Why the legend is laid out here and the bars of a group are drawn in the legend's
order (issue 24, item 7): reportlab's legend ran past the paper's margin with four
series, and its bar chart draws a group's first series at the bottom, so a reader
matching the legend (left to right) to the bars (top down) read them backwards.
Category names wrap onto up to three lines instead of being cut: a team is found by
its full name ("Mid & East Court and Proceedings Team").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop.reports.fonts import BODY, ensure_fonts
from desktop.reports.layout import FRAME_WIDTH
from desktop.reports.text import visual

#: Fills a greyscale printer keeps apart: white with an outline, mid grey, black.
FILLS = (colors.white, colors.HexColor("#8c8c8c"), colors.HexColor("#262626"),
         colors.HexColor("#cfcfcf"))
#: A category name longer than this is cut with an ellipsis (three lines of labels).
LABEL_CHARS = 90
#: The width of the category names' column, and their font size and line height.
LABEL_WIDTH = 150.0
LABEL_SIZE = 7.5
LABEL_LEADING = 8.5
LEGEND_SIZE = 7.5
LEGEND_ROW = 12.0


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def chart_label(text: str) -> str:
    """A category label a chart can draw in the body font: right-to-left text shaped,
    characters the font lacks (pictographs) left out, a name longer than three lines
    cut with an ellipsis. The table beside the chart has the name in full."""
    coverage = ensure_fonts()
    shown = "".join(c for c in visual(text) if ord(c) in coverage.body).strip()
    shown = " ".join(shown.split()) or "-"
    return shown if len(shown) <= LABEL_CHARS else shown[:LABEL_CHARS - 1] + "…"


#: A drawing is one flowable and cannot split; a chart taller than this is cut into
#: several, each with its own axis and legend.
MAX_HEIGHT = 560.0
#: A drawing as wide as the frame's inside (the frame pads 6 points each side).
WIDTH = FRAME_WIDTH - 12


def _label_lines(label: str) -> list[str]:
    return simpleSplit(label, BODY, LABEL_SIZE, LABEL_WIDTH - 8) or [label]


def _row_height(categories: Sequence[str], series: int) -> float:
    """One group's height: its bars, or its name's lines, whichever is taller."""
    lines = max([len(_label_lines(chart_label(c))) for c in categories] or [1])
    return max(9.0 * max(1, series) + 6, LABEL_LEADING * lines + 5)


def legend_rows(names: Sequence[str]) -> list[list[tuple[float, int]]]:
    """Where each legend entry goes: rows of (x, series index) inside ``WIDTH``."""
    rows: list[list[tuple[float, int]]] = [[]]
    x = 0.0
    for n, name in enumerate(names):
        width = 12 + stringWidth(name, BODY, LEGEND_SIZE) + 14
        if rows[-1] and x + width - 14 > WIDTH:
            rows.append([])
            x = 0.0
        rows[-1].append((x, n))
        x += width
    return rows


def bar_charts(categories: Sequence[str], series: Sequence[Series], *,
               value_format: str = "%d", max_value: float | None = None,
               empty: str = "Nothing to chart.") -> list[Drawing]:
    """:func:`bar_chart` cut into drawings that fit a page, on one common scale."""
    row_h = _row_height(categories, len(series))
    per = max(1, int((MAX_HEIGHT - 40) // row_h))
    if max_value is None:
        top = max([float(v) for s in series for v in s.values] or [0.0])
        max_value = max(1.0, top * 1.12)
    if not categories:
        return [bar_chart([], series, empty=empty)]
    return [bar_chart(categories[i:i + per],
                      [Series(s.name, s.values[i:i + per]) for s in series],
                      value_format=value_format, max_value=max_value)
            for i in range(0, len(categories), per)]


def bar_chart(categories: Sequence[str], series: Sequence[Series], *,
              value_format: str = "%d", max_value: float | None = None,
              empty: str = "Nothing to chart.") -> Drawing:
    """Horizontal bars, one group per category, each bar labelled with its value; the
    first category and, within a group, the first series at the top."""
    label_w = LABEL_WIDTH
    row_h = _row_height(categories, len(series))
    names = [s.name for s in series]
    legend = legend_rows(names)
    legend_h = LEGEND_ROW * len(legend) + 4
    rows = max(1, len(categories))
    height = legend_h + rows * row_h + 24
    drawing = Drawing(WIDTH, height)
    if not categories:
        drawing.add(String(0, height / 2, empty, fontName=BODY, fontSize=8.5))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = label_w, 16
    chart.width = WIDTH - label_w - 30
    chart.height = rows * row_h
    # reportlab draws the first category at the bottom, and a group's first series at
    # the bottom of the group; both reversed so they read top down, as the legend does.
    order = list(reversed(range(len(series))))
    chart.data = [list(reversed([float(v) for v in series[n].values])) for n in order]
    chart.categoryAxis.categoryNames = list(reversed([chart_label(c) for c in categories]))
    chart.categoryAxis.labels.fontName = BODY
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.leading = LABEL_LEADING
    chart.categoryAxis.labels.maxWidth = label_w - 8
    chart.categoryAxis.labels.textAnchor = "end"
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    top = max([max([float(v) for v in s.values] or [0]) for s in series] or [0])
    chart.valueAxis.valueMax = max_value if max_value is not None else max(1.0, top * 1.12)
    if value_format == "%d":  # whole numbers of audits: ticks on whole numbers too
        chart.valueAxis.valueStep = max(1, math.ceil(chart.valueAxis.valueMax / 6))
    chart.valueAxis.labels.fontName = BODY
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.barSpacing = 1
    chart.groupSpacing = 4
    chart.barLabelFormat = value_format
    chart.barLabels.fontName = BODY
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    for position, n in enumerate(order):
        chart.bars[position].fillColor = FILLS[n % len(FILLS)]
        chart.bars[position].strokeColor = colors.black
        chart.bars[position].strokeWidth = 0.4
    drawing.add(chart)
    for row, entries in enumerate(legend):
        y = height - LEGEND_ROW * (row + 1)
        for x, n in entries:
            drawing.add(Rect(x, y, 8, 8, fillColor=FILLS[n % len(FILLS)],
                             strokeColor=colors.black, strokeWidth=0.4))
            drawing.add(String(x + 12, y + 1, names[n], fontName=BODY, fontSize=LEGEND_SIZE))
    return drawing
