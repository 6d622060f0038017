"""Plain words and small refusals (issue 23, items 8 and 9): the glossary, what the status
bar says about where the cases came from, template titles, counts that agree between My
week and the dashboard, a progress label said once, a drop for "other" refused inside its
dialog, Verify offered only to those who may verify."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QDialogButtonBox, Qt, QWidget
from desktop.services.context import ServiceContext
from desktop.services.reporting.dashboard import dashboard_data
from desktop.services.sampling.my_week import read_my_week
from desktop.services.sampling.weeks import week_of
from desktop.services.store_status import StoreStatus, store_status
from desktop.services.users import people
from desktop.store import open_store
from desktop.views import glossary
from desktop.views.action_tracker import ActionTrackerScreen
from desktop.views.drop_dialog import NOTE_NEEDED, DropCaseDialog
from desktop.views.moderation import ModerationScreen
from desktop.views.my_week import MyWeekScreen
from desktop.views.worker import BackgroundOp, TaskManager
from tests.unit.views.conftest import AS_OF
from tests.unit.views.driving import open_as, settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

NOW = dt.datetime.combine(AS_OF, dt.time(10, 30), tzinfo=dt.UTC)
WAIT = 20_000
DOCS = Path(__file__).resolve().parents[3] / "docs" / "glossary.md"
ZONE = dt.UTC  # the text's times as they are in the zone given


def test_the_glossary_document_is_the_list_the_tooltips_use() -> None:
    assert DOCS.read_text(encoding="utf-8") == glossary.markdown()
    for term in ("Effective sample size", "Weighted kappa", "Stratum", "Census",
                 "Estimate"):
        assert f"## {term}" in glossary.markdown()
    assert [t.name for t in glossary.terms_in("Agreement (weighted kappa, linear)")] == [
        "Weighted kappa"]
    assert [t.name for t in glossary.terms_in("Effective n")] == ["Effective sample size"]
    assert glossary.terms_in("Mid & East") == []


def test_the_status_bar_says_where_the_cases_came_from() -> None:
    moment = dt.datetime(2026, 11, 20, 9, 5, tzinfo=dt.UTC)
    assert StoreStatus(None, has_cases=False).cases_text(ZONE) == "No caseload imported yet"
    assert (StoreStatus(moment).cases_text(ZONE) == "Last import: 20/11/2026 09:05")
    assert (StoreStatus(None, demo_built=moment).cases_text(ZONE)
            == "Demo county (synthetic cases), built 20/11/2026 09:05")
    assert (StoreStatus(None, last_received=moment).cases_text(ZONE)
            == "Cases came by sync, last on 20/11/2026 09:05")
    assert "none imported on this one" in StoreStatus(None).cases_text(ZONE)


def test_a_demo_county_is_said_to_be_one(county_path: Path) -> None:
    store = open_store(county_path, prompt=None)
    try:
        status = store_status(ServiceContext(store=store))
    finally:
        store.close()
    assert status.has_cases and status.last_import is None
    assert status.demo_built is not None
    assert status.cases_text(ZONE).startswith("Demo county (synthetic cases), built ")


def test_my_week_and_the_dashboard_count_the_same_audits(county_path: Path) -> None:
    """The demo county's history has audits dated this week outside any drawn sample:
    the dashboard counted them against the quota and My week said 0 audited."""
    store = open_store(county_path, prompt=None)
    try:
        everyone = people(ServiceContext(store=store))
        qa = next(p for p in everyone if "qa" in p.roles)
        week = week_of(AS_OF)
        board = dashboard_data(ServiceContext(store=store, user_id=qa.id, clock=lambda: NOW),
                               week)
        on_board = {q.name: q.audited for q in board.week.quotas}
        mine = {p.name: read_my_week(ServiceContext(store=store, user_id=p.id,
                                                    clock=lambda: NOW), week).week_audits
                for p in everyone if "auditor" in p.roles}
    finally:
        store.close()
    assert sum(mine.values()) > 0, "the county has audits this week"
    assert mine == {name: on_board[name] for name in mine}


def test_my_week_shows_the_dashboards_figure(qtbot: QtBot, county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="auditor", screens=(MyWeekScreen,))
    window.clock = lambda: NOW
    screen = window.screens[MyWeekScreen.key]
    assert isinstance(screen, MyWeekScreen)
    with qtbot.waitSignal(screen.week_shown, timeout=WAIT) as shown:
        window.show_screen(screen.key)
    found = shown.args[0]
    assert found.week_audits > 0
    line = screen.quotas.week_audits.text()
    assert f"from this sample or not: {found.week_audits} " in line
    assert "QA dashboard" in line and screen.quotas.week_audits.isVisible()


def test_a_progress_label_says_its_stage_once(qtbot: QtBot) -> None:
    """The sign-in read reported its own label as its stage: "Finding who can sign in:
    Finding who can sign in"."""
    parent = QWidget()
    qtbot.addWidget(parent)
    tasks = TaskManager(parent)
    op: BackgroundOp[None] = BackgroundOp(parent, tasks, "Finding who can sign in",
                                          lambda _control: None)
    op._show_progress()  # as the 100 ms timer would, here at once
    assert op.dialog is not None
    op._on_progress(0, 0, "Finding who can sign in")
    assert op.dialog.labelText() == "Finding who can sign in"
    op._on_progress(1, 2, "reading people")
    assert op.dialog.labelText() == "Finding who can sign in: reading people"
    op._close_dialog()
    tasks.shutdown()


def test_dropping_for_another_reason_without_a_note_is_refused_in_the_dialog(
        qtbot: QtBot) -> None:
    dialog = DropCaseDialog("C-1001")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.reason_choice.setCurrentIndex(dialog.reason_choice.findData("other"))
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() == 0, "still open, nothing dropped"
    assert dialog.problem.isVisible() and dialog.problem.text() == NOTE_NEEDED
    assert dialog.focusWidget() is dialog.note_edit
    qtbot.keyClicks(dialog.note_edit, "Audited by a sibling's auditor last week")
    assert not dialog.problem.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert (dialog.reason(), dialog.note()) == ("other",
                                                "Audited by a sibling's auditor last week")


def test_a_named_reason_needs_no_note(qtbot: QtBot) -> None:
    dialog = DropCaseDialog("C-1001")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reason_choice.setCurrentIndex(dialog.reason_choice.findData("closed_since_draw"))
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _tracker(qtbot: QtBot, county_path: Path, role: str) -> ActionTrackerScreen:
    window = open_as(qtbot, county_path, role=role, screens=(ActionTrackerScreen,))
    window.clock = lambda: NOW
    screen = window.screens[ActionTrackerScreen.key]
    assert isinstance(screen, ActionTrackerScreen)
    with qtbot.waitSignal(screen.actions_loaded, timeout=WAIT):
        window.show_screen(screen.key)
    return screen


def _status_choices(qtbot: QtBot, screen: ActionTrackerScreen) -> list[str]:
    done = next(r for r in range(screen.proxy.rowCount())
                if screen.model.rows[screen.proxy.mapToSource(
                    screen.proxy.index(r, 0)).row()].status == "done")
    screen.table.selectRow(done)
    screen.change_status(None)
    dialog = screen.status_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    choices = [dialog.status_choice.itemData(i) for i in range(dialog.status_choice.count())]
    dialog.reject()
    return choices


def test_verify_is_not_offered_to_an_auditor(qtbot: QtBot, county_path: Path) -> None:
    screen = _tracker(qtbot, county_path, "auditor")
    assert not screen.verify_button.isVisible()
    assert "verified" not in _status_choices(qtbot, screen)
    screen.status_dialog = None
    screen.change_status("verified")  # the hidden button's own step: still never asked
    assert screen.status_dialog is None


def test_verify_is_offered_to_qa(qtbot: QtBot, county_path: Path) -> None:
    screen = _tracker(qtbot, county_path, "qa")
    assert screen.verify_button.isVisible()
    assert "verified" in _status_choices(qtbot, screen)


def test_the_moderator_reads_the_templates_title(qtbot: QtBot, county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(ModerationScreen,))
    window.clock = lambda: NOW
    screen = window.show_screen(ModerationScreen.key)
    assert isinstance(screen, ModerationScreen)
    qtbot.waitUntil(lambda: screen.board is not None, timeout=WAIT)
    qtbot.mouseClick(screen.draw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.item_model.rowCount() > 0, timeout=WAIT)
    settle(qtbot, window)
    rect = screen.items.visualRect(screen.item_model.index(0, 0))
    with qtbot.waitSignal(screen.item_shown, timeout=WAIT):
        qtbot.mouseClick(screen.items.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    heading = screen.audit_heading.text()
    assert "Risk assessment and RAG rating (version 1)" in heading
    assert "risk_assessment_rag" not in heading
