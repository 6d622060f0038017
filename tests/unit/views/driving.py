"""Driving the main window as a person would: open it, wait for rows, find message boxes.

Shared by the window tests; pytest does not collect it (no ``test_`` prefix).
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.qt import QApplication, QMessageBox
from desktop.services.case_list import CaseRow
from desktop.views.case_table import OBJECT_ROLE
from desktop.views.passphrase import PassphraseDialog
from desktop.views.window import MainWindow


def open_window(qtbot: QtBot, path: Path) -> MainWindow:
    window = MainWindow(path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.cases_loaded, timeout=20_000):
        window.open_database()
    return window


def all_rows(qtbot: QtBot, window: MainWindow) -> list[CaseRow]:
    """Every row of the list, waiting for the pages the model fetches on the worker."""
    model = window.model
    qtbot.waitUntil(lambda: all(model.row_at(i) is not None for i in range(model.rowCount())),
                    timeout=20_000)
    return [model.index(i, 0).data(OBJECT_ROLE) for i in range(model.rowCount())]


def passphrase_dialog(qtbot: QtBot, window: MainWindow) -> PassphraseDialog:
    """The passphrase dialog, once the worker has found that one is needed."""
    qtbot.waitUntil(lambda: window.passphrase_dialog is not None, timeout=20_000)
    dialog = window.passphrase_dialog
    assert isinstance(dialog, PassphraseDialog)
    return dialog


def message_boxes() -> list[QMessageBox]:
    """The message boxes on screen now."""
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


def message_box(qtbot: QtBot, timeout: int = 20_000) -> QMessageBox:
    """The first message box to appear."""
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=timeout)
    return message_boxes()[0]


def activate(qtbot: QtBot, window: MainWindow) -> None:
    """Make ``window`` the active window, so that its keyboard shortcuts work."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10_000)
