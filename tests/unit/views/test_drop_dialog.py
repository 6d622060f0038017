"""The Drop case dialog (item 5 of the trial report): no reason chosen at first, OK
refused beside the choice until one is, and a refusal grows the dialog rather than
clipping its first and last lines."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QDialogButtonBox, QLabel, Qt
from desktop.views.drop_dialog import REASON_NEEDED, DropCaseDialog

WAIT = 5_000
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_the_drop_dialog_opens_with_no_reason_and_refuses_ok_until_one(
        qtbot: QtBot) -> None:
    """Item 5 of the trial report: Enter dropped an open case for a preselected reason."""
    dialog = DropCaseDialog("C-1001")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.reason() == "" and dialog.reason_choice.currentIndex() == -1
    qtbot.keyClick(dialog.reason_choice, Qt.Key.Key_Return)  # Enter: the default button
    assert dialog.isVisible() and dialog.result() == 0, "nothing dropped"
    assert dialog.reason_problem.isVisible() and dialog.reason_problem.text() == REASON_NEEDED
    assert not dialog.problem.isVisible()
    assert dialog.focusWidget() is dialog.reason_choice
    dialog.reason_choice.setCurrentIndex(dialog.reason_choice.findData("closed_since_draw"))
    assert not dialog.reason_problem.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        qtbot.keyClick(dialog.reason_choice, Qt.Key.Key_Return)
    assert dialog.reason() == "closed_since_draw"


def test_the_note_refusal_grows_the_dialog_rather_than_clipping_it(qtbot: QtBot) -> None:
    dialog = DropCaseDialog("C-1001")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.reason_choice.setCurrentIndex(dialog.reason_choice.findData("other"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.problem.isVisible()
    intro = dialog.findChildren(QLabel)[0]
    assert intro.text().startswith("Drop case C-1001")

    def whole() -> bool:
        return (intro.geometry().top() >= 0
                and intro.height() >= intro.heightForWidth(intro.width())
                and dialog.problem.height() >= dialog.problem.heightForWidth(
                    dialog.problem.width())
                and dialog.buttons.geometry().bottom() < dialog.height())

    qtbot.waitUntil(whole, timeout=WAIT)
