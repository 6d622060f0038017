"""A screen reader can use every screen: each control has a name and a description,
and Tab visits the controls in the order they are read.

The walk shows every screen the main window has, as an auditor (the week drawn, an
audit open in the form, a case open beside the list) and then as QA (the rest), and the
main dialogs, and fails on any control a screen reader would read as a bare role. The
names and descriptions come from desktop/views/accessible.py, applied when a screen or
window is shown and when a control is first polished; without it the same walk finds
controls with no description (see the test that switches it off).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPoint,
    Qt,
    QtGui,
    QtWidgets,
    QWidget,
)
from desktop.services.users import Person
from desktop.views import accessible
from desktop.views.about import AboutDialog
from desktop.views.action_dialogs import ProgressDialog, StatusDialog
from desktop.views.audit_form.comments_panel import ReopenDialog
from desktop.views.concern_dialogs import AgreeDialog, DiscussionDialog, TextDialog
from desktop.views.drop_dialog import DropCaseDialog
from desktop.views.exercise_form import ExercisePicker
from desktop.views.idle_lock import LockDialog
from desktop.views.moderation import ModerationScreen
from desktop.views.my_week import MyWeekScreen
from desktop.views.passphrase import Need, PassphraseDialog
from desktop.views.person_dialog import PasswordDialog, PersonDialog
from desktop.views.plain import message_box
from desktop.views.row_table import Column, RowTableModel, row_view, selected_rows
from desktop.views.screen import Screen
from desktop.views.signin import SignInDialog
from desktop.views.window import MainWindow, default_screens
from tests.unit.views.conftest import AS_OF
from tests.unit.views.driving import open_as, settle

pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints|raise|grabbing)")

NOW = dt.datetime.combine(AS_OF, dt.time(10, 30), tzinfo=dt.UTC)
WAIT = 20_000


@pytest.fixture(autouse=True)
def helper(qapp: QApplication) -> None:
    """The helper as the main window installs it (tests here build dialogs alone)."""
    accessible.install(qapp)


def problems(root: QWidget) -> list[str]:
    """Each control under ``root`` a screen reader could not name or describe, in words
    a failing test prints (its kind, object name, and what it has), and each place where
    Tab leaves the reading order."""
    return [f"{type(w).__name__} {w.objectName()!r} name={accessible.effective_name(w)!r} "
            f"description={accessible.description(w)!r}" for w in accessible.unnamed(root)
            ] + [f"Tab goes to {tabbed!r} where {read!r} is read"
                 for read, tabbed in accessible.out_of_order(root)]


def show(qtbot: QtBot, window: MainWindow, key: str) -> Screen:
    screen = window.show_screen(key)
    settle(qtbot, window)
    return screen


def test_every_screen_names_and_describes_every_control(qtbot: QtBot,
                                                        county_path: Path) -> None:
    """Why it takes some seconds: it opens every screen of the window on the demo county,
    with an audit in the form and a case beside the list (the controls that appear only
    then are the form's questions, panels and actions)."""
    window = open_as(qtbot, county_path, role="auditor", screens=default_screens())
    window.clock = lambda: NOW
    found: dict[str, list[str]] = {}

    week = window.screens["my_week"]
    assert isinstance(week, MyWeekScreen)
    with qtbot.waitSignal(week.week_shown, timeout=WAIT):
        window.show_screen("my_week")
    with qtbot.waitSignal(week.week_shown, timeout=WAIT,
                          check_params_cb=lambda shown: shown.sample_id is not None):
        qtbot.mouseClick(week.draw_button, Qt.MouseButton.LeftButton)
    found["my_week"] = problems(week)

    audits = window.screens["audits"]
    week.table.selectRow(0)
    with qtbot.waitSignal(audits.form.reloaded, timeout=WAIT):  # type: ignore[attr-defined]
        qtbot.mouseClick(week.open_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.current_screen() is audits
    questions = [w for w in audits.findChildren(QtWidgets.QComboBox) if w.isVisible()]
    assert len(questions) > 5, "the form's questions are shown"
    found["audits"] = problems(audits)

    cases = show(qtbot, window, "cases")
    qtbot.waitUntil(lambda: cases.model.rowCount() > 3, timeout=WAIT)  # type: ignore[attr-defined]
    with qtbot.waitSignal(cases.detail.shown, timeout=WAIT):  # type: ignore[attr-defined]
        cases.table.selectRow(3)  # type: ignore[attr-defined]
    found["cases"] = problems(cases)

    qa = next(p for p in people_of(window) if "qa" in p.roles)
    window.act_as(qa)
    assert list(window.screens) == [s.key for s in default_screens()]  # built or not
    for key in window.screens:
        found[key] = found.get(key, []) + problems(show(qtbot, window, key))
    found["window"] = problems(window)  # the navigation, the status bar: and all again
    assert {k: v for k, v in found.items() if v} == {}
    assert len(list(accessible.controls(window))) > 250

    # the glossary's words where its terms are written: a column header, a group title
    header = week.table.horizontalHeader()
    assert header.model().headerData(2, Qt.Orientation.Horizontal) == "RAG"
    tip = accessible.cell_tip(header, QPoint(header.sectionViewportPosition(2) + 4, 4))
    assert "RAG rating: Red, Amber or Green" in accessible.tip_text(tip)
    assert "Quota: How many cases" in accessible.tip_text(week.quotas.toolTip())


def people_of(window: MainWindow) -> list[Person]:
    from desktop.services.users import people

    return people(window.context())


def dialogs(window: MainWindow) -> Iterator[QDialog]:
    """The main dialogs, each as it first appears."""
    everyone = people_of(window)
    yield SignInDialog(window, everyone, everyone[0].id)
    yield PassphraseDialog(window, need=Need.NEW, name="dipsample.db")
    yield PassphraseDialog(window, need=Need.EXISTING, name="dipsample.db", again=True)
    yield LockDialog(window)
    yield DropCaseDialog("C-1001", window)
    yield StatusDialog(2, "done", window)
    yield ProgressDialog("Booked the visit", "", window)
    yield TextDialog("Escalate the disagreement", "Why it goes to the head of service.",
                     "&Reason:", "Reason for escalating", window)
    yield DiscussionDialog([], NOW, window)
    yield AgreeDialog("C-1001", "amber", "red", window)
    yield PersonDialog(["North", "South"], window)
    yield PasswordDialog(window, "A Person", own=False)
    yield ExercisePicker([], "the audit", window)
    yield ReopenDialog(window)
    yield AboutDialog(window, window.db_path)
    box = message_box(QMessageBox.Icon.Question, "DipSample", "Close without saving?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                      parent=window)
    yield box  # type: ignore[misc]


def test_the_main_dialogs_name_and_describe_every_control(qtbot: QtBot,
                                                          county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa")
    found: dict[str, list[str]] = {}
    for dialog in dialogs(window):
        dialog.show()
        qtbot.waitExposed(dialog)
        found[type(dialog).__name__ + dialog.windowTitle()] = problems(dialog)
        for box in dialog.findChildren(QDialogButtonBox):
            texts = [b.text() for b in box.buttons() if b.isVisible()]
            assert all("&" in t for t in texts), texts  # every button has its Alt+letter
        dialog.close()
        dialog.deleteLater()
    assert {k: v for k, v in found.items() if v} == {}


def test_without_the_helper_the_walk_finds_unnamed_controls(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: with the helper's work switched off, a dialog has
    controls with no description, and its OK and Cancel no mnemonic."""
    monkeypatch.setattr(accessible, "describe", lambda _root: None)
    dialog = StatusDialog(1, "done")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert problems(dialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert "&" not in ok.text()


def test_a_form_row_label_becomes_its_fields_buddy_and_names_it(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    form = QFormLayout(holder)
    label = QLabel("&Theme:")
    field = QtWidgets.QComboBox()
    field.addItem("Neglect")
    form.addRow(label, field)
    edit = QLineEdit()
    edit.setPlaceholderText("Words in any column")
    form.addRow(QLabel("Mid & East:"), QLineEdit())  # a literal "&": no buddy made
    form.addRow(edit)
    holder.show()
    qtbot.waitExposed(holder)
    assert label.buddy() is field
    assert accessible.effective_name(field) == "Theme"
    assert accessible.effective_name(edit) == "Words in any column"
    assert accessible.description(edit)  # where it is, at least
    mid_east = form.itemAt(1, QFormLayout.ItemRole.LabelRole).widget()
    assert isinstance(mid_east, QLabel) and mid_east.buddy() is None


def test_ok_and_cancel_get_mnemonics_that_work(qtbot: QtBot) -> None:
    dialog = StatusDialog(1, "done")  # its labels use &s and &e already
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    box = dialog.findChild(QDialogButtonBox)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
    assert (ok.text(), cancel.text()) == ("&OK", "&Cancel")
    assert accessible.with_mnemonic("Cancel", {"c"}) == "C&ancel"
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        qtbot.keyClick(dialog, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)


def test_tab_out_of_the_reading_order_is_found(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    row = QtWidgets.QHBoxLayout(holder)
    first, second, third = (QLineEdit(holder) for _ in range(3))
    for n, edit in enumerate((first, second, third), 1):
        edit.setAccessibleName(f"Field {n}")
        row.addWidget(edit)
    holder.show()
    qtbot.waitExposed(holder)
    assert accessible.out_of_order(holder) == []
    QWidget.setTabOrder(first, third)  # Tab from the first now skips to the third
    assert ("Field 2", "Field 3") in accessible.out_of_order(holder)


def test_the_first_down_in_a_freshly_focused_table_selects_the_first_row(
        qtbot: QtBot) -> None:
    model: RowTableModel[str] = RowTableModel([Column("Word", lambda word: word)])
    model.set_rows(["alpha", "beta", "gamma"])
    view = row_view(model, "words", "Words")
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus, timeout=WAIT)
    assert selected_rows(view) == []
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert selected_rows(view) == ["alpha"]
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert selected_rows(view) == ["beta"]


def test_weighted_kappa_is_explained_where_it_appears(qtbot: QtBot,
                                                      county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(ModerationScreen,))
    window.clock = lambda: NOW
    screen = show(qtbot, window, ModerationScreen.key)
    assert isinstance(screen, ModerationScreen)
    qtbot.waitUntil(lambda: screen.board is not None, timeout=WAIT)
    label = next(w for w in screen.findChildren(QLabel) if "weighted kappa" in w.text())
    assert "Weighted kappa: How far two ratings" in accessible.tip_text(label.toolTip())
    table = next(v for v in screen.findChildren(QtWidgets.QTableView)
                 if v.property(accessible.WATCHED)
                 and any(v.model().headerData(c, Qt.Orientation.Horizontal) == "Weighted kappa"
                         for c in range(v.model().columnCount())))
    header = table.horizontalHeader()
    column = next(c for c in range(table.model().columnCount())
                  if table.model().headerData(c, Qt.Orientation.Horizontal) == "Weighted kappa")
    where = QPoint(header.sectionViewportPosition(column) + 4, 4)
    QtWidgets.QToolTip.hideText()
    event = QtGui.QHelpEvent(QtGui.QHelpEvent.Type.ToolTip, where, header.mapToGlobal(where))
    QApplication.sendEvent(header.viewport(), event)
    qtbot.waitUntil(QtWidgets.QToolTip.isVisible, timeout=WAIT)
    assert "Weighted kappa: How far two ratings" in QtWidgets.QToolTip.text()
    assert "linear weights" in QtWidgets.QToolTip.text()
    QtWidgets.QToolTip.hideText()
