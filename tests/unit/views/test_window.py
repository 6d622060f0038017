"""The main window driven as a person would: open, read the counts, filter, sort."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QPoint, Qt
from desktop.store import keys, open_store
from desktop.views import case_table as columns
from desktop.views.window import MainWindow
from tests.unit.views.driving import (
    all_rows,
    message_box,
    open_window,
    passphrase_dialog,
    settle,
)

#: The offscreen platform (tests, CI) cannot pass size hints to a window manager.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def type_filter(qtbot: QtBot, window: MainWindow, text: str) -> None:
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        window.cases.filter_edit.selectAll()
        qtbot.keyClicks(window.cases.filter_edit, text)


def test_opening_shows_every_case_and_the_counts(qtbot: QtBot, county_path: Path) -> None:
    window = open_window(qtbot, county_path)
    assert window.cases.model.rowCount() == 600
    rows = all_rows(qtbot, window)
    assert [r.case_ref for r in rows] == sorted(r.case_ref for r in rows)
    open_rows = [r for r in rows if r.status == "open"]
    reds = sum(1 for r in open_rows if r.rag == "red")
    text = window.cases.counts.text()
    assert "600 of 600 cases" in text
    assert f"{len(open_rows):,} open" in text
    assert f"Red {reds:,}" in text
    first = window.cases.model.index(0, columns.RAG)
    assert first.data() in {"Red", "Amber", "Green"}
    assert first.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert window.windowTitle() == f"DipSample: {county_path.name}"


def test_typing_a_team_name_narrows_the_list(qtbot: QtBot, county_path: Path) -> None:
    window = open_window(qtbot, county_path)
    everything = all_rows(qtbot, window)
    type_filter(qtbot, window, "north")
    rows = all_rows(qtbot, window)
    expected = [r for r in everything if "north" in r.team.lower()]
    assert 0 < len(rows) < 600
    assert sorted(r.id for r in rows) == sorted(r.id for r in expected)
    assert f"{len(rows):,} of 600 cases" in window.cases.counts.text()


def test_typing_a_case_reference_or_a_rag(qtbot: QtBot, county_path: Path) -> None:
    window = open_window(qtbot, county_path)
    everything = all_rows(qtbot, window)
    target = everything[17]
    type_filter(qtbot, window, target.case_ref)
    assert [r.id for r in all_rows(qtbot, window)] == [target.id]
    type_filter(qtbot, window, "Red")
    rows = all_rows(qtbot, window)
    assert rows and {r.rag for r in rows} == {"red"}
    assert len(rows) == sum(1 for r in everything if r.rag == "red")
    type_filter(qtbot, window, "no such team")
    assert window.cases.model.rowCount() == 0
    assert "0 of 600 cases" in window.cases.counts.text()


def test_rag_choice_and_open_only(qtbot: QtBot, county_path: Path) -> None:
    window = open_window(qtbot, county_path)
    everything = all_rows(qtbot, window)
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        window.cases.rag_choice.setCurrentIndex(window.cases.rag_choice.findText("Amber"))
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        qtbot.mouseClick(window.cases.open_only, Qt.MouseButton.LeftButton)
    rows = all_rows(qtbot, window)
    expected = [r for r in everything if r.rag == "amber" and r.status == "open"]
    assert sorted(r.id for r in rows) == sorted(r.id for r in expected)


def test_clicking_a_header_sorts(qtbot: QtBot, county_path: Path) -> None:
    window = open_window(qtbot, county_path)
    header = window.cases.table.horizontalHeader()
    x = header.sectionViewportPosition(columns.TEAM) + 10
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    teams = [r.team for r in all_rows(qtbot, window)]
    assert teams in (sorted(teams), sorted(teams, reverse=True))
    assert teams[0] != teams[-1]
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    again = [r.team for r in all_rows(qtbot, window)]
    assert again == list(reversed(sorted(teams, reverse=teams[0] > teams[-1])))


def test_an_empty_database_says_how_to_fill_it(qtbot: QtBot, db_path: Path) -> None:
    window = open_window(qtbot, db_path)
    assert window.cases.model.rowCount() == 0
    assert "dipsample demo" in window.cases.counts.text()


def test_a_problem_opening_is_one_line_in_a_message_box(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    window = MainWindow(folder)
    qtbot.addWidget(window)
    window.open_database()
    box = message_box(qtbot)
    assert "is a folder, not a database file" in box.text()
    assert "\n" not in box.text() and "Traceback" not in box.text()
    assert window.store is None
    box.close()


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_the_window_asks_for_the_passphrase(qtbot: QtBot,
                                                              db_path: Path) -> None:
    store = open_store(db_path, passphrase="correct horse battery", prompt=None, create=True)
    store.close()
    window = MainWindow(db_path)
    qtbot.addWidget(window)
    window.open_database()
    dialog = passphrase_dialog(qtbot, window)
    assert dialog.confirm is None  # an existing database: asked once
    assert dialog.passphrase.echoMode() == dialog.passphrase.EchoMode.Password
    qtbot.keyClicks(dialog.passphrase, "wrong passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    box = message_box(qtbot)
    assert "passphrase is wrong" in box.text()
    box.done(0)
    qtbot.waitUntil(lambda: window.passphrase_dialog is not None, timeout=20_000)
    dialog = window.passphrase_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.passphrase, "correct horse battery")
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert window.store is not None and window.store.key_source == "passphrase"


@pytest.mark.usefixtures("no_keyring")
def test_a_new_database_needs_a_long_enough_passphrase_twice(qtbot: QtBot,
                                                             db_path: Path) -> None:
    """A typo in a new passphrase would lock the data away: it is typed twice."""
    window = MainWindow(db_path)
    qtbot.addWidget(window)
    window.show()
    window.open_database()
    dialog = passphrase_dialog(qtbot, window)
    assert dialog.confirm is not None and dialog.mismatch is not None
    assert dialog.confirm.echoMode() == dialog.confirm.EchoMode.Password
    qtbot.keyClicks(dialog.passphrase, "short")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert "at least 8" in dialog.problem.text()
    qtbot.keyClicks(dialog.passphrase, " but longer")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)  # the repeat not typed yet
    assert "again" in dialog.mismatch.text() and dialog.problem.text() == ""
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.confirm, "short but lnoger")  # a typo
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    assert "differ" in dialog.mismatch.text()
    assert dialog.isVisible() and window.passphrase_dialog is dialog
    # the message sits with the repeat field, not at the foot of the dialog
    field, note = dialog.confirm.geometry(), dialog.mismatch.geometry()
    assert note.left() == field.left() and 0 <= note.top() - field.bottom() < field.height()
    settle(qtbot, window)  # had the refused passphrase gone to the worker, it is done
    assert not db_path.exists() and not keys.kdf_path(db_path).exists()  # nothing made
    assert dialog.confirm.selectedText() == "short but lnoger"  # ready to be typed over
    qtbot.keyClicks(dialog.confirm, "short but")
    assert dialog.mismatch.text() == ""  # editing clears the complaint
    qtbot.keyClicks(dialog.confirm, " longer")
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):
        qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    assert db_path.exists()
    assert window.store is not None and window.store.key_source == "passphrase"
    window.close()
    again = open_store(db_path, passphrase="short but longer", prompt=None)
    again.close()


def test_the_window_opens_inside_the_screen(qtbot: QtBot, tmp_path: Path) -> None:
    """The default 1280 by 760 does not fit this screen (offscreen: 800 by 600), so the
    window opens maximised; a remembered size that fits but a place off the screen (a
    bigger monitor's) opens at that size, moved inside."""
    big = MainWindow(tmp_path / "none.db", defer_screens=True)
    qtbot.addWidget(big)
    big.show_fitted()
    assert big.isMaximized()
    small = MainWindow(tmp_path / "none.db", defer_screens=True)
    qtbot.addWidget(small)
    small._size_remembered = True
    small.resize(500, 400)
    small.move(3000, 2000)
    small.show_fitted()
    room = small.screen().availableGeometry()
    assert not small.isMaximized() and (small.width(), small.height()) == (500, 400)
    qtbot.waitUntil(lambda: room.contains(small.frameGeometry()), timeout=5_000)
