"""The case review and the action tracker fit the window a person has (issue 23, item 2).

At 1024x700 the Cases screen never runs off the window: the case detail, its "Show full
name" button and every word of it are inside; at 1280x760 (the window's first size) the
case timeline shows several rows; at 1440x900 the action tracker's Attention and
Evidence columns are on screen, not pushed off its right edge.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.models import CaseEvent
from desktop.qt import QPoint, QWidget
from desktop.views.action_table import ATTENTION, EVIDENCE, WHAT
from desktop.views.action_tracker import ActionTrackerScreen
from desktop.views.cases import DETAIL_SHARE, CasesScreen
from desktop.views.window import MainWindow
from tests.unit.views.conftest import AS_OF
from tests.unit.views.driving import open_as, open_screen_as, settle
from tests.unit.views.test_form_fits import cut_labels, sized

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 20_000
NOON = dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)


def inside(widget: QWidget, window: MainWindow) -> bool:
    """Whether ``widget`` lies wholly within the window's width."""
    left = widget.mapTo(window, QPoint(0, 0)).x()
    return left >= 0 and left + widget.width() <= window.width()


def test_the_case_detail_fits_1024x700_and_its_timeline_shows_rows_at_1280x760(
        qtbot: QtBot, county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(CasesScreen,))
    window.clock = lambda: NOON
    screen = window.show_screen(CasesScreen.key)
    assert isinstance(screen, CasesScreen)
    qtbot.waitUntil(lambda: screen.listing is not None, timeout=WAIT)
    store = window.store
    assert store is not None
    with store.read() as session:  # the case with the longest timeline
        case_id = session.scalar(select(CaseEvent.case_id).group_by(CaseEvent.case_id)
                                 .order_by(func.count().desc()).limit(1))
    assert case_id is not None
    pane = screen.detail
    with qtbot.waitSignal(pane.shown, timeout=WAIT):
        screen.open_case(case_id)
    assert pane.timeline_model.rowCount() >= 6

    sized(qtbot, window, (1024, 700))
    assert inside(pane, window), "the case detail runs off the window"
    assert inside(pane.reveal_button, window) and pane.reveal_button.isVisible()
    assert pane.reveal_button.width() >= pane.reveal_button.sizeHint().width()
    assert cut_labels(pane, pane) == []
    assert screen.width() >= screen.minimumSizeHint().width()  # no sideways cut

    sized(qtbot, window, (1280, 760))
    timeline = pane.timeline
    shown_rows = timeline.viewport().height() // timeline.rowHeight(0)
    assert shown_rows >= 6, f"the timeline shows {shown_rows} rows"
    assert inside(pane, window) and cut_labels(pane, pane) == []

    # A full HD window keeps the list and the detail at their shares (Qt gave the
    # detail nearly all the extra width and left the list a third of the window).
    sized(qtbot, window, (1920, 1080))
    sizes = screen.splitter.sizes()
    assert abs(sizes[1] / sum(sizes) - DETAIL_SHARE) < 0.02, sizes


def test_the_action_tracker_shows_attention_and_evidence_whole_at_1440(
        qtbot: QtBot, county_path: Path) -> None:
    window, screen = open_screen_as(qtbot, county_path, ActionTrackerScreen,
                                    "actions_loaded", NOON, role="qa")
    sized(qtbot, window, (1440, 900))
    table = screen.table
    assert screen.model.rowCount() > 0
    header = table.horizontalHeader()
    settle(qtbot, window)  # the columns are fitted once the table has its new size
    assert table.horizontalScrollBar().maximum() == 0, "the columns run off the right"
    width = table.viewport().width()
    for column in (ATTENTION, EVIDENCE):
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= width, f"column {column} ends at {right} of {width}"
    # Attention's words whole (bold "Overdue by 25 working days; review due").
    assert header.sectionSize(ATTENTION) >= table.sizeHintForColumn(ATTENTION)
    assert header.sectionSize(EVIDENCE) >= header.minimumSectionSize()
    assert header.sectionSize(WHAT) >= table.fontMetrics().averageCharWidth() * 20
