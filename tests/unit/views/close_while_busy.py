"""A whole DipSample window process closed while its worker is busy (run by a test).

``python -m tests.unit.views.close_while_busy PATH``: opens the window on PATH (the
passphrase in ``DIPSAMPLE_PASSPHRASE``), starts a search that ignores its cancel token
for a second, closes and deletes the window at once, and returns from ``main``. Prints
``closed`` when the window has closed and ``store closed`` when the worker closes the
store; the test reads the exit code and both outputs.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from desktop.qt import QApplication
from desktop.services.context import ServiceContext
from desktop.views import cases as window_module
from desktop.views.window import MainWindow


def main(path: Path) -> int:
    app = QApplication([sys.argv[0]])
    window = MainWindow(path)
    window.show()
    loaded: list[object] = []
    window.cases.cases_loaded.connect(loaded.append)
    window.open_database()
    while not loaded:
        app.processEvents()
        time.sleep(0.01)
    store = window.store
    assert store is not None
    real_close = store.close

    def close_store() -> None:
        real_close()
        print("store closed", flush=True)

    store.close = close_store  # type: ignore[method-assign]
    started = threading.Event()
    real_list_cases = window_module.list_cases

    def slow(ctx: ServiceContext, query: window_module.CaseQuery) -> window_module.CaseListing:
        started.set()
        time.sleep(1)  # a query that cannot look at the cancel token
        ctx.report(1, 2, "after the window has gone")  # must not touch its Qt objects
        return real_list_cases(ctx, query)

    window_module.list_cases = slow  # type: ignore[assignment]
    window.cases.reload()
    deadline = time.monotonic() + 20
    while not started.is_set() and time.monotonic() < deadline:
        app.processEvents()  # the full search is queued once the first screenful is shown
        time.sleep(0.01)
    window.close()
    print("closed", flush=True)
    window.deleteLater()
    app.processEvents()
    del window
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
