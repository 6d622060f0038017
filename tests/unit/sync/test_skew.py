"""A laptop's clock measured against the target's, kept, and said in words when it is
more than a few minutes off (desktop/sync/skew.py)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.models import User
from desktop.store import open_store
from desktop.sync.skew import clock_skew, read_skew
from desktop.sync.status import remember_target
from desktop.views.sync_screen import SyncScreen
from tests.unit.views.conftest import private_settings  # noqa: F401  (QSettings kept here)
from tests.unit.views.driving import open_as

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

HOUR_MS = 3_600_000


def _store_off_by(tmp_path: Path, hours: float, name: str = "laptop"):  # type: ignore[no-untyped-def]
    return open_store(tmp_path / name / "dipsample.db", prompt=None, create=True,
                      wall_ms=lambda: time.time_ns() // 1_000_000 + round(hours * HOUR_MS))


def test_a_clock_hours_slow_is_measured_kept_and_said(tmp_path: Path) -> None:
    store = _store_off_by(tmp_path, -3)
    try:
        assert read_skew(store) is None
        skew = clock_skew(store, dt.datetime.now(dt.UTC))
        assert -3 * 3600 - 60 < skew.offset_s < -3 * 3600 + 60
        assert skew.text == "This computer's clock is 180 minutes slow (about 3 hours)"
        kept = read_skew(store)
        assert kept is not None and round(kept.offset_s / 60) == -180
        before = store.data_version()
        clock_skew(store, dt.datetime.now(dt.UTC))  # the same again: nothing written
        assert store.data_version() == before
        fixed = clock_skew(store, dt.datetime.now(dt.UTC),
                           local_time=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=7))
        assert fixed.text == "This computer's clock is 7 minutes fast"
        assert read_skew(store) == fixed  # moved: written again
    finally:
        store.close()


def test_a_few_minutes_either_way_is_not_worth_saying(tmp_path: Path) -> None:
    store = _store_off_by(tmp_path, 0)
    try:
        now = dt.datetime.now(dt.UTC)
        assert clock_skew(store, now + dt.timedelta(minutes=4)).text == ""
        assert not clock_skew(store, now - dt.timedelta(minutes=4, seconds=50)).off
        with pytest.raises(ValueError):
            clock_skew(store, now.replace(tzinfo=None))
    finally:
        store.close()


def test_the_status_bar_says_when_the_clock_is_off(qtbot: QtBot, tmp_path: Path) -> None:
    store = _store_off_by(tmp_path, 4)
    with store.transaction() as session:
        session.add(User(username="auditor1", name="Auditor One", roles="auditor"))
    remember_target(store, f"folder:{tmp_path / 'share'}")
    clock_skew(store, dt.datetime.now(dt.UTC))
    path = store.path
    store.close()
    window = open_as(qtbot, path, screens=[SyncScreen])
    widget = window.sync_status  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "clock" in widget.text(), timeout=20_000)
    assert widget.text().endswith("This computer's clock is 240 minutes fast (about 4 hours)")
