"""A window's start, run in a child process: ``python -m benchmarks.launch WHAT DB``.

Why a child process: what a person waits for at launch is mostly the interpreter and
its imports, which only a fresh process pays. The benchmark (``bench_launch``) times
from starting the child until it prints a line.

Why this script and not ``dipsample`` itself: nothing outside the process sees a dialog
on Qt's offscreen platform, and the first screen needs somebody to sign in. So the
child starts the window exactly as the ``dipsample`` command does (its ``main`` with
``--db``) with one addition: a 1 ms timer that watches the window, says what it sees
on stdout, and signs in as the person the list selects (on the demo county nobody has
a password). ``WHAT`` is one of:

- ``signin``: prints ``signin`` once the sign-in list shows people, then quits.
- ``first-screen``: signs in, prints ``first-screen KEY`` once the screen the person
  lands on shows its data (for the Cases screen: its first screenful of cases; for
  another: its reads are done), then quits.
- ``quit``: as ``first-screen``, then prints ``quitting`` and presses Ctrl+Q (the
  window's Quit action); the benchmark times the process's exit from that line.
- ``baseline``: no window: imports Qt's widgets, opens the store, prints ``ready``.
  The unavoidable part of a start, for the ratio.

Errors are one line, ``error WHY``, and exit 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

WHATS = ("signin", "first-screen", "quit", "baseline")


def _say(line: str) -> None:
    print(line, flush=True)


def baseline(db: Path) -> int:
    """``import PySide6.QtWidgets`` and open the store, as the window must before its list."""
    import PySide6.QtWidgets  # noqa: F401

    from desktop.store import open_store

    store = open_store(db, prompt=None)
    _say("ready")
    store.close()
    return 0


class Watch:
    """The 1 ms timer's state: what has been seen so far."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.listed = False
        self.accepted = False
        self.done = False

    def window(self) -> Any:
        from desktop.qt import QApplication
        from desktop.views.window import MainWindow

        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, MainWindow) and w.isVisible()), None)

    def check(self) -> None:
        window = self.window()
        if window is None or self.done:
            return
        dialog = window.signin_dialog
        if (not self.listed and dialog is not None and dialog.isVisible()
                and dialog.people_list.count()):
            self.listed = True
            _say("signin")
            if self.what == "signin":
                self.finish(window)
                return
        if self.listed and not self.accepted and dialog is not None:
            self.accepted = True
            dialog.accept()  # the person the list selects (the first by name)
            return
        if self.accepted and window.user is not None and self._shown(window):
            _say(f"first-screen {window.current_screen().key}")
            self.finish(window)

    @staticmethod
    def _shown(window: Any) -> bool:
        screen = window.current_screen()
        if screen is None:
            return False
        if screen is window.cases:
            return bool(screen.model.rowCount())  # the first screenful is painted with it
        return not screen.stale and not window.tasks.busy

    def finish(self, window: Any) -> None:
        self.done = True
        if self.what == "quit":
            _say("quitting")
        window.quit_action.trigger()  # Ctrl+Q


def start_window(db: Path, what: str) -> int:
    """The window as ``dipsample --db DB`` starts it, watched (see the module's text)."""
    from desktop.qt import QApplication, QTimer

    _app = QApplication.instance() or QApplication(["dipsample"])  # kept: run_gui uses it
    watch = Watch(what)
    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(watch.check)
    timer.start()
    from desktop.cli.main import main

    code = main(["--db", str(db)])
    timer.stop()
    if not watch.done:
        _say(f"error the window closed (exit {code}) before it showed what was awaited")
        return 1
    return code


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in WHATS:
        _say(f"error usage: python -m benchmarks.launch {{{','.join(WHATS)}}} DB")
        return 2
    what, db = argv[0], Path(argv[1])
    return baseline(db) if what == "baseline" else start_window(db, what)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
