"""The window under real conditions: another process holding the database, a change made
elsewhere, failing reads, closing while the worker is busy, a slow keyring."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import keyring
import keyring.core
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

from desktop.models import Case
from desktop.qt import QApplication, QMessageBox, QPoint, Qt, QWidget
from desktop.services.case_list import CaseRow
from desktop.services.context import ServiceContext
from desktop.services.demo_county import build_demo_county
from desktop.store import open_store
from desktop.store.failures import BUSY_MESSAGE, DatabaseDamaged
from desktop.views import case_table as columns
from desktop.views import cases as window_module
from desktop.views.case_table import PAGE
from desktop.views.window import MainWindow
from desktop.views.worker import show_error
from tests.conftest import MemoryKeyring
from tests.unit.views.driving import (
    activate,
    all_rows,
    message_box,
    message_boxes,
    open_window,
    settle,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

REPO = Path(__file__).resolve().parents[3]
PASSPHRASE = "correct horse battery"


@pytest.fixture
def shared_county(db_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 60-case county whose key another process can derive (a passphrase, no keyring)."""
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", PASSPHRASE)
    store = open_store(db_path, prompt=None, create=True)
    try:
        build_demo_county(ServiceContext(store=store), cases=60, seed=3,
                          as_of=dt.date(2026, 11, 20))
    finally:
        store.close()
    return db_path


@pytest.fixture
def short_lock_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite waits 0.2 s for another process's lock before giving up, not 2 s.

    Why: the lock below is held until the test lets it go, so every wait ends in the
    same error however long it is; the window's reload met it after two waits of 2 s.
    Set before the test opens its store (each connection takes it when made).
    """
    from desktop.store import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)


@contextmanager
def lock_held(path: Path, mode: str) -> Iterator[None]:
    """Another real process holds SQLite's lock on ``path`` (see ``lock_holder.py``)."""
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.unit.views.lock_holder", str(path), mode],
        cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.wait(60)
        holder.stdout.close()


# -- 2: database conditions are one plain sentence ------------------------------------
def test_a_database_held_by_another_process_is_one_plain_sentence(
        qtbot: QtBot, shared_county: Path, short_lock_wait: None) -> None:
    window = open_window(qtbot, shared_county)
    all_rows(qtbot, window)  # the worker is idle
    qtbot.waitUntil(lambda: window.health is not None, timeout=30_000)  # and the check
    assert window.store is not None
    window.store.engine.dispose()  # idle connections closed (as a pool recycles them)
    activate(qtbot, window)
    with lock_held(shared_county, "exclusive"):
        qtbot.keyClick(window.cases.table, Qt.Key.Key_F5)
        box = message_box(qtbot)
        assert box.text() == BUSY_MESSAGE
        assert box.icon() == QMessageBox.Icon.Warning
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    activate(qtbot, window)
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):  # free again: F5 works
        qtbot.keyClick(window.cases.table, Qt.Key.Key_F5)
    assert window.cases.model.rowCount() == 60 and not message_boxes()


def test_a_locked_write_is_one_plain_sentence(qtbot: QtBot, db_path: Path, no_keyring: None,
                                              monkeypatch: pytest.MonkeyPatch,
                                              short_lock_wait: None) -> None:
    """SQLAlchemy's own exception from a real lock, as a window action's write would get."""
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", PASSPHRASE)
    store = open_store(db_path, prompt=None, create=True)
    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        with lock_held(db_path, "write"), pytest.raises(OperationalError) as raised, \
                store.read() as session:
            session.connection().exec_driver_sql(
                "UPDATE store_meta SET value = value WHERE key = 'device_id'")
    finally:
        store.close()
    box = show_error(parent, raised.value)
    assert box.text() == BUSY_MESSAGE
    assert "Something went wrong" not in box.text()
    box.close()


# -- 3: closing does not wait for the worker ---------------------------------------------
def test_closing_returns_at_once_while_a_search_runs(
        qtbot: QtBot, county_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, county_path)
    all_rows(qtbot, window)
    started, release, ended = threading.Event(), threading.Event(), threading.Event()
    saw_cancel: list[bool] = []
    real_list_cases = window_module.list_cases

    def blocked_search(ctx: ServiceContext, query: window_module.CaseQuery
                       ) -> window_module.CaseListing:
        started.set()
        release.wait(30)  # a long query that cannot look at the cancel token
        saw_cancel.append(ctx.cancel.cancelled)
        try:
            return real_list_cases(ctx, query)
        finally:
            ended.set()

    monkeypatch.setattr(window_module, "list_cases", blocked_search)
    store = window.store
    assert store is not None
    real_close = store.close
    closed: list[tuple[str, bool]] = []

    def close_store() -> None:
        closed.append((threading.current_thread().name, ended.is_set()))
        real_close()

    monkeypatch.setattr(store, "close", close_store)
    loaded: list[object] = []
    window.cases.cases_loaded.connect(loaded.append)
    activate(qtbot, window)
    try:
        qtbot.keyClick(window.cases.table, Qt.Key.Key_F5)
        qtbot.waitUntil(started.is_set, timeout=20_000)  # queued after the first screenful
        window.close()  # the title bar's close button
        # close() has returned although the search is still blocked on our event
        assert not window.isVisible()
        assert not ended.is_set() and closed == []
    finally:
        release.set()
    qtbot.waitUntil(lambda: bool(closed), timeout=20_000)
    assert saw_cancel == [True]  # the running search was told to stop
    name, search_had_ended = closed[0]
    assert name.startswith("dipsample-db") and search_had_ended
    QApplication.processEvents()  # the search ended before the store closed: its answer,
    assert loaded == [] and window.store is None  # had one been sent, is delivered now


def test_quit_has_a_key_on_every_platform(qtbot: QtBot, db_path: Path) -> None:
    """Windows has no standard Quit key (and neither has the offscreen platform)."""
    window = MainWindow(db_path)
    qtbot.addWidget(window)
    quit_action = next(a for a in window.menuBar().actions()[0].menu().actions()
                       if a.text() == "&Quit")
    assert quit_action.shortcuts()


# -- 4: the keyring is asked off the GUI thread ------------------------------------------
@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_opening_asks_the_keyring_only_on_the_worker(
        qtbot: QtBot, request: pytest.FixtureRequest, db_path: Path, existing: bool,
        memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding the keyring can block for seconds on D-Bus: never on the GUI thread."""
    path = request.getfixturevalue("county_path") if existing else db_path
    calls: list[tuple[str, bool]] = []

    def recorded(name: str, fn: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            calls.append((name, threading.current_thread() is threading.main_thread()))
            return fn(*args, **kwargs)

        return call

    monkeypatch.setattr(keyring, "get_keyring", recorded("get_keyring", keyring.get_keyring))
    monkeypatch.setattr(keyring.core, "get_keyring",
                        recorded("get_keyring", keyring.core.get_keyring))
    for method in ("get_password", "set_password"):
        monkeypatch.setattr(memory_keyring, method,
                            recorded(method, getattr(memory_keyring, method)))
    window = open_window(qtbot, path)
    assert window.store is not None and window.store.key_source == "keyring"
    assert calls, "the keyring was not asked at all"
    assert [name for name, on_gui in calls if on_gui] == []


# -- 5: Reload reads every row afresh ----------------------------------------------------
def test_reload_shows_a_case_changed_by_another_store(qtbot: QtBot, county_path: Path) -> None:
    window = open_window(qtbot, county_path)
    target = all_rows(qtbot, window)[0]
    rag = next(r for r in ("red", "amber", "green") if r != target.rag)
    other = open_store(county_path, prompt=None)
    try:
        with other.transaction() as session:
            case = session.get(Case, target.id)
            assert case is not None
            case.rag = rag
    finally:
        other.close()
    cell = window.cases.model.index(0, columns.RAG)
    assert cell.data() == (target.rag or "").capitalize()  # the cached row
    activate(qtbot, window)
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        qtbot.keyClick(window.cases.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.cases.model.index(0, columns.RAG).data() == rag.capitalize(),
                    timeout=10_000)
    assert window.cases.model.index(0, columns.CASE_REF).data() == target.case_ref


# -- 6: a burst of failing pages is one message box --------------------------------------
def test_failing_pages_show_one_message_box(qtbot: QtBot, county_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    failed: list[int] = []
    requested: list[int] = []
    real_case_rows = window_module.case_rows

    def damaged(_ctx: ServiceContext, ids: Sequence[str]) -> list[CaseRow]:
        release.wait(20)  # as SQLite's busy wait: the person scrolls on meanwhile
        failed.append(len(ids))
        raise DatabaseDamaged("dipsample.db is damaged; run 'dipsample check'")

    monkeypatch.setattr(window_module, "case_rows", damaged)
    # No first screenful from the index: every row comes through the failing page reads.
    monkeypatch.setattr(window_module, "first_page", lambda _ctx, _query: [])
    window = MainWindow(county_path)
    qtbot.addWidget(window)
    real_fetch = window.cases.fetch

    def fetch(ids: Sequence[str], done: Callable[[list[CaseRow]], None]) -> None:
        requested.append(window.cases.model.ids().index(ids[0]) // PAGE)
        real_fetch(ids, done)

    # The model asks its source at call time; watched before the store opens, so the
    # first screenful's request cannot come before the watch.
    monkeypatch.setattr(window.cases, "fetch", fetch)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        window.open_database()
    qtbot.waitUntil(lambda: requested == [0], timeout=10_000)  # the first screenful
    qtbot.mouseClick(window.cases.table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(20, 5))
    # Ctrl+End: to the last page while the first one waits
    qtbot.keyClick(window.cases.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: requested == [0, 2], timeout=10_000)
    release.set()
    box = message_box(qtbot)
    qtbot.waitUntil(lambda: len(failed) == 2, timeout=10_000)
    settle(qtbot, window)  # both failures delivered
    assert message_boxes() == [box]
    assert "damaged" in box.text()
    # dismissed: the next failure (the middle page, scrolled to) has a box of its own
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not message_boxes(), timeout=10_000)
    for _ in range(40):
        if 1 in requested:
            break
        qtbot.keyClick(window.cases.table, Qt.Key.Key_PageUp)
        qtbot.wait(20)
    qtbot.waitUntil(lambda: len(failed) == 3, timeout=10_000)
    second = message_box(qtbot)
    settle(qtbot, window)
    assert message_boxes() == [second]
    # a reload that works ends the burst and closes the out-of-date box
    monkeypatch.setattr(window_module, "case_rows", real_case_rows)
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        window.cases.refresh()
    qtbot.waitUntil(lambda: not second.isVisible(), timeout=10_000)
    assert len(all_rows(qtbot, window)) == 600 and not message_boxes()


def test_a_process_closed_while_its_worker_is_busy_exits_cleanly(shared_county: Path) -> None:
    """Interpreter exit waits for the cancelled search, then the store is closed."""
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, "-X", "dev", "-m", "tests.unit.views.close_while_busy",
                          str(shared_county)], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["closed", "store closed"]
    problems = [line for line in run.stderr.splitlines()
                if "propagateSizeHints" not in line]
    assert problems == []
