"""The status bar's sync state, and the timer that syncs in the background.

Why on a worker and never on the GUI thread: checking that a share is there or that a
database answers can take seconds on a bad network; the timer only queues the sync, a
worker runs it (reachability first), and the label changes when it is done.
Why a worker of its own, not the window's: a first sync of a big store takes tens of
seconds, and every screen's reads queue on the window's worker; they would wait behind
it. SQLite lets them read meanwhile (WAL), writes take turns on the store's lock, and
one sync runs at a time per store (a Sync now waits for a background one). Closing the
window cancels the sync between its steps, and the store closes only after it stopped.
Why back-off: a laptop offline for a day would otherwise try and fail every few
minutes; each failure doubles the wait up to an hour, a success resets it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from concurrent.futures import Future
from typing import TYPE_CHECKING

from desktop.qt import QLabel, QTimer
from desktop.services.change_sets import EVERYTHING
from desktop.services.context import CancelToken
from desktop.store.failures import as_user_error
from desktop.sync.engine import SyncReport
from desktop.sync.skew import ClockSkew, read_skew
from desktop.sync.status import SyncStatus, remembered_target, sync_now, sync_status
from desktop.views.plain import plain, plain_tip
from desktop.views.worker import TaskManager

if TYPE_CHECKING:
    from desktop.views.window import MainWindow

#: Seconds between background syncs (``DIPSAMPLE_SYNC_INTERVAL`` overrides, for tests).
INTERVAL_S = 300
LONGEST_S = 3600


log = logging.getLogger(__name__)


def interval_seconds() -> float:
    try:
        return float(os.environ.get("DIPSAMPLE_SYNC_INTERVAL", "") or INTERVAL_S)
    except ValueError:
        return INTERVAL_S


def status_text(status: SyncStatus | None, online: bool | None,
                skew: ClockSkew | None = None) -> str:
    """"Sync: online · last 14:02 · 3 pending": words, not colour alone; with "This
    computer's clock is 182 minutes slow" when the last sync measured it more than a
    few minutes off the target's (desktop/sync/skew.py)."""
    if status is None or not status.target:
        return "Sync: not set up"
    state = {True: "online", False: "offline", None: "not tried yet"}[online]
    last = last_success_text(status.last_success)
    extra = f" · {status.open_conflicts} conflict(s)" if status.open_conflicts else ""
    clock = f" · {skew.text}" if skew is not None and skew.off else ""
    return f"Sync: {state} · last {last} · {status.pending} pending{extra}{clock}"


class SyncStatusWidget(QLabel):
    """Attributes:
        online: the last sync reached its target (None: none tried in this session).
        timer: the background timer; ``wait_s`` its current interval after back-off.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__("Sync: …")
        plain(self)  # the message of the last sync may quote the target or its error
        self.setObjectName("sync_status")
        self.setAccessibleName("Sync status")
        self.window_ = window
        self.online: bool | None = None
        self.running = False
        #: What the last failed background sync said (None: it has not failed).
        self.failure: str | None = None
        self.base_s = interval_seconds()
        self.wait_s = self.base_s
        #: The background syncs' own worker (see the module docstring).
        self.tasks = TaskManager(self)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.tick)
        self.timer.start(int(self.wait_s * 1000))
        window.store_opened.connect(self.read)

    def read(self) -> None:
        """Read the state on the worker and show it."""
        if self.window_.store is None:
            return
        self.window_.call("Reading the sync state",
                          lambda ctx: (sync_status(ctx.store), read_skew(ctx.store)),
                          dialog=False).success(self._show).failure(lambda _e: None).run()

    def _show(self, read: tuple[SyncStatus, ClockSkew | None]) -> None:
        status, skew = read
        self.setText(status_text(status, self.online, skew))
        self.setToolTip(plain_tip(status.last_message or ""))

    def tick(self) -> None:
        """A background sync, if a target is set and none is running."""
        if self.window_.store is None or self.running:
            self.timer.start(int(self.wait_s * 1000))
            return
        self.running = True

        store = self.window_.store
        token = CancelToken()

        def progress(_done: int, _total: int, _stage: str) -> None:
            token.check()  # the window is closing: stop between steps

        def run() -> SyncReport | None:
            if not remembered_target(store):
                return None
            return sync_now(store, progress=progress)

        def finished(future: Future[SyncReport | None]) -> None:
            exc = future.exception()
            if exc is None:
                self._done(future.result())
            else:
                self._failed(exc)

        self.tasks.run(run, finished, cancel=token)

    def _done(self, report: SyncReport | None) -> None:
        self.running = False
        self.failure = None
        if report is not None:
            self.online = report.outcome != "offline"
            self.wait_s = self.base_s if self.online else min(self.wait_s * 2, LONGEST_S)
            if report.pulled or report.conflicts:
                self.window_.changed(EVERYTHING)
        self.timer.start(int(self.wait_s * 1000))
        self.read()

    def synced_by_hand(self, report: SyncReport) -> None:
        """A Sync now on the Sync screen: online or offline as it found, shown at once."""
        self.online = report.outcome != "offline"
        self.read()

    def _failed(self, exc: BaseException) -> None:
        """A background sync that raised: logged (the kind of error and where, never its
        text, which may quote a record) and said in the status bar, so that a bug in
        sync is not mistaken for being offline for ever."""
        self.running = False
        self.online = False
        self.wait_s = min(self.wait_s * 2, LONGEST_S)
        problem = as_user_error(exc)
        if problem is None:
            log.error("the background sync failed", exc_info=(type(exc), exc,
                                                             exc.__traceback__))
            said = "Sync failed: the error is in the log file; Sync now tries again."
        else:
            log.warning("the background sync stopped: %s", type(problem).__name__)
            said = f"Sync stopped: {problem.message}"
        self.window_.statusBar().showMessage(said, 15_000)
        self.failure = said
        self.timer.start(int(self.wait_s * 1000))
        self.read()


def install_sync(window: MainWindow) -> None:
    """Add the sync state to ``window``'s status bar and start the background timer
    (once: a second call finds it there)."""
    if isinstance(getattr(window, "sync_status", None), SyncStatusWidget):
        return
    widget = SyncStatusWidget(window)
    window.side_workers.append(widget.tasks)
    window.statusBar().addPermanentWidget(widget)
    window.sync_status = widget  # type: ignore[attr-defined]
    screen = window.screen_builder.built_screen("sync")  # else connected when built
    if screen is not None:
        screen.synced.connect(widget.synced_by_hand)  # type: ignore[attr-defined]
    if window.store is not None:  # installed after the store opened
        widget.read()


def last_success_text(at: dt.datetime | None) -> str:
    return "never" if at is None else at.astimezone().strftime("%d %b %H:%M")
