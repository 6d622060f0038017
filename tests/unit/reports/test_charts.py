"""The printed reports' bar charts, drawn and read back (issue 24, item 7): the legend
inside the page's margins, a group's bars in the legend's order, names not cut."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.graphics import renderPDF
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop.reports.charts import WIDTH, Series, bar_chart
from desktop.reports.fonts import BODY

GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")
TEAM = "Mid & East Court and Proceedings Team"


def drawn(drawing: object) -> list[tuple[float, float, float, str]]:
    """(x, y, size, text) of every string the drawing draws, in its own points."""
    out = io.BytesIO()
    renderPDF.drawToFile(drawing, out)
    found: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], size * tm[0],
                          text.strip()))

    PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text(visitor_text=visit)
    return found


def test_legend_in_the_margins_bars_in_its_order_and_names_whole() -> None:
    chart = bar_chart([TEAM, "North Assessment Team"],
                      [Series(name, [11 + n, 21 + n]) for n, name in enumerate(GRADES)])
    texts = drawn(chart)
    legend = {t: (x, y, size) for x, y, size, t in texts if t in GRADES}
    assert set(legend) == set(GRADES)
    for name, (x, _y, size) in legend.items():
        assert x >= 0 and x + stringWidth(name, BODY, size) <= WIDTH, name
    assert [legend[g][0] for g in GRADES] == sorted(legend[g][0] for g in GRADES)
    # The first team's bars carry 11 to 14 (no tick of the axis): top down (the PDF's y
    # falls) in the legend's order.
    tops = {t: y for _x, y, _size, t in texts if t in {"11", "12", "13", "14"}}
    assert sorted(tops, key=lambda t: -tops[t]) == ["11", "12", "13", "14"]
    words = " ".join(t for _x, _y, _size, t in texts)
    assert all(word in words for word in TEAM.split()), words
    assert "…" not in words
