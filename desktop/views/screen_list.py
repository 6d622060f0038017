"""The screens of the navigation, in order, and building them ahead of need.

Why a module of its own: the list names every screen, so importing it imports them all
(reportlab, openpyxl and Qt Charts behind them: about a second). The window imports it
when it builds its screens, and the application imports it on a thread of its own while
the sign-in list shows (:func:`import_screens`), so neither waits at start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.qt import QFrame, QListWidgetItem, QScrollArea, QSettings, Qt, QTimer, QWidget
from desktop.views.screen import Screen

if TYPE_CHECKING:
    from desktop.views.window import MainWindow

log = logging.getLogger(__name__)


def default_screens() -> list[type[Screen]]:
    """Every screen of the navigation, in its order: the auditor's day first."""
    from desktop.views.action_tracker import ActionTrackerScreen
    from desktop.views.audits import AuditsScreen
    from desktop.views.cases import CasesScreen
    from desktop.views.concerns import ConcernsScreen
    from desktop.views.dashboard import DashboardScreen
    from desktop.views.exercises_screen import ExercisesScreen
    from desktop.views.import_wizard import ImportScreen
    from desktop.views.moderation import ModerationScreen
    from desktop.views.my_week import MyWeekScreen
    from desktop.views.reports_screen import ReportsScreen
    from desktop.views.settings_screen import SettingsScreen
    from desktop.views.sync_screen import SyncScreen

    return [MyWeekScreen, CasesScreen, AuditsScreen, ActionTrackerScreen, ConcernsScreen,
            ModerationScreen, DashboardScreen, ReportsScreen, ExercisesScreen, ImportScreen,
            SyncScreen, SettingsScreen]


def import_screens() -> None:
    """On a thread of its own: the screens' modules imported, so that building the
    screens while the sign-in list shows does not hold the GUI thread that long. A
    failure is met again, and reported, when the GUI thread asks for the screens."""
    try:
        default_screens()
    except Exception:
        log.info("importing the screens ahead failed; the window imports them itself")


class ScreenBuilder:
    """Build a window's screens: all at once, or one per turn of the event loop while
    the sign-in list shows.

    Why one per turn: importing and building twelve screens took longer than opening a
    100,000-case store; built in one go, the sign-in list would not answer keys or
    clicks until the last was done.

    Attributes:
        built: every screen is built (and the sync state installed after them).
    """

    def __init__(self, window: MainWindow, screens: Sequence[type[Screen]] | None) -> None:
        """``screens``: the screens to build (None: :func:`default_screens`)."""
        self.window = window
        #: The screens not built yet (None: all of the default ones).
        self._unbuilt: list[type[Screen]] | None = None if screens is None else list(screens)
        self.built = False
        #: The thread importing the screens' modules ahead (see import_screens).
        self._importing: threading.Thread | None = None

    def build(self, *, one: bool = False) -> bool:
        """Build the screens not built yet (``one``: the next one only); whether any is
        left. After the last: the sync state (it connects to the Sync screen) and the
        screens' remembered layout."""
        if self.built:
            return False
        if self._unbuilt is None:
            if self._importing is not None:  # never two threads importing the same modules
                self._importing.join()
            self._unbuilt = default_screens()
        while self._unbuilt:
            self.add(self._unbuilt.pop(0))
            if one and self._unbuilt:
                return True
        self.built = True
        from desktop.views.sync_status import install_sync

        install_sync(self.window)
        settings = QSettings()
        for screen in self.window.screens.values():
            screen.restore_state(settings)
        return False

    def build_meanwhile(self) -> None:
        """While the sign-in list is showing: the screens' modules imported on a thread
        of their own, then one screen built per turn of the event loop, so that the list
        answers keys and clicks between them."""
        window = self.window
        if window.tasks.closed or self.built:
            return
        if self._importing is None and self._unbuilt is None:
            self._importing = threading.Thread(target=import_screens, daemon=True,
                                               name="dipsample-screens")
            self._importing.start()
        if self._importing is not None and self._importing.is_alive():
            QTimer.singleShot(20, window, self.build_meanwhile)
        elif self.build(one=True):
            QTimer.singleShot(0, window, self.build_meanwhile)

    def add(self, cls: type[Screen]) -> Screen:
        """Build a screen and add it to the window's navigation, stack and Go menu."""
        from desktop.views.cases import CasesScreen

        window = self.window
        screen = cls(window)
        window.screens[screen.key] = screen
        if isinstance(screen, CasesScreen):
            window.cases = screen
            screen.cases_loaded.connect(lambda _listing: window.health_check.start())
        # In a scroll area: on a small laptop screen (1366 x 768 at 125 %) a screen with
        # many controls scrolls instead of pushing the window past the screen's edge.
        holder = QScrollArea()
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        holder.setWidget(screen)
        window.stack.addWidget(holder)
        item = QListWidgetItem(cls.title.replace("&", ""))
        item.setData(Qt.ItemDataRole.UserRole, screen.key)
        number = len(window.screens)
        item.setToolTip(cls.title.replace("&", "") + (f" (Ctrl+{number})" if number <= 9 else ""))
        window.navigation.addItem(item)
        window.menus.add_go(cls.title, screen.key, number)
        return screen

    def remove_all(self) -> list[QWidget]:
        """Take every screen out of the navigation, the stack and the Go menu (a
        sign-out builds them anew); their holders, hidden and detached, for the caller
        to keep while a read may still answer into them."""
        window = self.window
        window.navigation.blockSignals(True)
        window.navigation.clear()
        window.navigation.blockSignals(False)
        removed: list[QWidget] = []
        while window.stack.count():
            holder = window.stack.widget(0)
            assert holder is not None  # the stack is not empty
            window.stack.removeWidget(holder)
            holder.hide()
            holder.setParent(None)
            removed.append(holder)
        window.menus.clear_go()
        window.screens = {}
        window.cases = None
        return removed
