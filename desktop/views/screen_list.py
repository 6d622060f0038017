"""The screens of the navigation, in order, each built the first time it is wanted.

Why a module of its own: the list names every screen, so importing it imports them all
(reportlab, openpyxl and Qt Charts behind them: about a second). The window imports it
when it lists its screens, and the application imports it on a thread of its own while
the sign-in list shows (:func:`import_screens`), so neither waits at start.

Why each screen is built on its first visit and not all at sign-in: building twelve
screens after the person picked their name made the first screen wait for eleven they
had not asked for (launch_to_first_screen_100k missed its target twice over), and a
person uses three or four screens a day. The navigation, the Go menu and the stack
list every screen from the start; a screen is built, whole, just before it is first
shown, or when something asks the window for it (:class:`Screens`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from desktop.qt import QFrame, QListWidgetItem, QScrollArea, QSettings, Qt, QWidget
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
    """On a thread of its own: the screens' modules imported, so that listing the
    screens once somebody signs in does not hold the GUI thread that long. A failure is
    met again, and reported, when the GUI thread asks for the screens."""
    try:
        default_screens()
    except Exception:
        log.info("importing the screens ahead failed; the window imports them itself")


class Screens(Mapping[str, Screen]):
    """The window's screens by key, in navigation order, each built when first asked
    for: ``window.screens["reports"]`` is the Reports screen, built now if it was not.

    Why a mapping that builds: whatever asks the window for a screen (the Go menu, a
    link from another screen, a tool) gets a whole one, as when all were built at the
    start. The window's own sweeps (a change told to every screen, the layout saved,
    the last writes at closing) walk :meth:`ScreenBuilder.built` instead: a screen not
    built yet has read nothing, and reads when it is first shown.
    """

    def __init__(self, builder: ScreenBuilder) -> None:
        self._builder = builder

    def __getitem__(self, key: str) -> Screen:
        return self._builder.screen(key)

    def __contains__(self, key: object) -> bool:  # without building it
        return key in self._builder.kinds

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._builder.kinds))

    def __len__(self) -> int:
        return len(self._builder.kinds)


class ScreenBuilder:
    """A window's screens: listed (navigation, stack, Go menu) all at once, each built
    on its first visit.

    Attributes:
        listed: every screen is in the navigation (and the sync state installed).
        kinds: the screens' classes by key, in navigation order (once listed).
    """

    def __init__(self, window: MainWindow, screens: Sequence[type[Screen]] | None) -> None:
        """``screens``: the screens of the navigation (None: :func:`default_screens`)."""
        self.window = window
        #: The classes to list (None: the default ones, imported when listed).
        self._classes: list[type[Screen]] | None = None if screens is None else list(screens)
        self.listed = False
        self.kinds: dict[str, type[Screen]] = {}
        #: Each screen's page in the window's stack, by key (empty until it is built).
        self._holders: dict[str, QScrollArea] = {}
        self._built: dict[str, Screen] = {}
        #: The thread importing the screens' modules ahead (see import_screens).
        self._importing: threading.Thread | None = None

    # -- listing ------------------------------------------------------------------------
    def import_ahead(self) -> None:
        """While the sign-in list shows: the screens' modules imported on a thread of
        their own (the GUI thread answers the list meanwhile)."""
        if self._classes is None and self._importing is None:
            self._importing = threading.Thread(target=import_screens, daemon=True,
                                               name="dipsample-screens")
            self._importing.start()

    def list_all(self) -> None:
        """Every screen in the navigation, with an empty page in the stack and its Go
        entry (none built); then the sync state, which the status bar shows. Once."""
        if self.listed:
            return
        if self._classes is None:
            if self._importing is not None:  # never two threads importing the same modules
                self._importing.join()
            self._classes = default_screens()
        self.listed = True
        for cls in self._classes:
            self._list(cls)
        from desktop.views.sync_status import install_sync

        install_sync(self.window)

    def _list(self, cls: type[Screen]) -> None:
        window = self.window
        self.kinds[cls.key] = cls
        # In a scroll area: on a small laptop screen (1366 x 768 at 125 %) a screen with
        # many controls scrolls instead of pushing the window past the screen's edge.
        holder = QScrollArea()
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        self._holders[cls.key] = holder
        window.stack.addWidget(holder)
        item = QListWidgetItem(cls.title.replace("&", ""))
        item.setData(Qt.ItemDataRole.UserRole, cls.key)
        number = len(self.kinds)
        item.setToolTip(cls.title.replace("&", "") + (f" (Ctrl+{number})" if number <= 9 else ""))
        window.navigation.addItem(item)
        window.menus.add_go(cls.title, cls.key, number)

    # -- building -----------------------------------------------------------------------
    def screen(self, key: str) -> Screen:
        """The screen ``key``, built now if it was not (KeyError: no such screen)."""
        self.list_all()
        built = self._built.get(key)
        return built if built is not None else self._build(self.kinds[key])

    def built(self) -> list[Screen]:
        """The screens built so far, in navigation order."""
        return [self._built[key] for key in self.kinds if key in self._built]

    def built_screen(self, key: str) -> Screen | None:
        """The screen ``key`` if it is built, without building it."""
        return self._built.get(key)

    def build_all(self) -> None:
        """Every screen built now (a tool or a test that walks them all)."""
        self.list_all()
        for key in self.kinds:
            self.screen(key)

    def _build(self, cls: type[Screen]) -> Screen:
        """Build ``cls`` into its page: connected to what watches it, its remembered
        layout restored, the window's lasting line on the Cases screen's counts."""
        from desktop.views.cases import CasesScreen

        window = self.window
        screen = cls(window)
        self._built[cls.key] = screen
        if isinstance(screen, CasesScreen):
            screen.cases_loaded.connect(lambda _listing: window.health_check.start())
            screen.counts.setText(window.status_text.text())  # what say() said so far
        status = getattr(window, "sync_status", None)
        if cls.key == "sync" and status is not None:  # a Sync now shows in the status bar
            screen.synced.connect(status.synced_by_hand)  # type: ignore[attr-defined]
        self._holders[cls.key].setWidget(screen)
        screen.restore_state(QSettings())
        return screen

    def retire_all(self) -> list[QWidget]:
        """Take every built screen out of its page (a sign-out builds them anew when
        next shown); them, hidden, for the caller to keep while a read may still answer
        into them. Each stays a hidden child of the window, so that it ends with it (a
        screen left without a parent outlived the window: a test run kept hundreds)."""
        retired: list[QWidget] = []
        for key, screen in list(self._built.items()):
            taken = self._holders[key].takeWidget()
            assert taken is screen
            screen.setParent(self.window)  # a new parent hides it; it stays hidden
            retired.append(screen)
        self._built = {}
        return retired
