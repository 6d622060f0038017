"""The window in benchmarks: one application, and waits that end by their deadline.

Why a timer that ends the wait: a wait used to run the event loop until its condition
held and look at its deadline only when the loop returned, which it did only once the
condition held. A window that never opened (its store under the benchmarks'
passphrase, ``DIPSAMPLE_PASSPHRASE`` holding another, so a "wrong key" message nobody
answered) hung the runner for ever. Here the timer that polls the condition also
watches the deadline: past it, it closes every dialog still showing (a dialog run by
its own nested loop would keep the wait's loop from returning) and quits the loop, and
the wait raises :class:`WaitExpired`, which the runner prints as one line.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

#: How long a benchmark waits for the window (opening a 100,000-case store takes
#: seconds; a minute more means it will not happen).
WAIT_S = 120.0


class WaitExpired(AssertionError):
    """The window did not reach what a benchmark waited for within the deadline."""


def application() -> Any:
    """The one QApplication, offscreen unless a display is asked for, with its
    settings under ``DIPSAMPLE_HOME`` (the runner gives each benchmark its own)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.qt import QApplication
    from desktop.views.app import use_settings_folder

    app = QApplication.instance() or QApplication(["dipsample-benchmark"])
    use_settings_folder()
    return app


def dismiss_dialogs() -> int:
    """Reject every dialog showing (nobody will answer it); how many there were."""
    from desktop.qt import QApplication, QDialog

    shown = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QDialog) and w.isVisible()]
    for dialog in shown:
        dialog.reject()
    return len(shown)


def wait_until(done: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    """Run the event loop until ``done()``; raise :class:`WaitExpired` after ``timeout_s``.

    Why an event loop and not a busy ``processEvents`` loop: spinning would hold the
    GIL almost all the time and slow the worker thread whose work is being timed. The
    condition is checked every millisecond by a timer, which fires inside any nested
    loop too (a modal dialog's), so the deadline is met wherever the loop stands.
    """
    from desktop.qt import QtCore

    if done():
        return
    deadline = time.monotonic() + timeout_s
    loop = QtCore.QEventLoop()

    def check() -> None:
        if done():
            loop.quit()
        elif time.monotonic() >= deadline:
            dismiss_dialogs()
            loop.quit()

    poll = QtCore.QTimer()
    poll.setInterval(1)
    poll.timeout.connect(check)
    poll.start()
    try:
        loop.exec()
    finally:
        poll.stop()
    if not done():
        raise WaitExpired(f"{what} did not happen within {timeout_s:g} s")
