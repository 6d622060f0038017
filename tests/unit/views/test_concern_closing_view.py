"""The concerns screen as a team manager and as the raising auditor (item 4 of the trial
report): the manager who responds sees the concern in the Respond dialog (plain text,
wrapped, its title whole) and has no "Close concern…"; the auditor closes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QLabel
from desktop.views.concern_dialogs import TITLE_BAR_EXTRA, TextDialog

from .test_concerns import (
    LEFT,
    click_row,
    ids,
    open_concerns,
    press_ok,
    raise_two_concerns,
    shown_dialog,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_the_manager_sees_the_concern_responds_and_cannot_close_it(
        qtbot: QtBot, county_path: Path) -> None:
    late, _soon, manager = raise_two_concerns(county_path)
    window, screen = open_concerns(
        qtbot, county_path, role="team_manager",
        pick=lambda people: next(p for p in people if p.id == manager))
    table = screen.escalation_table
    click_row(qtbot, table, ids(table).index(late))
    assert screen.close_escalation_button.isHidden()
    qtbot.mouseClick(screen.respond_button, LEFT)
    dialog = shown_dialog(qtbot, screen, TextDialog)
    quoted = dialog.quoted_label
    assert isinstance(quoted, QLabel)
    assert quoted.text() == "Bruising seen at the visit" and quoted.wordWrap()
    assert quoted.textFormat().name == "PlainText"
    title = dialog.windowTitle()
    assert title == "Respond to a concern of significant harm"
    assert dialog.width() >= dialog.fontMetrics().horizontalAdvance(title) + TITLE_BAR_EXTRA
    qtbot.keyClicks(dialog.text_edit, "Visited this morning; a safety plan is in place")
    press_ok(qtbot, screen, dialog)
    click_row(qtbot, table, ids(table).index(late))
    row = next(r for r in screen.escalation_model.rows if r.id == late)
    assert row.status == "responded" and not row.may_close
    assert screen.close_escalation_button.isHidden()
    assert not screen.close_escalation_button.isEnabled()
    window.close()
