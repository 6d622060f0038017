"""The Cases screen: every case of the store in a list that stays smooth at 100,000.

Why two reads per search: the first screenful comes from an index in milliseconds and
is painted at once; the full list of matching ids with the counts (a scan, about a
second on 100,000 cases) fills the scroll range behind it without a modal dialog. Rows
are read a page at a time as the table shows them (``fetch``), on the window's worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from desktop.models import Action, Audit, Case, CaseEvent
from desktop.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSettings,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.auth.roles import Permission
from desktop.services.case_filters import Choice, FilterChoices, filter_choices
from desktop.services.case_list import (
    CaseListing,
    CaseQuery,
    CaseRow,
    SortKey,
    case_rows,
    first_page,
    list_cases,
)
from desktop.services.change_sets import Kind, Outside
from desktop.services.context import ServiceContext
from desktop.views import case_table as columns
from desktop.views.case_detail import CaseDetail
from desktop.views.case_table import OBJECT_ROLE, CaseTableModel
from desktop.views.fit_columns import ColumnFit
from desktop.views.fitted_screen import FittedScreen
from desktop.views.plain import plain_label
from desktop.views.screen import Host
from desktop.views.split_share import ShareSplitter
from desktop.views.worker import BackgroundOp

#: Typing pauses this long before the list is filtered again.
FILTER_DELAY_MS = 250
#: Column widths in average character widths (the team names are the longest). Known
#: beforehand: measuring the rows would read pages of them, and the columns would jump
#: as the person scrolled to longer names.
WIDTHS = {columns.CASE_REF: 11, columns.CHILD: 8, columns.RAG: 6, columns.COHORT: 14,
          columns.TEAM: 41, columns.WORKER: 21, columns.LAST_VISIT: 11, columns.STATUS: 8}
#: When the list is narrow, the worker and then the team give way first, to these
#: widths (elided on one line a row, the tooltip whole; the detail has them whole).
GIVE_WAY = {columns.WORKER: 14, columns.TEAM: 22}
#: Then these step aside, in this order (the detail beside the list shows them).
OPTIONAL = (columns.STATUS, columns.CHILD, columns.LAST_VISIT)
#: The detail's share of the width beside the list, until the person moves the divider.
DETAIL_SHARE = 0.45
RAG_CHOICES = (("All RAG ratings", None), ("Red", "red"), ("Amber", "amber"),
               ("Green", "green"))


def counts_text(listing: CaseListing) -> str:
    if listing.total == 0:
        return ("No cases yet: import a caseload export (Import, on the left), or build "
                "the demo county (dipsample demo).")
    rag = listing.rag_counts
    return (f"{listing.shown:,} of {listing.total:,} cases   ·   {listing.open_count:,} open:  "
            f"Red {rag.get('red', 0):,}   Amber {rag.get('amber', 0):,}   "
            f"Green {rag.get('green', 0):,}")


class CasesScreen(FittedScreen):
    """The case list with its filters and counts.

    Signals:
        first_page_shown(int): the first screenful of a search is painted.
        cases_loaded(CaseListing): a new full list is shown (after opening, a filter or
            a sort).
        case_selected(str): the person selected a case (its id).

    Attributes:
        model: the case table model; ``table`` shows it.
        filter_edit, rag_choice, open_only: the filter controls.
        counts: the line under the list with the counts.
        listing: the list shown, once the full search has come back.
    """

    key = "cases"
    needs = Permission.VIEW_CASES
    title = "&Cases"
    #: An audit submitted changes a case's last-audit date, an action its timeline.
    reads: ClassVar[frozenset[Kind]] = frozenset({Case, CaseEvent, Audit, Action,
                                                  Outside.SETTINGS_FILES})

    first_page_shown = Signal(int)
    cases_loaded = Signal(object)
    case_selected = Signal(str)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.listing: CaseListing | None = None
        self._sort = SortKey.CASE_REF
        self._descending = False
        self._generation = 0
        #: The search whose full list is shown (the first screenful only shows before).
        self.listing_generation = 0
        self._reload_op: BackgroundOp[CaseListing] | None = None
        #: The next list comes with the cached rows dropped (F5).
        self._fresh = False
        #: A case to select once the list holding it is shown (``open_case``).
        self._wanted: str | None = None
        self.model = CaseTableModel(self, parent=self)
        self.model.sort_requested.connect(self._sort_requested)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.reload)
        self._build()

    def _build(self) -> None:
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Case ref, team or RAG")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter the cases")
        self.filter_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self.reload)
        self.rag_choice = QComboBox()
        self.rag_choice.setAccessibleName("RAG rating")
        for rag, code in RAG_CHOICES:
            self.rag_choice.addItem(rag, code)
        self.rag_choice.currentIndexChanged.connect(lambda _i: self.reload())
        self.open_only = QCheckBox("Open cases on&ly")
        self.open_only.toggled.connect(lambda _on: self.reload())
        bar = QHBoxLayout()
        label = plain_label("Filte&r:")
        label.setBuddy(self.filter_edit)
        bar.addWidget(label)
        bar.addWidget(self.filter_edit, 1)
        # A label of its own: without one a screen reader read only the box's value
        # ("All RAG ratings"). Alt+I: R, A and G are taken on this screen.
        rag_label = plain_label("RAG rat&ing:")
        rag_label.setBuddy(self.rag_choice)
        bar.addWidget(rag_label)
        bar.addWidget(self.rag_choice)
        bar.addWidget(self.open_only)
        # Both "which cases" switches on the first row: on the second they made the
        # screen wider than a 1024-pixel window, which then scrolled sideways.
        self.not_audited = QCheckBox("Not audited in &4 weeks")
        self.not_audited.toggled.connect(lambda _on: self.reload())
        bar.addWidget(self.not_audited)

        # The second row: who and what, filled from the store once it is read.
        self.team_choice = self._combo("Team", "All teams")
        self.team_choice.currentIndexChanged.connect(self._team_changed)
        self.worker_choice = self._combo("Worker", "All workers")
        self.cohort_choice = self._combo("Cohort", "All cohorts")
        self.overdue_choice = self._combo("Overdue standard", "Any or none overdue")
        for combo in (self.worker_choice, self.cohort_choice, self.overdue_choice):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        who = QHBoxLayout()
        for caption, combo in (("Tea&m:", self.team_choice), ("&Worker:", self.worker_choice),
                               ("C&ohort:", self.cohort_choice),
                               ("O&verdue:", self.overdue_choice)):
            text = plain_label(caption)
            text.setBuddy(combo)
            who.addWidget(text)
            who.addWidget(combo, 1)
        self.choices: FilterChoices | None = None

        self.table = QTableView()
        self.table.setObjectName("case_table")
        self.table.setAccessibleName("Cases")
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
        header.setStretchLastSection(True)
        # Every column inside the list's pane, one line a row: at 1024x700 the list
        # scrolled sideways with the team cut off.
        self.fit = ColumnFit(self.table, first_chars=GIVE_WAY, lines=1, optional=OPTIONAL,
                             known_chars=WIDTHS)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        self.counts = plain_label("Opening the database…")
        self.counts.setWordWrap(True)  # the counts never hold the list wider than its pane
        self.counts.setAccessibleName("Case counts")
        self.detail = CaseDetail(self.host)
        self.case_selected.connect(self.detail.show_case)
        left = QWidget()
        list_layout = QVBoxLayout(left)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.counts)
        # The detail keeps its share of the width as the window is resized (Qt's own
        # splitter gave it nearly all of a wider window, and a 1024-pixel one cut it
        # off); moving the divider sets the share.
        self.splitter = ShareSplitter(DETAIL_SHARE)
        self.splitter.setObjectName("cases_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setCollapsible(1, False)  # the detail is never dragged away
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(who)
        layout.addWidget(self.splitter, 1)

    def restore_state(self, settings: QSettings) -> None:
        """The person's divider, as its share of the width."""
        super().restore_state(settings)
        self.splitter.read()

    def _combo(self, name: str, everything: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.addItem(everything, None)
        combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        return combo

    # -- the filter choices --------------------------------------------------------
    def _read_choices(self) -> None:
        (self.host.call("Reading the teams and workers", filter_choices, dialog=False)
         .success(self._choices_read)
         .failure(self.host.read_failed)
         .run())

    def _choices_read(self, choices: FilterChoices) -> None:
        self.choices = choices
        for combo, values in ((self.team_choice, choices.teams),
                              (self.cohort_choice, choices.cohorts),
                              (self.overdue_choice, choices.standards)):
            self._fill(combo, values)
        self._fill_workers()

    @staticmethod
    def _fill(combo: QComboBox, values: Sequence[Choice]) -> None:
        """Replace the choices, keeping the one picked if it is still there."""
        kept = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for choice in values:
            combo.addItem(choice.label, choice.value)
        combo.setCurrentIndex(max(0, combo.findData(kept)) if kept is not None else 0)
        combo.blockSignals(False)

    def _team_changed(self, _index: int = 0) -> None:
        """A team narrows the workers to its own; then the list is searched again."""
        self._fill_workers()
        self.reload()

    def _fill_workers(self) -> None:
        if self.choices is not None:
            team = self.team_choice.currentData()
            self._fill(self.worker_choice, [w for w in self.choices.workers
                                            if team is None or w.group == team])

    # -- the screen's duties -----------------------------------------------------
    def refresh(self) -> None:
        """F5: find the cases again and read every row afresh.

        Why the cache goes: another process (an import, a colleague's sync) may have
        changed a case; the rows cached by the model would go on showing the old values.
        """
        self._fresh = True
        self.reload()
        if self.host.store is not None:
            self._read_choices()  # an import may have brought new teams and workers

    def find_text(self) -> bool:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()
        return True

    def open_case(self, case_id: str) -> None:
        """Select ``case_id``: at once if it is listed, else once the list is read."""
        if self.listing is not None and case_id in self.listing.ids:
            self._select(case_id)
            return
        self._wanted = case_id
        if self.listing is not None and self.query() != CaseQuery(sort=self._sort,
                                                                  descending=self._descending):
            self.clear_filters()  # the case may be hidden by the filter

    def clear_filters(self) -> None:
        """Show every case again (one search, not one per control)."""
        controls = (self.filter_edit, self.open_only, self.rag_choice, self.team_choice,
                    self.worker_choice, self.cohort_choice, self.overdue_choice,
                    self.not_audited)
        for control in controls:
            control.blockSignals(True)
        self.filter_edit.clear()
        self.open_only.setChecked(False)
        self.not_audited.setChecked(False)
        for combo in (self.rag_choice, self.team_choice, self.worker_choice,
                      self.cohort_choice, self.overdue_choice):
            combo.setCurrentIndex(0)
        for control in controls:
            control.blockSignals(False)
        self.reload()

    def _select(self, case_id: str) -> None:
        assert self.listing is not None
        row = self.listing.ids.index(case_id)
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def current_case(self) -> str | None:
        """The id of the case whose row is selected, if its row has been read."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = index.data(OBJECT_ROLE)
        return row.id if isinstance(row, CaseRow) else None

    def _current_changed(self, current: object, _previous: object) -> None:
        row = getattr(current, "data", lambda _r: None)(OBJECT_ROLE)
        if isinstance(row, CaseRow):
            self.case_selected.emit(row.id)
        elif self.listing is not None and getattr(current, "isValid", lambda: False)():
            self.case_selected.emit(self.listing.ids[current.row()])  # type: ignore[attr-defined]

    # -- the list ---------------------------------------------------------------
    def query(self) -> CaseQuery:
        return CaseQuery(text=self.filter_edit.text(), rag=self.rag_choice.currentData(),
                         open_only=self.open_only.isChecked(), sort=self._sort,
                         descending=self._descending, team_id=self.team_choice.currentData(),
                         worker_id=self.worker_choice.currentData(),
                         cohort=self.cohort_choice.currentData(),
                         overdue=self.overdue_choice.currentData(),
                         not_audited=self.not_audited.isChecked())

    def reload(self) -> None:
        """Find the matching cases again (new filter, order, or F5).

        The full search is queued only once the first screenful is painted: run at the
        same time, its Python work on the worker slowed that paint two- to threefold.
        """
        self._filter_timer.stop()
        if self.host.store is None:
            return
        self.stale = False
        if self._reload_op is not None:
            self._reload_op.cancel()
            self._reload_op = None
        self._generation += 1
        generation = self._generation
        query = self.query()

        if query.evaluated:  # no index gives these quickly: one search, with Cancel
            self._full_search(generation, query)
            return

        def failed(exc: BaseException) -> None:
            self.host.read_failed(exc)
            self._full_search(generation, query)

        (self.host.call("Finding cases", lambda ctx: first_page(ctx, query), dialog=False)
         .success(lambda rows: self._first_shown(generation, query, rows))
         .failure(failed)
         .run())

    def _full_search(self, generation: int, query: CaseQuery) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        op = self.host.call("Finding cases", lambda ctx: list_cases(ctx, query),
                            dialog=query.evaluated)
        op.success(lambda listing: self._loaded(generation, listing))
        op.cancelled(lambda: self._cancelled(generation))
        op.failure(self.host.read_failed)
        self._reload_op = op
        op.run()

    def _first_shown(self, generation: int, query: CaseQuery, rows: list[CaseRow]) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        self.model.show_first(rows, fresh=self._fresh)
        self._fresh = False  # these rows were just read; the rest is fetched as seen
        self.counts.setText("Counting cases…" if rows else "Finding cases…")
        if self.table.isVisible():
            self.table.viewport().repaint()  # on screen now, before the worker starts again
        self.first_page_shown.emit(len(rows))
        self._full_search(generation, query)

    def _cancelled(self, generation: int) -> None:
        if generation == self._generation:
            self.counts.setText("Cancelled: the list shows the last search.")

    def _loaded(self, generation: int, listing: CaseListing) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        self._reload_op = None
        self.listing = listing
        self.listing_generation = generation
        fresh, self._fresh = self._fresh, False
        self.host.read_succeeded()
        self.model.set_ids(listing.ids, fresh=fresh)
        self.counts.setText(counts_text(listing))
        wanted, self._wanted = self._wanted, None
        if wanted is not None and wanted in listing.ids:
            self._select(wanted)
        self.cases_loaded.emit(listing)

    def _sort_requested(self, key: SortKey, descending: bool) -> None:
        if (key, descending) != (self._sort, self._descending):
            self._sort, self._descending = key, descending
            self.reload()

    # -- the model's row source -------------------------------------------------
    def fetch(self, ids: Sequence[str], done: Callable[[list[CaseRow]], None]) -> None:
        """Load rows for the model on the worker; an error is shown, the cells stay blank."""
        if self.host.store is None:
            return
        wanted = list(ids)

        def read(ctx: ServiceContext) -> list[CaseRow]:
            return case_rows(ctx, wanted)

        (self.host.call("Reading cases", read, dialog=False)
         .success(done)
         .failure(self.host.read_failed)
         .run())

    def stop(self) -> None:
        """The window is closing: no more searches."""
        self._filter_timer.stop()
