"""Every Alt+letter of the audit form, with the window's menu bar, opens one thing.

Why: the tester pressed Alt+H, shown on "Concern of significant harm", and the Help
menu opened; Alt+D was shown on both "Due date" and "Add action" (trial defect 13).
Qt gives a shared mnemonic to each owner in turn, so the person never knows which.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QCheckBox, QGroupBox, QLabel, QPushButton, QToolButton, QWidget
from desktop.views.window import MainWindow
from tests.unit.views.driving import activate, settle
from tests.unit.views.test_audit_form import Draft, open_form

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic(text: str) -> str | None:
    found = MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).casefold() if found else None


def mnemonics(window: MainWindow) -> dict[str, list[str]]:
    """Each letter and the visible things that take Alt+it."""
    owners: dict[str, list[str]] = defaultdict(list)
    for action in window.menuBar().actions():
        letter = mnemonic(action.text())
        if action.isVisible() and letter:
            owners[letter].append(f"menu {action.text()}")
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        text = ""
        buttons = QPushButton | QCheckBox | QToolButton
        if (isinstance(widget, QLabel) and widget.buddy() is not None) or isinstance(
                widget, buttons):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        letter = mnemonic(text)
        if letter:
            owners[letter].append(text)
    return owners


def test_no_two_controls_of_the_audit_form_share_an_alt_letter(
        qtbot: QtBot, county_path: Path) -> None:
    draft = Draft(county_path)
    window, screen = open_form(qtbot, county_path, draft)
    activate(qtbot, window)
    settle(qtbot, window)
    form = screen.form
    # Every part that can show at once: the disagreement panel, the concern's box.
    form.fields["auditor_rag"].control.setCurrentIndex(  # type: ignore[attr-defined]
        form.fields["auditor_rag"].control.findData("red"))  # type: ignore[attr-defined]
    form.harm.setChecked(True)
    qtbot.waitUntil(lambda: form.disagreement.isVisibleTo(window)
                    and form.escalation.concern.isVisibleTo(window), timeout=20_000)
    owners = mnemonics(window)
    shared = {letter: who for letter, who in owners.items() if len(who) > 1}
    assert not shared, "\n".join(f"Alt+{k}: {' | '.join(v)}" for k, v in shared.items())
    assert len(owners) >= 15  # the form's fields and the menus are all counted
    # Alt+H is the Help menu's; the harm box is ticked by its own letter.
    assert owners["h"] == ["menu &Help"]
    assert mnemonic(form.harm.text()) not in (None, "h")
