"""Bar charts for printed reports, drawn with reportlab's own graphics.

Why every bar carries its number and every series a pattern and a word in the legend:
reports are printed on black-and-white office printers and read by people who may not
tell colours apart, so shade alone must never carry the meaning (the figures are also
in the table beside each chart).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from desktop.reports.fonts import BODY, ensure_fonts
from desktop.reports.layout import FRAME_WIDTH
from desktop.reports.text import visual

#: Fills a greyscale printer keeps apart: white with an outline, mid grey, black.
FILLS = (colors.white, colors.HexColor("#8c8c8c"), colors.HexColor("#262626"),
         colors.HexColor("#cfcfcf"))
LABEL_CHARS = 30


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def chart_label(text: str) -> str:
    """A category label a chart can draw in the body font: right-to-left text shaped,
    characters the font lacks (pictographs) left out, long names cut with an ellipsis.
    The table beside the chart has the name in full."""
    coverage = ensure_fonts()
    shown = "".join(c for c in visual(text) if ord(c) in coverage.body).strip()
    shown = " ".join(shown.split()) or "-"
    return shown if len(shown) <= LABEL_CHARS else shown[:LABEL_CHARS - 1] + "…"


#: A drawing is one flowable and cannot split; a chart taller than this is cut into
#: several, each with its own axis and legend.
MAX_HEIGHT = 560.0
#: A drawing as wide as the frame's inside (the frame pads 6 points each side).
WIDTH = FRAME_WIDTH - 12


def bar_charts(categories: Sequence[str], series: Sequence[Series], *,
               value_format: str = "%d", max_value: float | None = None,
               empty: str = "Nothing to chart.") -> list[Drawing]:
    """:func:`bar_chart` cut into drawings that fit a page, on one common scale."""
    row_h = 9.0 * max(1, len(series)) + 6
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
    """Horizontal bars, one group per category, each bar labelled with its value."""
    label_w, row_h, legend_h = 140.0, 9.0 * max(1, len(series)) + 6, 16.0
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
    # reportlab draws the first category at the bottom; reverse so it reads top down.
    chart.data = [list(reversed([float(v) for v in s.values])) for s in series]
    chart.categoryAxis.categoryNames = list(reversed([chart_label(c) for c in categories]))
    chart.categoryAxis.labels.fontName = BODY
    chart.categoryAxis.labels.fontSize = 7.5
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
    for n in range(len(series)):
        chart.bars[n].fillColor = FILLS[n % len(FILLS)]
        chart.bars[n].strokeColor = colors.black
        chart.bars[n].strokeWidth = 0.4
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = label_w, height - 4
    legend.fontName = BODY
    legend.fontSize = 7.5
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 110
    legend.boxAnchor = "nw"
    legend.strokeColor = colors.black
    legend.strokeWidth = 0.4
    legend.colorNamePairs = [(FILLS[n % len(FILLS)], s.name) for n, s in enumerate(series)]
    drawing.add(legend)
    return drawing
