"""Setting a password in the People tab: QA sets anyone's; an auditor their own, with
the current password first; two new passwords that differ are caught in the dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.services.auth.signin import has_password, set_password
from desktop.services.context import ServiceContext
from desktop.store import open_store
from desktop.views.people_tab import PeopleTab
from tests.unit.views.test_people_tab import WAIT, click, find_and_select, open_people

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
NEW = "four synthetic words here"


def _dialog(qtbot: QtBot, tab: PeopleTab):  # type: ignore[no-untyped-def]
    click(qtbot, tab.password_button)
    qtbot.waitUntil(lambda: tab.password_dialog is not None
                    and tab.password_dialog.isVisible(), timeout=WAIT)
    return tab.password_dialog


def test_qa_sets_an_auditors_password(qtbot: QtBot, county_path: Path) -> None:
    window, tab = open_people(qtbot, county_path)
    auditor = next(m for m in tab.model.rows if "auditor" in m.roles and "qa" not in m.roles)
    find_and_select(qtbot, window, tab, auditor.username)
    assert tab.password_button.isEnabled()
    dialog = _dialog(qtbot, tab)
    assert not dialog.current.isVisible()
    qtbot.keyClicks(dialog.new, NEW)
    qtbot.keyClicks(dialog.again, NEW + "!")
    dialog.accept()
    assert dialog.isVisible() and "differ" in dialog.problem.text()
    qtbot.keyClicks(dialog.again, NEW)
    dialog.accept()
    qtbot.waitUntil(lambda: "password" in tab.outcome.text(), timeout=WAIT)
    assert tab.outcome.text() == f"The password of {auditor.name} is set."
    assert window.store is not None
    assert has_password(ServiceContext(store=window.store), auditor.id)


def test_an_auditor_changes_their_own_and_no_one_elses(qtbot: QtBot,
                                                       county_path: Path) -> None:
    store = open_store(county_path, prompt=None)
    try:
        from desktop.services.users import people

        me = next(p for p in people(ServiceContext(store=store)) if p.roles == ("auditor",))
        set_password(ServiceContext(store=store), me.id, "the first synthetic one")
    finally:
        store.close()
    window, tab = open_people(qtbot, county_path, role="auditor")
    assert window.user is not None and window.user.id == me.id
    other = next(m for m in tab.model.rows if m.id != me.id)
    find_and_select(qtbot, window, tab, other.username)
    assert not tab.password_button.isEnabled()
    tab.filter_edit.clear()
    find_and_select(qtbot, window, tab, me.username)
    assert tab.password_button.isEnabled()
    dialog = _dialog(qtbot, tab)
    assert dialog.current.isVisible()
    qtbot.keyClicks(dialog.current, "not the first one")
    qtbot.keyClicks(dialog.new, NEW)
    qtbot.keyClicks(dialog.again, NEW)
    dialog.accept()
    qtbot.waitUntil(lambda: "Password not set" in tab.outcome.text(), timeout=WAIT)
    assert "current password is wrong" in tab.outcome.text()
