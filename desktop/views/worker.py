"""Database work off the GUI thread: one serialised worker, results back by signal.

Why one worker thread: SQLite has one writer at a time; two threads writing would fight
over the lock (Anki's ``aqt/taskman.py`` runs all collection work on one thread for the
same reason). :class:`BackgroundOp` follows Anki's ``CollectionOp``: a task with
``success``/``failure`` callbacks, and, when it runs longer than 100 ms, a progress
dialog whose Cancel button sets the task's cancel token.

Why closing does not wait: a task may be deep in a 10-second query, and a window that
freezes when it is closed looks hung. :meth:`TaskManager.shutdown` cancels the running
task's token, drops the queued ones, queues the final clean-up (closing the store) behind
the running task and returns; from then on the worker never touches a Qt object (a lock,
the *gate*, makes "closed" and "emit" exclusive), so it may outlive the window.

Why the worker is handed a number, not the task: the executor's work item and its
future are dropped on the worker thread, and whatever they hold the last reference to
is destroyed there. A task is a closure over the window's objects (a screen's method, an
operation with a QObject relaying its progress); destroyed on the wrong thread, a Qt
object crashes or deadlocks the program (seen once in a full test run, in
``concurrent/futures/thread.py``'s ``del work_item``). So the task manager keeps every
task and callback in a table of its own, the worker receives only the task's number and
a weak reference, and the entry leaves the table on the GUI thread once the result has
been delivered there. What crosses to the worker thread is plain Python.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import os
import sys
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from desktop import paths
from desktop.errors import UserError
from desktop.qt import QMessageBox, QObject, QProgressDialog, Qt, QTimer, QWidget, Signal
from desktop.services.context import Cancelled, CancelToken
from desktop.store.failures import as_user_error
from desktop.views.plain import message_box, plain_progress

log = logging.getLogger(__name__)

T = TypeVar("T")
#: How long a task runs before its progress dialog appears.
PROGRESS_DELAY_MS = 100


#: How much lower than the GUI thread the workers run (Linux nice steps).
WORKER_NICENESS = 5


def _behind_the_window() -> None:
    """Run this worker thread at a lower priority than the GUI thread.

    Why: on a busy laptop (two cores, a scan on the worker, the integrity check, other
    programs) the scheduler shared the cores evenly and the GUI thread waited 50 to
    150 ms for its turn, so the window stuttered although it had nothing heavy to do.
    Linux gives each thread its own nice value; elsewhere this does nothing.
    """
    if hasattr(os, "setpriority") and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)


class TaskManager(QObject):
    """Runs callables one at a time on a worker thread; calls back on the GUI thread.

    Signals:
        closing: :meth:`shutdown` was called (on the GUI thread); progress dialogs close.
        _finished: (callback, future), emitted on the worker thread and delivered
            queued to this object's (the GUI) thread.
    """

    closing = Signal()
    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dipsample-db",
                                            initializer=_behind_the_window)
        #: Held while the worker emits and while shutdown marks us closed: once
        #: :meth:`shutdown` returns, no emit is under way and none will start.
        self._gate = threading.RLock()
        self._closed = False
        #: Futures not yet finished, with the cancel token of their task (if any).
        self._pending: dict[Future[Any], CancelToken | None] = {}
        #: Task number -> (task, on_done): owned here, released on the GUI thread only.
        self._table = _Table()
        #: Entries of tasks still running when the manager shut down: never released on
        #: the worker, so kept for the rest of the program (a few closures at most).
        self._graveyard: list[object] = []
        self._numbers = itertools.count(1)
        # Queued even when emitted on this thread (a future already done when its
        # callback is added): a callback never runs inside run().
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def busy(self) -> bool:
        """Whether a task is running or queued (scripts wait for the window to settle)."""
        with self._gate:
            return bool(self._pending)

    def run(self, task: Callable[[], T], on_done: Callable[[Future[T]], None],
            cancel: CancelToken | None = None) -> Future[T]:
        """Queue ``task``; ``on_done(future)`` is called on the GUI thread when it ends.

        ``cancel`` is set by :meth:`shutdown` if the task is still running then. After
        shutdown nothing is queued: the future comes back cancelled, ``on_done`` is
        never called.
        """
        with self._gate:
            if self._closed:
                refused: Future[T] = Future()
                refused.cancel()
                return refused
            number = next(self._numbers)
            self._table[number] = (task, on_done)
            future = self._executor.submit(_run_numbered, weakref.ref(self._table),
                                           self._gate, number)
            self._pending[future] = cancel
        future.add_done_callback(functools.partial(_announce, weakref.ref(self), number))
        return future

    def guarded(self, fn: Callable[..., None]) -> Callable[..., None]:
        """``fn`` made safe to call from the worker: it does nothing once we are closed.

        Why: a task reporting progress after the window closed would emit a signal of
        a Qt object that may already be deleted.
        """
        def call(*args: Any) -> None:
            with self._gate:
                if not self._closed:
                    fn(*args)

        return call

    def _emit(self, number: int, future: Future[Any]) -> None:
        """On the worker (the future's callback): tell the GUI thread, by number."""
        with self._gate:
            self._pending.pop(future, None)
            if not self._closed:
                self._finished.emit((number, future))

    def _deliver(self, item: tuple[int, Future[Any]]) -> None:
        """On the GUI thread: the callback runs, and the entry is released, here."""
        number, future = item
        with self._gate:
            entry = self._table.pop(number, None)
        if entry is not None and not self._closed:
            entry[1](future)
        del entry

    def shutdown(self, then: Callable[[], None] | None = None, *, wait: bool = False) -> None:
        """Cancel the running task, drop the queued ones, run ``then`` last; return at once.

        No callback is delivered after this. ``then`` (closing the store) runs on the
        worker after the running task has ended, so it never pulls the store from under
        a query; the interpreter joins the worker at exit, so it always runs. ``wait``
        blocks until all that is done (for scripts and tests, never the GUI). A second
        call does nothing.
        """
        with self._gate:
            if self._closed:
                return
            self._closed = True
            pending, self._pending = list(self._pending.items()), {}
            # Whatever is still queued or running keeps its closures alive: released
            # now, on this thread, the running task's would die with the worker's frame.
            self._graveyard.append(self._table)
            self._table = _Table()
        for future, token in pending:
            if token is not None:
                token.cancel()
            future.cancel()  # a queued task never starts; the running one is not stopped
        self.closing.emit()
        if then is not None:
            self._executor.submit(_logged(then))
        self._executor.shutdown(wait=wait)

    def join(self) -> None:
        """Wait until the running task has ended (after :meth:`shutdown`). Never on the
        GUI thread: the window's worker calls it before it closes the store."""
        self._executor.shutdown(wait=True)


class _Table(dict[int, tuple[Callable[[], Any], Callable[[Future[Any]], None]]]):
    """Task number -> (task, on_done). A class of its own so the worker can be handed a
    weak reference to it: a dict itself cannot be weakly referenced."""


def _run_numbered(table_ref: Callable[[], _Table | None], gate: threading.RLock,
                  number: int) -> Any:
    """On the worker: run task ``number`` from the task manager's table, holding it only
    in this frame while it runs; the table keeps the reference that outlives it."""
    table = table_ref()
    with gate:
        entry = table.get(number) if table is not None else None
    del table
    if entry is None:
        raise Cancelled()
    task = entry[0]
    del entry
    return task()


def _announce(manager: Callable[[], TaskManager | None], number: int,
              future: Future[Any]) -> None:
    """The future's done-callback: it holds a weak reference and a number, nothing Qt."""
    alive = manager()
    if alive is not None:
        alive._emit(number, future)


def _logged(fn: Callable[[], None]) -> Callable[[], None]:
    """``fn`` for the worker's last task: nobody reads its future, so log a failure."""
    def call() -> None:
        try:
            fn()
        except Exception:
            log.exception("the clean-up after closing failed")

    return call


@dataclass
class TaskControl:
    """Handed to a background task: report progress, honour cancel.

    Attributes:
        progress: ``(done, total, stage)``; pass it to a ServiceContext.
        cancel: set when the user presses Cancel.
    """

    progress: Callable[[int, int, str], None]
    cancel: CancelToken = field(default_factory=CancelToken)


class _ProgressRelay(QObject):
    """Carries progress from the worker thread to the GUI thread."""

    progressed = Signal(int, int, str)


def show_error(parent: QWidget | None, exc: BaseException,
               path: Path | None = None) -> QMessageBox:
    """Tell the user about ``exc`` in one line; a bug goes to the log, not on screen.

    A database condition (busy, read-only, disk full, damaged) arrives as SQLAlchemy's
    exception, not as a :class:`UserError`; the store's ``as_user_error`` turns it into
    the sentence the person can act on (``path`` names the file), so that it is never
    reported as "Something went wrong".
    """
    problem = exc if isinstance(exc, UserError) else as_user_error(exc, path)
    if problem is not None:
        if problem is not exc:
            log.warning("database problem: %s", type(problem).__name__, exc_info=exc)
        text, icon = problem.message, QMessageBox.Icon.Warning
    else:
        log.error("unexpected error in a background task", exc_info=exc)
        text = ("Something went wrong that DipSample did not expect; details are in "
                f"{paths.log_dir() / 'dipsample.log'}")
        icon = QMessageBox.Icon.Critical
    box = message_box(icon, "DipSample", text, parent=parent)  # may quote typed text
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class BackgroundOp(Generic[T]):
    """One task for the worker, with its callbacks and its progress dialog.

    Usage: ``BackgroundOp(window, taskman, "Loading cases", task).success(f).run()``,
    where ``task(control)`` receives a :class:`TaskControl`.

    Why the re-entrancy guards: the progress dialog is window-modal, and a modal
    ``QProgressDialog.setValue`` runs the event loop. The task's end, queued behind its
    last progress report, would then be delivered inside the update, closing the dialog
    the update is still using. The end is held until the update returns.

    Attributes:
        dialog: the progress dialog, once the task has run longer than 100 ms.
        path: the database file, named in a database error's message.
    """

    def __init__(self, parent: QWidget, taskman: TaskManager, label: str,
                 task: Callable[[TaskControl], T], *, path: Path | None = None,
                 dialog: bool = True) -> None:
        """``dialog=False`` for work the window already shows in place (the case list
        filling in behind its first screenful): no modal dialog over a usable window."""
        self.parent = parent
        self._wants_dialog = dialog
        self.taskman = taskman
        self.label = label
        self.task = task
        self.path = path
        self.dialog: QProgressDialog | None = None
        self._relay = _ProgressRelay(parent)
        self._relay.progressed.connect(self._on_progress)
        self.control = TaskControl(progress=taskman.guarded(self._relay.progressed.emit))
        self._on_success: Callable[[T], None] = lambda _result: None
        self._on_failure: Callable[[BaseException], None] = self._default_failure
        self._on_cancel: Callable[[], None] = lambda: None
        self._first: Callable[[], None] = lambda: None
        self._done = False
        self._updating = False
        self._held: Future[T] | None = None
        self._last: tuple[int, int, str] = (0, 0, label)

    def success(self, fn: Callable[[T], None]) -> BackgroundOp[T]:
        self._on_success = fn
        return self

    def failure(self, fn: Callable[[BaseException], None]) -> BackgroundOp[T]:
        self._on_failure = fn
        return self

    def cancelled(self, fn: Callable[[], None]) -> BackgroundOp[T]:
        self._on_cancel = fn
        return self

    def first(self, fn: Callable[[], None]) -> BackgroundOp[T]:
        """``fn`` on the GUI thread when the task ends, before any other callback (the
        window tells every screen what the task wrote, whatever became of it)."""
        self._first = fn
        return self

    def cancel(self) -> None:
        self.control.cancel.cancel()

    def run(self) -> Future[T]:
        self.taskman.closing.connect(self._abandon)
        QTimer.singleShot(PROGRESS_DELAY_MS, self._show_progress)
        return self.taskman.run(lambda: self.task(self.control), self._finish,
                                cancel=self.control.cancel)

    def _abandon(self) -> None:
        """The task manager shut down: no callback will come, so close the dialog now."""
        self._done = True
        self._held = None
        self._close_dialog()

    def _default_failure(self, exc: BaseException) -> None:
        show_error(self.parent, exc, self.path)

    def _show_progress(self) -> None:
        if (self._done or self.dialog is not None or self.taskman.closed
                or not self._wants_dialog):
            return
        dialog = plain_progress(QProgressDialog(self.label, "Cancel", 0, 0, self.parent))
        dialog.setWindowTitle("DipSample")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        self._on_progress(*self._last)
        if self.dialog is dialog:  # the task may have ended during the update
            dialog.show()

    def _on_progress(self, done: int, total: int, stage: str) -> None:
        self._last = (done, total, stage)
        dialog = self.dialog
        if dialog is None or self._done or self._updating:
            return  # a nested report: the dialog catches up with the next one
        self._updating = True
        try:
            dialog.setMaximum(max(total, 0))
            dialog.setLabelText(f"{self.label}: {stage}" if stage and stage != self.label
                                else self.label)
            dialog.setValue(min(done, total) if total else 0)  # may run the event loop
        finally:
            self._updating = False
        held, self._held = self._held, None
        if held is not None:
            self._finish(held)

    def _finish(self, future: Future[T]) -> None:
        if self._done:
            return
        if self._updating:
            self._held = future  # delivered by setValue's event loop: after the update
            return
        self._done = True
        self._close_dialog()
        self.taskman.closing.disconnect(self._abandon)
        self._relay.deleteLater()
        self._first()
        exc = future.exception()
        # A task that returned finished its work (a draw committed its samples) even if
        # Cancel was pressed after its last check: report what happened, a success.
        if isinstance(exc, Cancelled):
            self._on_cancel()
        elif exc is not None:
            self._on_failure(exc)
        else:
            self._on_success(future.result())

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.canceled.disconnect(self.cancel)  # closing a progress dialog cancels
            dialog.close()
            dialog.deleteLater()
