"""The page every report is printed on: A4, the protective marking, page numbers.

Why "Page n of N" through a canvas that holds its pages until the end: the total is
known only after the last page is laid out; keeping each page's drawing state and
stamping the numbers at save costs one pass, where building the document twice would
cost two. The marking "OFFICIAL-SENSITIVE" is the Government Security Classification
for personal data of this kind; it is printed at the top and bottom of every page, as
the classification policy asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from desktop import __version__
from desktop.reports.fonts import BODY, BOLD, ensure_fonts
from desktop.reports.text import RTL as _RTL
from desktop.reports.text import markup

MARKING = "OFFICIAL-SENSITIVE"
MARGIN = 18 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
#: The width a flowable may take between the margins.
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
GRID = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#e8e8e8")


class Styles:
    """The paragraph styles of every report (one family, sizes for a printed page)."""

    def __init__(self) -> None:
        ensure_fonts()
        self.body = ParagraphStyle("body", fontName=BODY, fontSize=9.5, leading=12.5,
                                   spaceAfter=3, splitLongWords=1)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8.5, leading=10.5,
                                    spaceAfter=0)
        self.cell_bold = ParagraphStyle("cell_bold", parent=self.small, fontName=BOLD)
        self.title = ParagraphStyle("title", parent=self.body, fontName=BOLD, fontSize=15,
                                    leading=19, spaceAfter=4)
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, fontSize=10.5,
                                       leading=13, spaceAfter=8, textColor=colors.black)
        self.heading = ParagraphStyle("heading", parent=self.body, fontName=BOLD,
                                      fontSize=11.5, leading=15, spaceBefore=9,
                                      spaceAfter=4)
        self.question = ParagraphStyle("question", parent=self.body, fontName=BOLD,
                                       spaceBefore=4, spaceAfter=1)
        self.answer = ParagraphStyle("answer", parent=self.body, leftIndent=8)
        self.marking = ParagraphStyle("marking", parent=self.body, fontName=BOLD,
                                      alignment=TA_CENTER)


_styles: Styles | None = None
def styles() -> Styles:
    global _styles
    if _styles is None:
        _styles = Styles()
    return _styles


#: The room a heading needs below it on the page, or it starts the next page.
HEADING_ROOM = 15 * mm


def heading(text: str, *, question: bool = False) -> list[Flowable]:
    """A heading (fixed words, not user text) that never ends a page alone.

    Why a conditional page break and not ``keepWithNext``: reportlab keeps a heading
    with what follows by moving both to the next page, leaving most of a page blank
    before a long answer, and by deep-copying them, a tenth of a case tool's time.
    """
    s = styles()
    return [CondPageBreak(HEADING_ROOM), Paragraph(text, s.question if question else s.heading)]


def grid_style(header_rows: int = 1, label_columns: Sequence[int] = ()) -> TableStyle:
    """Ruled cells with a shaded header row (and label columns): readable on a
    black-and-white printer. Cells given as plain strings (headers, labels, codes)
    are set in the body font, bold in the header and the label columns."""
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("FONT", (0, 0), (-1, -1), BODY, 8.5, 10.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE))
        commands.append(("FONT", (0, 0), (-1, header_rows - 1), BOLD, 8.5, 10.5))
    for column in label_columns:
        commands.append(("BACKGROUND", (column, 0), (column, -1), SHADE))
        commands.append(("FONT", (column, 0), (column, -1), BOLD, 8.5, 10.5))
    return TableStyle(commands)


def table(rows: Sequence[Sequence[Any]], widths: Sequence[float], *,
          header_rows: int = 1, label_columns: Sequence[int] = ()) -> Table:
    """A ruled table whose rows may split across pages (a long cell never overflows)."""
    made = Table(list(rows), colWidths=list(widths), repeatRows=header_rows,
                 splitInRow=1)
    made.setStyle(grid_style(header_rows, label_columns))
    return made


#: A table cell's left and right padding together (see :func:`grid_style`).
CELL_PADDING = 8


def cell(text: str, width: float, style: ParagraphStyle) -> str | Paragraph:
    """``text`` for a table cell ``width`` wide: a plain string when it fits on one line
    in the body font (a string cell is drawn directly, much cheaper than a paragraph,
    which matters in a 450-document batch); otherwise an escaped, wrapping paragraph."""
    coverage = ensure_fonts()
    if (not _RTL.search(text) and all(ord(c) in coverage.body for c in text)
            and stringWidth(text, BODY, style.fontSize) <= width - CELL_PADDING):
        return text
    return Paragraph(markup(text), style)


def _numbered_canvas(title: str) -> type[Canvas]:
    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int) -> None:
            self.saveState()
            self.setFillColor(colors.black)
            self.setFont(BOLD, 9)
            self.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 11 * mm, MARKING)
            self.drawCentredString(PAGE_WIDTH / 2, 8 * mm, MARKING)
            self.setFont(BODY, 8)
            self.drawString(MARGIN, PAGE_HEIGHT - 11 * mm, title[:70])
            # The version that printed it: a figure queried later is traced to its build.
            self.drawString(MARGIN, 8 * mm, f"DipSample {__version__}")
            self.drawRightString(PAGE_WIDTH - MARGIN, 8 * mm,
                                 f"Page {self._pageNumber} of {total}")
            self.setStrokeColor(GRID)
            self.setLineWidth(0.5)
            self.line(MARGIN, PAGE_HEIGHT - 13 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 13 * mm)
            self.line(MARGIN, 12 * mm, PAGE_WIDTH - MARGIN, 12 * mm)
            self.restoreState()

    return NumberedCanvas


def build(out: Path | BinaryIO, title: str, story: list[Flowable]) -> None:
    """Lay ``story`` out on marked, numbered A4 pages into ``out`` (a path or a file).

    ``title`` is the document's kind ("Quality / dip sample case tool"), shown in the
    header and the PDF's properties: never a name or case text, which belong in the body.
    """
    ensure_fonts()
    target = str(out) if isinstance(out, Path) else out
    doc = SimpleDocTemplate(target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=title,
                            author="DipSample", creator="DipSample", subject=MARKING)
    doc.build(story, canvasmaker=_numbered_canvas(title))
