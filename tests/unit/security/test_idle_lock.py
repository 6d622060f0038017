"""The idle lock with a fake clock: quiet for the configured time, the window hides its
screens and asks for the password; the draft typed just before is saved underneath."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QApplication, QDialogButtonBox, Qt
from desktop.services.auth.signin import set_password
from desktop.services.context import ServiceContext
from desktop.store import open_store
from desktop.views.idle_lock import IdleLock, LockDialog, idle_minutes, install_idle_lock
from tests.unit.views.test_audit_form import WAIT, Draft, open_form, tab_to

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

PASSWORD = "correct horse battery"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _with_password(path: Path) -> Draft:
    draft = Draft(path)
    store = open_store(path, prompt=None)
    try:
        set_password(ServiceContext(store=store), draft.auditor.id, PASSWORD)
    finally:
        store.close()
    return draft


def checked(qtbot: QtBot, lock: IdleLock) -> None:
    """Until the lock has looked at the clock again: its check is the timer's first
    slot, so it has run when this wait's own slot sees the timeout."""
    with qtbot.waitSignal(lock.timer.timeout, timeout=WAIT):
        pass


def _unlock_with(qtbot: QtBot, dialog: LockDialog, password: str) -> None:
    dialog.password.setText(password)
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    unlock = next(b for b in buttons.buttons() if b.text() == "&Unlock")
    qtbot.mouseClick(unlock, Qt.MouseButton.LeftButton)


def test_quiet_for_ten_minutes_locks_and_the_draft_is_saved(qtbot: QtBot,
                                                          county_path: Path) -> None:
    draft = _with_password(county_path)
    window, screen = open_form(qtbot, county_path, draft)
    clock = FakeClock()
    lock = install_idle_lock(window, minutes=10, clock=clock, check_ms=20)
    overview = tab_to(qtbot, "Overview of findings")
    qtbot.keyClicks(overview, "Typed just before the lock")
    clock.now += 9 * 60 + 59  # a second short: nothing happens
    checked(qtbot, lock)
    assert not lock.locked
    qtbot.keyClick(overview, Qt.Key.Key_Period)  # input starts the quiet time again
    clock.now += 9 * 60 + 59
    checked(qtbot, lock)
    assert not lock.locked
    clock.now += 2
    qtbot.waitUntil(lambda: lock.locked, timeout=WAIT)
    central = window.centralWidget()
    assert central is not None and not central.isVisible()
    autosaver = screen.form.autosaver
    assert autosaver is not None and autosaver.pending.empty  # handed to the worker
    store = window.store
    assert store is not None
    qtbot.waitUntil(lambda: draft.read(store).view.overview
                    == "Typed just before the lock.", timeout=WAIT)
    dialog = lock.dialog
    assert dialog is not None and dialog.isVisible() and dialog.password.isVisible()
    # Input while locked does not count as activity, and a wrong password is refused.
    _unlock_with(qtbot, dialog, "not the password")
    qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=WAIT)
    assert "wrong" in dialog.problem.text() and lock.locked
    _unlock_with(qtbot, dialog, PASSWORD)
    qtbot.waitUntil(lambda: not lock.locked, timeout=WAIT)
    assert central.isVisible() and window.isVisible()
    assert QApplication.activeModalWidget() is None


def test_the_idle_time_is_configurable(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DIPSAMPLE_IDLE_MINUTES", "3")
    assert idle_minutes() == 3
    monkeypatch.setenv("DIPSAMPLE_IDLE_MINUTES", "soon")
    assert idle_minutes() == 10
