"""Garbage holding a Qt object is freed on the GUI thread, never on the worker."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from desktop.qt import QApplication, QObject, QTimer
from desktop.services.gc_pause import paused_gc
from desktop.views.collector import GuiThreadCollector, install


class Cyclic(QObject):
    """A Qt object kept alive only by a reference cycle, as a dialog with its lambdas."""

    def __init__(self, freed_on: list[int]) -> None:
        super().__init__()
        self.me = self
        self.destroyed.connect(lambda: freed_on.append(threading.get_ident()))


def churn() -> None:
    """Enough cyclic garbage to cross every automatic threshold many times over."""
    for _ in range(50_000):
        junk: list[object] = []
        junk.append(junk)


def test_a_cycle_with_a_qt_object_dies_on_the_gui_thread(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    collector = install(app)
    assert isinstance(collector, GuiThreadCollector) and collector.active
    assert not gc.isenabled()
    freed_on: list[int] = []
    Cyclic(freed_on)
    worker = threading.Thread(target=churn)
    worker.start()
    worker.join()
    assert freed_on == []  # the worker allocated plenty, and collected nothing
    qtbot.waitUntil(lambda: bool(freed_on), timeout=30_000)  # the timer's collection
    assert freed_on == [threading.get_ident()]


def test_a_bulk_pass_pauses_the_timers_collections_too(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    collector = install(app)
    freed_on: list[int] = []
    Cyclic(freed_on)
    timer = collector.findChild(QTimer)
    assert isinstance(timer, QTimer) and timer.isActive()
    with paused_gc():
        churn()
        assert collector.collect_due() == 0
        for _ in range(2):  # the timer's own collections, connected before this wait
            with qtbot.waitSignal(timer.timeout, timeout=30_000):
                pass
        assert freed_on == []
    assert not gc.isenabled()  # the pause gives collection back to the timer, not to gc
    qtbot.waitUntil(lambda: bool(freed_on), timeout=30_000)


def test_stopping_gives_automatic_collection_back(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    collector = install(app)
    assert install(app) is collector
    collector.stop()
    assert gc.isenabled() and not collector.active
