"""Python's cyclic garbage collector, run only on the GUI thread.

Why: the collector runs on whichever thread happens to allocate when a threshold is
crossed. When that is the database worker, a Qt object caught in a reference cycle
(a dialog, a PDF document, a model and its lambdas) is destroyed there, on the wrong
thread: Qt then crashes, or deadlocks when the destructor waits on a lock the GUI
thread holds while the GUI thread waits for the GIL. A hung test run and a segfault in
the report screen's tests had this shape. The well-known cure (pyqtgraph, Spyder,
Anki) is to switch automatic collection off and collect from a timer on the GUI thread,
generation by generation as the interpreter's own thresholds would.

While a bulk pass has the collector paused (:mod:`desktop.services.gc_pause`) the timer
collects nothing either, as automatic collection would not.
"""

from __future__ import annotations

import gc
import time

from desktop.qt import QCoreApplication, QObject, QTimer
from desktop.services.gc_pause import is_paused

#: How often the counts are looked at (milliseconds): young collections are cheap, and
#: a short interval keeps each one small.
INTERVAL_MS = 250
#: A full collection at most this often (seconds): it walks every live object.
FULL_EVERY_S = 60.0


class GuiThreadCollector(QObject):
    """Collects garbage on the GUI thread from a timer; automatic collection is off."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._was_enabled = False
        self._last_full = time.monotonic()
        self.active = False

    def start(self) -> None:
        if self.active:
            return
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()
        self.active = True

    def stop(self) -> None:
        """Automatic collection as it was before :meth:`start`, after one last sweep here."""
        if not self.active:
            return
        self._timer.stop()
        self.active = False
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def collect_due(self) -> int:
        """The generations whose thresholds are crossed, as automatic collection would."""
        if is_paused():
            return 0
        young, middle, old = gc.get_count()
        first, second, third = gc.get_threshold()
        if young <= first:
            return 0
        if middle <= second:
            return gc.collect(0)
        if old <= third or time.monotonic() - self._last_full < FULL_EVERY_S:
            return gc.collect(1)
        self._last_full = time.monotonic()
        return gc.collect(2)


def install(app: QCoreApplication) -> GuiThreadCollector:
    """The application's collector, started (once per application)."""
    found = app.findChild(GuiThreadCollector)
    collector = found if isinstance(found, GuiThreadCollector) else GuiThreadCollector(app)
    collector.start()
    return collector
