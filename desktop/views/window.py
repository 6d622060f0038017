"""The main window: navigation on the left, one screen at a time, the store behind them.

Why the window owns the store and the task manager: every screen (My week, Cases, the
audit form, the action tracker) runs its services through the same serialised worker on
the same store, so one place opens it, closes it and reports its errors. Screens know
the window only as a :class:`~desktop.views.screen.Host`.

Why nothing here touches the keyring or the file: asking the OS keyring whether it
exists can block for seconds on D-Bus, so even the question "do we need a passphrase?"
is asked on the worker.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from desktop.errors import KeyUnavailable, UserError, WrongKey
from desktop.models import Case, User
from desktop.models.base import utcnow
from desktop.qt import (
    QAction,
    QApplication,
    QCloseEvent,
    QFrame,
    QKeySequence,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSettings,
    QSplitter,
    QStackedWidget,
    Qt,
    QTimer,
    QWidget,
    Signal,
)
from desktop.services.auth.roles import permissions_of
from desktop.services.change_sets import ChangeSet, ChangeWatch
from desktop.services.context import CancelToken, ServiceContext
from desktop.services.store_health import Health, check_store
from desktop.services.store_status import StoreStatus, store_status
from desktop.services.users import Person, people
from desktop.store import Store, open_store
from desktop.views.accessible import install as install_accessible
from desktop.views.heartbeat import HEARTBEAT_ENV, Heartbeat
from desktop.views.idle_lock import install_idle_lock
from desktop.views.passphrase import Need, PassphraseDialog, passphrase_need
from desktop.views.plain import message_box, plain_label, plain_tip
from desktop.views.screen import Screen
from desktop.views.signin import SignInDialog, remember_user, remembered_user
from desktop.views.wheel_guard import install as install_wheel_guard
from desktop.views.worker import BackgroundOp, TaskControl, TaskManager, show_error

if TYPE_CHECKING:  # imported when the screens are built: not before the sign-in list
    from desktop.views.cases import CasesScreen

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
LONDON = ZoneInfo("Europe/London")
#: QSettings keys of the window itself (screens keep theirs under their own key).
GEOMETRY, MAIN_SPLITTER, LAST_SCREEN = "window/geometry", "window/splitter", "window/screen"


#: What a new, empty store says (the status bar and the Cases screen).
EMPTY_STORE = ("This database is empty: import a caseload export (Import, on the left), or "
               "build the demo county to try DipSample (File > Build the demo county).")
#: The demo county built from the window: big enough to show every screen, quick to build.
DEMO_CASES = 6_000
#: The navigation's first width, in average characters ("Disagreements and" fits).
NAVIGATION_CHARS = 20


class NoStoreOpen(UserError):
    """A screen asked for data before the database was open."""

    def __init__(self) -> None:
        super().__init__("No database is open yet: wait for it to open, or start "
                         "DipSample again.")


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


def _import_screens() -> None:
    """On a thread of its own: the screens' modules imported (reportlab, openpyxl, Qt
    Charts behind them: about a second), so that building the screens while the sign-in
    list shows does not hold the GUI thread that long. A failure is met again, and
    reported, when the GUI thread asks for the screens."""
    try:
        default_screens()
    except Exception:
        log.info("importing the screens ahead failed; the window imports them itself")


def _quietly(read: Callable[[], R]) -> R | None:
    """What the change watch reads, or None when it cannot (a damaged or busy store):
    the task's own answer, or its own error, is what the person must see."""
    try:
        return read()
    except Exception as exc:  # logged by type only: it may quote the database
        log.info("the change watch could not read the store: %s", type(exc).__name__)
        return None


class MainWindow(QMainWindow):
    """The application window.

    Signals:
        store_opened: the database is open and the first screen is on its way.
        signed_in(Person): somebody signed in.
        health_checked(Health): the background integrity check finished.

    Attributes:
        tasks: the serialised database worker.
        checks: the background integrity check's own worker.
        store: the open store, or None before it is open.
        user: the person signed in; None while nobody is (or for the system).
        clock: "now" for every service call (tests set a fixed one).
        screens: the screens by key, in navigation order.
        cases: the Cases screen, if the window has one.
        navigation: the list on the left.
        status_text: the status bar's message about the store (opening, errors).
        passphrase_dialog / signin_dialog: the dialog while it is shown.
        read_error_box: the message box about a failed read while it is shown.
    """

    store_opened = Signal()
    signed_in = Signal(object)
    health_checked = Signal(object)
    status_read = Signal(object)

    def __init__(self, db_path: Path, *, sign_in: bool = False,
                 screens: Sequence[type[Screen]] | None = None,
                 defer_screens: bool = False) -> None:
        """``sign_in``: ask who is acting before showing any case (the application does;
        tools and tests that open a store as the system do not). ``screens``: the
        screens to build (default: all of them). ``defer_screens``: build them once the
        sign-in list is showing (:meth:`build_screens`), not before: importing and
        building twelve screens took longer than opening a 100,000-case store, and
        the person waited for it before they could pick their name (the application)."""
        super().__init__()
        app = QApplication.instance()
        if app is not None:  # app.py installed it already; a window built alone, here
            install_wheel_guard(app)
            install_accessible(app)  # names and descriptions for screen readers
        self.db_path = db_path
        self._sign_in = sign_in
        self.user: Person | None = None
        self.clock: Callable[[], dt.datetime] = utcnow
        self.signin_dialog: SignInDialog | None = None
        self.tasks = TaskManager(self)
        #: The background integrity check: its own thread, so that scrolling (page reads
        #: on ``tasks``) never waits seconds behind a scan of the whole file.
        self.checks = TaskManager(self)
        #: Workers beside ``tasks`` that use the store (the check, background sync):
        #: shut down with the window, and waited for before the store closes.
        self.side_workers: list[TaskManager] = [self.checks]
        self.heartbeat = Heartbeat(self)
        if os.environ.get(HEARTBEAT_ENV) == "1":  # else it beats once something measures
            self.heartbeat.start()
        self.health: Health | None = None
        self.health_box: QMessageBox | None = None
        self._health_started = False
        self.store: Store | None = None
        self.status: StoreStatus | None = None
        self.passphrase_dialog: PassphraseDialog | None = None
        self.read_error_box: QMessageBox | None = None
        #: Every store the worker opened for this window, closed by the worker's last
        #: task; a plain list, so the worker never reads an attribute of the window.
        self._stores: list[Store] = []
        self.screens: dict[str, Screen] = {}
        self.cases: CasesScreen | None = None
        #: Screens a sign-out replaced, kept until the window closes (switch_person).
        self._retired: list[QWidget] = []
        #: What the open store's change log says each task wrote (services/change_sets).
        self._watch: ChangeWatch | None = None
        self._written: deque[ChangeSet] = deque()
        self.setWindowTitle(f"DipSample: {db_path.name}")
        self._build()
        self._restore_layout()
        #: The screens not built yet (all of them until :meth:`build_screens`).
        self._unbuilt: list[type[Screen]] | None = None if screens is None else list(screens)
        self._screens_built = False
        #: The thread importing the screens' modules ahead (see _import_screens).
        self._importing: threading.Thread | None = None
        if not defer_screens:
            self.build_screens()
        # The application's window locks after the idle time and asks for the password
        # again (tools and tests that open a store as the system have nobody to ask).
        self.idle_lock = install_idle_lock(self) if sign_in else None

    # -- layout -----------------------------------------------------------------
    def _build(self) -> None:
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Screens")
        self.navigation.currentRowChanged.connect(self._navigated)
        self.stack = QStackedWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        # Narrow, its longer names wrapping: at 36 characters (215 pixels) it took a fifth
        # of a 1024-pixel window from the screens beside it.
        self.splitter.setSizes([self.fontMetrics().averageCharWidth() * NAVIGATION_CHARS,
                                1000])
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.navigation.setWordWrap(True)
        self.navigation.setResizeMode(QListWidget.ResizeMode.Adjust)  # rewrapped as resized
        self.navigation.setSpacing(2)  # a wrapped name reads as one, not as two screens
        self.setCentralWidget(self.splitter)

        self.status_text = plain_label("Opening the database…")
        self.status_text.setAccessibleName("Database status")
        self.statusBar().addWidget(self.status_text, 1)
        self.who = plain_label("")
        self.who.setAccessibleName("Signed in as")
        self.last_import = plain_label("")
        self.last_import.setAccessibleName("Last caseload import")
        self.store_label = plain_label(self.db_path.name)
        self.store_label.setToolTip(plain_tip(str(self.db_path)))
        self.store_label.setAccessibleName("Open database")
        for label in (self.who, self.last_import, self.store_label):
            self.statusBar().addPermanentWidget(label)

        def action(text: str, keys: Sequence[QKeySequence | QKeySequence.StandardKey | str],
                   slot: Callable[[], object]) -> QAction:
            made = QAction(text, self)
            shortcuts: list[QKeySequence] = []
            for key in keys:  # a standard key may already hold one of the others
                found = (QKeySequence.keyBindings(key)
                         if isinstance(key, QKeySequence.StandardKey) else [QKeySequence(key)])
                shortcuts += [k for k in found if k not in shortcuts]
            made.setShortcuts(shortcuts)
            made.triggered.connect(lambda _checked=False: slot())
            return made

        self.reload_action = action("&Reload", [QKeySequence.StandardKey.Refresh, "F5"],
                                    self.refresh)
        self.save_action = action("&Save", [QKeySequence.StandardKey.Save],
                                  lambda: self._current_does("save"))
        self.submit_action = action("S&ubmit", ["Ctrl+Return", "Ctrl+Enter"],
                                    lambda: self._current_does("submit"))
        # Windows has no standard Quit key; Ctrl+Q there too, as on Linux and macOS.
        self.quit_action = action("&Quit", QKeySequence.keyBindings(
            QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")], self.close)
        self.find_action = action("&Find", [QKeySequence.StandardKey.Find],
                                  lambda: self._current_does("find_text"))
        self.demo_action = action("Build the &demo county", [], self.build_demo)
        self.demo_action.setEnabled(False)  # only once the store is known to be empty
        self.switch_action = action("Sign out and s&witch person…", [],
                                    self.switch_person)
        self.switch_action.setEnabled(False)  # once someone has signed in
        file_menu = self.menuBar().addMenu("&File")
        for item in (self.save_action, self.submit_action, self.reload_action):
            file_menu.addAction(item)
        file_menu.addSeparator()
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.switch_action)
        file_menu.addAction(self.quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(self.find_action)
        self.go_menu = self.menuBar().addMenu("&Go")
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(action("&Keyboard shortcuts", [], self._show_shortcuts))
        help_menu.addAction(action("&About DipSample", [], self._show_about))

    def build_screens(self, *, one: bool = False) -> bool:
        """Build the screens not built yet (``one``: the next one only); whether any is
        left. After the last: the sync state (it connects to the Sync screen) and the
        screens' remembered layout."""
        if self._screens_built:
            return False
        if self._unbuilt is None:
            if self._importing is not None:  # never two threads importing the same modules
                self._importing.join()
            self._unbuilt = default_screens()
        while self._unbuilt:
            self.add_screen(self._unbuilt.pop(0))
            if one and self._unbuilt:
                return True
        self._screens_built = True
        from desktop.views.sync_status import install_sync

        install_sync(self)
        settings = QSettings()
        for screen in self.screens.values():
            screen.restore_state(settings)
        return False

    def _build_screens_meanwhile(self) -> None:
        """While the sign-in list is showing: the screens' modules imported on a thread
        of their own, then one screen built per turn of the event loop, so that the list
        answers keys and clicks between them."""
        if self.tasks.closed or self._screens_built:
            return
        if self._importing is None and self._unbuilt is None:
            self._importing = threading.Thread(target=_import_screens, daemon=True,
                                               name="dipsample-screens")
            self._importing.start()
        if self._importing is not None and self._importing.is_alive():
            QTimer.singleShot(20, self, self._build_screens_meanwhile)
        elif self.build_screens(one=True):
            QTimer.singleShot(0, self, self._build_screens_meanwhile)

    def add_screen(self, cls: type[Screen]) -> Screen:
        """Build a screen and add it to the navigation, the stack and the Go menu."""
        from desktop.views.cases import CasesScreen

        screen = cls(self)
        self.screens[screen.key] = screen
        if isinstance(screen, CasesScreen):
            self.cases = screen
            screen.cases_loaded.connect(lambda _listing: self._check_health())
        # In a scroll area: on a small laptop screen (1366 x 768 at 125 %) a screen with
        # many controls scrolls instead of pushing the window past the screen's edge.
        holder = QScrollArea()
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        holder.setWidget(screen)
        self.stack.addWidget(holder)
        item = QListWidgetItem(cls.title.replace("&", ""))
        item.setData(Qt.ItemDataRole.UserRole, screen.key)
        number = len(self.screens)
        item.setToolTip(cls.title.replace("&", "") + (f" (Ctrl+{number})" if number <= 9 else ""))
        self.navigation.addItem(item)
        go = QAction(cls.title, self)
        if number <= 9:
            go.setShortcut(QKeySequence(f"Ctrl+{number}"))
        go.triggered.connect(lambda _checked=False, key=screen.key: self.show_screen(key))
        self.go_menu.addAction(go)
        self.addAction(go)
        return screen

    def show_screen(self, key: str) -> Screen:
        """Show the screen named ``key`` (and read its data if it is out of date)."""
        screen = self.screens[key]
        row = list(self.screens).index(key)
        if self.navigation.currentRow() != row:
            self.navigation.setCurrentRow(row)  # calls _navigated
        else:
            self._navigated(row)
        return screen

    def current_screen(self) -> Screen | None:
        holder = self.stack.currentWidget()
        widget = holder.widget() if isinstance(holder, QScrollArea) else None
        return widget if isinstance(widget, Screen) else None

    def _navigated(self, row: int) -> None:
        if row < 0:
            return
        screen = list(self.screens.values())[row]
        previous = self.current_screen()
        if previous is not None and previous is not screen and not previous.may_leave():
            self.navigation.blockSignals(True)
            self.navigation.setCurrentRow(list(self.screens.values()).index(previous))
            self.navigation.blockSignals(False)
            return
        self.stack.setCurrentIndex(row)
        screen.activated()

    def _current_does(self, duty: str) -> None:
        """Ctrl+F, Ctrl+S, Ctrl+Enter: the screen showing does it, or the bar says why not."""
        screen = self.current_screen()
        done = screen is not None and bool(getattr(screen, duty)())
        if not done:
            what = {"find_text": "nothing to search", "save": "nothing to save",
                    "submit": "nothing to submit"}[duty]
            self.statusBar().showMessage(f"This screen has {what}.", 3000)

    def _show_shortcuts(self) -> None:
        lines = ["Ctrl+F  find on this screen", "Ctrl+S  save", "Ctrl+Enter  submit",
                 "F5  reload", "Ctrl+Q  quit"]
        lines += [f"Ctrl+{n}  {s.title.replace('&', '')}"
                  for n, s in enumerate(self.screens.values(), 1) if n <= 9]
        box = message_box(QMessageBox.Icon.Information, "Keyboard shortcuts",
                          "\n".join(lines), parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _show_about(self) -> None:
        from desktop.views.about import AboutDialog

        dialog = AboutDialog(self, self.db_path)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # -- remembered layout --------------------------------------------------------
    def _restore_layout(self) -> None:
        settings = QSettings()
        geometry = settings.value(GEOMETRY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value(MAIN_SPLITTER)
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def _save_layout(self) -> None:
        settings = QSettings()
        settings.setValue(GEOMETRY, self.saveGeometry())
        settings.setValue(MAIN_SPLITTER, self.splitter.saveState())
        current = self.current_screen()
        if current is not None:
            settings.setValue(self._last_screen_key(), current.key)
        for screen in self.screens.values():
            screen.save_state(settings)

    # -- service calls --------------------------------------------------------------
    def context(self, **extra: object) -> ServiceContext:
        """A service context for the open store, acting as the person signed in."""
        if self.store is None:
            raise NoStoreOpen()
        user_id = self.user.id if self.user is not None else None
        return ServiceContext(store=self.store, user_id=user_id, clock=self.clock,
                              **extra)  # type: ignore[arg-type]

    def call(self, label: str, fn: Callable[[ServiceContext], T], *,
             dialog: bool = True) -> BackgroundOp[T]:
        """``fn(ctx)`` on the worker, acting as the signed-in user (see Host.call)."""
        store = self.store
        user_id = self.user.id if self.user is not None else None
        clock = self.clock
        watch = self._watch
        written = self._written  # a plain deque: the worker hands its answer over here

        def task(control: TaskControl) -> T:
            if store is None:
                raise NoStoreOpen()
            ctx = ServiceContext(store=store, user_id=user_id, clock=clock,
                                 progress=control.progress, cancel=control.cancel)
            if watch is None or watch.store is not store:
                return fn(ctx)
            mark = _quietly(watch.mark)
            try:
                return fn(ctx)
            finally:
                if mark is not None:
                    changes = _quietly(lambda: watch.since(mark))
                    if changes:
                        written.append(changes)

        return (BackgroundOp(self, self.tasks, label, task, path=self.db_path,
                             dialog=dialog)
                .first(self._tell_written))

    def _tell_written(self) -> None:
        """What the tasks wrote, told to every screen (on the GUI thread)."""
        changes = ChangeSet()
        while self._written:
            changes = changes | self._written.popleft()
        if changes:
            self.changed(changes)

    def changed(self, what: ChangeSet) -> None:
        """Every screen that shows any of ``what`` reads it again (now if showing, else
        later). The window's own tasks tell it by themselves; a change the change log
        does not hold (settings files, a sync) is told by whoever made it."""
        for screen in self.screens.values():
            screen.data_changed(what)
        if what.touches((Case, User)):
            self._read_status()

    def open_case(self, case_id: str) -> None:
        if self.cases is not None:
            self.show_screen(self.cases.key)
            self.cases.open_case(case_id)

    def open_audit(self, audit_id: str) -> None:
        screen = self.screens.get("audits")
        opener = getattr(screen, "open_audit", None)
        if screen is not None and opener is not None:
            self.show_screen(screen.key)
            opener(audit_id)

    def build_demo(self) -> None:
        """File > Build the demo county: synthetic people and cases in an empty store.

        Why here: a person trying DipSample, or a trainer, should not need the command
        line. The service refuses a store that holds cases, so a council's data is never
        mixed with made-up cases; Cancel leaves the store empty.
        """
        from desktop.services.demo_county import build_demo_county

        today = self.clock().astimezone(LONDON).date()

        def done(_summary: object) -> None:
            self.statusBar().showMessage(f"Built the demo county: {DEMO_CASES:,} synthetic "
                                         "cases. Sign in again to act as one of its people.",
                                         10_000)
            self._say("")
            if self._sign_in and self.user is None and self.store is not None:
                self._ask_who(self.store)  # the county's people can sign in now

        (self.call("Building the demo county",
                   lambda ctx: build_demo_county(ctx, cases=DEMO_CASES, as_of=today))
         .success(done)
         .run())

    def refresh(self) -> None:
        """F5: the screen showing reads its data again, choice lists too; the others when
        next shown."""
        for screen in self.screens.values():
            screen.stale = True
            screen.forget_choices()
        current = self.current_screen()
        if current is not None:
            current.stale = False
            current.refresh()
        self._read_status()

    # -- opening ----------------------------------------------------------------
    def open_database(self, store: Store | None = None) -> None:
        """Open the store off the GUI thread, asking for a passphrase first if needed."""
        if store is not None:
            self._stores.append(store)
            self._opened(store)
        else:
            self._open(None, probe=True)

    def _open(self, passphrase: str | None, probe: bool = False) -> None:
        """Open the store on the worker.

        With ``probe``, the worker first finds whether a passphrase must be typed; that
        may ask the keyring, which can block for seconds, so never on the GUI thread.
        """
        self.passphrase_dialog = None
        path = self.db_path
        stores = self._stores

        def task(_control: TaskControl) -> Store | Need:
            if probe:
                need = passphrase_need(path)
                if need is not Need.NONE:
                    return need
            opened = open_store(path, passphrase=passphrase, prompt=None, create=True)
            stores.append(opened)
            return opened

        (BackgroundOp(self, self.tasks, "Opening the database", task, path=path)
         .success(self._open_answered)
         .failure(lambda exc: self._open_failed(exc, passphrase))
         .run())

    def _open_answered(self, answer: Store | Need) -> None:
        if isinstance(answer, Need):
            self._ask_passphrase(answer)
        else:
            self._opened(answer)

    def _ask_passphrase(self, need: Need, again: bool = False) -> None:
        dialog = PassphraseDialog(self, need=need, name=self.db_path.name, again=again)
        dialog.accepted.connect(lambda: self._open(dialog.value()))
        dialog.rejected.connect(self._no_passphrase)
        dialog.finished.connect(dialog.deleteLater)
        self.passphrase_dialog = dialog
        dialog.open()

    def _no_passphrase(self) -> None:
        self.passphrase_dialog = None
        self._say("No database open: no passphrase was given. Use File > Quit, and start "
                  "DipSample again to try again.")

    def _open_failed(self, exc: BaseException, passphrase: str | None) -> None:
        self._say("No database open.")
        box = show_error(self, exc, self.db_path)
        if passphrase is not None and isinstance(exc, WrongKey | KeyUnavailable):
            box.finished.connect(lambda _code: self._ask_passphrase(Need.EXISTING, again=True))

    def _say(self, text: str) -> None:
        """A lasting line about the store, in the status bar and on the Cases screen."""
        self.status_text.setText(text)
        if self.cases is not None:
            self.cases.counts.setText(text)

    def _opened(self, store: Store) -> None:
        self.store = store
        self._watch = ChangeWatch(store)
        self._say("")
        self.setWindowTitle(f"DipSample: {store.path.name}")
        self.store_label.setText(store.path.name)
        self.store_opened.emit()
        self._read_status()
        if self._sign_in:
            self._ask_who(store)
        else:
            self._start()

    def _read_status(self) -> None:
        if self.store is None:
            return
        (self.call("Reading the store's status", store_status, dialog=False)
         .success(self._status_known)
         .failure(self.read_failed)
         .run())

    def _status_known(self, status: StoreStatus) -> None:
        self.status = status
        self.demo_action.setEnabled(not status.has_cases)
        if not status.has_cases:
            self._say(EMPTY_STORE)
        self.last_import.setText(status.cases_text(LONDON))  # the demo, a sync, an import
        self.status_read.emit(status)

    def _start(self) -> None:
        """Show the first screen: the one used last, else My week for an auditor, else
        the case list (the system, tests and tools)."""
        self.build_screens()
        if not self.screens:
            self._check_health()
            return
        remembered = (str(QSettings().value(self._last_screen_key()) or "")
                      if self._sign_in else "")
        usable = [key for key, screen in self.screens.items() if self.may_use(screen)]
        if remembered not in usable:
            auditor = self.user is not None and "auditor" in self.user.roles
            remembered = ("my_week" if auditor and "my_week" in usable
                          else "cases" if "cases" in usable
                          else next(iter(usable), next(iter(self.screens))))
        self.show_screen(remembered)
        if self.cases is None:
            self._check_health()

    def _last_screen_key(self) -> str:
        """The last screen is remembered per person: QA's Moderation is not where the
        auditor who signs in next on this laptop should land."""
        return f"{LAST_SCREEN}/{self.user.id}" if self.user is not None else LAST_SCREEN

    def may_use(self, screen: Screen) -> bool:
        """Whether the signed-in person's roles give the screen's permission (the system,
        with nobody signed in, may use every screen)."""
        if screen.needs is None or self.user is None:
            return True
        return screen.needs in permissions_of(frozenset(self.user.roles))

    # -- who is acting ----------------------------------------------------------
    def switch_person(self) -> None:
        """Sign out: drafts saved, every screen built anew (nothing the last person read
        stays in a widget), then the sign-in dialog for the next person."""
        if self.user is None or self.store is None or self.signin_dialog is not None:
            return
        self._save_layout()
        for screen in self.screens.values():
            write = screen.last_write()
            if write is not None:
                self.call("Saving before signing out", write, dialog=False).run()
        self.user = None
        self.switch_action.setEnabled(False)
        self.who.setText("")
        self.setWindowTitle(f"DipSample: {self.db_path.name}")
        self._rebuild_screens()
        self._ask_who(self.store)

    def _rebuild_screens(self) -> None:
        """Replace every screen by a new one of its kind. The old ones are kept, hidden
        and detached, until the window closes: a read still running for them answers
        into widgets nobody sees instead of into deleted ones."""
        classes = [type(screen) for screen in self.screens.values()]
        self.navigation.blockSignals(True)
        self.navigation.clear()
        self.navigation.blockSignals(False)
        while self.stack.count():
            holder = self.stack.widget(0)
            assert holder is not None  # the stack is not empty
            self.stack.removeWidget(holder)
            holder.hide()
            holder.setParent(None)
            self._retired.append(holder)
        for go in self.go_menu.actions():
            self.go_menu.removeAction(go)
            self.removeAction(go)
        self.screens = {}
        self.cases = None
        for cls in classes:
            self.add_screen(cls)
        sync_screen = self.screens.get("sync")
        status = getattr(self, "sync_status", None)
        if sync_screen is not None and status is not None:
            sync_screen.synced.connect(status.synced_by_hand)  # type: ignore[attr-defined]
        settings = QSettings()
        for screen in self.screens.values():
            screen.restore_state(settings)

    def _ask_who(self, store: Store) -> None:
        """The store's people, read on the worker, then the sign-in dialog."""
        self._say("Sign in to see the cases.")
        (self.call("Finding who can sign in", people)
         .success(self._choose_person)
         .run())

    def _choose_person(self, found: list[Person]) -> None:
        if not found:  # a store with nobody in it yet: nothing to sign in as
            self.statusBar().showMessage("Nobody can sign in yet: import the staff list, or "
                                         "build the demo county.", 10_000)
            self._start()
            return
        key = str(self.db_path)
        dialog = SignInDialog(self, found, remembered_user(key))
        dialog.accepted.connect(lambda: self._signed_in(dialog.chosen, key))
        dialog.rejected.connect(self.close)
        dialog.finished.connect(dialog.deleteLater)
        self.signin_dialog = dialog
        dialog.open()
        if not self._screens_built:
            QTimer.singleShot(0, self, self._build_screens_meanwhile)

    def _signed_in(self, person: Person | None, key: str) -> None:
        self.signin_dialog = None
        if person is None:
            return
        remember_user(key, person.id)
        self.act_as(person)
        self._start()

    def act_as(self, person: Person) -> None:
        """Run every later service call as ``person`` (the sign-in dialog's answer)."""
        self.user = person
        self._say("")
        self.setWindowTitle(f"DipSample: {person.name}: {self.db_path.name}")
        self.who.setText(f"Signed in: {person.name}")
        self.switch_action.setEnabled(self._sign_in)
        for screen in self.screens.values():
            screen.stale = True
        self.signed_in.emit(person)

    # -- the background integrity check -----------------------------------------
    def _check_health(self) -> None:
        """Once per opened store, after the first screen is up: SQLite's quick check."""
        store = self.store
        if store is None or self._health_started:
            return
        self._health_started = True

        def done(future: object) -> None:
            exc = future.exception()  # type: ignore[attr-defined]
            if exc is not None:
                self.read_failed(exc)
                return
            self._health_known(future.result())  # type: ignore[attr-defined]

        # Cancelled by the window's closing: Ctrl+Q does not wait for the rest of the scan.
        token = CancelToken()
        self.checks.run(lambda: check_store(ServiceContext(store=store, cancel=token)), done,
                        cancel=token)

    def _health_known(self, health: Health) -> None:
        self.health = health
        if health.ok:
            self.statusBar().showMessage("The database file checked out whole.", 5000)
        else:
            box = message_box(QMessageBox.Icon.Critical, "DipSample", health.message,
                              parent=self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.health_box = box
            self._say("The database file is damaged: see the message.")
        self.health_checked.emit(health)

    # -- errors while reading ---------------------------------------------------
    def read_failed(self, exc: BaseException) -> None:
        """Show a failed read, once for a burst of them.

        Why once: a locked or damaged database fails every page the table asks for, and
        one box per page buries the window. While the box is up, further failures go to
        the log only; the burst ends when it is dismissed or a read succeeds.
        """
        if self.read_error_box is not None:
            log.info("another read failed while its message is shown: %s",
                     type(exc).__name__)
            return
        box = show_error(self, exc, self.db_path)
        box.finished.connect(lambda _code: self._error_dismissed(box))
        self.read_error_box = box

    def _error_dismissed(self, box: QMessageBox) -> None:
        if self.read_error_box is box:
            self.read_error_box = None

    def read_succeeded(self) -> None:
        """A reload succeeded: the shown failure is out of date, close its box."""
        box, self.read_error_box = self.read_error_box, None
        if box is not None:
            box.close()

    # -- closing ----------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Close at once: the running task is cancelled, the store closed behind it.

        Why not wait: a long query would freeze the closing window. The worker runs the
        screens' last writes (a pending autosave) after the running task, then closes
        the store (every one it opened) as its last task.
        """
        self._save_layout()
        for screen in self.screens.values():
            stop = getattr(screen, "stop", None)
            if stop is not None:
                stop()
        store, self.store = self.store, None
        user_id = self.user.id if self.user is not None else None
        clock = self.clock
        last_writes = [w for w in (s.last_write() for s in self.screens.values())
                       if w is not None]
        stores = self._stores

        side_workers = list(self.side_workers)

        def finish() -> None:
            for worker in side_workers:  # a sync stops at its next step; then the store
                worker.join()
            if store is not None:
                for write in last_writes:
                    try:
                        write(ServiceContext(store=store, user_id=user_id, clock=clock))
                    except Exception:
                        log.exception("a last write before closing failed")
            for opened in stores:
                opened.close()

        self.heartbeat.stop()
        for worker in self.side_workers:
            worker.shutdown()
        self.tasks.shutdown(then=finish)
        super().closeEvent(event)
