"""A week's 450 case tools, as 450 PDFs and as one PDF, against plain reportlab.

Ours is the whole batch as the Reports screen and ``dipsample report case-tool --week``
run it: read 450 audits (answers, actions, comments, disagreements, names) from the
encrypted store, lay each out as its own A4 PDF with the embedded fonts, the marking and
"Page n of N", and log one export per audit. The baseline writes the same number of
files, each with the same number of pages as ours made, filled with plain paragraphs in
the same embedded font: no database, no tables, no header or footer, no log. 450 is seed
000's weekly sample (18 auditors, 25 cases each); the demo county's busiest week is
topped up from the week before when it has fewer.

The second, ``case_tools_week_one_pdf``, is the week as one printable document, as
``report case-tool --week -o FILE.pdf`` and the Reports screen's Print write it: the same
reading, one PDF with a header, "Page n of N" and a bookmark per case, the tables, and
one export logged per audit. Its baseline is reportlab alone writing the same text (every
word the case tools print: each paragraph's, each table cell's, the headings and labels)
as plain paragraphs in the same embedded font into one PDF, a page break between cases:
no tables, bold, headers, page numbers, bookmarks, database or log.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Table

from benchmarks.core import Benchmark, Side, Sides
from benchmarks.stores import create_store
from desktop.paths import resource
from desktop.reports.case_tool import (
    BatchResult,
    WeekResult,
    story,
    write_bound,
    write_case_tools,
)
from desktop.services.context import ServiceContext
from desktop.services.demo_county import build_demo_county
from desktop.services.reporting.case_tool import CaseTool, case_tools, week_audit_ids
from desktop.services.sampling.weeks import shift_week, week_of

AS_OF = dt.date(2026, 11, 20)
NOON = dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)
WEEKLY = 450
PLAIN_FONT = "PlainDejaVuSans"
TEXT = ("The risk assessment was reviewed with the team manager and the plan was updated "
        "to reflect the child's views and the agencies involved. ") * 4


def pick_audits(ctx: ServiceContext, wanted: int) -> list[str]:
    """The busiest recent week's audits, topped up from the other weeks to ``wanted``."""
    weeks = [shift_week(week_of(AS_OF), -k) for k in range(8)]
    by_week = sorted((week_audit_ids(ctx, w) for w in weeks), key=len, reverse=True)
    chosen: list[str] = []
    for ids in by_week:
        chosen += [i for i in ids if i not in chosen][:wanted - len(chosen)]
    return chosen


def plain_font() -> str:
    """The body font's file registered as reportlab alone would (none of our caching)."""
    if PLAIN_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(PLAIN_FONT, str(resource("fonts", "DejaVuSans.ttf"))))
    return PLAIN_FONT


def plain_pdfs(folder: Path, pages: list[int]) -> int:
    """The baseline: one file per entry of ``pages``, that many pages of paragraphs, in
    the same embedded font file (the fonts are a requirement, item 7, not overhead)."""
    body = ParagraphStyle("plain", parent=getSampleStyleSheet()["BodyText"],
                          fontName=plain_font())
    for n, count in enumerate(pages):
        story = []
        for page in range(count):
            story += [Paragraph(TEXT, body) for _ in range(8)]
            if page < count - 1:
                story.append(PageBreak())
        SimpleDocTemplate(str(folder / f"plain_{n:04d}.pdf"), pagesize=A4).build(story)
    return len(pages)


def _page_counts(files: tuple[Path, ...]) -> list[int]:
    from pypdf import PdfReader

    return [len(PdfReader(f).pages) for f in files]


@contextmanager
def setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    store = create_store(workdir / "reports.db")
    try:
        ctx = ServiceContext(store=store, clock=lambda: NOON)
        build_demo_county(ctx, cases=1_500 if quick else 6_000, seed=1, as_of=AS_OF)
        ids = pick_audits(ctx, 60 if quick else WEEKLY)
        ours_dir, base_dir = workdir / "case_tools", workdir / "plain"

        def fresh(folder: Path) -> None:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()

        first = write_case_tools(ctx, ids, workdir / "probe")
        pages = _page_counts(first.files)

        def check(result: BatchResult) -> None:
            if len(result.files) != len(ids):
                raise AssertionError(f"{len(result.files)} case tools for {len(ids)} audits")

        yield Sides(
            ours=Side(prepare=lambda: fresh(ours_dir), check=check,
                      run=lambda: write_case_tools(ctx, ids, ours_dir)),
            baseline=Side(prepare=lambda: fresh(base_dir),
                          run=lambda: plain_pdfs(base_dir, pages)))
    finally:
        store.close()


_TAG = re.compile(r"<[^>]*>")


def printed_text(tool: CaseTool) -> list[str]:
    """The text a case tool prints, piece by piece (paragraphs, and each table's rows),
    as paragraph markup without its tags: escaped text, as the baseline needs it."""
    pieces: list[str] = []
    for flowable in story(tool):
        if isinstance(flowable, Paragraph):
            pieces.append(flowable.text)
        elif isinstance(flowable, Table):
            for row in flowable._cellvalues:
                pieces.append(" ".join(cell.text if isinstance(cell, Paragraph)
                                       else escape(str(cell)) for cell in row))
    return [text for text in (_TAG.sub(" ", piece).strip() for piece in pieces) if text]


def plain_week(out: Path, texts: list[list[str]]) -> int:
    """The baseline: each case tool's printed text as plain paragraphs in one PDF, a
    case a page on (the text is taken before the run: the tools' own layout is ours)."""
    body = ParagraphStyle("plain", parent=getSampleStyleSheet()["BodyText"],
                          fontName=plain_font())
    flowables: list[Flowable] = []
    for pieces in texts:
        if flowables:
            flowables.append(PageBreak())
        flowables += [Paragraph(text, body) for text in pieces]
    SimpleDocTemplate(str(out), pagesize=A4).build(flowables)
    return len(texts)


@contextmanager
def setup_one_pdf(workdir: Path, quick: bool) -> Iterator[Sides]:
    store = create_store(workdir / "reports.db")
    try:
        ctx = ServiceContext(store=store, clock=lambda: NOON)
        build_demo_county(ctx, cases=1_500 if quick else 6_000, seed=1, as_of=AS_OF)
        ids = pick_audits(ctx, 60 if quick else WEEKLY)
        texts = [printed_text(tool) for tool in case_tools(ctx, ids)]
        ours, base = workdir / "week.pdf", workdir / "plain.pdf"

        def check(result: WeekResult) -> None:
            if len(result.audit_ids) != len(ids) or not ours.exists():
                raise AssertionError(f"{len(result.audit_ids)} case tools for {len(ids)}")

        yield Sides(
            ours=Side(prepare=lambda: ours.unlink(missing_ok=True), check=check,
                      run=lambda: write_bound(ctx, ids, ours)),
            baseline=Side(prepare=lambda: base.unlink(missing_ok=True),
                          run=lambda: plain_week(base, texts)))
    finally:
        store.close()


BENCHMARKS = [
    Benchmark(name="case_tools_week_450", target=2.0, setup=setup,
              description="a week's 450 case-tool PDFs vs reportlab writing the same pages "
                          "plainly"),
    Benchmark(name="case_tools_week_one_pdf", target=2.0, setup=setup_one_pdf,
              description="a week's case tools (450 audits) as one PDF vs plain reportlab "
                          "paragraphs of the same text"),
]
