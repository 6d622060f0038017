"""The window at a real desk (issue 23): screens that fit 1024x700 without cutting a
column's header or scrolling sideways, a narrower navigation, a named RAG filter on the
Cases screen, and dialogs that fit and answer the keyboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFont,
    QRect,
    Qt,
    QTableView,
    QtGui,
    QWidget,
)
from desktop.views.action_table import ATTENTION
from desktop.views.action_tracker import ActionTrackerScreen
from desktop.views.cases import CasesScreen
from desktop.views.concerns import ConcernsScreen
from desktop.views.fit_columns import plan_widths, set_aside
from desktop.views.reports_screen import ReportsScreen
from desktop.views.window import MainWindow
from tests.unit.views.conftest import AS_OF
from tests.unit.views.driving import activate, open_as, open_screen_as, settle
from tests.unit.views.test_concerns import raise_two_concerns
from tests.unit.views.test_form_fits import cut_labels, sized

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 20_000
NOON = dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)
SMALL = (1024, 700)
MUST_RESPOND, D_MUST = 2, 3  # in the escalations, and in the disagreements


def cut_columns(table: QTableView) -> list[str]:
    """What a person cannot see of the table's columns: a sideways scroll bar, a header
    narrower than its words, a column past the right edge. A column the fitter set
    aside (hidden) is not cut: the screen shows its facts beside the table."""
    header = table.horizontalHeader()
    cut = []
    if table.horizontalScrollBar().maximum() > 0:
        cut.append(f"scrolls sideways by {table.horizontalScrollBar().maximum()} pixels")
    for column in range(header.count()):
        if header.isSectionHidden(column):
            continue
        title = table.model().headerData(column, Qt.Orientation.Horizontal)
        if header.sectionSize(column) < header.sectionSizeHint(column):
            cut.append(f"{title!r} {header.sectionSize(column)} of "
                       f"{header.sectionSizeHint(column)} pixels")
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        if right > table.viewport().width():
            cut.append(f"{title!r} ends at {right} of {table.viewport().width()}")
    return cut


def words_whole(table: QTableView, column: int) -> list[str]:
    """The cells of ``column`` whose words, wrapped, need more room than the cell has."""
    cut = []
    model = table.model()
    for row in range(model.rowCount()):
        index = model.index(row, column)
        font = index.data(Qt.ItemDataRole.FontRole)  # bold in a toned cell
        metrics = QtGui.QFontMetrics(font) if isinstance(font, QFont) else table.fontMetrics()
        rect = table.visualRect(index)
        width = rect.width() - 8  # the cell's margins
        needed = metrics.boundingRect(QRect(0, 0, width, 10_000),
                                      int(Qt.TextFlag.TextWordWrap), str(index.data()))
        if needed.height() > rect.height() or needed.width() > width:
            cut.append(f"row {row}: {index.data()!r} needs {needed.width()}x"
                       f"{needed.height()} in {width}x{rect.height()}")
    return cut


def test_the_widths_give_way_free_text_first_then_wrap_never_below_the_header() -> None:
    fulls, headers = [100, 300, 200], [40, 60, 50]
    assert plan_widths(fulls, headers, 700, cap=250) == [100, 300, 200]  # room for all
    assert plan_widths(fulls, headers, 550, cap=250) == [100, 250, 200]  # cut to the cap
    assert plan_widths(fulls, headers, 500, cap=250, first={1: 120}) == [100, 200, 200]
    # One free column after another: the first named down to its width, then the next.
    assert plan_widths(fulls, headers, 420, cap=250, first={2: 80, 1: 120}) == [
        100, 240, 80]
    # Two lines hold a column's words at a little over half their width.
    narrow = plan_widths(fulls, headers, 380, cap=250, first={1: 120})
    assert sum(narrow) <= 380 and narrow[1] >= 120 and min(narrow) >= 40
    assert plan_widths(fulls, headers, 100, cap=250) == headers  # never below the header


def test_a_word_is_never_broken_and_optional_columns_step_aside_in_order() -> None:
    fulls, headers = [80, 300, 200], [40, 60, 50]
    # Wrapped onto two lines a column may narrow to about 0.6 of its width, but never
    # below its longest word (a case reference, a date: one word).
    assert plan_widths(fulls, headers, 300, cap=250) == [50, 131, 119]
    assert plan_widths(fulls, headers, 300, cap=250, words=[80, 0, 0]) == [80, 110, 110]
    # Too narrow for every column: the optional ones step aside, in the order given,
    # until the others' words fit (free text at its narrowest, the rest wrapped onto
    # two lines: 50 + 148 + 119 here, a column cut to the cap before it wraps).
    assert set_aside(fulls, headers, 320, cap=250, optional=[2, 1]) == set()
    assert set_aside(fulls, headers, 300, cap=250, optional=[2, 1]) == {2}
    assert set_aside(fulls, headers, 150, cap=250, optional=[2, 1]) == {2, 1}
    assert set_aside(fulls, headers, 300, cap=250, first={1: 100}, optional=[2]) == set()
    assert set_aside(fulls, headers, 300, cap=250, lines=1, optional=[2]) == {2}


def test_the_disagreements_and_escalations_fit_1024x700(qtbot: QtBot,
                                                         county_path: Path) -> None:
    raise_two_concerns(county_path)
    window = open_as(qtbot, county_path, role="qa", screens=(ConcernsScreen,))
    window.clock = lambda: NOON
    screen = window.screens[ConcernsScreen.key]
    assert isinstance(screen, ConcernsScreen)
    with qtbot.waitSignal(screen.concerns_loaded, timeout=WAIT):
        window.show_screen(screen.key)
    sized(qtbot, window, SMALL)
    tables = (screen.escalation_table, screen.disagreement_table)
    assert all(table.model().rowCount() > 0 for table in tables)
    qtbot.waitUntil(lambda: [cut_columns(table) for table in tables] == [[], []],
                    timeout=WAIT)
    # Who must respond is read first: every word of it, on the lines its row has.
    assert words_whole(screen.escalation_table, MUST_RESPOND) == []
    assert words_whole(screen.disagreement_table, D_MUST) == []

    sized(qtbot, window, (1920, 1080))  # a wide window: one line a row again
    qtbot.waitUntil(lambda: not (screen.escalation_fit.wrapped
                                 or screen.disagreement_fit.wrapped), timeout=WAIT)
    assert [cut_columns(table) for table in tables] == [[], []]


def test_the_reports_preview_fits_1024x700(qtbot: QtBot, county_path: Path) -> None:
    window, screen = open_screen_as(qtbot, county_path, ReportsScreen, "previewed", NOON)
    sized(qtbot, window, SMALL)
    table = screen.preview_table
    assert table.model().rowCount() > 0 and table.model().columnCount() >= 3
    qtbot.waitUntil(lambda: cut_columns(table) == [], timeout=WAIT)
    headers = [table.model().headerData(c, Qt.Orientation.Horizontal)
               for c in range(table.model().columnCount())]
    status = headers.index("Status")  # cut at 1024 before
    assert words_whole(table, status) == []
    assert not screen.preview_fit.wrapped  # the preview has its share: one line a row
    sized(qtbot, window, (1366, 768))  # wider: fitted again, on one line a row
    qtbot.waitUntil(lambda: not screen.preview_fit.wrapped, timeout=WAIT)
    assert cut_columns(table) == []


def test_the_actions_fit_1024x700_without_scrolling_sideways(qtbot: QtBot,
                                                             county_path: Path) -> None:
    window, screen = open_screen_as(qtbot, county_path, ActionTrackerScreen,
                                    "actions_loaded", NOON)
    sized(qtbot, window, SMALL)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: cut_columns(screen.table) == [], timeout=WAIT)
    assert screen.fit.wrapped  # two lines a row: the words wrap rather than run off
    assert words_whole(screen.table, ATTENTION) == []  # "Overdue by ... working days"


def test_the_navigation_is_narrow_and_every_name_shows_whole(qtbot: QtBot,
                                                            county_path: Path) -> None:
    window = MainWindow(county_path)  # every screen, as a person sees the list
    qtbot.addWidget(window)
    window.resize(*SMALL)
    window.show()
    qtbot.waitExposed(window)
    navigation = window.navigation
    assert navigation.width() <= navigation.fontMetrics().averageCharWidth() * 22, (
        f"the navigation takes {navigation.width()} of {window.width()} pixels")
    width = navigation.viewport().width()
    metrics = navigation.fontMetrics()
    for row in range(navigation.count()):
        item = navigation.item(row)
        rect = navigation.visualItemRect(item)
        needed = metrics.boundingRect(QRect(0, 0, rect.width(), 10_000),
                                      int(Qt.TextFlag.TextWordWrap), item.text())
        assert needed.height() <= rect.height() and rect.right() <= width, item.text()


def test_the_rag_filter_has_a_label_that_moves_the_focus_to_it(qtbot: QtBot,
                                                               county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(CasesScreen,))
    screen = window.show_screen(CasesScreen.key)
    assert isinstance(screen, CasesScreen)
    labels = [w for w in screen.findChildren(type(screen.counts))
              if w.buddy() is screen.rag_choice]
    assert [w.text() for w in labels] == ["RAG rat&ing:"]
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(screen.rag_choice.hasFocus, timeout=WAIT)


def by_keyboard(qtbot: QtBot, dialog: QDialog, button: QDialogButtonBox.StandardButton
                ) -> None:
    """Press ``button`` of the dialog with its Alt+letter, as a keyboard user would."""
    pressed = dialog.findChild(QDialogButtonBox).button(button)
    qtbot.waitUntil(lambda: "&" in pressed.text(), timeout=WAIT)  # given on show
    letter = pressed.text()[pressed.text().index("&") + 1]
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT)
    qtbot.keyClick(dialog, letter.lower(), Qt.KeyboardModifier.AltModifier)


def test_the_dialogs_answer_the_keyboard_and_fit_1024x700(qtbot: QtBot,
                                                         county_path: Path) -> None:
    """Each dialog of the actions and concerns screens: whole (no label cut, within a
    1024x700 window), OK and Cancel with an Alt+letter each, Escape cancels."""
    raise_two_concerns(county_path)
    window = open_as(qtbot, county_path, role="qa",
                     screens=(ActionTrackerScreen, ConcernsScreen))
    window.clock = lambda: NOON
    sized(qtbot, window, SMALL)
    tracker = window.screens[ActionTrackerScreen.key]
    assert isinstance(tracker, ActionTrackerScreen)
    with qtbot.waitSignal(tracker.actions_loaded, timeout=WAIT):
        window.show_screen(tracker.key)
    tracker.table.selectRow(0)
    concerns = window.screens[ConcernsScreen.key]
    assert isinstance(concerns, ConcernsScreen)

    def opened(show: Callable[[], object], found: Callable[[], QWidget | None]) -> QDialog:
        show()
        qtbot.waitUntil(lambda: isinstance(found(), QDialog) and found().isVisible(),
                        timeout=WAIT)
        dialog = found()
        assert isinstance(dialog, QDialog)
        assert dialog.width() <= SMALL[0] and dialog.height() <= SMALL[1]
        assert cut_labels(dialog, dialog) == []
        return dialog

    status = opened(lambda: tracker.change_status(None), lambda: tracker.status_dialog)
    with qtbot.waitSignal(status.rejected, timeout=WAIT):
        by_keyboard(qtbot, status, QDialogButtonBox.StandardButton.Cancel)
    progress = opened(tracker.record_progress, lambda: tracker.progress_dialog)
    with qtbot.waitSignal(progress.rejected, timeout=WAIT):
        qtbot.keyClick(progress, Qt.Key.Key_Escape)

    with qtbot.waitSignal(concerns.concerns_loaded, timeout=WAIT):
        window.show_screen(concerns.key)
    concerns.escalation_table.selectRow(0)
    concerns.disagreement_table.selectRow(0)
    respond = opened(concerns.respond, lambda: concerns.dialog)
    qtbot.keyClicks(respond.text_edit, "Visited; a safety plan is in place")
    with qtbot.waitSignal(concerns.concerns_loaded, timeout=WAIT):
        by_keyboard(qtbot, respond, QDialogButtonBox.StandardButton.Ok)
    concerns.disagreement_table.selectRow(0)
    for show in (concerns.discuss, concerns.agree):
        concerns.dialog = None
        dialog = opened(show, lambda: concerns.dialog)
        with qtbot.waitSignal(dialog.rejected, timeout=WAIT):
            by_keyboard(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
