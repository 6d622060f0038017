"""Saving a report where the person chooses, on the worker, then offering to open it.

Why one module: the Audits screen, My week and the Reports screen all do the same
four steps (ask where, write on the worker with progress and Cancel, say what was
written, offer "Open"), and each step has a trap best solved once:

* the file dialog is opened with ``open()``, not ``exec()``, so the window keeps
  painting and tests can drive it; it is Qt's own dialog only on the offscreen
  platform (tests), the system's everywhere else (people expect their own);
* every file is handed out by the report's own writer through :mod:`desktop.files`:
  written beside its final name (readable by the person only), its export logged, and
  only then renamed into place, so a failed or cancelled report never leaves half a
  file, never replaces a good file with one, and nothing appears unlogged;
* opening the file goes through the desktop (the system's PDF viewer or spreadsheet
  program), where a person keeps working with a saved file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from desktop.qt import (
    QFileDialog,
    QGuiApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSettings,
    QSizePolicy,
    QtCore,
    QtGui,
    QWidget,
    Signal,
)
from desktop.services.context import ServiceContext
from desktop.views.screen import Host
from desktop.views.worker import show_error

R = TypeVar("R")
#: QSettings key of the folder a report was last saved in.
LAST_FOLDER = "reports/last_folder"
PDF_FILTER = "PDF documents (*.pdf)"
XLSX_FILTER = "Excel workbooks (*.xlsx)"
CSV_FILTER = "CSV files (*.csv)"


def case_tool_name(case_ref: str, audit_id: str) -> str:
    """The name the batch gives the same case tool (``case-tool_<ref>_<short id>.pdf``):
    a case reference may hold a slash, which no file name may."""
    ref = "-".join(part for part in re.split(r"[^A-Za-z0-9_.-]+", case_ref) if part)
    return f"case-tool_{ref or 'case'}_{audit_id[:8]}.pdf"


def last_folder() -> Path:
    """Where the dialog starts: the last folder used, else the person's documents."""
    remembered = QSettings().value(LAST_FOLDER)
    if isinstance(remembered, str) and Path(remembered).is_dir():
        return Path(remembered)
    documents = QtCore.QStandardPaths.writableLocation(
        QtCore.QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def remember_folder(folder: Path) -> None:
    QSettings().setValue(LAST_FOLDER, str(folder))


def file_dialog(parent: QWidget, caption: str, *, name: str = "", name_filter: str = "",
                folder: bool = False) -> QFileDialog:
    """A save-file (or choose-folder) dialog, not yet open.

    Why Qt's own dialog offscreen only: a native dialog is a separate process that a
    test cannot type into, while a person gets the dialog their desktop gives.
    """
    dialog = QFileDialog(parent, caption, str(last_folder()))
    if QGuiApplication.platformName() == "offscreen":
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    if folder:
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    else:
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        if name_filter:
            dialog.setNameFilter(name_filter)
            suffix = name_filter.rsplit("*.", 1)[-1].rstrip(")")
            dialog.setDefaultSuffix(suffix)
        if name:
            dialog.selectFile(name)
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog


def open_in_viewer(path: Path) -> bool:
    """Open a file or folder in the program the desktop uses for it."""
    return QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(path)))


class SavedLine(QWidget):
    """"Saved <file>" and an Open button that shows it in the system's viewer.

    Attributes:
        label: what the last save did (or why nothing was saved).
        open_button: opens ``path``; hidden when there is nothing to open.
        path: the file or folder last written.
        opener: how a file is opened (the desktop's viewer).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.opener: Callable[[Path], object] = open_in_viewer
        self.label = QLabel("")
        self.label.setAccessibleName("Report saved")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName("Open the saved report in its program")
        self.open_button.clicked.connect(self.open_saved)
        self.open_button.setVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.open_button)

    def said(self, text: str, path: Path | None = None) -> None:
        self.path = path
        self.label.setText(text)
        self.open_button.setVisible(path is not None)

    def open_saved(self) -> None:
        if self.path is not None:
            self.opener(self.path)


class ReportSaver(QWidget):
    """Ask where, write on the worker, then say so in a :class:`SavedLine`.

    It is the SavedLine's own widget: a screen places ``saver`` where the message goes.

    Signals:
        saved(object): the Path written (a file, or the folder of a batch).
        gave_up(): the person cancelled the dialog or the writing.

    Attributes:
        dialog: the file dialog while it is open (tests accept it).
        line: the message and its Open button.
        busy: a report is being written (a second click waits for it).
    """

    saved = Signal(object)
    gave_up = Signal()

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.dialog: QFileDialog | None = None
        self.busy = False
        self.line = SavedLine(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line)
        # One line high: it must never take height from the screen's lists.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def _ask(self, dialog: QFileDialog, chosen: Callable[[Path], None]) -> None:
        if self.dialog is not None or self.busy:
            return
        self.dialog = dialog
        dialog.fileSelected.connect(lambda name: chosen(Path(name)))
        dialog.rejected.connect(self.gave_up.emit)
        dialog.finished.connect(lambda _code: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: QFileDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def save_file(self, caption: str, name: str, name_filter: str, label: str,
                  write: Callable[[ServiceContext, Path], R],
                  said: Callable[[R, Path], str] | None = None,
                  then: Callable[[Path], None] | None = None) -> None:
        """Ask for a file, then ``write(ctx, path)`` on the worker.

        ``write`` is a report's writer (desktop/reports), which hands the file out
        through :func:`desktop.files.hand_out`: all or nothing, logged before the file
        takes its name. Writing to a second temporary here would rename a file already
        logged and whole, so the path chosen is given as it is.
        """
        def chosen(path: Path) -> None:
            remember_folder(path.parent)
            self._run(label, lambda ctx: write(ctx, path),
                      lambda result: (said(result, path) if said else f"Saved {path.name} "
                                      f"in {path.parent}.", path), then)

        self._ask(file_dialog(self, caption, name=name, name_filter=name_filter), chosen)

    def save_folder(self, caption: str, label: str,
                    write: Callable[[ServiceContext, Path], R],
                    said: Callable[[R, Path], str]) -> None:
        """Ask for a folder, then ``write(ctx, folder)`` on the worker.

        The writer itself removes what it wrote when cancelled (a batch's files).
        """
        def chosen(folder: Path) -> None:
            remember_folder(folder)
            self._run(label, lambda ctx: write(ctx, folder),
                      lambda result: (said(result, folder), folder), None)

        self._ask(file_dialog(self, caption, folder=True), chosen)

    def _run(self, label: str, fn: Callable[[ServiceContext], R],
             told: Callable[[R], tuple[str, Path]],
             then: Callable[[Path], None] | None) -> None:
        self.busy = True

        def succeeded(result: R) -> None:
            self.busy = False
            text, path = told(result)
            self.line.said(text, path)
            self.saved.emit(path)
            if then is not None:
                then(path)

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.line.said("Nothing was saved.")
            show_error(self, exc, self.host.db_path)
            self.gave_up.emit()

        def cancelled() -> None:
            self.busy = False
            self.line.said("Cancelled: nothing was saved.")
            self.gave_up.emit()

        self.host.call(label, fn).success(succeeded).failure(failed).cancelled(cancelled).run()
