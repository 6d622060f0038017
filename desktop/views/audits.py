"""The Audits screen: a list of audits (mine by default, by status) and the form beside it.

Why the form lives here: the host opens an audit from anywhere (My week's "start or
resume", a case's timeline) with ``open_audit``, and the auditor comes back to their
drafts from this list. Leaving the screen or the window saves what the form holds.

Why the list hides: in a 1024-pixel window, or at 125% scaling, the list and the form
side by side left the questions too narrow; "Hide the list" (or dragging the divider
shut) gives the form the whole width, and the same button brings the list back. The
case's key facts sit beside the form or above it (audit_form/page.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar
from zoneinfo import ZoneInfo

from desktop.models import Action, Audit, AuditAnswer, AuditComment
from desktop.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    QSettings,
    Qt,
    QTableView,
    QtGui,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.reports.case_tool import case_tool_pdf
from desktop.services.audits.views import AuditSummary, list_audits
from desktop.services.auth.roles import Permission
from desktop.services.change_sets import Kind
from desktop.services.context import ServiceContext
from desktop.views.audit_form.form import AuditFormWidget
from desktop.views.audit_form.page import AuditPage
from desktop.views.exercise_form import AddToExercise
from desktop.views.fit_columns import ColumnFit
from desktop.views.fitted_screen import FittedScreen
from desktop.views.plain import plain_label
from desktop.views.save_report import PDF_FILTER, ReportSaver, case_tool_name
from desktop.views.screen import Host
from desktop.views.split_share import ShareSplitter

LONDON = ZoneInfo("Europe/London")
COLUMNS = ("Case", "Status", "Audit date", "Grade", "Your RAG")
#: The columns that step aside, in this order, when the list's pane is too narrow for
#: them all (in a 1024-pixel window it holds the case, status and date): the form beside
#: the list shows the picked audit's RAG and grade.
OPTIONAL = (COLUMNS.index("Your RAG"), COLUMNS.index("Grade"))
#: The form's share of the width beside the list until the person moves the divider.
FORM_SHARE = 0.72
HIDE_LIST, SHOW_LIST = "Hide the list", "Show the list"
#: A screen narrower than this, in characters, hides the list until the person chooses
#: (120: a 1024x700 screen at 125% once the navigation beside it is 20 characters).
NARROW_CHARS = 120
STATUSES = (("Any status", None), ("Draft", "draft"), ("Reopened", "reopened"),
            ("Open for comment", "open_for_comment"), ("Queried", "queried"),
            ("Finalised", "finalised"))


#: The roles the audit list answers: its words and the row itself.
_LIST_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole})


def words(code: str | None) -> str:
    return (code or "").replace("_", " ").capitalize()


class AuditListModel(QAbstractTableModel):
    """The audits shown, one row each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AuditSummary] = []

    def set_rows(self, rows: list[AuditSummary]) -> None:
        """The rows to show. The same rows read again (each autosave of the form makes
        the list read again) change nothing: no reset, so no list measured and drawn
        anew, and the list stays where the person scrolled it."""
        if rows == self.rows:
            self.rows = rows
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()  # noqa: B008
                    ) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """The role is looked at first: a view asks for about ten of every cell it draws
        or measures, and answers only two."""
        if role not in _LIST_ROLES or not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return row
        column = index.column()  # only that column's words: asked for per cell, often
        if column == 0:
            return row.case_ref
        if column == 2:
            return row.audit_date.strftime("%d/%m/%Y") if row.audit_date else ""
        return words((row.status, None, None, row.grade, row.auditor_rag)[column])


class AuditsScreen(FittedScreen):
    """Signals:
        audits_loaded(int): the list was read (how many rows it shows).

    Attributes:
        filter_edit, status_choice, mine_only: the list's filters.
        table, model: the list.
        form: the dip-sample form of the audit picked.
    """

    key = "audits"
    needs = Permission.VIEW_AUDITS
    title = "&Audits"
    reads: ClassVar[frozenset[Kind]] = frozenset({Audit, AuditAnswer, AuditComment, Action})

    audits_loaded = Signal(int)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.all_rows: list[AuditSummary] = []
        self.model = AuditListModel(self)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Case reference")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter the audits by case reference")
        self.filter_edit.textChanged.connect(lambda _text: self._filter())
        self.status_choice = QComboBox()
        self.status_choice.setAccessibleName("Status")
        for label, code in STATUSES:
            self.status_choice.addItem(label, code)
        self.status_choice.currentIndexChanged.connect(lambda _i: self.refresh_list())
        self.mine_only = QCheckBox("&Mine only")
        self.mine_only.setChecked(True)
        self.mine_only.toggled.connect(lambda _on: self.refresh_list())
        filter_label = plain_label("Fi&nd")
        filter_label.setBuddy(self.filter_edit)
        status_label = plain_label("S&tatus")
        status_label.setBuddy(self.status_choice)
        self.table = QTableView()
        self.table.setObjectName("audits_table")
        self.table.setAccessibleName("Audits")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)  # Tab leaves the list, arrows move in it
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        # Every column inside the list's pane (it scrolled sideways at 1024x700, the
        # audit date and grade cut): the status and grade wrap, and in a narrow pane
        # the auditor's RAG and then the grade step aside.
        self.fit = ColumnFit(self.table, optional=OPTIONAL)
        self.table.selectionModel().currentRowChanged.connect(self._picked)
        self.count_line = plain_label()
        self.count_line.setAccessibleName("How many audits")
        self.count_line.setWordWrap(True)  # never holds the list wider than its pane
        # The filters in two short rows: in one row they made the list too wide to
        # leave the form its width in a 1024-pixel window.
        self.list_pane = QWidget()
        self.list_pane.setObjectName("audits_list_pane")
        find_bar = QHBoxLayout()
        find_bar.addWidget(filter_label)
        find_bar.addWidget(self.filter_edit, 1)
        status_bar = QHBoxLayout()
        for widget in (status_label, self.status_choice, self.mine_only):
            status_bar.addWidget(widget)
        status_bar.addStretch(1)
        left_layout = QVBoxLayout(self.list_pane)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(find_bar)
        left_layout.addLayout(status_bar)
        left_layout.addWidget(self.table)
        left_layout.addWidget(self.count_line)
        self.form = AuditFormWidget(host)
        self.page = AuditPage(self.form)
        # The form keeps its share of the width beside the list as the window is
        # resized; moving the divider sets the share.
        self.splitter = ShareSplitter(FORM_SHARE)
        self.splitter.setObjectName("audits_splitter")
        self.splitter.addWidget(self.list_pane)
        self.splitter.addWidget(self.page)
        self.splitter.setCollapsible(1, False)  # the form is never dragged away
        self.splitter.splitterMoved.connect(lambda _pos, _index: self._list_toggled())
        #: The person showed or hid the list: the window's width no longer decides.
        self.list_chosen = False
        self.list_button = QPushButton(HIDE_LIST)
        self.list_button.setAccessibleName("Hide or show the list of audits")
        self.list_button.setToolTip("Gives the form the whole width, or shows the list "
                                    "again (dragging the divider does the same)")
        self.list_button.clicked.connect(self.toggle_list)
        self.case_tool_button = QPushButton("Case too&l PDF…")
        self.case_tool_button.setAccessibleName("Save the case tool of this audit as a PDF")
        self.case_tool_button.setEnabled(False)
        self.case_tool_button.clicked.connect(self.save_case_tool)
        self.form.reloaded.connect(lambda _form: self.case_tool_button.setEnabled(True))
        self.saver = ReportSaver(host)
        self.exercise_button = QPushButton("Add to an e&xercise…")
        self.exercise_button.setAccessibleName("Add this audit to an exercise")
        self.exercise_button.setEnabled(False)
        self.exercise_button.clicked.connect(self.add_to_exercise)
        self.adder = AddToExercise(host, self, self.saver.line.said)
        self.form.reloaded.connect(
            lambda _form: self.exercise_button.setEnabled(self.adder.allowed()))
        # The list marks the audit the form shows once it is open (opened from My week,
        # the list kept the previous audit marked: user trial).
        self.form.reloaded.connect(lambda _form: self._mark_open_audit())
        reports = QHBoxLayout()
        reports.addWidget(self.list_button)
        reports.addWidget(self.case_tool_button)
        reports.addWidget(self.exercise_button)
        reports.addWidget(self.saver, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(reports)

    # -- the list beside the form -------------------------------------------------------
    def list_shown(self) -> bool:
        return not self.list_pane.isHidden() and self.splitter.sizes()[0] > 0

    def toggle_list(self) -> None:
        """Hide the list to give the form the width, or show it again (the person's
        choice: a narrow window no longer hides it by itself)."""
        self.list_chosen = True
        self._set_list(not self.list_shown())

    def _set_list(self, shown: bool) -> None:
        self.list_pane.setVisible(shown)
        if shown:  # at its share, also when it had been dragged shut
            self.splitter.apply(reopen=True)
        self._list_toggled()

    def restore_state(self, settings: QSettings) -> None:
        """The person's divider, as the form's share of the width."""
        super().restore_state(settings)
        self.splitter.read()

    def _list_toggled(self) -> None:
        self.list_button.setText(HIDE_LIST if self.list_shown() else SHOW_LIST)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        """A window too narrow for the list and a readable form (a 1024-pixel screen at
        125%) hides the list, until the person shows or hides it themselves."""
        super().resizeEvent(event)
        narrow = event.size().width() < self.fontMetrics().averageCharWidth() * NARROW_CHARS
        if not self.list_chosen and self.list_pane.isHidden() != narrow:
            self._set_list(not narrow)

    # -- the list -----------------------------------------------------------------
    def refresh(self) -> None:
        self.refresh_list()
        self.form.reread()

    def refresh_list(self) -> None:
        status = self.status_choice.currentData()
        user = self.host.user
        auditor = user.id if self.mine_only.isChecked() and user is not None else None

        def read(ctx: ServiceContext) -> list[AuditSummary]:
            return list_audits(ctx, status=status, auditor_id=auditor)

        (self.host.call("Reading the audits", read, dialog=False)
         .success(self._listed)
         .run())

    def _listed(self, rows: list[AuditSummary]) -> None:
        self.all_rows = rows
        self._filter()
        self.audits_loaded.emit(self.model.rowCount())

    def _filter(self) -> None:
        wanted = self.filter_edit.text().strip().casefold()
        shown = [r for r in self.all_rows if wanted in r.case_ref.casefold()]
        self.model.set_rows(shown)
        self._mark_open_audit()
        self.count_line.setText(
            f"{len(shown)} audit{'s' if len(shown) != 1 else ''}" if shown else
            "No audits here: start one from My week, or change the filters.")

    def _mark_open_audit(self) -> None:
        """Select the open audit's row (or none), without opening it again."""
        current = self.form.form.view.summary.id if self.form.form is not None else None
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        self.table.clearSelection()
        for number, row in enumerate(self.model.rows):
            if row.id == current:
                self.table.selectRow(number)
                self.table.setCurrentIndex(self.model.index(number, 0))
        selection.blockSignals(False)

    def _picked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(Qt.ItemDataRole.UserRole)
        if isinstance(row, AuditSummary):
            self.form.open(row.id)

    def save_case_tool(self) -> None:
        """The open audit's case tool as a PDF where the person chooses (saved first)."""
        form = self.form.form
        if form is None:
            return
        summary = form.view.summary
        self.form.save_now()  # queued before the PDF on the one worker: it shows the edits
        self.saver.save_file(
            "Save the case tool", case_tool_name(summary.case_ref, summary.id), PDF_FILTER,
            "Writing the case tool",
            lambda ctx, path: case_tool_pdf(ctx, summary.id, path))

    def add_to_exercise(self) -> None:
        """Make the open audit part of an exercise the person picks."""
        form = self.form.form
        if form is not None:
            self.adder.run(form.view.summary.id, form.view.summary.case_ref)

    # -- the window's duties ------------------------------------------------------
    def open_audit(self, audit_id: str) -> None:
        self.form.open(audit_id)

    def find_text(self) -> bool:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()
        return True

    def save(self) -> bool:
        return self.form.save_now()

    def submit(self) -> bool:
        return self.form.submit()

    def may_leave(self) -> bool:
        self.form.save_now()
        return True

    def last_write(self) -> Callable[[ServiceContext], None] | None:
        autosaver = self.form.autosaver
        return autosaver.last_write() if autosaver is not None else None
