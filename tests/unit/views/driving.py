"""Driving the main window as a person would: open it, wait for rows, find message boxes.

Shared by the window tests; pytest does not collect it (no ``test_`` prefix).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from pytestqt.qtbot import QtBot

from desktop.qt import QApplication, QMessageBox
from desktop.services.case_list import CaseRow
from desktop.services.context import ServiceContext
from desktop.services.users import Person, people
from desktop.views.case_table import OBJECT_ROLE
from desktop.views.passphrase import PassphraseDialog
from desktop.views.screen import Screen
from desktop.views.window import MainWindow


def open_window(qtbot: QtBot, path: Path) -> MainWindow:
    window = MainWindow(path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        window.open_database()
    return window


def all_rows(qtbot: QtBot, window: MainWindow) -> list[CaseRow]:
    """Every row of the list, waiting for the pages the model fetches on the worker."""
    model = window.cases.model
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


def settle(qtbot: QtBot, window: MainWindow, timeout: int = 20_000) -> None:
    """Until the window's worker has nothing running or queued and every answer it sent
    back has been delivered (an answer may queue the next read: then until that too).

    Why not a fixed wait: the worker marks a task done and queues its answer to the GUI
    thread in one step (TaskManager's gate), so "not busy" and the events processed
    here are the whole of what is in flight; a wait of 50 ms was only a guess of it.
    """
    def idle() -> bool:
        if window.tasks.busy:
            return False
        QApplication.processEvents()  # the answers: they may start more work
        return not window.tasks.busy

    qtbot.waitUntil(idle, timeout=timeout)


def activate(qtbot: QtBot, window: MainWindow) -> None:
    """Make ``window`` the active window, so that its keyboard shortcuts work."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10_000)


def open_as(qtbot: QtBot, path: Path, role: str = "auditor",
            screens: Sequence[type[Screen]] = (),
            pick: Callable[[list[Person]], Person] | None = None) -> MainWindow:
    """The window on ``path`` with only ``screens``, signed in as someone with ``role``.

    Why without the sign-in dialog: the dialog has its own tests (test_signin.py); a
    screen's test starts where a person starts after signing in. No screen is shown
    yet: the test shows the one it drives with ``window.show_screen(key)``.
    """
    window = MainWindow(path, screens=list(screens))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.store_opened, timeout=20_000):
        window.open_database()
    store = window.store
    assert store is not None
    everyone = people(ServiceContext(store=store))
    person = (pick(everyone) if pick is not None
              else next(p for p in everyone if role in p.roles))
    window.act_as(person)
    return window


S = TypeVar("S", bound=Screen)


def open_screen_as(qtbot: QtBot, path: Path, screen_type: type[S], ready: str,
                   now: dt.datetime, role: str = "qa") -> tuple[MainWindow, S]:
    """The window signed in as someone with ``role``, its clock at ``now``, showing the
    one screen ``screen_type`` once its signal ``ready`` (its first read) has come."""
    window = open_as(qtbot, path, role=role, screens=(screen_type,))
    window.clock = lambda: now
    screen = window.screens[screen_type.key]
    assert isinstance(screen, screen_type)
    with qtbot.waitSignal(getattr(screen, ready), timeout=20_000):
        window.show_screen(screen.key)
    activate(qtbot, window)
    return window, screen
