"""The serialised worker: results on the GUI thread, progress after 100 ms, cancel, errors."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from desktop.errors import InputProblem
from desktop.qt import (
    QApplication,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    Qt,
    QTimer,
    QWidget,
)
from desktop.services.context import Cancelled
from desktop.views.worker import PROGRESS_DELAY_MS, BackgroundOp, TaskControl, TaskManager

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_tasks_run_one_at_a_time_off_the_gui_thread(qtbot: QtBot, parent: QWidget) -> None:
    tasks = TaskManager(parent)
    gui = threading.get_ident()
    ran_on: list[int] = []
    delivered_on: list[int] = []
    order: list[int] = []
    for n in range(5):
        def task(n: int = n) -> int:
            ran_on.append(threading.get_ident())
            order.append(n)
            return n * n
        tasks.run(task, lambda f: delivered_on.append(threading.get_ident()))
    qtbot.waitUntil(lambda: len(delivered_on) == 5)
    assert order == [0, 1, 2, 3, 4]
    assert len(set(ran_on)) == 1 and gui not in ran_on
    assert set(delivered_on) == {gui}
    tasks.shutdown()


def test_long_work_shows_progress_and_cancel_stops_it(qtbot: QtBot, parent: QWidget) -> None:
    tasks = TaskManager(parent)
    release = threading.Event()
    outcome: list[str] = []

    def task(control: TaskControl) -> str:
        for step in range(1000):
            control.progress(step, 1000, "counting")
            release.wait(0.01)
            control.cancel.check()
        return "finished"

    op = BackgroundOp(parent, tasks, "Counting", task)
    op.success(outcome.append).cancelled(lambda: outcome.append("cancelled"))
    op.run()
    qtbot.waitUntil(lambda: op.dialog is not None and op.dialog.isVisible(), timeout=10_000)
    assert op.dialog is not None
    qtbot.waitUntil(lambda: op.dialog is not None and op.dialog.value() > 0, timeout=10_000)
    assert "counting" in op.dialog.labelText()
    button = next(b for b in op.dialog.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: outcome == ["cancelled"], timeout=10_000)
    assert op.dialog is None
    tasks.shutdown()


def test_a_user_error_becomes_a_one_line_message(qtbot: QtBot, parent: QWidget) -> None:
    tasks = TaskManager(parent)

    def task(_control: TaskControl) -> None:
        raise InputProblem("row 4: the date 31/02/2026 does not exist")

    BackgroundOp(parent, tasks, "Importing", task).run()
    boxes: list[QMessageBox] = []
    qtbot.waitUntil(lambda: bool(boxes.extend(
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
        and w.isVisible()) or boxes))
    assert boxes[0].text() == "row 4: the date 31/02/2026 does not exist"
    boxes[0].close()
    tasks.shutdown()


def test_a_bug_is_logged_and_shown_without_its_details(qtbot: QtBot, parent: QWidget,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    tasks = TaskManager(parent)
    failures: list[BaseException] = []

    def task(_control: TaskControl) -> None:
        raise KeyError("child-name-here")

    BackgroundOp(parent, tasks, "Working", task).run()
    boxes: list[QMessageBox] = []
    qtbot.waitUntil(lambda: bool(boxes.extend(
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
        and w.isVisible()) or boxes))
    assert "child-name-here" not in boxes[0].text()
    assert "details are in" in boxes[0].text()
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)
    boxes[0].close()
    op = BackgroundOp(parent, tasks, "Working", task).failure(failures.append)
    op.run()
    qtbot.waitUntil(lambda: bool(failures))
    assert isinstance(failures[0], KeyError) and not isinstance(failures[0], Cancelled)
    tasks.shutdown()


def test_no_callback_after_shutdown(qtbot: QtBot, parent: QWidget) -> None:
    tasks = TaskManager(parent)
    called: list[int] = []
    started, release = threading.Event(), threading.Event()

    def slow() -> int:
        started.set()
        release.wait(10)
        return 1

    future = tasks.run(slow, lambda f: called.append(f.result()))
    ended = threading.Event()
    future.add_done_callback(lambda _f: ended.set())  # after the manager's own callback
    assert started.wait(10)
    tasks.shutdown()
    release.set()  # the task ends after the shutdown
    assert ended.wait(10)
    QApplication.processEvents()  # a callback would have been queued by now: delivered
    assert future.result() == 1 and called == []


def test_a_task_ending_during_a_modal_progress_update_waits_for_it(
        qtbot: QtBot, parent: QWidget) -> None:
    """The end of a task is delivered after the progress update, never inside it.

    A window-modal ``QProgressDialog.setValue`` runs the event loop (once the dialog has
    been shown). With the task's end queued right behind its last progress report, the
    update used to deliver it, which closed the dialog mid-update: ``'NoneType' object
    has no attribute 'setLabelText'``. Here the two are queued together on purpose.
    """
    tasks = TaskManager(parent)
    first, second = threading.Event(), threading.Event()
    outcome: list[tuple[str, bool]] = []
    inside_set_value = [False]

    def task(control: TaskControl) -> str:
        first.wait(10)
        control.progress(1, 3, "first part")
        second.wait(10)
        control.progress(2, 3, "second part")  # queued just before the task's end
        return "finished"

    op = BackgroundOp(parent, tasks, "Working", task)
    op.success(lambda result: outcome.append((result, inside_set_value[0])))
    future = op.run()
    qtbot.waitUntil(lambda: op.dialog is not None and op.dialog.isVisible(), timeout=10_000)
    dialog = op.dialog
    assert dialog is not None
    real_set_value = dialog.setValue

    def set_value(value: int) -> None:
        inside_set_value[0] = True
        try:
            real_set_value(value)
        finally:
            inside_set_value[0] = False

    dialog.setValue = set_value  # type: ignore[method-assign]
    first.set()  # the first report shows the dialog; from then on setValue runs events
    qtbot.waitUntil(lambda: dialog.value() == 1, timeout=10_000)
    ended = threading.Event()
    future.add_done_callback(lambda _f: ended.set())  # after the manager's own callback
    second.set()
    assert ended.wait(10)  # the GUI thread is blocked: progress and end are both queued
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    assert outcome == [("finished", False)]
    assert op.dialog is None
    tasks.shutdown()


def test_shutdown_returns_at_once_and_cleans_up_after_the_running_task(
        qtbot: QtBot, parent: QWidget) -> None:
    tasks = TaskManager(parent)
    release, started = threading.Event(), threading.Event()
    events: list[str] = []
    delivered: list[str] = []
    cleaned_on: list[str] = []

    def task(control: TaskControl) -> str:
        started.set()
        release.wait(30)  # a query that does not look at the cancel token
        events.append("task ended, cancelled" if control.cancel.cancelled else "task ended")
        control.progress(1, 1, "after the window closed")
        return "late"

    def queued(_control: TaskControl) -> str:
        events.append("queued task ran")
        return "never"

    def clean_up() -> None:
        cleaned_on.append(threading.current_thread().name)
        events.append("cleaned up")

    op = BackgroundOp(parent, tasks, "Working", task).success(delivered.append)
    future = op.run()
    BackgroundOp(parent, tasks, "Queued", queued).success(delivered.append).run()
    assert started.wait(10)
    qtbot.waitUntil(lambda: op.dialog is not None and op.dialog.isVisible(), timeout=10_000)
    dialog = op.dialog
    tasks.shutdown(then=clean_up)
    # shutdown returned while the task is still blocked on an event only we set
    assert not future.done() and events == []
    assert op.control.cancel.cancelled
    assert dialog is not None and not dialog.isVisible()
    release.set()
    qtbot.waitUntil(lambda: events[-1:] == ["cleaned up"], timeout=10_000)
    assert events == ["task ended, cancelled", "cleaned up"]
    assert cleaned_on[0].startswith("dipsample-db")
    QApplication.processEvents()  # the task ended before the clean-up: any answer is queued
    assert delivered == []


def test_a_task_may_outlive_its_window(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    """After shutdown and the deletion of every Qt object, the worker touches none."""
    parent = QWidget()
    tasks = TaskManager(parent)
    release = threading.Event()
    reported: list[str] = []

    def task(control: TaskControl) -> str:
        release.wait(30)
        control.progress(1, 2, "half way")  # the relay it would emit on is deleted
        reported.append("reported")
        return "done"

    future = BackgroundOp(parent, tasks, "Working", task).run()
    tasks.shutdown()
    gone: list[bool] = []
    parent.destroyed.connect(lambda: gone.append(True))
    parent.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=10_000)
    release.set()
    qtbot.waitUntil(future.done, timeout=10_000)
    assert future.result() == "done" and reported == ["reported"]
    assert not [r for r in caplog.records if "callback" in r.getMessage()]


def test_after_shutdown_nothing_is_queued(qtbot: QtBot, parent: QWidget) -> None:
    tasks = TaskManager(parent)
    tasks.shutdown()
    ran: list[int] = []
    future = BackgroundOp(parent, tasks, "Late", lambda _c: ran.append(1)).run()
    # A timer started after the op's own progress timer, of the same length, ends after
    # it: by then its progress dialog would be on screen.
    after_progress = QTimer(parent)
    after_progress.setSingleShot(True)
    with qtbot.waitSignal(after_progress.timeout, timeout=10_000):
        after_progress.start(PROGRESS_DELAY_MS)
    assert future.cancelled() and ran == []
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QProgressDialog) and w.isVisible()]
