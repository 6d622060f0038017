"""Disagreements and escalations driven as a team manager and QA would: respond to a
concern from its row, record a discussion and agree a rating."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import Case, User, UserServiceArea
from desktop.qt import QDialogButtonBox, Qt, QTableView
from desktop.services import disagreements, escalations
from desktop.services.context import ServiceContext
from desktop.store import open_store
from desktop.views.concern_dialogs import AgreeDialog, DiscussionDialog, TextDialog
from desktop.views.concerns import ConcernsScreen
from desktop.views.row_table import ROW_ROLE
from desktop.views.window import MainWindow

from .driving import message_boxes, open_as

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # a Friday: the demo county's day
WAIT = 20_000
LEFT = Qt.MouseButton.LeftButton
MUST_RESPOND, TIME_LEFT, OUTCOME = 2, 4, 6  # escalations
D_MUST, D_DEADLINE, D_DISCUSSION = 3, 4, 5  # disagreements (outcome: 6 too)


def raise_two_concerns(path: Path) -> tuple[str, str, str]:
    """A concern raised on Tuesday (now overdue) and one raised an hour ago, on cases
    whose team manager signs in; (late id, recent id, that manager's user id)."""
    store = open_store(path, prompt=None)
    try:
        with store.read() as session:
            manager, worker = session.execute(
                select(User.id, User.worker_id).where(User.worker_id.is_not(None))
                .order_by(User.username)).first()  # type: ignore[misc]
            first, second = session.scalars(select(Case.id).where(
                Case.team_manager_id == worker).order_by(Case.case_ref).limit(2))
            # An auditor of the cases' own service area: the cases their role reaches.
            auditor = session.scalar(
                select(User.id).join(UserServiceArea, UserServiceArea.user_id == User.id)
                .where(User.roles == "auditor", UserServiceArea.service_area_id
                       == select(Case.service_area_id).where(Case.id == first)
                       .scalar_subquery())
                .order_by(User.username))
        tuesday = ServiceContext(store=store, user_id=auditor,
                                 clock=lambda: NOW - dt.timedelta(days=3))
        late = escalations.raise_concern(tuesday, first, "Bruising seen at the visit")
        recent = ServiceContext(store=store, user_id=auditor,
                                clock=lambda: NOW - dt.timedelta(hours=1))
        soon = escalations.raise_concern(recent, second, "Child not seen for six weeks")
        return late, soon, manager
    finally:
        store.close()


def open_concerns(qtbot: QtBot, path: Path, **kw: Any) -> tuple[MainWindow, ConcernsScreen]:
    window = open_as(qtbot, path, screens=(ConcernsScreen,), **kw)
    window.clock = lambda: NOW
    screen = window.screens[ConcernsScreen.key]
    assert isinstance(screen, ConcernsScreen)
    with qtbot.waitSignal(screen.concerns_loaded, timeout=WAIT):
        window.show_screen(screen.key)
    assert not message_boxes()
    return window, screen


def ids(table: QTableView) -> list[str]:
    model = table.model()
    return [model.index(r, 0).data(ROW_ROLE).id for r in range(model.rowCount())]


def cell(table: QTableView, row: int, column: int, role: Any = None) -> Any:
    index = table.model().index(row, column)
    return index.data() if role is None else index.data(role)


def click_row(qtbot: QtBot, table: QTableView, row: int) -> None:
    index = table.model().index(row, 0)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualRect(index).center())


def shown_dialog(qtbot: QtBot, screen: ConcernsScreen, kind: type) -> Any:
    qtbot.waitUntil(lambda: isinstance(screen.dialog, kind) and screen.dialog.isVisible(),
                    timeout=WAIT)
    return screen.dialog


def press_ok(qtbot: QtBot, screen: ConcernsScreen, dialog: Any) -> None:
    box = dialog.findChild(QDialogButtonBox)
    with qtbot.waitSignal(screen.concerns_loaded, timeout=WAIT):
        qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    assert not message_boxes()


def test_the_team_manager_responds_to_a_late_concern_and_it_moves_down(
        qtbot: QtBot, county_path: Path) -> None:
    late, soon, manager = raise_two_concerns(county_path)
    _, screen = open_concerns(qtbot, county_path, role="team_manager",
                              pick=lambda people: next(p for p in people if p.id == manager))
    table = screen.escalation_table
    assert ids(table)[:2] == [late, soon]
    assert cell(table, 0, MUST_RESPOND).startswith("Team manager ")
    assert cell(table, 0, TIME_LEFT) == "Overdue by 1 day 19 hours"
    assert cell(table, 0, TIME_LEFT, Qt.ItemDataRole.BackgroundRole) is not None
    assert cell(table, 1, TIME_LEFT).endswith(" left")
    click_row(qtbot, table, 0)
    qtbot.mouseClick(screen.respond_button, LEFT)
    dialog = shown_dialog(qtbot, screen, TextDialog)
    qtbot.keyClicks(dialog.text_edit, "Visited this morning; a safety plan is in place")
    press_ok(qtbot, screen, dialog)
    assert ids(table)[:2] == [soon, late]
    assert cell(table, 1, 1) == "Responded; to be closed"
    assert cell(table, 1, MUST_RESPOND).startswith("Auditor ")
    assert cell(table, 1, OUTCOME).endswith(": Visited this morning; a safety plan is in place")
    assert cell(table, 1, TIME_LEFT) == ""
    # The late answer went through the Head of Service first (seed 001).
    [row] = [r for r in screen.escalation_model.rows if r.id == late]
    assert [s.kind for s in row.steps] == ["raised", "escalated_to_hos", "responded"]


def test_qa_records_the_discussion_and_agrees_the_rating(qtbot: QtBot,
                                                        county_path: Path) -> None:
    window, screen = open_concerns(qtbot, county_path, role="qa")
    table = screen.disagreement_table
    first = cell(table, 0, 0, ROW_ROLE)
    assert first.status == "open" and first.discussed_at is None
    assert cell(table, 0, 1) == "Open: not yet discussed"
    assert cell(table, 0, D_MUST).endswith(", to discuss")
    assert cell(table, 0, D_DEADLINE).startswith("None set; raised ")
    click_row(qtbot, table, 0)
    qtbot.mouseClick(screen.agree_button, LEFT)  # before the discussion: refused
    dialog = shown_dialog(qtbot, screen, AgreeDialog)
    box = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    qtbot.waitUntil(lambda: bool(message_boxes()), timeout=WAIT)
    assert message_boxes()[0].text().startswith("record the discussion")
    message_boxes()[0].accept()

    qtbot.mouseClick(screen.discuss_button, LEFT)
    dialog = shown_dialog(qtbot, screen, DiscussionDialog)
    assert dialog.people_list.count() >= 2
    qtbot.keyClicks(dialog.steps_edit, "Review the safety plan with the worker")
    press_ok(qtbot, screen, dialog)
    row = ids(table).index(first.id)
    assert cell(table, row, 1) == "Open: discussed"
    assert cell(table, row, D_DISCUSSION).endswith(": Review the safety plan with the worker")

    click_row(qtbot, table, row)
    qtbot.mouseClick(screen.agree_button, LEFT)
    dialog = shown_dialog(qtbot, screen, AgreeDialog)
    assert dialog.rag() == first.auditor_rag
    press_ok(qtbot, screen, dialog)
    row = ids(table).index(first.id)
    open_count = sum(1 for r in screen.disagreement_model.rows
                     if r.status in ("open", "escalated"))
    assert row >= open_count  # moved below the open ones
    assert cell(table, row, 1) == "Agreed; to be closed"
    assert cell(table, row, OUTCOME) == f"Agreed {first.auditor_rag.capitalize()}"
    assert window.store is not None
    with window.store.read() as session:
        case = session.get(Case, first.case_id)
        assert case is not None and case.rag == first.auditor_rag
    assert disagreements.list_disagreements(
        ServiceContext(store=window.store), case_id=first.case_id)[0].status == "agreed"


def test_an_escalated_disagreement_waits_on_a_senior_manager(qtbot: QtBot,
                                                            county_path: Path) -> None:
    _, screen = open_concerns(qtbot, county_path, role="qa")
    table = screen.disagreement_table
    first = cell(table, 0, 0, ROW_ROLE)
    click_row(qtbot, table, 0)
    assert not screen.close_disagreement_button.isEnabled()  # not agreed yet
    with qtbot.waitSignal(screen.concerns_loaded, timeout=WAIT):
        qtbot.mouseClick(screen.escalate_button, LEFT)
    assert not message_boxes()
    row = ids(table).index(first.id)
    assert cell(table, row, 1) == "Escalated to a senior manager"
    assert cell(table, row, D_MUST).endswith(", to decide")
    assert not screen.escalate_button.isEnabled()  # still selected; cannot escalate twice
