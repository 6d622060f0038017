"""The Sync screen's conflicts, driven as an auditor would: two laptops made to conflict
through a folder, the conflict read as the case and question it is about, settled with
"Use the other value", and a settle the action tracker refuses told in one sentence;
and a bundle sealed with another council's key, listed and set aside by QA."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import Action, User, new_id
from desktop.qt import Qt
from desktop.services import actions
from desktop.store import Store
from desktop.sync.folder import SUFFIX
from desktop.views.sync_screen import SyncScreen
from tests.unit.sync.conflict_world import (
    action_version,
    answer_clash,
    answer_of,
    clash,
    draft_audit,
    laptops,
    question_text,
)
from tests.unit.sync.helpers import device, folder_sync
from tests.unit.sync.test_rejected import FOREIGN_DEVICE, foreign_bytes
from tests.unit.views.conftest import private_settings  # noqa: F401  (QSettings kept here)
from tests.unit.views.driving import open_as

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_an_auditor_settles_an_answer_and_is_told_why_a_revive_is_refused(
        qtbot: QtBot, pair: tuple[Store, Store], share: Path) -> None:
    a, b = pair
    world = laptops(a, b, share)
    org = world.org
    audit_id = draft_audit(world)
    answer_clash(world, audit_id, "ra_in_place", "partly_met", "not_applicable")
    case_id = org.case()
    with a.transaction() as session:
        action = Action(id=new_id(), case_id=case_id, owner_worker_id=org.worker.id,
                        description="Update the synthetic plan.", status="open")
        session.add(action)
        action_id = action.id
    world.sync()
    clash(world,
          lambda: actions.set_status(world.on(a, org.auditor), [action_id], "in_progress"),
          lambda: actions.set_status(world.on(b, org.qa), [action_id], "cancelled",
                                     reason="No longer needed."),
          action_version(action_id))
    question = question_text(a, "ra_in_place")
    path = a.path
    a.close()

    window = open_as(qtbot, path, screens=[SyncScreen],
                     pick=lambda people: next(p for p in people if p.id == org.auditor))
    screen = window.screens["sync"]
    assert isinstance(screen, SyncScreen)
    with qtbot.waitSignal(screen.sync_loaded, timeout=20_000):
        window.show_screen("sync")
    model = screen.conflict_model
    assert model.rowCount() == 2
    texts = [[model.index(r, c).data() for c in range(model.columnCount())]
             for r in range(model.rowCount())]
    answer_row = next(n for n, cells in enumerate(texts) if question in " ".join(cells))
    assert "SYN-0001" in " ".join(texts[answer_row])
    assert {"Partly met", "Not applicable"} <= set(texts[answer_row])
    for control in (screen.keep_button, screen.use_other_button, screen.conflict_table,
                    screen.conflict_detail, screen.settle_status):
        assert control.accessibleName()

    screen.conflict_table.selectRow(answer_row)
    assert question in screen.conflict_detail.text()
    with qtbot.waitSignal(screen.settled, timeout=20_000) as done:
        qtbot.mouseClick(screen.use_other_button, Qt.MouseButton.LeftButton)
    assert done.args == [""]
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=20_000)
    store = window.store
    assert store is not None
    assert answer_of(store, audit_id, "ra_in_place").value == "partly_met"

    assert "Update the synthetic plan." in model.rows[0].about
    screen.conflict_table.selectRow(0)
    with qtbot.waitSignal(screen.settled, timeout=20_000) as refused:
        qtbot.mouseClick(screen.use_other_button, Qt.MouseButton.LeftButton)
    sentence = ("The other value cannot be used: the action cannot go from cancelled to "
                "in progress.")
    assert refused.args == [sentence]
    assert screen.settle_status.text() == sentence
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=20_000)  # still there
    with store.read() as session:
        assert session.scalar(select(Action.status).where(Action.id == action_id)) \
            == "cancelled"


def test_a_foreign_bundle_is_listed_and_set_aside_from_the_screen(
        qtbot: QtBot, tmp_path: Path, share: Path) -> None:
    store = device(tmp_path, "a")
    with store.transaction() as session:
        session.add(User(username="qa1", name="QA One", roles="qa"))
    folder_sync(store, share)
    name = "000000000001-000000000000-foreign"
    (share / FOREIGN_DEVICE).mkdir()
    (share / FOREIGN_DEVICE / (name + SUFFIX)).write_bytes(foreign_bytes(name))
    assert folder_sync(store, share).outcome == "rejected"
    path = store.path
    store.close()

    window = open_as(qtbot, path, "qa", screens=[SyncScreen])
    screen = window.screens["sync"]
    assert isinstance(screen, SyncScreen)
    with qtbot.waitSignal(screen.sync_loaded, timeout=20_000):
        window.show_screen("sync")
    assert screen.set_aside_button.accessibleName()
    assert [r.bundle_id for r in screen.rejected_model.rows] == [f"{FOREIGN_DEVICE}/{name}"]
    assert not screen.set_aside_button.isEnabled()
    screen.rejected_table.selectRow(0)
    with qtbot.waitSignal(screen.sync_loaded, timeout=20_000):
        qtbot.mouseClick(screen.set_aside_button, Qt.MouseButton.LeftButton)
    assert screen.rejected_model.rowCount() == 0
    assert "Set aside" in screen.status.text()
    qtbot.keyClicks(screen.target_edit, str(share))
    with qtbot.waitSignal(screen.synced, timeout=20_000) as done:
        qtbot.mouseClick(screen.sync_button, Qt.MouseButton.LeftButton)
    assert done.args[0].outcome == "ok"
