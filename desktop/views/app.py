"""Start the desktop window: ``dipsample`` with no subcommand, or ``demo --open``.

Why an exception hook: an exception in a Qt slot does not stop the program; PySide
prints it to stderr, where nobody looks and which may hold case data. Here it is logged
and the person sees one plain line in a message box, never a traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import TracebackType

from desktop import paths
from desktop.errors import EnvironmentProblem
from desktop.qt import QApplication
from desktop.store import Store
from desktop.views.window import MainWindow
from desktop.views.worker import show_error

log = logging.getLogger(__name__)


def _check_display() -> None:
    """Qt aborts the process without a display; say so in one line instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise EnvironmentProblem(
            "no display to open the window on (DISPLAY is not set); the subcommands work "
            "without one, see dipsample --help")


def run_gui(db_path: Path | None, *, store: Store | None = None) -> int:
    """Show the main window on ``db_path`` (default: the user data folder) until it closes.

    ``store`` is an already open store (``demo --open`` built the county into it), so
    that a passphrase typed once is not asked for again.
    """
    if QApplication.instance() is None:
        try:
            _check_display()
        except BaseException:
            if store is not None:
                store.close()
            raise
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "dipsample"])
    app.setApplicationName("DipSample")
    app.setOrganizationName("DipSample")
    window = MainWindow(Path(db_path) if db_path else paths.default_db_path(), sign_in=True)

    def hook(kind: type[BaseException], error: BaseException,
             trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            window.close()
            return
        log.error("unexpected error in the window", exc_info=(kind, error, trace))
        show_error(window, error)

    previous = sys.excepthook
    sys.excepthook = hook
    try:
        window.resize(1280, 760)
        window.show()
        window.open_database(store)
        return int(app.exec())
    finally:
        sys.excepthook = previous
