"""The main window as a shell: navigation, status bar, shortcuts, remembered layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QApplication, QLineEdit, Qt
from desktop.services.caseload import import_caseload
from desktop.services.context import ServiceContext
from desktop.store import open_store
from desktop.views.cases import CasesScreen
from desktop.views.screen import Screen
from desktop.views.screen_list import SCREENS
from desktop.views.window import MainWindow

from .driving import activate, open_as

pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints|raise|grabbing)")

DATA = Path(__file__).resolve().parents[2] / "data"


class NotesScreen(Screen):
    """A second screen with a search box, to see the window act on the one showing."""

    key = "notes"
    title = "&Notes"

    def __init__(self, host: object) -> None:
        super().__init__(host)  # type: ignore[arg-type]
        self.search = QLineEdit(self)
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1

    def find_text(self) -> bool:
        self.search.setFocus()
        return True


def test_the_navigation_lists_each_screen_as_its_class_says() -> None:
    """The navigation lists the screens from screen_list.SCREENS before their modules are
    imported; each entry must say what its class says (key, title, permission)."""
    for kind in SCREENS:
        screen = kind.load()
        assert (kind.key, kind.title, kind.needs) == (screen.key, screen.title, screen.needs)
    assert len({kind.key for kind in SCREENS}) == len(SCREENS)


def test_the_status_bar_names_who_the_store_and_the_last_import(qtbot: QtBot,
                                                                 county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(CasesScreen,))
    assert window.user is not None
    assert window.who.text() == f"Signed in: {window.user.name}"
    assert window.store_label.text() == county_path.name
    qtbot.waitUntil(lambda: window.status is not None, timeout=20_000)
    # the demo is built: cases, none of them imported; the bar says where they came from
    assert window.last_import.text().startswith("Demo county (synthetic cases), built ")
    store = open_store(county_path, prompt=None)
    try:
        import_caseload(ServiceContext(store=store), DATA / "mosaic_caseload.csv")
    finally:
        store.close()
    with qtbot.waitSignal(window.status_read, timeout=20_000):
        activate(qtbot, window)
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.last_import.text().startswith("Last import: ")


def test_ctrl_number_moves_between_screens_and_each_reads_when_first_shown(
        qtbot: QtBot, county_path: Path) -> None:
    window = open_as(qtbot, county_path, screens=(CasesScreen, NotesScreen))
    notes = window.screens["notes"]
    assert isinstance(notes, NotesScreen) and notes.refreshed == 0
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen() is notes and notes.refreshed == 1
    assert window.navigation.currentItem().text() == "Notes"
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is notes.search
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert notes.refreshed == 2
    with qtbot.waitSignal(window.cases.cases_loaded, timeout=20_000):  # type: ignore[union-attr]
        qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen() is window.cases
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.cases.filter_edit  # type: ignore[union-attr]


def test_ctrl_s_on_a_screen_with_nothing_to_save_says_so(qtbot: QtBot,
                                                         county_path: Path) -> None:
    window = open_as(qtbot, county_path, screens=(NotesScreen,))
    window.show_screen("notes")
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "This screen has nothing to save."


def test_size_splitter_and_columns_are_remembered(qtbot: QtBot, county_path: Path) -> None:
    first = open_as(qtbot, county_path, screens=(CasesScreen,))
    least = first.minimumSizeHint()
    assert least.width() <= 1000 and least.height() <= 600  # 1366 x 768 at 125 %
    wanted = (760, 540)
    first.resize(*wanted)
    first.splitter.setSizes([200, 500])
    header = first.cases.table.horizontalHeader()  # type: ignore[union-attr]
    header.resizeSection(0, 222)
    first.close()
    second = MainWindow(county_path, screens=[CasesScreen])
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == wanted
    assert second.splitter.sizes()[0] == 200
    assert second.cases.table.horizontalHeader().sectionSize(0) == 222  # type: ignore[union-attr]
    second.close()


def test_an_empty_store_says_what_to_do_and_builds_the_demo_from_the_menu(
        qtbot: QtBot, db_path: Path) -> None:
    window = MainWindow(db_path, screens=[CasesScreen])
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.status_read, timeout=20_000):
        window.open_database()
    assert "import a caseload export" in window.status_text.text()
    assert "build the demo county" in window.status_text.text()
    assert window.demo_action.isEnabled()
    activate(qtbot, window)
    cases = window.cases
    assert cases is not None
    with qtbot.waitSignal(cases.cases_loaded, timeout=60_000,
                          check_params_cb=lambda listing: listing.total > 0) as loaded:
        qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)  # File
        menu = window.menuBar().actions()[0].menu()
        qtbot.waitUntil(menu.isVisible, timeout=5_000)
        qtbot.keyClick(menu, Qt.Key.Key_D)  # Build the &demo county
    assert loaded.args[0].total > 0
    qtbot.waitUntil(lambda: not window.demo_action.isEnabled(), timeout=20_000)
    assert window.status_text.text() == ""  # no longer empty


def test_help_about_opens_the_about_dialog_from_the_keyboard(qtbot: QtBot,
                                                             db_path: Path) -> None:
    from desktop.views.about import AboutDialog

    window = MainWindow(db_path, screens=[CasesScreen])
    qtbot.addWidget(window)
    window.show()
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)  # Help
    menu = window.menuBar().actions()[-1].menu()
    qtbot.waitUntil(menu.isVisible, timeout=5_000)
    qtbot.keyClick(menu, Qt.Key.Key_A)  # &About DipSample
    qtbot.waitUntil(lambda: any(isinstance(w, AboutDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=5_000)
    (dialog,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, AboutDialog)]
    assert dialog.place_labels["Database"].text() == str(db_path.resolve())
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
