"""A background sync that fails is logged and said, never silently 'offline' (issue 22)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.errors import EnvironmentProblem
from desktop.views.sync_status import SyncStatusWidget
from tests.unit.views.driving import open_as

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_a_failed_background_sync_is_logged_and_shown(
        qtbot: QtBot, county_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    window = open_as(qtbot, county_path, role="qa")
    widget = window.sync_status  # type: ignore[attr-defined]
    assert isinstance(widget, SyncStatusWidget)
    caplog.set_level(logging.INFO, logger="desktop.views.sync_status")
    try:
        raise KeyError("a bug inside sync")  # raised, so it carries a traceback
    except KeyError as exc:
        widget._failed(exc)
    bug = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert bug and bug[0].exc_info is not None
    assert "error is in the log file" in window.statusBar().currentMessage()
    assert widget.failure is not None and widget.online is False
    widget._failed(EnvironmentProblem("The shared folder cannot be reached."))
    assert "cannot be reached" in window.statusBar().currentMessage()
    assert any(r.levelno == logging.WARNING and "EnvironmentProblem" in r.getMessage()
               for r in caplog.records)
