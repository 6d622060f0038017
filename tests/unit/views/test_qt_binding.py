"""The Qt binding installed does not carry a bug known to abort the application."""

from __future__ import annotations

import sys

from desktop.qt import QApplication


def test_processing_events_keeps_the_reference_count_of_none(qapp: QApplication) -> None:
    """PySide6 6.12.0 dropped a reference to None on each processEvents(): every wait
    loop in the window and the tests ran the count down until Python aborted
    ("deallocating None"). pyproject.toml excludes that release."""
    before = sys.getrefcount(None)
    for _ in range(2_000):
        QApplication.processEvents()
    assert sys.getrefcount(None) >= before - 50  # other code may drop a few of its own
