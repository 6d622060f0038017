"""Database work off the GUI thread: one serialised worker, results back by signal.

Why one worker thread: SQLite has one writer at a time; two threads writing would fight
over the lock (Anki's ``aqt/taskman.py`` runs all collection work on one thread for the
same reason). :class:`BackgroundOp` follows Anki's ``CollectionOp``: a task with
``success``/``failure`` callbacks, and, when it runs longer than 100 ms, a progress
dialog whose Cancel button sets the task's cancel token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from desktop import paths
from desktop.errors import UserError
from desktop.qt import QMessageBox, QObject, QProgressDialog, Qt, QTimer, QWidget, Signal
from desktop.services.context import Cancelled, CancelToken

log = logging.getLogger(__name__)

T = TypeVar("T")
#: How long a task runs before its progress dialog appears.
PROGRESS_DELAY_MS = 100


class TaskManager(QObject):
    """Runs callables one at a time on a worker thread; calls back on the GUI thread.

    Signals:
        _finished: (callback, future), emitted on the worker thread and delivered
            queued to this object's (the GUI) thread.
    """

    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dipsample-db")
        self._closed = False
        self._finished.connect(self._deliver)

    def run(self, task: Callable[[], T], on_done: Callable[[Future[T]], None]) -> Future[T]:
        """Queue ``task``; ``on_done(future)`` is called on the GUI thread when it ends."""
        future = self._executor.submit(task)
        future.add_done_callback(lambda f: self._emit(on_done, f))
        return future

    def _emit(self, on_done: Callable[[Future[Any]], None], future: Future[Any]) -> None:
        if not self._closed:
            self._finished.emit((on_done, future))

    def _deliver(self, item: tuple[Callable[[Future[Any]], None], Future[Any]]) -> None:
        on_done, future = item
        if not self._closed:
            on_done(future)

    def shutdown(self) -> None:
        """Wait for the running task, drop the queued ones; no callbacks after this."""
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)


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


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """Tell the user about ``exc`` in one line; a bug goes to the log, not on screen."""
    if isinstance(exc, UserError):
        text, icon = exc.message, QMessageBox.Icon.Warning
    else:
        log.error("unexpected error in a background task", exc_info=exc)
        text = ("Something went wrong that DipSample did not expect; details are in "
                f"{paths.log_dir() / 'dipsample.log'}")
        icon = QMessageBox.Icon.Critical
    box = QMessageBox(icon, "DipSample", text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class BackgroundOp(Generic[T]):
    """One task for the worker, with its callbacks and its progress dialog.

    Usage: ``BackgroundOp(window, taskman, "Loading cases", task).success(f).run()``,
    where ``task(control)`` receives a :class:`TaskControl`.

    Attributes:
        dialog: the progress dialog, once the task has run longer than 100 ms.
    """

    def __init__(self, parent: QWidget, taskman: TaskManager, label: str,
                 task: Callable[[TaskControl], T]) -> None:
        self.parent = parent
        self.taskman = taskman
        self.label = label
        self.task = task
        self.dialog: QProgressDialog | None = None
        self._relay = _ProgressRelay(parent)
        self._relay.progressed.connect(self._on_progress)
        self.control = TaskControl(progress=self._relay.progressed.emit)
        self._on_success: Callable[[T], None] = lambda _result: None
        self._on_failure: Callable[[BaseException], None] = self._default_failure
        self._on_cancel: Callable[[], None] = lambda: None
        self._done = False
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

    def cancel(self) -> None:
        self.control.cancel.cancel()

    def run(self) -> Future[T]:
        QTimer.singleShot(PROGRESS_DELAY_MS, self._show_progress)
        return self.taskman.run(lambda: self.task(self.control), self._finish)

    def _default_failure(self, exc: BaseException) -> None:
        show_error(self.parent, exc)

    def _show_progress(self) -> None:
        if self._done or self.dialog is not None:
            return
        dialog = QProgressDialog(self.label, "Cancel", 0, 0, self.parent)
        dialog.setWindowTitle("DipSample")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        self.dialog = dialog
        self._on_progress(*self._last)
        dialog.show()

    def _on_progress(self, done: int, total: int, stage: str) -> None:
        self._last = (done, total, stage)
        if self.dialog is None:
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total else 0)
        self.dialog.setLabelText(f"{self.label}: {stage}" if stage else self.label)

    def _finish(self, future: Future[T]) -> None:
        self._done = True
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self._relay.deleteLater()
        exc = future.exception()
        if isinstance(exc, Cancelled) or (exc is None and self.control.cancel.cancelled):
            self._on_cancel()
        elif exc is not None:
            self._on_failure(exc)
        else:
            self._on_success(future.result())
