"""The page every report is printed on: A4, the protective marking, page numbers.

Why "Page n of N" through a canvas that holds its pages until the end: the total is
known only after the last page is laid out; keeping each page's drawing state and
stamping the numbers at save costs one pass, where building the document twice would
cost two. The marking "OFFICIAL-SENSITIVE" is the Government Security Classification
for personal data of this kind; it is printed at the top and bottom of every page, as
the classification policy asks.

A document may be a bound set of parts (a week's case tools in one PDF): a
:class:`PartStart` at the head of each part gives its pages their own header (the case
reference, so a loose page is matched to its child), their own "Page n of N", a DRAFT
marking when the part is a draft, and an entry in the PDF's outline (a bookmark).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    ActionFlowable,
    Flowable,
    SimpleDocTemplate,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as ReportlabParagraph

from desktop import __version__
from desktop.reports.fonts import BODY, BOLD, Coverage, ensure_fonts
from desktop.reports.paragraphs import Paragraph
from desktop.reports.text import RTL as _RTL
from desktop.reports.text import bidi_after_wrapping, markup

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
        # Headings keep with what follows (see :class:`KeepWithNext`).
        self.heading = ParagraphStyle("heading", parent=self.body, fontName=BOLD,
                                      fontSize=11.5, leading=15, spaceBefore=9,
                                      spaceAfter=4, keepWithNext=1)
        self.question = ParagraphStyle("question", parent=self.body, fontName=BOLD,
                                       spaceBefore=4, spaceAfter=1, keepWithNext=1)
        self.answer = ParagraphStyle("answer", parent=self.body, leftIndent=8)
        self.marking = ParagraphStyle("marking", parent=self.body, fontName=BOLD,
                                      alignment=TA_CENTER)


_styles: Styles | None = None
#: The fonts' coverage once known (asked per table cell: no lock each time).
_coverage: Coverage | None = None


def styles() -> Styles:
    global _styles, _coverage
    if _styles is None:
        _styles = Styles()
        _coverage = ensure_fonts()
    return _styles


def heading(text: str, *, question: bool = False) -> list[Flowable]:
    """A heading (fixed words, or user text through :func:`markup`) that never ends a
    page alone: :func:`build` keeps it with the flowable after it."""
    s = styles()
    return [Paragraph(text, s.question if question else s.heading)]


class KeepWithNext(Flowable):
    """A heading and what follows it, placed together: never the heading alone at a
    page's foot.

    Why not reportlab's own ``keepWithNext``: it moves the heading and the whole of what
    follows to the next page, leaving most of a page blank before a long answer, and it
    deep-copies them (a tenth of a case tool's time). This asks only that the heading
    and the *first piece* of what follows (two lines of a paragraph, a table's header
    and first row) fit; the rest flows on as usual.
    """

    def __init__(self, first: Flowable, then: Flowable) -> None:
        super().__init__()
        self.first, self.then = first, then
        first.keepWithNext = 0  # placed by this, not again by the document
        self._gap = max(first.getSpaceAfter(), then.getSpaceBefore())
        self._sizes = (0.0, 0.0, 0.0, 0.0, 0.0)
        #: The height offered when the two last could not be kept together.
        self._failed_at: float | None = None

    def getSpaceBefore(self) -> float:
        return float(self.first.getSpaceBefore())

    def getSpaceAfter(self) -> float:
        return float(self.then.getSpaceAfter())

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        w1, h1 = self.first.wrapOn(self.canv, availWidth, availHeight)
        w2, h2 = self.then.wrapOn(self.canv, availWidth, max(availHeight - h1 - self._gap, 0))
        self._sizes = (availWidth, w1, h1, w2, h2)
        self.width, self.height = max(w1, w2), h1 + self._gap + h2
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        _w1, h1 = self.first.wrapOn(self.canv, availWidth, availHeight)
        room = availHeight - h1 - self._gap
        pieces = self.then.splitOn(self.canv, availWidth, room) if room > 0 else []
        if pieces:
            return [self.first, *pieces]
        if self._failed_at is not None and availHeight >= self._failed_at - 1e-6:
            return [self.first, self.then]  # no page holds them together: as they come
        self._failed_at = availHeight
        return []  # together on the next page

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        width, w1, _h1, w2, h2 = self._sizes
        self.first.drawOn(canvas, x, y + h2 + self._gap, _sW=width - w1)
        self.then.drawOn(canvas, x, y, _sW=width - w2)


def keep_headings(story: Sequence[Flowable]) -> list[Flowable]:
    """``story`` with each keep-with-next flowable (a heading) joined to the one after it;
    a heading before another heading joins both to what follows them."""
    out: list[Flowable] = []
    for flowable in reversed(story):
        follows = out[-1] if out else None
        if (follows is not None and flowable.getKeepWithNext()
                and not isinstance(follows, (ActionFlowable, PartStart))):
            out[-1] = KeepWithNext(flowable, follows)
        else:
            out.append(flowable)
    out.reverse()
    return out


class PartStart(Flowable):
    """Where one part of a bound document begins (one case tool of a week's PDF).

    Zero-sized; drawn first on the part's first page (put a page break before it). Its
    pages carry ``header`` at the top right, are numbered "Page n of N" within the part,
    say DRAFT at the top and across the page when ``draft``, and the PDF's outline gets
    ``bookmark`` pointing at the first page.
    """

    def __init__(self, header: str, *, draft: bool = False, bookmark: str = "") -> None:
        super().__init__()
        self.header, self.draft, self.bookmark = header, draft, bookmark
        #: Called when the part begins on its page (a batch's progress and Cancel).
        self.on_draw: Callable[[], None] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        begin = getattr(self.canv, "begin_part", None)
        if begin is not None:
            begin(self)
        if self.on_draw is not None:
            self.on_draw()


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
    """A ruled table whose rows may split across pages (a long cell never overflows),
    and whose words are never broken (see :func:`fit_words`)."""
    fitted = [[_fitted(value, widths[c], bold=r < header_rows or c in label_columns)
               for c, value in enumerate(row)] for r, row in enumerate(rows)]
    made = Table(fitted, colWidths=list(widths), repeatRows=header_rows, splitInRow=1)
    made.setStyle(grid_style(header_rows, label_columns))
    return made


#: A table cell's left and right padding together (see :func:`grid_style`).
CELL_PADDING = 8
#: The smallest size a cell's text is set in to keep its longest word whole.
SMALLEST = 6.0


def _fitted(value: Any, width: float, *, bold: bool) -> Any:
    """A cell's value that fits its column: a string wider than the column, or with a
    character the font lacks (an emoji) or right-to-left text, becomes a paragraph of
    :func:`markup` (wrapping, each character in a font that has it); a paragraph whose
    longest word is wider than the column is set smaller."""
    if isinstance(value, str):
        font = BOLD if bold else BODY
        coverage = _coverage or ensure_fonts()
        drawable = coverage.bold if bold else coverage.body
        if (not _RTL.search(value) and all(ord(c) in drawable for c in value)
                and stringWidth(value, font, 8.5) <= width - CELL_PADDING):
            return value  # drawn as it is: one line, every character in the font
        s = styles()
        value = Paragraph(markup(value), s.cell_bold if bold else s.small)
    if isinstance(value, ReportlabParagraph):  # ours, or one a caller made
        fit_words(value, width - CELL_PADDING)
    return value


def fit_words(paragraph: Paragraph, width: float) -> None:
    """Set ``paragraph`` smaller when one of its words is wider than ``width``, so a
    narrow column wraps between words ("RAG disagreed") and never inside one ("RAG
    disa/greed"), down to :data:`SMALLEST`; only a word too long even then (a pasted
    link) is still split, rather than overflowing the cell."""
    widest = 0.0
    for frag in getattr(paragraph, "frags", ()) or ():
        text = getattr(frag, "text", None)
        if not isinstance(text, str):
            continue
        size = float(frag.fontSize)
        for word in text.split():
            if len(word) * size * 1.3 > width:  # no glyph is wider than 1.3 em
                widest = max(widest, stringWidth(word, frag.fontName, size) / size)
    if not widest:
        return
    size = float(paragraph.style.fontSize)
    fits = width / widest
    if fits >= size:
        return
    smaller = max(fits, SMALLEST)
    scale = smaller / size
    for frag in paragraph.frags:
        if hasattr(frag, "fontSize"):
            frag.fontSize = frag.fontSize * scale
    paragraph.style = ParagraphStyle(f"{paragraph.style.name}_fitted", parent=paragraph.style,
                                     fontSize=smaller,
                                     leading=paragraph.style.leading * scale)


def cell(text: str, width: float, style: ParagraphStyle) -> str | Paragraph:
    """``text`` for a table cell ``width`` wide: a plain string when it fits on one line
    in the body font (a string cell is drawn directly, much cheaper than a paragraph,
    which matters in a 450-document batch); otherwise an escaped, wrapping paragraph."""
    coverage = ensure_fonts()
    if (not _RTL.search(text) and all(ord(c) in coverage.body for c in text)
            and stringWidth(text, BODY, style.fontSize) <= width - CELL_PADDING):
        return text
    return Paragraph(markup(text), style)


#: A draft's marking, beside the header and across each page.
DRAFT = "DRAFT"
DRAFT_GREY = colors.Color(0.55, 0.55, 0.55)


def _numbered_canvas(title: str) -> type[Canvas]:
    class NumberedCanvas(Canvas):
        """Holds every page until the end, then stamps the furniture on each.

        The part a page belongs to (:class:`PartStart`) and the bookmarks begun on it
        are kept with the page's state: the outline is written at save, when each page
        is really emitted, because reportlab points a bookmark at the page it is
        emitting (here, until save, always the first).
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._part: PartStart | None = None
            self._marks: list[PartStart] = []

        def begin_part(self, part: PartStart) -> None:
            self._part = part
            if part.bookmark:
                self._marks = [*self._marks, part]

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._marks = []
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            within: list[tuple[int, int]] = []  # (number in its part, pages of the part)
            start = 0
            for index in range(total + 1):
                if index == total or (index and self._pages[index]["_part"]
                                      is not self._pages[index - 1]["_part"]):
                    within += [(n + 1, index - start) for n in range(index - start)]
                    start = index
            parts = len({id(state["_part"]) for state in self._pages})
            for index, state in enumerate(self._pages):
                self.__dict__.update(state)
                for number, part in enumerate(state["_marks"]):
                    key = f"part{index}_{number}"
                    self.bookmarkPage(key)
                    self.addOutlineEntry(part.bookmark, key, level=0)
                self._furniture(*within[index], index + 1, total if parts > 1 else 0)
                super().showPage()
            if any(state["_marks"] for state in self._pages):
                self.showOutline()
            super().save()

        def _furniture(self, number: int, of: int, sheet: int, sheets: int) -> None:
            """The marking, the header and the foot of one page.

            ``number`` of ``of`` counts within the page's part (the whole document when
            it has no parts); ``sheets`` is the whole document's count when it is a bound
            set of parts (0 otherwise), so a printed week can be put back in order.
            """
            part = self._part
            self.saveState()
            if part is not None and part.draft:
                self.setFillColor(DRAFT_GREY)
                self.setFillAlpha(0.18)
                self.setFont(BOLD, 110)
                self.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
                self.rotate(50)
                self.drawCentredString(0, -40, DRAFT)
                self.restoreState()
                self.saveState()
            self.setFillColor(colors.black)
            self.setFont(BOLD, 9)
            self.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 11 * mm, MARKING)
            self.drawCentredString(PAGE_WIDTH / 2, 8 * mm, MARKING)
            if part is not None:
                words = f"{DRAFT}  {part.header}" if part.draft else part.header
                self.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 11 * mm, words[:60])
            self.setFont(BODY, 8)
            self.drawString(MARGIN, PAGE_HEIGHT - 11 * mm, title[:70])
            # The version that printed it: a figure queried later is traced to its build.
            foot = f"DipSample {__version__}"
            if sheets:
                foot += f"  ·  sheet {sheet} of {sheets}"
            self.drawString(MARGIN, 8 * mm, foot)
            self.drawRightString(PAGE_WIDTH - MARGIN, 8 * mm, f"Page {number} of {of}")
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
    Headings are kept with what follows them (:func:`keep_headings`).
    """
    ensure_fonts()
    bidi_after_wrapping()
    story = keep_headings(story)
    target = str(out) if isinstance(out, Path) else out
    doc = SimpleDocTemplate(target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=title,
                            author="DipSample", creator="DipSample", subject=MARKING)
    doc.build(story, canvasmaker=_numbered_canvas(title))
