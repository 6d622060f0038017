"""The main window: the case list with its filter, counts, and the store behind it.

Why the window owns the store and the task manager: every screen added later (My week,
the audit form, the action tracker) runs its services through the same serialised
worker on the same store, so one place opens it, closes it and reports its errors.

Why nothing here touches the keyring or the file: asking the OS keyring whether it
exists can block for seconds on D-Bus, so even the question "do we need a passphrase?"
is asked on the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from desktop.errors import KeyUnavailable, WrongKey
from desktop.qt import (
    QAbstractItemView,
    QAction,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.case_list import (
    CaseListing,
    CaseQuery,
    CaseRow,
    SortKey,
    case_rows,
    first_page,
    list_cases,
)
from desktop.services.context import ServiceContext
from desktop.services.store_health import Health, check_store
from desktop.services.users import Person, people
from desktop.store import Store, open_store
from desktop.views import case_table as columns
from desktop.views.case_table import CaseTableModel
from desktop.views.heartbeat import Heartbeat
from desktop.views.passphrase import Need, PassphraseDialog, passphrase_need
from desktop.views.signin import SignInDialog, remember_user, remembered_user
from desktop.views.worker import BackgroundOp, TaskControl, TaskManager, show_error

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Typing pauses this long before the list is filtered again.
FILTER_DELAY_MS = 250
#: Column widths in average character widths (the team names are the longest).
WIDTHS = {columns.CASE_REF: 11, columns.CHILD: 23, columns.RAG: 8, columns.COHORT: 18,
          columns.TEAM: 41, columns.WORKER: 21, columns.LAST_VISIT: 11, columns.STATUS: 8}
RAG_CHOICES = (("All RAG ratings", None), ("Red", "red"), ("Amber", "amber"),
               ("Green", "green"))


def counts_text(listing: CaseListing) -> str:
    if listing.total == 0:
        return ("No cases yet: build the demo county (dipsample demo) or import a caseload "
                "(dipsample import).")
    rag = listing.rag_counts
    return (f"{listing.shown:,} of {listing.total:,} cases   ·   {listing.open_count:,} open:  "
            f"Red {rag.get('red', 0):,}   Amber {rag.get('amber', 0):,}   "
            f"Green {rag.get('green', 0):,}")


class MainWindow(QMainWindow):
    """The case list of the open store.

    Signals:
        store_opened: the database is open and the first list is on its way.
        cases_loaded(CaseListing): a new list is shown (after opening, a filter or a sort).

    Attributes:
        tasks: the serialised database worker.
        store: the open store, or None before it is open.
        model: the case table model; ``table`` shows it.
        filter_edit, rag_choice, open_only: the filter controls.
        counts: the status bar's counts.
        passphrase_dialog: the passphrase dialog while it is shown.
        read_error_box: the message box about a failed read while it is shown.
    """

    store_opened = Signal()
    signed_in = Signal(object)
    first_page_shown = Signal(int)
    cases_loaded = Signal(object)
    health_checked = Signal(object)

    def __init__(self, db_path: Path, *, sign_in: bool = False) -> None:
        """``sign_in``: ask who is acting before showing any case (the application does;
        tools and tests that open a store as the system do not)."""
        super().__init__()
        self.db_path = db_path
        self._sign_in = sign_in
        #: The person signed in; None while nobody is (or for the system).
        self.user: Person | None = None
        self.signin_dialog: SignInDialog | None = None
        self.tasks = TaskManager(self)
        #: The background integrity check: its own thread, so that scrolling (page reads
        #: on ``tasks``) never waits seconds behind a scan of the whole file.
        self.checks = TaskManager(self)
        self.heartbeat = Heartbeat(self)
        self.heartbeat.start()
        self.health: Health | None = None
        self.health_box: QMessageBox | None = None
        self._health_started = False
        self.store: Store | None = None
        self.listing: CaseListing | None = None
        self.passphrase_dialog: PassphraseDialog | None = None
        self._sort = SortKey.CASE_REF
        self._descending = False
        self._generation = 0
        #: The search whose full list is shown (the first screenful only shows before).
        self.listing_generation = 0
        self._reload_op: BackgroundOp[CaseListing] | None = None
        #: The next list comes with the cached rows dropped (File > Reload).
        self._fresh = False
        self.read_error_box: QMessageBox | None = None
        #: Every store the worker opened for this window, closed by the worker's last
        #: task; a plain list, so the worker never reads an attribute of the window.
        self._stores: list[Store] = []
        self.setWindowTitle(f"DipSample: {db_path.name}")
        self.model = CaseTableModel(self, parent=self)
        self.model.sort_requested.connect(self._sort_requested)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.reload)
        self._build()

    # -- layout -----------------------------------------------------------------
    def _build(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Case ref, team or RAG")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self.reload)
        self.rag_choice = QComboBox()
        for label, code in RAG_CHOICES:
            self.rag_choice.addItem(label, code)
        self.rag_choice.currentIndexChanged.connect(lambda _i: self.reload())
        self.open_only = QCheckBox("Open cases only")
        self.open_only.toggled.connect(lambda _on: self.reload())
        bar = QHBoxLayout()
        label = QLabel("&Filter:")
        label.setBuddy(self.filter_edit)
        bar.addWidget(label)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.rag_choice)
        bar.addWidget(self.open_only)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(columns.CASE_REF, Qt.SortOrder.AscendingOrder)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        char = self.fontMetrics().averageCharWidth()
        for column, width in WIDTHS.items():
            header.resizeSection(column, width * char + 16)
        header.setStretchLastSection(True)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.setCentralWidget(central)
        self.counts = QLabel("Opening the database…")
        self.statusBar().addPermanentWidget(self.counts, 1)
        self.who = QLabel("")
        self.statusBar().addPermanentWidget(self.who)

        reload_action = QAction("&Reload", self)
        reload_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        reload_action.triggered.connect(self.refresh)
        quit_action = QAction("&Quit", self)
        # Windows has no standard Quit key; Ctrl+Q there too, as on Linux and macOS.
        quit_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
                                 or [QKeySequence("Ctrl+Q")])
        quit_action.triggered.connect(self.close)
        menu = self.menuBar().addMenu("&File")
        menu.addAction(reload_action)
        menu.addSeparator()
        menu.addAction(quit_action)

    # -- opening ----------------------------------------------------------------
    def _op(self, label: str, task: Callable[[TaskControl], T], *, dialog: bool = True
            ) -> BackgroundOp[T]:
        return BackgroundOp(self, self.tasks, label, task, path=self.db_path, dialog=dialog)

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

        (self._op("Opening the database", task)
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
        self.counts.setText("No database open: no passphrase was given. Use File > Quit, "
                            "and start DipSample again to try again.")

    def _open_failed(self, exc: BaseException, passphrase: str | None) -> None:
        self.counts.setText("No database open.")
        box = show_error(self, exc, self.db_path)
        if passphrase is not None and isinstance(exc, WrongKey | KeyUnavailable):
            box.finished.connect(lambda _code: self._ask_passphrase(Need.EXISTING, again=True))

    def _opened(self, store: Store) -> None:
        self.store = store
        self.setWindowTitle(f"DipSample: {store.path.name}")
        self.store_opened.emit()
        if self._sign_in:
            self._ask_who(store)
        else:
            self.reload()

    # -- who is acting ----------------------------------------------------------
    def _ask_who(self, store: Store) -> None:
        """The store's people, read on the worker, then the sign-in dialog."""
        self.counts.setText("Sign in to see the cases.")
        (self._op("Finding who can sign in", lambda _c: people(ServiceContext(store=store)))
         .success(self._choose_person)
         .run())

    def _choose_person(self, found: list[Person]) -> None:
        if not found:  # a store with nobody in it yet: nothing to sign in as
            self.statusBar().showMessage("Nobody can sign in yet: import the staff list, or "
                                         "build the demo county.", 10_000)
            self.reload()
            return
        key = str(self.db_path)
        dialog = SignInDialog(self, found, remembered_user(key))
        dialog.accepted.connect(lambda: self._signed_in(dialog.chosen, key))
        dialog.rejected.connect(self.close)
        dialog.finished.connect(dialog.deleteLater)
        self.signin_dialog = dialog
        dialog.open()

    def _signed_in(self, person: Person | None, key: str) -> None:
        self.signin_dialog = None
        if person is None:
            return
        self.user = person
        remember_user(key, person.id)
        self.setWindowTitle(f"DipSample: {person.name}: {self.db_path.name}")
        self.who.setText(f"Signed in: {person.name}")
        self.signed_in.emit(person)
        self.reload()

    def context(self, **extra: object) -> ServiceContext:
        """A service context for the open store, acting as the person signed in."""
        assert self.store is not None
        user_id = self.user.id if self.user is not None else None
        return ServiceContext(store=self.store, user_id=user_id, **extra)  # type: ignore[arg-type]

    # -- the list ---------------------------------------------------------------
    def query(self) -> CaseQuery:
        return CaseQuery(text=self.filter_edit.text(), rag=self.rag_choice.currentData(),
                         open_only=self.open_only.isChecked(), sort=self._sort,
                         descending=self._descending)

    def refresh(self) -> None:
        """File > Reload (F5): find the cases again and read every row afresh.

        Why the cache goes: another process (an import, a colleague's sync) may have
        changed a case; the rows cached by the model would go on showing the old values.
        """
        self._fresh = True
        self.reload()

    def reload(self) -> None:
        """Find the matching cases again (new filter, order, or File > Reload).

        Two tasks: the first screenful from an index (milliseconds), painted at once,
        then every matching id with the counts (a scan, about a second on 100,000
        cases), which fills the scroll range behind it without a modal dialog.
        """
        self._filter_timer.stop()
        store = self.store
        if store is None:
            return
        if self._reload_op is not None:
            self._reload_op.cancel()
        self._generation += 1
        generation = self._generation
        query = self.query()
        user_id = self.user.id if self.user is not None else None

        def first(_control: TaskControl) -> list[CaseRow]:
            return first_page(ServiceContext(store=store, user_id=user_id), query)

        (self._op("Finding cases", first, dialog=False)
         .success(lambda rows: self._first_shown(generation, rows))
         .failure(self._read_failed)
         .run())

        def task(control: TaskControl) -> CaseListing:
            ctx = ServiceContext(store=store, user_id=user_id, progress=control.progress,
                                 cancel=control.cancel)
            return list_cases(ctx, query)

        op = self._op("Finding cases", task, dialog=False)
        op.success(lambda listing: self._loaded(generation, listing))
        op.cancelled(lambda: self._cancelled(generation))
        op.failure(self._read_failed)
        self._reload_op = op
        op.run()

    def _first_shown(self, generation: int, rows: list[CaseRow]) -> None:
        if generation != self._generation or self.listing_generation == generation:
            return  # a newer search is on its way, or the full list came first
        self.model.show_first(rows, fresh=self._fresh)
        self._fresh = False  # these rows were just read; the rest is fetched as seen
        self.counts.setText("Counting cases…" if rows else "Finding cases…")
        self.first_page_shown.emit(len(rows))

    def _cancelled(self, generation: int) -> None:
        if generation == self._generation:
            self.statusBar().showMessage("Cancelled: the list shows the last search.", 5000)

    def _loaded(self, generation: int, listing: CaseListing) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        self._reload_op = None
        self.listing = listing
        self.listing_generation = generation
        fresh, self._fresh = self._fresh, False
        self._end_error_burst()
        self.model.set_ids(listing.ids, fresh=fresh)
        self.counts.setText(counts_text(listing))
        self.cases_loaded.emit(listing)
        self._check_health()

    # -- the background integrity check -----------------------------------------
    def _check_health(self) -> None:
        """Once per opened store, after its list is up: SQLite's quick check."""
        store = self.store
        if store is None or self._health_started:
            return
        self._health_started = True

        def done(future: object) -> None:
            exc = future.exception()  # type: ignore[attr-defined]
            if exc is not None:
                self._read_failed(exc)
                return
            self._health_known(future.result())  # type: ignore[attr-defined]

        self.checks.run(lambda: check_store(ServiceContext(store=store)), done)

    def _health_known(self, health: Health) -> None:
        self.health = health
        if health.ok:
            self.statusBar().showMessage("The database file checked out whole.", 5000)
        else:
            box = QMessageBox(QMessageBox.Icon.Critical, "DipSample", health.message,
                              QMessageBox.StandardButton.Ok, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.health_box = box
            self.counts.setText("The database file is damaged: see the message.")
        self.health_checked.emit(health)

    def _sort_requested(self, key: SortKey, descending: bool) -> None:
        if (key, descending) != (self._sort, self._descending):
            self._sort, self._descending = key, descending
            self.reload()

    # -- the model's row source -------------------------------------------------
    def fetch(self, ids: Sequence[str], done: Callable[[list[CaseRow]], None]) -> None:
        """Load rows for the model on the worker; an error is shown, the cells stay blank."""
        store = self.store
        if store is None:
            return
        wanted = list(ids)

        def loaded(future: object) -> None:
            exc = future.exception()  # type: ignore[attr-defined]
            if exc is None:
                done(future.result())  # type: ignore[attr-defined]
            else:
                self._read_failed(exc)

        user_id = self.user.id if self.user is not None else None
        self.tasks.run(lambda: case_rows(ServiceContext(store=store, user_id=user_id), wanted),
                       loaded)

    # -- errors while reading ---------------------------------------------------
    def _read_failed(self, exc: BaseException) -> None:
        """Show a failed read, once for a burst of them.

        Why once: a locked or damaged database fails every page the table asks for, and
        one box per page buries the window. While the box is up, further failures go to
        the log only; the burst ends when it is dismissed or a reload succeeds.
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

    def _end_error_burst(self) -> None:
        """A reload succeeded: the shown failure is out of date, close its box."""
        box, self.read_error_box = self.read_error_box, None
        if box is not None:
            box.close()

    # -- closing ----------------------------------------------------------------
    def closeEvent(self, event: object) -> None:
        """Close at once: the running task is cancelled, the store closed behind it.

        Why not wait: a long query would freeze the closing window. The worker closes
        the store (every one it opened) as its last task, after the running one.
        """
        self._filter_timer.stop()
        self.store = None
        stores = self._stores

        def close_stores() -> None:
            for store in stores:
                store.close()

        self.heartbeat.stop()
        self.checks.shutdown()
        self.tasks.shutdown(then=close_stores)
        super().closeEvent(event)  # type: ignore[arg-type]
