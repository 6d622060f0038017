"""The serialised worker: results on the GUI thread, progress after 100 ms, cancel, errors."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from desktop.errors import InputProblem
from desktop.qt import QApplication, QMessageBox, QPushButton, Qt, QWidget
from desktop.services.context import Cancelled
from desktop.views.worker import BackgroundOp, TaskControl, TaskManager

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
    started = threading.Event()

    def slow() -> int:
        started.set()
        threading.Event().wait(0.2)
        return 1

    tasks.run(slow, lambda f: called.append(f.result()))
    started.wait(5)
    tasks.shutdown()
    qtbot.wait(50)
    assert called == []
