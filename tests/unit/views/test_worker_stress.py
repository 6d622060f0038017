"""The worker never holds the last reference to a Qt object (issue 22, item 1).

A full test run once crashed in ``concurrent/futures/thread.py`` (``del work_item``):
the executor's work item held the operation with its progress relay (a QObject), and
the last reference dropped on the worker thread. These tests check the cause
deterministically (nothing that reaches a QObject crosses to the worker) and then
stress the real event loop with thousands of operations, the worker making garbage and
the GUI thread collecting it, as the window's collector does (desktop/views/collector.py).

Why no collection on the worker here: a collection on the worker thread frees whatever
garbage is there, the GUI thread's Qt objects in cycles included, and destroys them on
the wrong thread. That is why the app collects on the GUI thread only; a first version
of this test called gc.collect() in the task and segfaulted once in a full run.
"""

from __future__ import annotations

import gc
import threading
from collections import deque
from concurrent.futures import Future
from typing import Any

from pytestqt.qtbot import QtBot

from desktop.qt import QObject, QWidget
from desktop.views.worker import BackgroundOp, TaskControl, TaskManager

OPS = 3_000


def _reaches_qobject(start: object, depth: int = 6) -> bool:
    """Whether anything reachable from ``start`` within ``depth`` steps is a QObject
    (modules, types and module namespaces are not followed: they reach everything)."""
    seen: set[int] = set()
    frontier = deque([(start, 0)])
    while frontier:
        item, level = frontier.popleft()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, QObject):
            return True
        if level >= depth or isinstance(item, type | type(gc)):
            continue
        for child in gc.get_referents(item):
            if isinstance(child, dict) and "__name__" in child and "__loader__" in child:
                continue  # a module's namespace (a function's globals or builtins)
            frontier.append((child, level + 1))
    return False


def test_nothing_handed_to_the_worker_reaches_a_qt_object(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    tasks = TaskManager(parent)
    release = threading.Event()
    op = BackgroundOp(parent, tasks, "Holding", lambda _control: release.wait(10),
                      dialog=False)
    future = op.run()
    try:
        # What the executor's work item and the future hold: the submitted call and
        # the future's done-callbacks.
        work_items = [w for w in gc.get_referrers(future) if hasattr(w, "fn")]
        assert work_items, "the executor's work item holds the future"
        for item in work_items:
            assert not _reaches_qobject((item.fn, item.args, item.kwargs))
        assert not _reaches_qobject(future._done_callbacks)  # type: ignore[attr-defined]
    finally:
        release.set()
    qtbot.waitUntil(lambda: not tasks.busy, timeout=10_000)
    tasks.shutdown(wait=True)


def test_thousands_of_operations_under_collector_pressure(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    tasks = TaskManager(parent)
    delivered: list[int] = []
    made: list[Any] = []

    def work(n: int, _control: TaskControl) -> int:
        junk: list[Any] = [n]
        junk.append(junk)  # a cycle the GUI thread's collection finds
        return n

    def done(n: int) -> None:
        keeper = QObject()
        keeper.setObjectName(f"op {n}")
        cycle: list[Any] = [keeper]
        cycle.append(cycle)  # a Qt object in a cycle, dropped on the GUI thread
        delivered.append(n)
        if n % 100 == 0:
            gc.collect()
            made.clear()

    for n in range(OPS):
        (BackgroundOp(parent, tasks, f"Op {n}", lambda control, n=n: work(n, control),
                      dialog=False)
         .success(lambda result: done(result))
         .run())
    qtbot.waitUntil(lambda: len(delivered) == OPS, timeout=120_000)
    assert sorted(delivered) == list(range(OPS))
    # Shut down with work still queued and running: nothing crashes, nothing delivered.
    gate = threading.Event()
    for n in range(200):
        BackgroundOp(parent, tasks, f"Late {n}", lambda _c: gate.wait(0.01),
                     dialog=False).success(lambda _r: delivered.append(-1)).run()
    tasks.shutdown(wait=True)
    at_shutdown = len(delivered)
    gc.collect()
    qtbot.wait(50)  # any callback queued before the shutdown would arrive now
    assert len(delivered) == at_shutdown  # none is delivered after shutdown
    future: Future[Any] = tasks.run(lambda: 1, lambda _f: None)
    assert future.cancelled()  # nothing is queued after shutdown
