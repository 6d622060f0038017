"""The main window: navigation on the left, one screen at a time, the store behind them.

Why the window owns the store and the task manager: every screen (My week, Cases, the
audit form, the action tracker) runs its services through the same serialised worker on
the same store, so one place opens it, closes it and reports its errors. Screens know
the window only as a :class:`~desktop.views.screen.Host`.

The window is the frame, the navigation, the screens and the Host's methods. What it
holds beyond that lives in modules of their own, each an object holding the window:
opening the store, with its passphrase and its health check
(:mod:`desktop.views.store_opening`); who is acting, with sign-in, sign-out and what they
may use (:mod:`desktop.views.person_flow`); the store's status and the demo county
(:mod:`desktop.views.store_status_line`); the menus (:mod:`desktop.views.window_menus`);
listing the screens, and building each on its first visit
(:mod:`desktop.views.screen_list`). The callables the window hands its worker are built
from plain values in :mod:`desktop.views.window_tasks`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from desktop.models import Case, User
from desktop.models.base import utcnow
from desktop.qt import (
    QApplication,
    QCloseEvent,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSettings,
    QSplitter,
    QStackedWidget,
    Qt,
    Signal,
)
from desktop.services.change_sets import ChangeSet, ChangeWatch
from desktop.services.context import ServiceContext
from desktop.services.store_health import Health
from desktop.services.store_status import StoreStatus
from desktop.services.users import Person
from desktop.store import Store
from desktop.views.accessible import install as install_accessible
from desktop.views.heartbeat import HEARTBEAT_ENV, Heartbeat
from desktop.views.idle_lock import install_idle_lock
from desktop.views.passphrase import PassphraseDialog
from desktop.views.person_flow import PersonFlow
from desktop.views.plain import plain_label, plain_tip
from desktop.views.screen import Screen
from desktop.views.screen_list import ScreenBuilder, ScreenKind, Screens, default_screens
from desktop.views.signin import SignInDialog
from desktop.views.store_opening import HealthCheck, StoreOpening
from desktop.views.store_status_line import StoreStatusLine
from desktop.views.wheel_guard import install as install_wheel_guard
from desktop.views.window_menus import WindowMenus
from desktop.views.window_tasks import NoStoreOpen, closing_task, watched_call
from desktop.views.worker import BackgroundOp, TaskManager, show_error

if TYPE_CHECKING:  # imported when the screens are listed: not before the sign-in list
    from desktop.views.cases import CasesScreen

__all__ = ["MainWindow", "NoStoreOpen", "default_screens"]

log = logging.getLogger(__name__)

T = TypeVar("T")
#: QSettings keys of the window itself (screens keep theirs under their own key; the
#: last screen is the person's: person_flow.LAST_SCREEN).
GEOMETRY, MAIN_SPLITTER = "window/geometry", "window/splitter"

#: The navigation's first width, in average characters ("Disagreements and" fits).
NAVIGATION_CHARS = 20


#: The window's size on a first start (and when nothing was remembered).
DEFAULT_SIZE = (1280, 760)
#: Room kept for the window manager's title bar, which Qt cannot measure before showing.
TITLE_BAR_ALLOWANCE = 40


class MainWindow(QMainWindow):
    """The application window.

    Signals:
        store_opened: the database is open and the first screen is on its way.
        signed_in(Person): somebody signed in.
        health_checked(Health): the background integrity check finished.
        status_read(StoreStatus): the store's status (cases, last import) was read.

    Attributes:
        tasks: the serialised database worker.
        checks: the background integrity check's own worker.
        store: the open store, or None before it is open.
        user: the person signed in; None while nobody is (or for the system).
        asks_sign_in: whether someone must sign in before any case shows.
        clock: "now" for every service call (tests set a fixed one).
        screens: the screens by key, in navigation order, each built when first asked
            for (:class:`~desktop.views.screen_list.Screens`).
        cases: the Cases screen (built when first asked for), if the window has one.
        navigation: the list on the left.
        status_text: the status bar's message about the store (opening, errors).
        opening: the store's opening (its passphrase_dialog while shown).
        health_check: the background integrity check (health, health_box).
        person_flow: sign-in and switching person (its signin_dialog while shown).
        status_line: the store's status (status) and the demo county.
        menus: the menu bar's actions (also as reload_action, save_action,
            submit_action, quit_action, find_action, demo_action, switch_action).
        screen_builder: lists the screens and builds each on its first visit.
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
        screens of the navigation (default: all of them), each built on its first
        visit. ``defer_screens``: list them once somebody has signed in, their modules
        imported meanwhile while the sign-in list shows (the application): listed at
        once, the first would be built when the navigation took the focus, before
        anybody could use it, and the sign-in list would wait for it."""
        super().__init__()
        app = QApplication.instance()
        if app is not None:  # app.py installed it already; a window built alone, here
            install_wheel_guard(app)
            install_accessible(app)  # names and descriptions for screen readers
        self.db_path = db_path
        self.asks_sign_in = sign_in
        self.user: Person | None = None
        self.clock: Callable[[], dt.datetime] = utcnow
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
        self.store: Store | None = None
        self.read_error_box: QMessageBox | None = None
        #: Every store the worker opened for this window, closed by the worker's last
        #: task; a plain list, so the worker never reads an attribute of the window.
        self._stores: list[Store] = []
        self.opening = StoreOpening(self, self._stores)
        self.health_check = HealthCheck(self)
        self.person_flow = PersonFlow(self)
        self.status_line = StoreStatusLine(self)
        self.screen_builder = ScreenBuilder(self, screens)
        self.screens = Screens(self.screen_builder)
        #: What the open store's change log says each task wrote (services/change_sets).
        self._watch: ChangeWatch | None = None
        self._written: deque[ChangeSet] = deque()
        self.setWindowTitle(f"DipSample: {db_path.name}")
        self._build_frame()
        self.menus = WindowMenus(self)
        #: The actions by the names they always had (tests, tools and the flows use them).
        self.reload_action, self.save_action, self.submit_action = (
            self.menus.reload, self.menus.save, self.menus.submit)
        self.quit_action, self.find_action = self.menus.quit, self.menus.find
        self.demo_action, self.switch_action = self.menus.demo, self.menus.switch
        self._restore_layout()
        if not defer_screens:
            self.screen_builder.list_all()
        # The application's window locks after the idle time and asks for the password
        # again (tools and tests that open a store as the system have nobody to ask).
        self.idle_lock = install_idle_lock(self) if sign_in else None

    # -- the flows' state, where tests and tools have always read it -------------------
    @property
    def passphrase_dialog(self) -> PassphraseDialog | None:
        return self.opening.passphrase_dialog

    @property
    def signin_dialog(self) -> SignInDialog | None:
        return self.person_flow.dialog

    @property
    def health(self) -> Health | None:
        return self.health_check.health

    @property
    def health_box(self) -> QMessageBox | None:
        return self.health_check.box

    @property
    def status(self) -> StoreStatus | None:
        return self.status_line.status

    @property
    def cases(self) -> CasesScreen | None:
        """The Cases screen, built now if it was not; None if the window has none."""
        if "cases" not in self.screens:
            return None
        return self.screens["cases"]  # type: ignore[return-value]

    # -- layout -----------------------------------------------------------------
    def _build_frame(self) -> None:
        """The navigation beside the stack of screens, and the status bar."""
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

    def build_screens(self) -> None:
        """Build every screen now, not on its first visit (a tool that walks them all)."""
        self.screen_builder.build_all()

    def built_screens(self) -> list[Screen]:
        """The screens built so far: the only ones that have read anything."""
        return self.screen_builder.built()

    def show_screen(self, key: str) -> Screen:
        """Show the screen named ``key``, built now if this is its first visit (and read
        its data if it is out of date)."""
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
        keys = list(self.screens)
        previous = self.current_screen()
        if previous is not None and previous.key != keys[row] and not previous.may_leave():
            self.navigation.blockSignals(True)
            self.navigation.setCurrentRow(keys.index(previous.key))
            self.navigation.blockSignals(False)
            return
        screen = self.screens[keys[row]]  # built on its first visit
        self.stack.setCurrentIndex(row)
        screen.activated()

    # -- remembered layout --------------------------------------------------------
    def _restore_layout(self) -> None:
        settings = QSettings()
        geometry = settings.value(GEOMETRY)
        self._size_remembered = geometry is not None and self.restoreGeometry(geometry)
        splitter = settings.value(MAIN_SPLITTER)
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def show_fitted(self) -> None:
        """Show the window at its remembered size, or 1280 by 760, when that fits the
        screen's free area with a title bar above it, and inside it; else maximised.

        Why: at 1366 by 768 with a task bar the default size put the status bar below the
        screen's edge, and a size remembered on a big monitor opened half off a 1024 by
        700 laptop's screen (found in a user trial).
        """
        if not getattr(self, "_size_remembered", False):
            self.resize(*DEFAULT_SIZE)
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            self.show()
            return
        room = screen.availableGeometry()
        if (self.width() > room.width()
                or self.height() + TITLE_BAR_ALLOWANCE > room.height()):
            self.showMaximized()
            return
        self.show()
        frame = self.frameGeometry()  # the title bar and borders, known once shown
        x = min(max(frame.x(), room.x()), room.x() + room.width() - frame.width())
        y = min(max(frame.y(), room.y()), room.y() + room.height() - frame.height())
        self.move(x, y)

    def save_layout(self) -> None:
        """The window's size and divider, the person's last screen and every screen's
        splitters and columns, for the next start (closing, or signing out)."""
        settings = QSettings()
        settings.setValue(GEOMETRY, self.saveGeometry())
        settings.setValue(MAIN_SPLITTER, self.splitter.saveState())
        current = self.current_screen()
        if current is not None:
            settings.setValue(self.person_flow.last_screen_key(), current.key)
        for screen in self.built_screens():
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
        user_id = self.user.id if self.user is not None else None
        # The deque is plain: the worker hands what a task wrote over through it.
        task = watched_call(fn, store=self.store, user_id=user_id, clock=self.clock,
                            watch=self._watch, written=self._written)
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
        does not hold (settings files, a sync) is told by whoever made it. A screen not
        built yet has read nothing: it reads when first shown."""
        for screen in self.built_screens():
            screen.data_changed(what)
        if what.touches((Case, User)):
            self.read_status()

    def open_case(self, case_id: str) -> None:
        if self.cases is not None:
            self.show_screen(self.cases.key)
            self.cases.open_case(case_id)

    def open_audit(self, audit_id: str) -> None:
        if "audits" not in self.screens:
            return
        screen = self.show_screen("audits")
        opener = getattr(screen, "open_audit", None)
        if opener is not None:
            opener(audit_id)

    def refresh(self) -> None:
        """F5: the screen showing reads its data again, choice lists too; the others when
        next shown (those not built yet read everything when first shown)."""
        for screen in self.built_screens():
            screen.stale = True
            screen.forget_choices()
        current = self.current_screen()
        if current is not None:
            current.stale = False
            current.refresh()
        self.read_status()

    # -- the store ----------------------------------------------------------------
    def open_database(self, store: Store | None = None) -> None:
        """Open the store off the GUI thread, asking for a passphrase first if needed
        (:class:`~desktop.views.store_opening.StoreOpening`)."""
        self.opening.open(store)

    def use_store(self, store: Store) -> None:
        """The store is open: every later call runs on it; its status is read."""
        self.store = store
        self._watch = ChangeWatch(store)
        self.say("")
        self.setWindowTitle(f"DipSample: {store.path.name}")
        self.store_label.setText(store.path.name)
        self.store_opened.emit()
        self.read_status()

    def say(self, text: str) -> None:
        """A lasting line about the store, in the status bar and on the Cases screen."""
        self.status_text.setText(text)
        cases = self.screen_builder.built_screen("cases")
        if cases is not None:  # one built later takes the line from the status bar
            cases.counts.setText(text)  # type: ignore[attr-defined]

    def read_status(self) -> None:
        """The store's status (whether it holds cases, the last import), read again."""
        self.status_line.read()

    def start(self) -> None:
        """Show the first screen: the one used last, else My week for an auditor, else
        the case list (the system, tests and tools). Only that screen is built now."""
        self.screen_builder.list_all()
        if not self.screens:
            self.health_check.start()
            return
        remembered = (str(QSettings().value(self.person_flow.last_screen_key()) or "")
                      if self.asks_sign_in else "")
        usable = [key for key, kind in self.screen_builder.kinds.items()
                  if self.may_use(kind)]
        if remembered not in usable:
            auditor = self.user is not None and "auditor" in self.user.roles
            remembered = ("my_week" if auditor and "my_week" in usable
                          else "cases" if "cases" in usable
                          else next(iter(usable), next(iter(self.screens))))
        self.show_screen(remembered)
        if "cases" not in self.screens:
            self.health_check.start()

    # -- who is acting (person_flow's) ------------------------------------------------
    def may_use(self, screen: Screen | ScreenKind) -> bool:
        """Whether the signed-in person may use ``screen`` (anyone, for the system)."""
        return self.person_flow.may_use(screen)

    def switch_person(self) -> None:
        """Sign out and let the next person sign in (File > Sign out, the idle lock)."""
        self.person_flow.switch_person()

    def act_as(self, person: Person) -> None:
        """Run every later service call as ``person``."""
        self.person_flow.act_as(person)

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
        self.save_layout()
        for screen in self.built_screens():
            stop = getattr(screen, "stop", None)
            if stop is not None:
                stop()
        store, self.store = self.store, None
        last_writes = [w for w in (s.last_write() for s in self.built_screens())
                       if w is not None]
        finish = closing_task(
            store=store, user_id=self.user.id if self.user is not None else None,
            clock=self.clock, last_writes=last_writes,
            side_workers=list(self.side_workers), stores=self._stores)
        self.heartbeat.stop()
        if self.idle_lock is not None:  # a closed window watches nobody's input
            self.idle_lock.stop()
        for worker in self.side_workers:
            worker.shutdown()
        self.tasks.shutdown(then=finish)
        super().closeEvent(event)
