"""The window paints the first screenful before the full list, and checks the file later."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.services.case_list import CaseQuery, first_page
from desktop.services.context import Cancelled, ServiceContext
from desktop.services.store_health import check_store
from desktop.store import keys, open_store
from desktop.store.database import make_engine
from desktop.views import cases as window_module
from desktop.views import store_opening as window_module_check
from desktop.views.case_table import OBJECT_ROLE
from desktop.views.window import MainWindow
from tests.unit.views.driving import message_box

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_the_first_screenful_shows_before_the_full_list(
        qtbot: QtBot, county_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real_list_cases = window_module.list_cases

    def slow_list_cases(ctx, query):  # type: ignore[no-untyped-def]
        release.wait(20)  # the scan of 100,000 cases, still running
        return real_list_cases(ctx, query)

    monkeypatch.setattr(window_module, "list_cases", slow_list_cases)
    window = MainWindow(county_path)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.cases.first_page_shown, timeout=20_000) as shown:
        window.open_database()
    assert shown.args == [60]
    model = window.cases.model
    rows = [model.index(i, 0).data(OBJECT_ROLE) for i in range(model.rowCount())]
    store = open_store(county_path, prompt=None)
    try:
        expected = first_page(ServiceContext(store=store), CaseQuery())
    finally:
        store.close()
    assert rows == expected  # painted from the index, in case-reference order
    assert window.cases.counts.text() == "Counting cases…"
    assert window.cases.listing is None
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        release.set()
    assert model.rowCount() == window.cases.listing.shown > 60
    assert model.row_at(0) == expected[0]  # kept: not read again


def test_a_damaged_page_is_reported_by_the_background_check(qtbot: QtBot,
                                                             county_path: Path) -> None:
    """Bytes flipped in a table the list never reads: only the check can find them."""
    key = keys.resolve_key(county_path, prompt=None)
    engine = make_engine(county_path, key)
    with engine.connect() as conn:
        root = conn.exec_driver_sql(
            "SELECT rootpage FROM sqlite_master WHERE name = 'case_events'").scalar()
    engine.dispose()
    with county_path.open("r+b") as handle:
        handle.seek((root - 1) * 4096 + 300)
        handle.write(bytes(64))
    window = MainWindow(county_path)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.health_checked, timeout=30_000) as checked:
        window.open_database()
    health = checked.args[0]
    assert not health.ok
    listing = window.cases.listing
    assert listing is not None and listing.shown > 0  # the list still works
    box = message_box(qtbot)
    text = box.text()
    assert "dipsample.db is damaged" in text and "no backup of it was found" in text
    assert "Traceback" not in text and "\n" not in text
    box.close()


def test_a_whole_store_checks_out_quietly(qtbot: QtBot, county_path: Path) -> None:
    window = MainWindow(county_path)
    qtbot.addWidget(window)
    window.show()
    assert not window.heartbeat.running  # no timer wakes the laptop for nothing
    window.heartbeat.reset()  # measuring (the benchmarks do this) starts it
    with qtbot.waitSignal(window.health_checked, timeout=30_000) as checked:
        window.open_database()
    assert checked.args[0].ok
    assert window.health_box is None
    assert window.heartbeat.running and window.heartbeat.beats > 0


def test_closing_the_window_stops_the_background_check(
        qtbot: QtBot, county_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl+Q took 6.5 s: the process waited for the rest of the check's scan (5 s on
    # 100,000 cases). Here the check is still running when the window closes; closing
    # cancels it, and SQLite's scan stops at its next step (check_store raises Cancelled).
    started = threading.Event()
    ended: list[str] = []
    real_check = window_module_check.check_store

    def long_check(ctx: ServiceContext) -> object:
        started.set()
        ctx.cancel._event.wait(20)  # the rest of a long scan, unless cancelled
        try:
            return real_check(ctx)
        except Cancelled:
            ended.append("cancelled")
            raise
        finally:
            ended.append("ended")

    monkeypatch.setattr(window_module_check, "check_store", long_check)
    window = MainWindow(county_path)
    qtbot.addWidget(window)
    window.show()
    window.open_database()
    qtbot.waitUntil(started.is_set, timeout=30_000)
    window.close()
    window.tasks._executor.shutdown(wait=True)  # the store closed after the check ended
    assert ended == ["cancelled", "ended"]
    assert window.health is None  # nothing reported after the close


def test_a_cancelled_check_stops_with_cancelled(ctx: ServiceContext) -> None:
    assert check_store(ctx).ok
    ctx.cancel.cancel()
    with pytest.raises(Cancelled):
        check_store(ctx)
