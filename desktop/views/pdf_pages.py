"""A report's pages inside the window, and printing them through the system's print dialog.

Why in memory: a case tool is OFFICIAL-SENSITIVE, and a copy in a temporary file is a
copy nobody deletes. The worker writes the PDF into a private temporary folder that
is removed before the bytes come back (:func:`pdf_bytes`), and Qt PDF reads the pages
from memory.

Why pages are rendered by :class:`QPdfPageRenderer` in its own thread while printing:
an A4 page at printer resolution takes a noticeable fraction of a second to render,
and a long report would freeze the window; the GUI thread only paints finished images
onto the printer, one page per turn of the event loop, with progress and Cancel.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from desktop.qt import (
    QObject,
    QPainter,
    QProgressDialog,
    QSize,
    QtCore,
    QtGui,
    QtPdf,
    QtPdfWidgets,
    QtPrintSupport,
    QVBoxLayout,
    QWidget,
    Signal,
    delete_now,
)
from desktop.services.context import ServiceContext
from desktop.views.plain import plain_label

#: The finest resolution a page is rendered at for printing (dots per inch).
PRINT_DPI = 300
POINTS_PER_INCH = 72


def owned_printer(owner: QWidget) -> QtPrintSupport.QPrinter:
    """An A4 printer deleted on the GUI thread when ``owner`` is.

    Why: a QPrinter has no Qt parent, so Python owns it, and Python's cycle collector
    may free it on whichever thread happens to run a collection; a QPrinter destroyed
    on the worker's thread crashed the process. Deleting it from ``owner``'s
    ``destroyed`` signal (the GUI thread) leaves the collector only a dead wrapper.
    """
    printer = QtPrintSupport.QPrinter(QtPrintSupport.QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4))
    printer.setDocName("DipSample report")
    held = [printer]  # the slot holds the printer, not the owner: no cycle

    def release(*_args: object) -> None:
        while held:
            delete_now(held.pop())

    owner.destroyed.connect(release)
    return printer


def pdf_bytes(ctx: ServiceContext, write: Callable[[ServiceContext, Path], object]) -> bytes:
    """The PDF that ``write(ctx, path)`` writes, as bytes; no file is left behind."""
    with tempfile.TemporaryDirectory(prefix="dipsample-page-") as folder:  # mode 0700
        path = Path(folder) / "report.pdf"
        write(ctx, path)
        return path.read_bytes()


def _readable(data: bytes, parent: QObject) -> QtCore.QBuffer:
    """``data`` as an open, read-only device a QPdfDocument can load (owned by
    ``parent``, which must outlive the document's use of it)."""
    buffer = QtCore.QBuffer(parent)
    buffer.setData(QtCore.QByteArray(data))
    buffer.open(QtCore.QIODevice.OpenModeFlag.ReadOnly)
    return buffer


class PdfPages(QWidget):
    """The pages of one PDF, scrolled through like a viewer's.

    Why one document object for the widget's life, loaded again for each report: the
    view renders pages in a thread of its own, and a document object deleted while
    that thread drew one of its pages crashed the process (seen under load). Loading
    and closing are serialised with rendering inside Qt PDF; only the object's
    lifetime was not. The view is made before the document, so that when the widget
    goes, the view (and its render thread) goes first.

    Signals:
        loaded(int): a document is on screen (its page count).

    Attributes:
        view: Qt PDF's page view; note: a sentence over it (what is shown or why not).
        data: the PDF bytes on show (None when none), for printing.
    """

    loaded = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: bytes | None = None
        self._buffer: QtCore.QBuffer | None = None
        self.note = plain_label("")
        self.note.setAccessibleName("About the pages")
        self.note.setWordWrap(True)
        self.view = QtPdfWidgets.QPdfView(self)
        self.view.setAccessibleName("The report's pages")
        self.view.setPageMode(QtPdfWidgets.QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QtPdfWidgets.QPdfView.ZoomMode.FitToWidth)
        self._document = QtPdf.QPdfDocument(self)
        self.view.setDocument(self._document)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)

    @property
    def document(self) -> QtPdf.QPdfDocument | None:
        """The document on show, None when no pages are shown."""
        ready = self.data is not None and \
            self._document.status() == QtPdf.QPdfDocument.Status.Ready
        return self._document if ready else None

    def page_count(self) -> int:
        return self._document.pageCount() if self.document is not None else 0

    def show_pdf(self, data: bytes, what: str) -> None:
        """Show the PDF ``data``; ``what`` names it in the note ("the weekly report")."""
        buffer = _readable(data, self)
        self._document.close()
        self._document.load(buffer)
        old, self._buffer = self._buffer, buffer
        if old is not None:
            old.deleteLater()  # the document has let go of it
        if self._document.status() != QtPdf.QPdfDocument.Status.Ready:
            self.data = None
            self.note.setText(f"The pages of {what} could not be shown.")
            return
        self.data = data
        count = self._document.pageCount()
        self.note.setText(f"{what[0].upper()}{what[1:]}: {count} page"
                          f"{'' if count == 1 else 's'}, as they will print.")
        self.loaded.emit(count)

    def clear(self, note: str) -> None:
        self.data = None
        self._document.close()
        self.note.setText(note)


class PrintJob(QObject):
    """Print every page of the PDF ``data`` on ``printer``, rendered off the GUI thread.

    Why a document of its own: the Pages tab may load another report while this one
    prints. Its renderer is made before its document, so that the renderer (whose
    destructor stops its thread) is deleted first.

    Signals:
        finished(bool): True when every page went to the printer, False when cancelled
            or the printer refused.
    """

    finished = Signal(bool)

    def __init__(self, data: bytes, printer: QtPrintSupport.QPrinter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._renderer = QtPdf.QPdfPageRenderer(self)
        self._renderer.setRenderMode(QtPdf.QPdfPageRenderer.RenderMode.MultiThreaded)
        self.document = QtPdf.QPdfDocument(self)
        self._buffer = _readable(data, self)
        self.document.load(self._buffer)
        self.printer = printer
        self.pages = self.document.pageCount()
        self.printed = 0
        self._painter: QPainter | None = None
        self._cancelled = False
        self._renderer.setDocument(self.document)
        self._renderer.pageRendered.connect(self._rendered)
        self.progress = QProgressDialog("Printing…", "Cancel", 0, max(self.pages, 1), parent)
        self.progress.setWindowTitle("Printing")
        self.progress.setMinimumDuration(100)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel)

    def start(self) -> None:
        painter = QPainter()
        if self.pages == 0 or not painter.begin(self.printer):
            self._end(False)
            return
        self._painter = painter
        self._request(0)

    def cancel(self) -> None:
        self._cancelled = True

    def _target(self) -> QtCore.QRect:
        return self.printer.pageLayout().paintRectPixels(self.printer.resolution())

    def _request(self, page: int) -> None:
        dpi = min(self.printer.resolution(), PRINT_DPI)
        points = self.document.pagePointSize(page)
        size = QSize(round(points.width() * dpi / POINTS_PER_INCH),
                     round(points.height() * dpi / POINTS_PER_INCH))
        self.progress.setLabelText(f"Printing page {page + 1} of {self.pages}…")
        self._renderer.requestPage(page, size)

    def _rendered(self, page: int, _size: QSize, image: QtGui.QImage, *_rest: object) -> None:
        painter = self._painter
        if painter is None:
            return
        if self._cancelled:
            self.printer.abort()
            self._end(False)
            return
        if page > 0 and not self.printer.newPage():
            self._end(False)
            return
        target = self._target()
        scaled = image.size().scaled(target.size(), QtCore.Qt.AspectRatioMode.KeepAspectRatio)
        painter.drawImage(QtCore.QRect(0, 0, scaled.width(), scaled.height()), image)
        self.printed = page + 1
        self.progress.setValue(self.printed)
        if self.printed < self.pages:
            self._request(self.printed)
        else:
            self._end(True)

    def _end(self, done: bool) -> None:
        if self._painter is not None:
            self._painter.end()
            self._painter = None
        done = done and not self._cancelled
        self.progress.canceled.disconnect(self.cancel)  # closing it says "canceled"
        self.progress.close()
        self.finished.emit(done)
