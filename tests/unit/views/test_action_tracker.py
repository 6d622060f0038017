"""The action tracker driven as a manager, QA and an auditor would: filters, a row's
status with its evidence, a refused move, a bulk verification."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.models import Action
from desktop.qt import QDialogButtonBox, Qt
from desktop.services import actions
from desktop.services.actions import ActionRow
from desktop.services.context import ServiceContext
from desktop.services.users import Person
from desktop.store import open_store
from desktop.views.action_table import ATTENTION, STATUS
from desktop.views.action_tracker import ActionTrackerScreen
from desktop.views.row_table import ROW_ROLE
from desktop.views.window import MainWindow

from .driving import activate, message_box, message_boxes, open_as

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # the demo county's day
WAIT = 20_000
LEFT = Qt.MouseButton.LeftButton


def _ctx(path: Path, fn: Callable[[ServiceContext], object]) -> object:
    """Read the closed store from the test, before the window opens it."""
    store = open_store(path, prompt=None)
    try:
        return fn(ServiceContext(store=store, clock=lambda: NOW))
    finally:
        store.close()


def _manager_of_one(path: Path, status: str) -> tuple[str, str]:
    """An action in ``status`` and a user who manages its owner."""
    def find(ctx: ServiceContext) -> tuple[str, str]:
        with ctx.store.read() as session:
            for row in actions.list_actions(ctx, status=status):
                action = session.get(Action, row.id)
                managers = sorted(actions.manager_users(session, action)) if action else []
                if managers:
                    return row.id, managers[0]
        raise AssertionError(f"the demo county has no {status} action with a manager")
    found = _ctx(path, find)
    assert isinstance(found, tuple)
    return found


def open_tracker(qtbot: QtBot, path: Path, role: str = "auditor",
                 pick: Callable[[list[Person]], Person] | None = None
                 ) -> tuple[MainWindow, ActionTrackerScreen]:
    window = open_as(qtbot, path, role=role, screens=(ActionTrackerScreen,), pick=pick)
    window.clock = lambda: NOW
    screen = window.screens[ActionTrackerScreen.key]
    assert isinstance(screen, ActionTrackerScreen)
    with qtbot.waitSignal(screen.actions_loaded, timeout=WAIT):
        window.show_screen(screen.key)
    assert not message_boxes()
    return window, screen


def shown(screen: ActionTrackerScreen) -> list[ActionRow]:
    return [screen.proxy.index(r, 0).data(ROW_ROLE) for r in range(screen.proxy.rowCount())]


def click_action(qtbot: QtBot, screen: ActionTrackerScreen, action_id: str,
                 modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> int:
    """Click the row of ``action_id`` (scrolling to it first); its row number."""
    row = next(i for i, r in enumerate(shown(screen)) if r.id == action_id)
    index = screen.proxy.index(row, 0)
    screen.table.scrollTo(index)
    qtbot.mouseClick(screen.table.viewport(), LEFT, modifier,
                     screen.table.visualRect(index).center())
    return row


def row_of(screen: ActionTrackerScreen, action_id: str) -> ActionRow:
    return next(r for r in shown(screen) if r.id == action_id)


def dialog_of(qtbot: QtBot, screen: ActionTrackerScreen, button: object,
              attribute: str = "status_dialog") -> Any:
    """Press ``button`` and wait for the dialog it opens (the screen's ``attribute``)."""
    qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: getattr(screen, attribute) is not None
                    and getattr(screen, attribute).isVisible(), timeout=WAIT)
    return getattr(screen, attribute)


def ok(qtbot: QtBot, dialog: object) -> None:
    box = dialog.findChild(QDialogButtonBox)  # type: ignore[attr-defined]
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), LEFT)


def test_the_manager_confirms_an_action_done_with_its_evidence(qtbot: QtBot,
                                                               county_path: Path) -> None:
    action_id, manager = _manager_of_one(county_path, "in_progress")
    _, screen = open_tracker(qtbot, county_path, role="team_manager",
                             pick=lambda people: next(p for p in people if p.id == manager))
    click_action(qtbot, screen, action_id)
    assert screen.selected()[0].id == action_id
    dialog = dialog_of(qtbot, screen, screen.confirm_button)
    assert dialog.status() == "done"
    qtbot.keyClicks(dialog.text_edit, "Visit recorded on 18/11; plan updated")
    with qtbot.waitSignal(screen.actions_loaded, timeout=WAIT):
        ok(qtbot, dialog)
    assert not message_boxes()
    changed = row_of(screen, action_id)
    assert changed.status == "done"
    assert changed.evidence == "Visit recorded on 18/11; plan updated"
    row = next(i for i, r in enumerate(shown(screen)) if r.id == action_id)
    assert screen.proxy.index(row, STATUS).data() == "Done (confirmed by manager)"
    assert [r.id for r in screen.selected()] == [action_id]  # still selected


def test_a_move_the_person_may_not_make_is_one_sentence(qtbot: QtBot,
                                                       county_path: Path) -> None:
    # QA confirms an action done only when its owner has no manager on record.
    action_id, _manager = _manager_of_one(county_path, "in_progress")
    _, screen = open_tracker(qtbot, county_path, role="qa")
    target = next(r for r in shown(screen) if r.id == action_id)
    click_action(qtbot, screen, target.id)
    dialog = dialog_of(qtbot, screen, screen.confirm_button)
    qtbot.keyClicks(dialog.text_edit, "Seen in the file")
    ok(qtbot, dialog)
    box = message_box(qtbot)
    assert box.text() == "the action can be confirmed done only by the owner's manager"
    box.accept()
    screen.refresh()
    qtbot.waitUntil(lambda: row_of(screen, target.id).status == "in_progress", timeout=WAIT)


def _offered(qtbot: QtBot, screen: ActionTrackerScreen, action_id: str) -> list[str]:
    """The statuses the Change status dialog offers for the action."""
    click_action(qtbot, screen, action_id)
    dialog = dialog_of(qtbot, screen, screen.status_button)
    offered = list(dialog.choices)
    dialog.reject()
    return offered


def test_confirm_done_is_not_offered_to_an_auditor(qtbot: QtBot, county_path: Path) -> None:
    """Only the owner's manager (or QA) confirms an action done: an auditor was offered
    Confirm done, typed the evidence and was then refused."""
    _, screen = open_tracker(qtbot, county_path, role="auditor")
    assert not screen.confirm_button.isVisible()
    assert screen.verify_button.isHidden()  # as Verify is
    target = next(r for r in shown(screen) if r.status == "in_progress")
    assert "done" not in _offered(qtbot, screen, target.id)
    screen.status_dialog = None
    screen.change_status("done")  # the hidden button's own step: still never asked
    assert screen.status_dialog is None
    screen.change_status(None)  # in progress: the usual next step, done, is not preset
    dialog = screen.status_dialog
    assert dialog is not None and dialog.status() == "in_progress"
    dialog.reject()


@pytest.mark.parametrize("role", ["team_manager", "qa"])
def test_confirm_done_is_offered_to_managers_and_qa(qtbot: QtBot, county_path: Path,
                                                    role: str) -> None:
    action_id, manager = _manager_of_one(county_path, "in_progress")
    _, screen = open_tracker(qtbot, county_path, role=role, pick=lambda people: next(
        p for p in people if p.id == manager or (role == "qa" and role in p.roles)))
    assert screen.confirm_button.isVisible()
    assert "done" in _offered(qtbot, screen, action_id)


def test_qa_verifies_two_selected_actions_at_once(qtbot: QtBot, county_path: Path) -> None:
    _, screen = open_tracker(qtbot, county_path, role="qa")
    first, second = [r.id for r in shown(screen) if r.status == "done"][:2]
    click_action(qtbot, screen, first)
    click_action(qtbot, screen, second, Qt.KeyboardModifier.ControlModifier)
    assert {r.id for r in screen.selected()} == {first, second}
    dialog = dialog_of(qtbot, screen, screen.verify_button)
    assert dialog.windowTitle() == "Change the status of 2 actions"
    qtbot.keyClicks(dialog.text_edit, "Checked in supervision notes")
    with qtbot.waitSignal(screen.actions_loaded, timeout=WAIT):
        ok(qtbot, dialog)
    assert not message_boxes()
    assert {row_of(screen, i).status for i in (first, second)} == {"verified"}


def test_overdue_and_mine_narrow_the_list_and_say_why_in_words(qtbot: QtBot,
                                                              county_path: Path) -> None:
    window, screen = open_tracker(qtbot, county_path, role="auditor")
    everything = shown(screen)
    with qtbot.waitSignal(screen.actions_loaded, timeout=WAIT):
        qtbot.mouseClick(screen.overdue_check, LEFT)
    overdue = shown(screen)
    assert 0 < len(overdue) < len(everything)
    for row in range(screen.proxy.rowCount()):
        words = screen.proxy.index(row, ATTENTION).data()
        assert words.startswith("Overdue by ") and "working day" in words
        assert screen.proxy.index(row, ATTENTION).data(Qt.ItemDataRole.BackgroundRole)
    with qtbot.waitSignal(screen.actions_loaded, timeout=WAIT):
        qtbot.mouseClick(screen.overdue_check, LEFT)
    with qtbot.waitSignal(screen.actions_loaded, timeout=WAIT):
        qtbot.mouseClick(screen.mine_check, LEFT)
    assert window.user is not None
    user = window.user.id
    assert window.store is not None
    expected = {r.id for r in actions.list_actions(
        ServiceContext(store=window.store, clock=lambda: NOW), mine=user)}
    assert 0 < len(shown(screen)) < len(everything)
    assert {r.id for r in shown(screen)} == expected


def test_ctrl_f_filters_by_typed_text(qtbot: QtBot, county_path: Path) -> None:
    window, screen = open_tracker(qtbot, county_path, role="qa")
    everything = shown(screen)
    case_ref = everything[0].case_ref
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(screen.filter_edit.hasFocus, timeout=WAIT)
    qtbot.keyClicks(screen.filter_edit, case_ref)
    narrowed = shown(screen)
    assert narrowed and len(narrowed) < len(everything)
    assert all(r.case_ref == case_ref for r in narrowed)
    assert screen.counts.text().startswith(f"{len(narrowed)} of {len(everything):,} actions")


def test_progress_notes_are_recorded_without_changing_the_status(qtbot: QtBot,
                                                                county_path: Path) -> None:
    _, screen = open_tracker(qtbot, county_path, role="auditor")
    target = next(r for r in shown(screen) if r.status == "open")
    click_action(qtbot, screen, target.id)
    dialog = dialog_of(qtbot, screen, screen.progress_button, "progress_dialog")
    qtbot.keyClick(dialog.progress_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.progress_edit, "Worker booked the visit for Monday")
    with qtbot.waitSignal(screen.actions_loaded, timeout=WAIT):
        ok(qtbot, dialog)
    assert not message_boxes()
    row = row_of(screen, target.id)
    assert (row.progress, row.status) == ("Worker booked the visit for Monday", "open")
