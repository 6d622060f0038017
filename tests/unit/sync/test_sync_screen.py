"""The Sync screen and the status bar's sync state, driven as a person would."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import ServiceArea, SyncConflict, User
from desktop.qt import Qt
from desktop.services.context import Cancelled
from desktop.services.users import people
from desktop.store import Store
from desktop.sync.engine import Progress, SyncReport
from desktop.sync.status import remember_target
from desktop.views import sync_status as sync_status_module
from desktop.views.sync_screen import SyncScreen
from desktop.views.sync_status import status_text
from tests.unit.sync.helpers import device, folder_sync, until_quiet
from tests.unit.views.conftest import private_settings  # noqa: F401  (QSettings kept here)
from tests.unit.views.driving import open_as

#: The offscreen platform (tests, CI) cannot pass size hints to a window manager.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def _clashing_pair(tmp_path: Path, share: Path) -> tuple[Path, Store]:
    """Two devices with one conflict on a service area's name; the first is closed."""
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    with a.transaction() as session:
        session.add_all([ServiceArea(name="North"),
                         User(username="auditor1", name="Auditor One", roles="auditor"),
                         User(username="qa1", name="QA One", roles="qa")])
    until_quiet([a, b], share)
    with a.transaction() as session:
        session.scalar(select(ServiceArea)).name = "North from A"
    with b.transaction() as session:
        session.scalar(select(ServiceArea)).name = "North from B"
    folder_sync(b, share)
    folder_sync(a, share)  # a receives b's later edit: a conflict here
    path = a.path
    a.close()
    return path, b


def test_a_conflict_is_settled_side_by_side_and_the_choice_syncs(
        qtbot: QtBot, tmp_path: Path, share: Path) -> None:
    path, b = _clashing_pair(tmp_path, share)
    try:
        window = open_as(qtbot, path, "qa", screens=[SyncScreen])  # areas are QA's to edit
        screen = window.screens["sync"]
        assert isinstance(screen, SyncScreen)
        with qtbot.waitSignal(screen.sync_loaded, timeout=20_000):
            window.show_screen("sync")
        assert screen.target_edit.text() == ""  # none chosen in the window yet
        qtbot.keyClicks(screen.target_edit, str(share))
        model = screen.conflict_model
        assert model.rowCount() == 1
        row = model.rows[0]
        assert (row.kept, row.other) == ("North from B", "North from A")
        assert not screen.use_other_button.isEnabled()
        screen.conflict_table.selectRow(0)
        with qtbot.waitSignal(screen.sync_loaded, timeout=20_000):
            qtbot.mouseClick(screen.use_other_button, Qt.MouseButton.LeftButton)
        assert screen.conflict_model.rowCount() == 0
        with qtbot.waitSignal(screen.synced, timeout=20_000) as done:
            qtbot.mouseClick(screen.sync_button, Qt.MouseButton.LeftButton)
        assert done.args[0].pushed >= 2
        assert "Sent" in screen.status.text()
        widget = window.sync_status  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: "pending" in widget.text(), timeout=20_000)
        assert widget.text().startswith("Sync: online")  # said by the sync just made
        assert screen.log_model.rowCount() >= 1
        assert screen.target_spec() == f"folder:{share}"
        folder_sync(b, share)
        with b.read() as session:  # the choice reached the other laptop
            assert session.scalar(select(ServiceArea.name)) == "North from A"
            assert session.scalars(select(SyncConflict)).one().status == "settled"
    finally:
        b.close()


def test_the_status_text_says_it_in_words() -> None:
    assert status_text(None, None) == "Sync: not set up"


def test_the_background_sync_backs_off_offline_and_shows_online_again(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIPSAMPLE_SYNC_INTERVAL", "0.2")
    store = device(tmp_path, "a")
    share = tmp_path / "not-yet"
    with store.transaction() as session:
        session.add(User(username="auditor1", name="Auditor One", roles="auditor"))
    remember_target(store, f"folder:{share}")
    path = store.path
    store.close()
    window = open_as(qtbot, path, screens=[SyncScreen])
    widget = window.sync_status  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "offline" in widget.text(), timeout=20_000)
    qtbot.waitUntil(lambda: widget.wait_s >= 0.8, timeout=20_000)  # doubled, twice
    assert "1 pending" in widget.text()
    share.mkdir()
    qtbot.waitUntil(lambda: "online" in widget.text() and "0 pending" in widget.text(),
                    timeout=20_000)
    assert widget.wait_s == widget.base_s


def _slow_background_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                          ) -> tuple[Path, threading.Event, threading.Event, list[str]]:
    """A store set to sync with a folder, and a background sync that starts, then waits
    for ``release`` before it does the real work (a first sync of a big store)."""
    monkeypatch.setenv("DIPSAMPLE_SYNC_INTERVAL", "0.1")
    store = device(tmp_path, "a")
    share = tmp_path / "share"
    share.mkdir()
    with store.transaction() as session:
        session.add(User(username="auditor1", name="Auditor One", roles="auditor"))
    remember_target(store, f"folder:{share}")
    path = store.path
    store.close()
    started, release = threading.Event(), threading.Event()
    outcome: list[str] = []
    real = sync_status_module.sync_now

    def slow(store: Store, spec: str | None = None, progress: Progress | None = None
             ) -> SyncReport:
        started.set()
        release.wait(20)
        try:
            report = real(store, spec, progress)
        except Cancelled:
            outcome.append("cancelled")
            raise
        outcome.append(report.outcome)
        return report

    monkeypatch.setattr(sync_status_module, "sync_now", slow)
    return path, started, release, outcome


def test_a_long_background_sync_leaves_the_windows_reads_alone(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, started, release, outcome = _slow_background_sync(tmp_path, monkeypatch)
    window = open_as(qtbot, path, screens=[SyncScreen])
    qtbot.waitUntil(started.is_set, timeout=20_000)
    read: list[int] = []
    window.call("Reading", lambda ctx: len(people(ctx)), dialog=False).success(
        read.append).run()
    qtbot.waitUntil(lambda: bool(read), timeout=10_000)  # not queued behind the sync
    assert read == [1] and outcome == []  # the sync is still waiting
    release.set()
    widget = window.sync_status  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "online" in widget.text(), timeout=20_000)
    assert outcome[0] == "ok"


def test_closing_the_window_stops_a_background_sync_before_the_store_closes(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, started, release, outcome = _slow_background_sync(tmp_path, monkeypatch)
    window = open_as(qtbot, path, screens=[SyncScreen])
    qtbot.waitUntil(started.is_set, timeout=20_000)
    closed: list[bool] = []
    store = window.store
    assert store is not None
    real_close = store.close

    def close() -> None:
        closed.append(bool(outcome))  # did the sync end before the store closed?
        real_close()

    monkeypatch.setattr(store, "close", close)
    window.close()
    release.set()
    qtbot.waitUntil(lambda: bool(closed), timeout=20_000)
    assert outcome == ["cancelled"] and closed == [True]
