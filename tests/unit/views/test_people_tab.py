"""The Settings screen's People tab, driven as a QA lead drives it: add an auditor for an
area through the dialog, find them, deactivate them; import a staff list; see a bad
list's rows and nobody added; and, as an auditor, read the list without changing it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QCheckBox, QMessageBox, QPoint, Qt, QWidget
from desktop.services.context import ServiceContext
from desktop.services.people.staff import StaffMember, list_users
from desktop.services.users import people
from desktop.views.people_tab import PeopleTab
from desktop.views.person_dialog import PersonDialog
from desktop.views.row_table import selected_rows
from desktop.views.settings_screen import SettingsScreen
from desktop.views.window import MainWindow
from tests.unit.views.driving import activate, open_as

WAIT = 20_000
STAFF = Path(__file__).resolve().parents[2] / "data" / "staff_list.csv"

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def tick(qtbot: QtBot, box: QCheckBox) -> None:
    """Click the box's square, where a person clicks (its middle may be past its words)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def open_people(qtbot: QtBot, path: Path, role: str = "qa"
                ) -> tuple[MainWindow, PeopleTab]:
    window = open_as(qtbot, path, role=role, screens=(SettingsScreen,))
    screen = window.show_screen(SettingsScreen.key)
    assert isinstance(screen, SettingsScreen)
    bar = screen.tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == "&People")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    tab = screen.people
    assert screen.tabs.currentWidget() is tab
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=WAIT)
    return window, tab


def shown(tab: PeopleTab) -> list[StaffMember]:
    """The people the table shows now, top to bottom."""
    return [tab.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 10)
            for r in range(tab.proxy.rowCount())]


def cell(tab: PeopleTab, username: str, header: str) -> str:
    column = next(i for i, c in enumerate(tab.model.columns) if c.header == header)
    row = next(r for r in range(tab.proxy.rowCount())
               if tab.proxy.index(r, 1).data() == username)
    return str(tab.proxy.index(row, column).data())


def find_and_select(qtbot: QtBot, window: MainWindow, tab: PeopleTab, text: str) -> None:
    """Ctrl+F, type ``text`` so only one person shows, and click their row."""
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.filter_edit.hasFocus()
    qtbot.keyClicks(tab.filter_edit, text)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 1, timeout=WAIT)
    view = tab.table
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(tab.proxy.index(0, 0)).center())
    qtbot.waitUntil(lambda: view.selectionModel().hasSelection(), timeout=WAIT)


def answer_deactivate(qtbot: QtBot, tab: PeopleTab, name: str, *, yes: bool) -> None:
    """Click Deactivate…, read the question that names the person, and answer it."""
    click(qtbot, tab.active_button)
    qtbot.waitUntil(lambda: tab.confirm_box is not None and tab.confirm_box.isVisible(),
                    timeout=WAIT)
    box = tab.confirm_box
    assert box is not None
    assert box.textFormat() == Qt.TextFormat.PlainText  # a name is typed text
    assert box.text().startswith(f"Deactivate {name} (")
    assert "keep their history" in box.text()
    button = (next(b for b in box.buttons() if b.text() == "&Deactivate") if yes
              else box.button(QMessageBox.StandardButton.Cancel))
    assert button is not None
    click(qtbot, button)
    qtbot.waitUntil(lambda: tab.confirm_box is None, timeout=WAIT)


def everyone(window: MainWindow) -> list[StaffMember]:
    assert window.store is not None
    return list_users(ServiceContext(store=window.store), include_inactive=True)


def test_qa_adds_an_auditor_for_an_area_sees_them_and_deactivates_them(
        qtbot: QtBot, county_path: Path) -> None:
    window, tab = open_people(qtbot, county_path)
    before = tab.model.rowCount()
    assert "Dewhurst" not in {m.name for m in tab.model.rows}
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible(), timeout=WAIT)
    dialog = tab.dialog
    assert isinstance(dialog, PersonDialog)
    assert "North" in dialog.area_boxes
    click(qtbot, dialog.add_button)  # nothing typed: refused beside the fields
    name_problem = dialog.problems["name"]
    qtbot.waitUntil(name_problem.isVisible, timeout=WAIT)
    assert name_problem.text() == "The name is blank."
    assert dialog.problems["areas"].text() == "No service area."
    # The cursor goes to the first bad field (asked of the dialog: whether the dialog
    # is the active window is up to the platform, and under load it was not yet).
    assert dialog.focusWidget() is dialog.name_edit
    qtbot.keyClicks(dialog.name_edit, "Testperson Dewhurst")
    click(qtbot, dialog.username_edit)
    qtbot.keyClicks(dialog.username_edit, "am-dewhurst")
    click(qtbot, dialog.job_title_edit)
    qtbot.keyClicks(dialog.job_title_edit, "Area Manager (North)")
    tick(qtbot, dialog.role_boxes["auditor"])
    tick(qtbot, dialog.area_boxes["North"])
    assert dialog.role_boxes["auditor"].isChecked() and dialog.area_boxes["North"].isChecked()
    click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: tab.dialog is None, timeout=WAIT)
    qtbot.waitUntil(lambda: tab.model.rowCount() == before + 1, timeout=WAIT)
    assert tab.outcome.text() == "Added Testperson Dewhurst (am-dewhurst): Auditor in North."
    assert (cell(tab, "am-dewhurst", "Roles"), cell(tab, "am-dewhurst", "Service areas"),
            cell(tab, "am-dewhurst", "Active")) == ("Auditor", "North", "Active")

    find_and_select(qtbot, window, tab, "dewhurst")
    assert tab.active_button.text() == "&Deactivate…" and tab.active_button.isEnabled()
    answer_deactivate(qtbot, tab, "Testperson Dewhurst", yes=True)
    qtbot.waitUntil(lambda: cell(tab, "am-dewhurst", "Active") == "Deactivated", timeout=WAIT)
    assert tab.outcome.text().startswith("Testperson Dewhurst is deactivated")
    assert [m.active for m in shown(tab)] == [False]
    qtbot.waitUntil(lambda: tab.active_button.text() == "Activat&e", timeout=WAIT)
    assert window.store is not None
    assert "am-dewhurst" not in {p.username for p in people(ServiceContext(
        store=window.store))}
    click(qtbot, tab.active_button)  # and back again
    qtbot.waitUntil(lambda: cell(tab, "am-dewhurst", "Active") == "Active", timeout=WAIT)
    assert tab.outcome.text() == "Testperson Dewhurst is active again."


def test_qa_cannot_deactivate_themselves(qtbot: QtBot, county_path: Path) -> None:
    window, tab = open_people(qtbot, county_path)
    me = window.user
    assert me is not None
    find_and_select(qtbot, window, tab, me.username)
    click(qtbot, tab.active_button)
    qtbot.waitUntil(lambda: tab.outcome.text() != "", timeout=WAIT)
    assert tab.outcome.text() == "Not deactivated: You cannot deactivate yourself."
    assert cell(tab, me.username, "Active") == "Active"
    assert next(m for m in everyone(window) if m.username == me.username).active


def test_a_staff_list_is_imported_and_its_people_are_listed(qtbot: QtBot,
                                                             county_path: Path) -> None:
    window, tab = open_people(qtbot, county_path)
    before = tab.model.rowCount()
    click(qtbot, tab.staff_file.edit)
    qtbot.keyClicks(tab.staff_file.edit, str(STAFF))
    click(qtbot, tab.import_button)
    qtbot.waitUntil(lambda: tab.model.rowCount() == before + 6, timeout=WAIT)
    assert tab.outcome.text().startswith(
        "Imported staff_list.csv: 6 people; 6 added, 0 changed, 0 already as listed.")
    assert "Skipped 1 summary line at the end (row 9)." in tab.outcome.text()
    assert not tab.problems.isVisible()
    assert cell(tab, "qa-lead", "Roles") == "Auditor, QA officer, Moderator"
    assert cell(tab, "hos", "Roles") == "Auditor, Head of service"
    assert cell(tab, "am-north", "Job title") == "Area Manager (North)"
    assert {"am-north", "ld-north", "am-south", "hos", "qa-lead", "tm-frond"} <= {
        m.username for m in everyone(window)}


def test_a_staff_list_with_a_bad_row_shows_the_row_and_adds_nobody(
        qtbot: QtBot, county_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "staff.csv"
    bad.write_text(STAFF.read_text(encoding="utf-8").replace(",am-south,", ",am south,"),
                   encoding="utf-8")
    window, tab = open_people(qtbot, county_path)
    before = everyone(window)
    qtbot.keyClicks(tab.staff_file.edit, str(bad))
    qtbot.keyClick(tab.staff_file.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(tab.problems.isVisible, timeout=WAIT)
    assert [row[:2] for row in tab.problems.model.rows] == [("5", "Username")]
    table = tab.problems.table
    first = table.visualRect(tab.problems.model.index(0, 2))
    assert table.viewport().rect().contains(first)  # in sight, not squeezed away
    assert tab.problems.model.rows[0][2].startswith("a username is letters, digits")
    assert tab.problems.heading.text().startswith("Nothing was imported: 1 bad row")
    assert tab.outcome.text().startswith("The staff list was not imported; nobody was added")
    assert everyone(window) == before
    assert "am-north" not in {m.username for m in tab.model.rows}


def test_an_auditor_reads_the_people_but_cannot_change_them(qtbot: QtBot,
                                                            county_path: Path) -> None:
    window, tab = open_people(qtbot, county_path, role="auditor")
    assert tab.who.isVisible()
    assert tab.who.text().startswith("Only an administrator or a QA lead can add, import")
    assert not tab.add_button.isEnabled() and not tab.import_button.isEnabled()
    assert not tab.staff_file.edit.isEnabled()
    find_and_select(qtbot, window, tab, tab.model.rows[0].username)
    assert not tab.active_button.isEnabled()
    click(qtbot, tab.active_button)
    assert tab.outcome.text() == ""


def test_deactivate_asks_first_and_cancel_changes_nothing(qtbot: QtBot,
                                                           county_path: Path) -> None:
    """Deactivate names the person and waits for a yes (issue 23, item 9); Cancel, or
    Enter on the question (Cancel is its default), leaves them active."""
    window, tab = open_people(qtbot, county_path)
    me = window.user
    other = next(m for m in tab.model.rows if m.active and me is not None and m.id != me.id
                 and "auditor" in m.roles)
    find_and_select(qtbot, window, tab, other.username)
    answer_deactivate(qtbot, tab, other.name, yes=False)
    click(qtbot, tab.active_button)
    qtbot.waitUntil(lambda: tab.confirm_box is not None and tab.confirm_box.isVisible(),
                    timeout=WAIT)
    assert tab.confirm_box is not None
    qtbot.keyClick(tab.confirm_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.confirm_box is None, timeout=WAIT)
    assert tab.outcome.text() == ""
    assert cell(tab, other.username, "Active") == "Active"
    assert next(m for m in everyone(window) if m.id == other.id).active


def test_a_person_added_is_selected_and_scrolled_into_view(qtbot: QtBot,
                                                            county_path: Path) -> None:
    """The new row sorts last, below what the table shows; after Add it is the selected,
    current row and in sight, even with a filter typed that would have hidden it."""
    _window, tab = open_people(qtbot, county_path)
    view = tab.table
    view.scrollToTop()
    last = tab.proxy.index(tab.proxy.rowCount() - 1, 0)
    assert not view.viewport().rect().intersects(view.visualRect(last))  # needs scrolling
    qtbot.keyClicks(tab.filter_edit, "Team Manager")
    qtbot.waitUntil(lambda: 0 < tab.proxy.rowCount() < tab.model.rowCount(), timeout=WAIT)
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible(), timeout=WAIT)
    dialog = tab.dialog
    assert isinstance(dialog, PersonDialog)
    qtbot.keyClicks(dialog.name_edit, "Zzyzx Testperson")
    click(qtbot, dialog.username_edit)
    qtbot.keyClicks(dialog.username_edit, "am-zzyzx")
    click(qtbot, dialog.job_title_edit)
    qtbot.keyClicks(dialog.job_title_edit, "Chief Cook")
    click(qtbot, dialog.add_button)  # not a known title: said beside it, whole
    problem = dialog.problems["job_title"]
    qtbot.waitUntil(problem.isVisible, timeout=WAIT)
    assert problem.text().startswith("No roles, and the job title is not a known job "
                                     "title; known titles are Head of Service, ")
    assert problem.height() >= problem.heightForWidth(problem.width())  # not cut
    dialog.job_title_edit.clear()
    tick(qtbot, dialog.role_boxes["auditor"])
    tick(qtbot, dialog.area_boxes["North"])
    click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: tab.dialog is None, timeout=WAIT)
    qtbot.waitUntil(lambda: [m.username for m in selected_rows(view)] == ["am-zzyzx"],
                    timeout=WAIT)
    assert tab.filter_edit.text() == ""  # the filter hid the new person: cleared
    current = view.currentIndex()
    assert current.row() == tab.proxy.rowCount() - 1  # sorted by name: the last row
    assert view.viewport().rect().contains(view.visualRect(current))
    assert tab.active_button.isEnabled() and tab.active_button.text() == "&Deactivate…"
