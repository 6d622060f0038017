"""The Cases screen as a person uses it: filter by team, pick a case, read its detail."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QApplication, Qt
from desktop.services.case_list import CaseRow
from desktop.views.case_table import OBJECT_ROLE
from desktop.views.cases import CasesScreen
from desktop.views.window import MainWindow

from .driving import activate, all_rows, open_as

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def open_cases(qtbot: QtBot, path: Path) -> tuple[MainWindow, CasesScreen]:
    """The window signed in as QA, its Cases screen shown with the whole list read."""
    window = open_as(qtbot, path, role="qa", screens=(CasesScreen,))
    cases = window.cases
    assert cases is not None
    with qtbot.waitSignal(cases.cases_loaded, timeout=20_000):
        window.show_screen("cases")
    return window, cases


def test_choosing_a_team_narrows_the_list_and_its_workers(qtbot: QtBot,
                                                          county_path: Path) -> None:
    window, cases = open_cases(qtbot, county_path)
    qtbot.waitUntil(lambda: cases.team_choice.count() > 2, timeout=20_000)
    every_worker = cases.worker_choice.count()
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)  # the Tea&m label
    assert QApplication.focusWidget() is cases.team_choice
    with qtbot.waitSignal(cases.cases_loaded, timeout=20_000):
        qtbot.keyClick(cases.team_choice, Qt.Key.Key_Down)  # the first team
    team = cases.team_choice.currentText()
    rows = all_rows(qtbot, window)
    assert rows and {r.team for r in rows} == {team}
    assert 1 < cases.worker_choice.count() < every_worker  # that team's workers only


def test_clicking_a_case_shows_its_compliance_in_words(qtbot: QtBot,
                                                        county_path: Path) -> None:
    window, cases = open_cases(qtbot, county_path)
    with qtbot.waitSignal(cases.cases_loaded, timeout=20_000):
        cases.open_only.click()
    all_rows(qtbot, window)
    index = cases.model.index(0, 0)
    row = index.data(OBJECT_ROLE)
    assert isinstance(row, CaseRow)
    with qtbot.waitSignal(cases.detail.shown, timeout=20_000):
        qtbot.mouseClick(cases.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=cases.table.visualRect(index).center())
    assert row.case_ref in cases.detail.heading.text()
    table = cases.detail.compliance
    assert table.rowCount() > 0
    words = [table.item(r, c).text() for r in range(table.rowCount())
             for c in range(table.columnCount()) if table.item(r, c) is not None]
    assert any(w == "Met" or w.startswith(("Due ", "Overdue since ")) for w in words)


def test_not_audited_in_four_weeks_is_a_tick_away(qtbot: QtBot, county_path: Path) -> None:
    _window, cases = open_cases(qtbot, county_path)
    assert cases.listing is not None
    everything = cases.listing.shown
    with qtbot.waitSignal(cases.cases_loaded, timeout=20_000):
        qtbot.mouseClick(cases.not_audited, Qt.MouseButton.LeftButton)
    assert cases.listing is not None and 0 < cases.listing.shown < everything
