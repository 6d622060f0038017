"""The screens of the navigation, in order, each built the first time it is wanted.

Why the navigation is listed from :data:`SCREENS`, words kept here, and not from the
screens' classes: importing the twelve screens' modules takes about a second (reportlab,
openpyxl and Qt Charts behind them), and the person who has just picked their name would
wait for it before their first screen. Each screen's module is imported when it is first
built; the application imports them all on a thread of its own while the sign-in list
shows (:func:`import_screens`), so that a first visit seldom waits for one.

Why each screen is built on its first visit and not all at sign-in: building twelve
screens after the person picked their name made the first screen wait for eleven they
had not asked for (launch_to_first_screen_100k missed its target twice over), and a
person uses three or four screens a day. The navigation, the Go menu and the stack
list every screen from the start; a screen is built, whole, just before it is first
shown, or when something asks the window for it (:class:`Screens`).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.qt import QFrame, QListWidgetItem, QScrollArea, QSettings, Qt, QTimer, QWidget
from desktop.services.auth.roles import Permission
from desktop.views.screen import Screen

if TYPE_CHECKING:
    from desktop.views.window import MainWindow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScreenKind:
    """A screen as the navigation lists it before its module is imported: its key, its
    title (with its Alt letter), the permission a person needs for it, and where its
    class is (``module:Class``), or the class itself when it was given."""

    key: str
    title: str
    needs: Permission | None
    where: str = ""
    known: type[Screen] | None = None

    @classmethod
    def of(cls, screen: type[Screen]) -> ScreenKind:
        return cls(screen.key, screen.title, screen.needs, known=screen)

    def load(self) -> type[Screen]:
        """The screen's class, its module imported now if it was not."""
        if self.known is not None:
            return self.known
        module, name = self.where.split(":")
        found = getattr(importlib.import_module(module), name)
        assert isinstance(found, type) and issubclass(found, Screen)
        return found


#: Every screen of the navigation, in its order: the auditor's day first. Each class
#: says the same words (test_main_window checks that they agree).
SCREENS = (
    ScreenKind("my_week", "&My week", Permission.SAMPLE, "desktop.views.my_week:MyWeekScreen"),
    ScreenKind("cases", "&Cases", Permission.VIEW_CASES, "desktop.views.cases:CasesScreen"),
    ScreenKind("audits", "&Audits", Permission.VIEW_AUDITS, "desktop.views.audits:AuditsScreen"),
    ScreenKind("actions", "A&ctions", Permission.VIEW_AUDITS,
               "desktop.views.action_tracker:ActionTrackerScreen"),
    ScreenKind("concerns", "&Disagreements and escalations", Permission.CONCERNS,
               "desktop.views.concerns:ConcernsScreen"),
    ScreenKind("moderation", "M&oderation", Permission.MODERATE,
               "desktop.views.moderation:ModerationScreen"),
    ScreenKind("dashboard", "QA das&hboard", Permission.REPORTS,
               "desktop.views.dashboard:DashboardScreen"),
    ScreenKind("reports", "&Reports", Permission.REPORTS,
               "desktop.views.reports_screen:ReportsScreen"),
    ScreenKind("exercises", "E&xercises", Permission.VIEW_AUDITS,
               "desktop.views.exercises_screen:ExercisesScreen"),
    ScreenKind("import", "&Import", Permission.IMPORT_CASELOAD,
               "desktop.views.import_wizard:ImportScreen"),
    ScreenKind("sync", "S&ync", None, "desktop.views.sync_screen:SyncScreen"),
    ScreenKind("settings", "Se&ttings", None, "desktop.views.settings_screen:SettingsScreen"),
)


def default_screens() -> list[type[Screen]]:
    """Every screen of the navigation, in its order, their modules imported."""
    return [kind.load() for kind in SCREENS]


def import_screens() -> None:
    """On a thread of its own: the screens' modules imported, so that a screen's first
    visit does not wait for its module. A failure is met again, and reported, when the
    GUI thread builds that screen."""
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
        kinds: the screens by key, in navigation order (once listed).
    """

    def __init__(self, window: MainWindow, screens: Sequence[type[Screen]] | None) -> None:
        """``screens``: the screens of the navigation (None: :data:`SCREENS`)."""
        self.window = window
        #: What to list: the screens given, else every screen of :data:`SCREENS`.
        self._given = None if screens is None else [ScreenKind.of(cls) for cls in screens]
        self.listed = False
        self.kinds: dict[str, ScreenKind] = {}
        #: Each screen's page in the window's stack, by key (empty until it is built).
        self._holders: dict[str, QScrollArea] = {}
        self._built: dict[str, Screen] = {}
        #: The thread importing the screens' modules ahead (see import_screens).
        self._importing: threading.Thread | None = None

    # -- listing ------------------------------------------------------------------------
    def import_ahead(self) -> None:
        """While the sign-in list shows: the screens' modules imported on a thread of
        their own (the GUI thread answers the list meanwhile)."""
        if self._given is None and self._importing is None:
            self._importing = threading.Thread(target=import_screens, daemon=True,
                                               name="dipsample-screens")
            self._importing.start()

    def list_all(self) -> None:
        """Every screen in the navigation, with an empty page in the stack and its Go
        entry (none built); then the sync state, which the status bar shows. Once."""
        if self.listed:
            return
        self.listed = True
        for kind in SCREENS if self._given is None else self._given:
            self._list(kind)
        if self.window.store is None:
            self._install_sync()  # it reads the sync state when the store opens
        else:  # signed in: after the first screen has asked for its data, which comes first
            QTimer.singleShot(0, self.window, self._install_sync)

    def _install_sync(self) -> None:
        from desktop.views.sync_status import install_sync

        if not self.window.tasks.closed:
            install_sync(self.window)

    def _list(self, kind: ScreenKind) -> None:
        window = self.window
        self.kinds[kind.key] = kind
        # In a scroll area: on a small laptop screen (1366 x 768 at 125 %) a screen with
        # many controls scrolls instead of pushing the window past the screen's edge.
        holder = QScrollArea()
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        self._holders[kind.key] = holder
        window.stack.addWidget(holder)
        item = QListWidgetItem(kind.title.replace("&", ""))
        item.setData(Qt.ItemDataRole.UserRole, kind.key)
        number = len(self.kinds)
        item.setToolTip(kind.title.replace("&", "") + (f" (Ctrl+{number})" if number <= 9 else ""))
        window.navigation.addItem(item)
        window.menus.add_go(kind.title, kind.key, number)

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

    def _build(self, kind: ScreenKind) -> Screen:
        """Build ``kind`` into its page: connected to what watches it, its remembered
        layout restored, the window's lasting line on the Cases screen's counts."""
        window = self.window
        screen = kind.load()(window)
        self._built[kind.key] = screen
        if kind.key == "cases":
            from desktop.views.cases import CasesScreen  # imported: it was just built

            assert isinstance(screen, CasesScreen)
            screen.cases_loaded.connect(lambda _listing: window.health_check.start())
            screen.counts.setText(window.status_text.text())  # what say() said so far
        status = getattr(window, "sync_status", None)
        if kind.key == "sync" and status is not None:  # a Sync now shows in the status bar
            screen.synced.connect(status.synced_by_hand)  # type: ignore[attr-defined]
        self._holders[kind.key].setWidget(screen)
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
