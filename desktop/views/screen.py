"""What every screen of the main window is: a page in the navigation with a few duties.

Why one base class: the window's menus act on whichever screen is showing (Ctrl+F finds,
Ctrl+S saves, Ctrl+Enter submits, F5 reloads), the window remembers each screen's
splitters and column widths, and a change made on one screen (a submitted audit, a new
action) makes the others read again when they are next shown. Screens hold no rules:
they call services through :meth:`Host.call`, which runs them on the window's one
serialised database worker, so a screen never blocks the GUI thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

from desktop.qt import QAbstractItemView, QHeaderView, QSettings, QSplitter, QtGui, QWidget
from desktop.services.auth.roles import Permission
from desktop.services.change_sets import ChangeSet, Kind
from desktop.views import accessible

if TYPE_CHECKING:
    from desktop.services.context import ServiceContext
    from desktop.services.users import Person
    from desktop.store import Store
    from desktop.views.worker import BackgroundOp

T = TypeVar("T")


class Host(Protocol):
    """The main window as a screen sees it.

    Attributes:
        user: the person signed in (None for a store with nobody in it yet).
        store: the open store, None until it is open.
        db_path: the database file.
    """

    user: Person | None
    store: Store | None
    db_path: Path
    #: "now" for every service call, as an aware UTC datetime (tests fix it).
    clock: Callable[[], dt.datetime]

    def context(self, **extra: object) -> ServiceContext: ...

    def call(self, label: str, fn: Callable[[ServiceContext], T], *,
             dialog: bool = True) -> BackgroundOp[T]:
        """``fn(ctx)`` on the worker, acting as the signed-in user; call ``.run()``.

        The context carries the task's progress and cancel, so a long service shows a
        progress dialog with Cancel after 100 ms (``dialog=False``: no dialog, for reads
        the screen shows in place). A failure is one plain sentence in a message box
        unless ``.failure(...)`` says otherwise.
        """
        ...

    def show_screen(self, key: str) -> Screen: ...

    def open_case(self, case_id: str) -> None: ...

    def open_audit(self, audit_id: str) -> None: ...

    def changed(self, what: ChangeSet) -> None:
        """Tell every screen that ``what`` changed. A task run by :meth:`call` tells
        this by itself (from the store's change log); call it only for changes the log
        does not hold (the settings files, a sync)."""
        ...

    def read_failed(self, exc: BaseException) -> None:
        """A screen's read failed: one plain message for the person, once."""
        ...

    def read_succeeded(self) -> None:
        """A screen's read worked again (the message about a failed read may go)."""
        ...


class Screen(QWidget):
    """A page of the main window.

    Subclasses set ``key`` (a stable name, used in QSettings and by ``show_screen``)
    and ``title`` (the navigation label, with an ``&`` mnemonic), and ``reads``: the
    kinds of records they show (model classes, and :class:`Outside` for the settings
    files), so that :meth:`data_changed` knows from a change set when to read again.
    """

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    reads: ClassVar[frozenset[Kind]] = frozenset()
    #: The permission a person needs for this screen to be theirs (None: anyone's). The
    #: window opens a person on a screen they may use; the services still guard.
    needs: ClassVar[Permission | None] = None

    def __init__(self, host: Host) -> None:
        super().__init__()
        self.host = host
        self.setObjectName(self.key)
        self.setProperty(accessible.SCREEN_TITLE, self.title)
        #: Read again when next shown (something it shows changed, or never read yet).
        self.stale = True

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        """Every control of the screen named and described for a screen reader, from
        the words beside it, each time it is shown (what it shows may have changed:
        desktop/views/accessible.py)."""
        accessible.describe(self)
        super().showEvent(event)

    # -- called by the window ----------------------------------------------------
    def activated(self) -> None:
        """The screen is now showing: read its data if stale."""
        if self.stale and self.host.store is not None:
            self.stale = False
            self.refresh()

    def refresh(self) -> None:
        """Read the screen's data again (F5); subclasses do the reading."""

    def forget_choices(self) -> None:
        """F5: lists that feed the screen's choices (people, exercises) are read again at
        the next refresh; a screen that keeps such lists says how."""

    def data_changed(self, what: ChangeSet) -> None:
        if what.touches(self.reads):
            self.stale = True
            if self.isVisible():
                self.activated()

    def find_text(self) -> bool:
        """Ctrl+F: put the cursor in the screen's search box; False if it has none."""
        return False

    def save(self) -> bool:
        """Ctrl+S: save what is being edited; False if there is nothing to save."""
        return False

    def submit(self) -> bool:
        """Ctrl+Enter: submit what is being edited; False if nothing can be submitted."""
        return False

    def may_leave(self) -> bool:
        """Whether the window may close or switch away (after saving, if needed)."""
        return True

    def last_write(self) -> Callable[[ServiceContext], None] | None:
        """The window is closing: a write still pending (an autosave), or None.

        Why not a normal ``host.call``: closing drops the worker's queued tasks so that
        the window closes at once; the window runs these writes on the worker after the
        running task and before the store is closed, so typed work is never lost.
        """
        return None

    # -- remembered layout --------------------------------------------------------
    def save_state(self, settings: QSettings) -> None:
        """Remember every splitter and table header of this screen (by object name)."""
        for splitter in self.findChildren(QSplitter):
            if splitter.objectName():
                settings.setValue(f"{self.key}/{splitter.objectName()}",
                                  splitter.saveState())
        for view in self.findChildren(QAbstractItemView):
            header = getattr(view, "horizontalHeader", None)
            if view.objectName() and header is not None:
                settings.setValue(f"{self.key}/{view.objectName()}/header",
                                  header().saveState())

    def restore_state(self, settings: QSettings) -> None:
        for splitter in self.findChildren(QSplitter):
            value = settings.value(f"{self.key}/{splitter.objectName()}")
            if splitter.objectName() and value is not None:
                splitter.restoreState(value)
        for view in self.findChildren(QAbstractItemView):
            header = getattr(view, "horizontalHeader", None)
            value = settings.value(f"{self.key}/{view.objectName()}/header")
            if view.objectName() and header is not None and value is not None:
                restored: QHeaderView = header()
                restored.restoreState(value)
                view.setProperty("dipsample_header_restored", True)  # row_table.RESTORED
