"""Pages drawn from memory, printed page by page off the GUI thread, and cancelled."""

from __future__ import annotations

import os
from pathlib import Path

from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from desktop.qt import QPushButton, QtPrintSupport, QWidget
from desktop.services.context import ServiceContext
from desktop.store import Store
from desktop.views.pdf_pages import PdfPages, PrintJob, owned_printer, pdf_bytes

WAIT = 20_000


def five_pages(path: Path) -> None:
    canvas = Canvas(str(path), pagesize=A4)
    for number in range(1, 6):
        canvas.drawString(72, 720, f"Synthetic page {number}")
        canvas.showPage()
    canvas.save()


def test_pdf_bytes_leave_no_file_behind(store: Store, tmp_path: Path) -> None:
    written: list[Path] = []

    def write(_ctx: ServiceContext, path: Path) -> None:
        written.append(path)
        five_pages(path)
        assert oct(os.stat(path.parent).st_mode & 0o777) == "0o700"  # private folder

    data = pdf_bytes(ServiceContext(store=store), write)
    assert data.startswith(b"%PDF")
    assert not written[0].exists() and not written[0].parent.exists()


def shown(qtbot: QtBot, tmp_path: Path) -> PdfPages:
    source = tmp_path / "source.pdf"
    five_pages(source)
    pages = PdfPages()
    qtbot.addWidget(pages)
    with qtbot.waitSignal(pages.loaded, timeout=WAIT) as loaded:
        pages.show_pdf(source.read_bytes(), "the test report")
    assert loaded.args == [5]
    assert pages.note.text() == "The test report: 5 pages, as they will print."
    return pages


def to_file(path: Path, owner: QWidget) -> QtPrintSupport.QPrinter:
    printer = owned_printer(owner)  # deleted with its owner, on this thread
    printer.setOutputFormat(QtPrintSupport.QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(150)  # keeps the test's images small
    return printer


def test_every_page_is_printed(qtbot: QtBot, tmp_path: Path) -> None:
    pages = shown(qtbot, tmp_path)
    assert pages.data is not None
    out = tmp_path / "printed.pdf"
    parent = QWidget()
    qtbot.addWidget(parent)
    job = PrintJob(pages.data, to_file(out, parent), parent)
    pages.clear("Another report chosen while this one prints.")  # the job has its own
    with qtbot.waitSignal(job.finished, timeout=WAIT) as finished:
        job.start()
    assert finished.args == [True] and job.printed == 5
    printed = PdfReader(out).pages
    assert len(printed) == 5 and all(len(page.images) == 1 for page in printed)


def test_cancel_stops_between_pages(qtbot: QtBot, tmp_path: Path) -> None:
    pages = shown(qtbot, tmp_path)
    assert pages.data is not None
    parent = QWidget()
    qtbot.addWidget(parent)
    job = PrintJob(pages.data, to_file(tmp_path / "cancelled.pdf", parent), parent)
    (cancel,) = job.progress.findChildren(QPushButton)
    with qtbot.waitSignal(job.finished, timeout=WAIT) as finished:
        job.start()
        cancel.click()  # the person presses Cancel while page 1 renders
    assert finished.args == [False]
    assert job.printed < 5


def test_a_printer_is_deleted_with_its_owner(qtbot: QtBot) -> None:
    import shiboken6

    owner = QWidget()
    printer = owned_printer(owner)
    assert shiboken6.isValid(printer)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(printer), timeout=WAIT)


def test_no_pages_says_why(qtbot: QtBot) -> None:
    pages = PdfPages()
    qtbot.addWidget(pages)
    pages.show_pdf(b"not a PDF at all", "the broken report")
    assert pages.note.text() == "The pages of the broken report could not be shown."
    pages.clear("Nothing chosen.")
    assert pages.document is None and pages.page_count() == 0 and pages.data is None
