"""A timer on the GUI thread that measures how long the window stopped answering.

Why: "never freeze the window" is a promise to a person at a keyboard; the only honest
measure is the GUI thread's own: a timer due every 10 ms that arrives late by the
length of whatever blocked the event loop. The benchmarks read the longest stall while
the window opens a big store; the window itself only records it.

Why it beats only when asked: a timer firing a hundred times a second keeps a laptop's
processor awake for nothing. It starts when something measures (:meth:`reset` starts it,
as the benchmarks call it before their work) or when ``DIPSAMPLE_HEARTBEAT=1`` asks the
window to measure from the start.
"""

from __future__ import annotations

import time

from desktop.qt import QObject, QTimer

INTERVAL_MS = 10
#: Set to 1 to have the window measure its stalls from the moment it opens.
HEARTBEAT_ENV = "DIPSAMPLE_HEARTBEAT"


class Heartbeat(QObject):
    """Attributes:
        longest_ms: the longest gap between two beats beyond the interval, since
            :meth:`reset`.
        beats: how many beats arrived since :meth:`reset` (a stalled loop beats less).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._beat)
        self.longest_ms = 0.0
        self.beats = 0
        self._last = time.perf_counter()

    def start(self) -> None:
        self.reset()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def reset(self) -> None:
        """Measure from now (and beat from now on, if it was not beating)."""
        self.longest_ms = 0.0
        self.beats = 0
        self._last = time.perf_counter()
        if not self._timer.isActive():
            self._timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        late = (now - self._last) * 1000 - INTERVAL_MS
        self._last = now
        self.beats += 1
        self.longest_ms = max(self.longest_ms, late)
