"""The main window's menus: File, Edit, Go and Help, and the keys they answer.

Why apart from the window: the menus only ever act on what the window offers (the
screen showing, the store, the person), so they are built from a window and hold its
actions; the window keeps the flows behind them. Ctrl+F, Ctrl+S and Ctrl+Enter act on
the screen showing, and say in the status bar when it has nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from desktop.qt import QAction, QKeySequence, QMenu, QMessageBox, Qt, QWidget
from desktop.views.plain import message_box

if TYPE_CHECKING:
    from desktop.views.window import MainWindow

#: The status bar's words when the screen showing has nothing for a key to do.
NOTHING_TO = {"find_text": "nothing to search", "save": "nothing to save",
              "submit": "nothing to submit"}


def menu_action(parent: QWidget, text: str,
                keys: Sequence[QKeySequence | QKeySequence.StandardKey | str],
                slot: Callable[[], object]) -> QAction:
    """A menu action with every shortcut of ``keys`` (a standard key may already hold
    one of the others: each is bound once)."""
    made = QAction(text, parent)
    shortcuts: list[QKeySequence] = []
    for key in keys:
        found = (QKeySequence.keyBindings(key)
                 if isinstance(key, QKeySequence.StandardKey) else [QKeySequence(key)])
        shortcuts += [k for k in found if k not in shortcuts]
    made.setShortcuts(shortcuts)
    made.triggered.connect(lambda _checked=False: slot())
    return made


class WindowMenus:
    """The menu bar of ``window`` and its actions.

    Attributes:
        reload, save, submit, quit, find: File's and Edit's actions (F5, Ctrl+S,
            Ctrl+Enter, Ctrl+Q, Ctrl+F).
        demo: File > Build the demo county (enabled for an empty store).
        switch: File > Sign out and switch person (enabled once someone signed in).
        go: the Go menu, an entry per screen (Ctrl+1 to Ctrl+9).
    """

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.reload = menu_action(window, "&Reload",
                                  [QKeySequence.StandardKey.Refresh, "F5"], window.refresh)
        self.save = menu_action(window, "&Save", [QKeySequence.StandardKey.Save],
                                lambda: self.current_does("save"))
        self.submit = menu_action(window, "S&ubmit", ["Ctrl+Return", "Ctrl+Enter"],
                                  lambda: self.current_does("submit"))
        # Windows has no standard Quit key; Ctrl+Q there too, as on Linux and macOS.
        self.quit = menu_action(window, "&Quit", QKeySequence.keyBindings(
            QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")], window.close)
        self.find = menu_action(window, "&Find", [QKeySequence.StandardKey.Find],
                                lambda: self.current_does("find_text"))
        self.demo = menu_action(window, "Build the &demo county", [],
                                window.status_line.build_demo)
        self.demo.setEnabled(False)  # only once the store is known to be empty
        self.switch = menu_action(window, "Sign out and s&witch person…", [],
                                  window.switch_person)
        self.switch.setEnabled(False)  # once someone has signed in
        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        for item in (self.save, self.submit, self.reload):
            file_menu.addAction(item)
        file_menu.addSeparator()
        file_menu.addAction(self.demo)
        file_menu.addSeparator()
        file_menu.addAction(self.switch)
        file_menu.addAction(self.quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.find)
        self.go: QMenu = bar.addMenu("&Go")
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(menu_action(window, "&Keyboard shortcuts", [],
                                        self.show_shortcuts))
        help_menu.addAction(menu_action(window, "&About DipSample", [], self.show_about))

    def add_go(self, title: str, key: str, number: int) -> None:
        """Go's entry for the screen ``key``, the ``number``-th (Ctrl+1 to Ctrl+9)."""
        go = QAction(title, self.window)
        if number <= 9:
            go.setShortcut(QKeySequence(f"Ctrl+{number}"))
        go.triggered.connect(lambda _checked=False: self.window.show_screen(key))
        self.go.addAction(go)
        self.window.addAction(go)

    def clear_go(self) -> None:
        """Every Go entry removed (the screens are being built anew)."""
        for go in self.go.actions():
            self.go.removeAction(go)
            self.window.removeAction(go)

    def current_does(self, duty: str) -> None:
        """Ctrl+F, Ctrl+S, Ctrl+Enter: the screen showing does it, or the bar says why not."""
        screen = self.window.current_screen()
        done = screen is not None and bool(getattr(screen, duty)())
        if not done:
            self.window.statusBar().showMessage(f"This screen has {NOTHING_TO[duty]}.", 3000)

    def show_shortcuts(self) -> None:
        lines = ["Ctrl+F  find on this screen", "Ctrl+S  save", "Ctrl+Enter  submit",
                 "F5  reload", "Ctrl+Q  quit"]
        lines += [f"Ctrl+{n}  {s.title.replace('&', '')}"  # the listed, built or not
                  for n, s in enumerate(self.window.screen_builder.kinds.values(), 1)
                  if n <= 9]
        box = message_box(QMessageBox.Icon.Information, "Keyboard shortcuts",
                          "\n".join(lines), parent=self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_about(self) -> None:
        from desktop.views.about import AboutDialog

        dialog = AboutDialog(self.window, self.window.db_path)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
