"""The status bar's sync state, and the timer that syncs in the background.

Why on the window's worker and never on the GUI thread: checking that a share is there
or that a database answers can take seconds on a bad network; the timer only queues the
sync, the worker runs it (reachability first), and the label changes when it is done.
Why back-off: a laptop offline for a day would otherwise try and fail every few
minutes; each failure doubles the wait up to an hour, a success resets it.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

from desktop.qt import QLabel, QTimer
from desktop.services.context import ServiceContext
from desktop.sync.engine import SyncReport
from desktop.sync.status import SyncStatus, remembered_target, sync_now, sync_status

if TYPE_CHECKING:
    from desktop.views.window import MainWindow

#: Seconds between background syncs (``DIPSAMPLE_SYNC_INTERVAL`` overrides, for tests).
INTERVAL_S = 300
LONGEST_S = 3600


def interval_seconds() -> float:
    try:
        return float(os.environ.get("DIPSAMPLE_SYNC_INTERVAL", "") or INTERVAL_S)
    except ValueError:
        return INTERVAL_S


def status_text(status: SyncStatus | None, online: bool | None) -> str:
    """"Sync: online · last 14:02 · 3 pending": words, not colour alone."""
    if status is None or not status.target:
        return "Sync: not set up"
    state = {True: "online", False: "offline", None: "not tried yet"}[online]
    last = last_success_text(status.last_success)
    extra = f" · {status.open_conflicts} conflict(s)" if status.open_conflicts else ""
    return f"Sync: {state} · last {last} · {status.pending} pending{extra}"


class SyncStatusWidget(QLabel):
    """Attributes:
        online: the last sync reached its target (None: none tried in this session).
        timer: the background timer; ``wait_s`` its current interval after back-off.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__("Sync: …")
        self.setObjectName("sync_status")
        self.setAccessibleName("Sync status")
        self.window_ = window
        self.online: bool | None = None
        self.running = False
        self.base_s = interval_seconds()
        self.wait_s = self.base_s
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.tick)
        self.timer.start(int(self.wait_s * 1000))
        window.store_opened.connect(self.read)

    def read(self) -> None:
        """Read the state on the worker and show it."""
        if self.window_.store is None:
            return
        self.window_.call("Reading the sync state", lambda ctx: sync_status(ctx.store),
                          dialog=False).success(self._show).failure(lambda _e: None).run()

    def _show(self, status: SyncStatus) -> None:
        self.setText(status_text(status, self.online))
        self.setToolTip(status.last_message or "")

    def tick(self) -> None:
        """A background sync, if a target is set and none is running."""
        if self.window_.store is None or self.running:
            self.timer.start(int(self.wait_s * 1000))
            return
        self.running = True

        def run(ctx: ServiceContext) -> SyncReport | None:
            if not remembered_target(ctx.store):
                return None
            return sync_now(ctx.store)

        self.window_.call("Syncing in the background", run, dialog=False).success(
            self._done).failure(self._failed).run()

    def _done(self, report: SyncReport | None) -> None:
        self.running = False
        if report is not None:
            self.online = report.outcome != "offline"
            self.wait_s = self.base_s if self.online else min(self.wait_s * 2, LONGEST_S)
            if report.pulled or report.conflicts:
                self.window_.changed("*")
        self.timer.start(int(self.wait_s * 1000))
        self.read()

    def _failed(self, _exc: BaseException) -> None:
        self.running = False
        self.online = False
        self.wait_s = min(self.wait_s * 2, LONGEST_S)
        self.timer.start(int(self.wait_s * 1000))
        self.read()


def install_sync(window: MainWindow) -> None:
    """Add the sync state to ``window``'s status bar and start the background timer."""
    widget = SyncStatusWidget(window)
    window.statusBar().addPermanentWidget(widget)
    window.sync_status = widget  # type: ignore[attr-defined]
    screen = window.screens.get("sync")
    if screen is not None:
        screen.synced.connect(lambda _report: widget.read())  # type: ignore[attr-defined]
    if window.store is not None:  # installed after the store opened
        widget.read()


def last_success_text(at: dt.datetime | None) -> str:
    return "never" if at is None else at.astimezone().strftime("%d %b %H:%M")
