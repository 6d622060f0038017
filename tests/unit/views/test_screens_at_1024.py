"""The screens still cut at 1024x700 (issue 23, item 2), each at that size: no table
scrolls sideways or cuts a header's words, the import's mapping reads whole, no chart
label of the QA dashboard is elided, and Settings fits the window's height without a
scroll bar of its own. Each screen is checked wider too (1366x768, 1920x1080), where
the columns a narrow table set aside come back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.models import CaseEvent
from desktop.qt import QComboBox, QScrollArea, Qt, QTableView, QtCharts, QtWidgets, QWidget
from desktop.services import exercises
from desktop.services.context import ServiceContext
from desktop.store import open_store
from desktop.views import case_table
from desktop.views.audits import AuditsScreen
from desktop.views.cases import CasesScreen
from desktop.views.dashboard import DashboardScreen
from desktop.views.exercises_screen import ExercisesScreen
from desktop.views.import_wizard import ImportScreen
from desktop.views.moderation import ModerationScreen
from desktop.views.plain import plain_tip
from desktop.views.settings_screen import SettingsScreen
from desktop.views.sync_screen import SyncScreen
from desktop.views.window import MainWindow
from tests.unit.views.conftest import AS_OF
from tests.unit.views.driving import open_as, open_screen_as, settle
from tests.unit.views.test_desk_fits import cut_columns, words_whole
from tests.unit.views.test_form_fits import cut_labels, sized

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 20_000
NOON = dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)
SMALL, LAPTOP, FULL_HD = (1024, 700), (1366, 768), (1920, 1080)
#: QGraphicsTextItem's type (Qt's QGraphicsTextItem::Type; PySide does not name it).
TEXT_ITEM = 8


def fits(qtbot: QtBot, tables: Iterable[QTableView]) -> None:
    """Wait until every table is whole in its width (the fitter runs after a resize)."""
    views = list(tables)

    def whole() -> None:
        assert {t.objectName(): cut_columns(t) for t in views} == {
            t.objectName(): [] for t in views}

    qtbot.waitUntil(whole, timeout=WAIT)


def shown_headers(table: QTableView) -> list[str]:
    header = table.horizontalHeader()
    return [table.model().headerData(c, Qt.Orientation.Horizontal)
            for c in range(header.count()) if not header.isSectionHidden(c)]


def every_header(table: QTableView) -> list[str]:
    return [table.model().headerData(c, Qt.Orientation.Horizontal)
            for c in range(table.model().columnCount())]


def test_the_audit_list_beside_the_form_fits_1024x700(qtbot: QtBot,
                                                      county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(AuditsScreen,))
    screen = window.show_screen(AuditsScreen.key)
    assert isinstance(screen, AuditsScreen)
    screen.mine_only.setChecked(False)  # every audit: every status and grade
    # Until that list is in (the first read, of the QA officer's own, may come after).
    qtbot.waitUntil(lambda: screen.model.rowCount() > 20, timeout=WAIT)
    sized(qtbot, window, SMALL)
    assert screen.list_shown()
    fits(qtbot, [screen.table])
    assert {"Case", "Status", "Audit date"} <= set(shown_headers(screen.table))
    for column in (0, 2):  # the case reference and the date on one line, whole
        assert screen.table.columnWidth(column) >= screen.table.sizeHintForColumn(column)
    for size in (LAPTOP, FULL_HD):
        sized(qtbot, window, size)
        fits(qtbot, [screen.table])
    assert shown_headers(screen.table) == every_header(screen.table)  # room for all


def longest_timeline(window: MainWindow) -> str:
    store = window.store
    assert store is not None
    with store.read() as session:
        case_id = session.scalar(select(CaseEvent.case_id).group_by(CaseEvent.case_id)
                                 .order_by(func.count().desc()).limit(1))
    assert case_id is not None
    return str(case_id)


def test_the_case_list_and_the_case_detail_fit_1024x700(qtbot: QtBot,
                                                        county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(CasesScreen,))
    window.clock = lambda: NOON
    screen = window.show_screen(CasesScreen.key)
    assert isinstance(screen, CasesScreen)
    qtbot.waitUntil(lambda: screen.listing is not None, timeout=WAIT)
    pane = screen.detail
    with qtbot.waitSignal(pane.shown, timeout=WAIT):
        screen.open_case(longest_timeline(window))
    assert pane.compliance.rowCount() >= 4 and pane.timeline_model.rowCount() >= 6
    tables = (screen.table, pane.compliance, pane.timeline)
    sized(qtbot, window, SMALL)
    fits(qtbot, tables)
    assert {"Case ref", "RAG", "Cohort", "Team", "Worker"} <= set(shown_headers(screen.table))
    # Every standard's name whole (it was "Management o..."), on the lines its row has.
    assert words_whole(pane.compliance, 0) == []
    assert pane.compliance.height() >= pane.compliance.verticalHeader().length()
    # The team is elided on one line a row; its tooltip has it whole.
    index = screen.model.index(0, case_table.TEAM)
    qtbot.waitUntil(lambda: bool(index.data()), timeout=WAIT)
    assert index.data(Qt.ItemDataRole.ToolTipRole) == plain_tip(index.data())
    for size in (LAPTOP, FULL_HD):
        sized(qtbot, window, size)
        fits(qtbot, tables)
    assert shown_headers(screen.table) == every_header(screen.table)


def test_the_moderation_items_fit_1024x700(qtbot: QtBot, county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(ModerationScreen,))
    window.clock = lambda: NOON
    screen = window.show_screen(ModerationScreen.key)
    assert isinstance(screen, ModerationScreen)
    qtbot.waitUntil(lambda: screen.board is not None, timeout=WAIT)
    qtbot.mouseClick(screen.draw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.item_model.rowCount() > 0, timeout=WAIT)
    sized(qtbot, window, SMALL)
    fits(qtbot, (screen.items, screen.agreement))
    assert "First grade" in shown_headers(screen.items)  # it was cut at the right edge
    for size in (LAPTOP, FULL_HD):
        sized(qtbot, window, size)
        fits(qtbot, (screen.items, screen.agreement))


def test_the_sync_tables_show_every_header_whole_at_1024x700(qtbot: QtBot,
                                                             county_path: Path) -> None:
    window, screen = open_screen_as(qtbot, county_path, SyncScreen, "sync_loaded", NOON)
    tables = (screen.conflict_table, screen.collision_table, screen.rejected_table,
              screen.log_table)
    for size in (SMALL, LAPTOP, FULL_HD):
        sized(qtbot, window, size)
        fits(qtbot, tables)  # "Kept: who, when" was cut in a 100-pixel column
        assert all(shown_headers(t) == every_header(t) for t in tables)


def field_width(combo: QComboBox) -> int:
    """The width the combo box has for its text."""
    option = QtWidgets.QStyleOptionComboBox()
    combo.initStyleOption(option)
    return combo.style().subControlRect(
        QtWidgets.QStyle.ComplexControl.CC_ComboBox, option,
        QtWidgets.QStyle.SubControl.SC_ComboBoxEditField, combo).width()


def test_the_import_mapping_reads_whole_at_1024x700(qtbot: QtBot, county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(ImportScreen,))
    screen = window.show_screen(ImportScreen.key)
    assert isinstance(screen, ImportScreen)
    sized(qtbot, window, SMALL)
    combo = screen.mapping
    metrics = combo.fontMetrics()
    for index in range(combo.count()):  # every mapping's name whole in the box
        combo.setCurrentIndex(index)
        assert metrics.horizontalAdvance(combo.itemText(index)) <= field_width(combo), (
            f"{combo.itemText(index)!r} in {field_width(combo)} pixels")
        qtbot.waitUntil(  # once laid out again (the hand mapping shows or hides)
            lambda: cut_labels(screen.steps, screen.steps_scroll.viewport()) == [],
            timeout=WAIT)
    assert screen.steps_scroll.horizontalScrollBar().maximum() == 0
    combo.setCurrentIndex(combo.findData("eclipse"))  # what the mapping reads, in words
    assert "combined client name" in screen.mapping_words.text()


def chart_texts(view: QtCharts.QChartView) -> list[str]:
    """The words of every label, title and legend entry on show in the chart."""
    texts = []
    for item in view.scene().items():
        if item.type() == TEXT_ITEM and item.isVisible():
            text = item.toGraphicsObject()
            assert isinstance(text, QtWidgets.QGraphicsTextItem)
            texts.append(text.toPlainText())
    return texts


def test_no_chart_of_the_dashboard_elides_its_words_at_1024x700(qtbot: QtBot,
                                                                county_path: Path) -> None:
    window, screen = open_screen_as(qtbot, county_path, DashboardScreen, "drawn", NOON)
    assert screen.data is not None and len(screen.data.week.teams) > 5
    for size in (SMALL, FULL_HD):
        sized(qtbot, window, size)
        for key, view in screen.views.items():
            texts = chart_texts(view)
            assert texts, key
            # Qt Charts cuts a label, title or legend entry too long for its room to
            # "...": the axis title and the longer team names were.
            assert [t for t in texts if t.endswith("...")] == [], (key, size)


def test_the_exercises_tables_fit_1024x700(qtbot: QtBot, county_path: Path) -> None:
    store = open_store(county_path, prompt=None)
    try:
        ctx = ServiceContext(store=store, clock=lambda: NOON)
        made = exercises.create_exercise(ctx, exercises.ExerciseInput(
            title="Neglect: children on plans", theme="Neglect", cohort="cp",
            period_from=dt.date(2026, 10, 1), period_to=dt.date(2026, 11, 20)))
        exercises.attach_matching(ctx, made)
    finally:
        store.close()
    window, screen = open_screen_as(qtbot, county_path, ExercisesScreen, "exercises_loaded",
                                    NOON)
    with qtbot.waitSignal(screen.exercise_shown, timeout=WAIT):
        screen.table.selectRow(0)
    assert screen.audit_model.rowCount() > 0 and screen.period_model.rowCount() > 0
    for size in (SMALL, LAPTOP, FULL_HD):
        sized(qtbot, window, size)
        for tab, table in enumerate((screen.audit_table, screen.period_table)):
            screen.tabs.setCurrentIndex(tab)
            fits(qtbot, (screen.table, table))
        assert {"Exercise", "Period"} <= set(shown_headers(screen.table))
        assert {"Case", "Audit date", "Status", "Grade"} <= set(
            shown_headers(screen.audit_table))


def holder(screen: QWidget) -> QScrollArea:
    """The scroll area the window keeps the screen in."""
    parent = screen.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    assert isinstance(parent, QScrollArea)
    return parent


def test_settings_fit_the_height_of_1024x700(qtbot: QtBot, county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(SettingsScreen,))
    screen = window.show_screen(SettingsScreen.key)
    assert isinstance(screen, SettingsScreen)
    for size in (SMALL, LAPTOP):
        sized(qtbot, window, size)
        for tab in range(screen.tabs.count()):
            screen.tabs.setCurrentIndex(tab)
            settle(qtbot, window)
            bar = holder(screen).verticalScrollBar()
            assert bar.maximum() == 0, (
                f"{screen.tabs.tabText(tab)!r} at {size}: the screen scrolls by "
                f"{bar.maximum()} pixels")
