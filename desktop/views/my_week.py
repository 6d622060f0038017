"""My week: the signed-in auditor's sample for an ISO week, and the work on it.

Why the screen starts here for an auditor: the weekly dip sample (seed 000: 25 cases a
week, 10 Red, 10 Amber, 5 Green) is the auditor's job list. From it they draw the
week's sample, drop a case with a reason (the replacement appears at once), and start
or resume each audit. A coordinator also draws every auditor of an area at once.
Every read and write runs on the window's worker; the rules are in
``desktop.services.sampling``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, TypeVar

from desktop.models import Audit, Case, Claim, Sample, SampleItem
from desktop.qt import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QModelIndex,
    QPushButton,
    Qt,
    QTableView,
    QVBoxLayout,
    Signal,
)
from desktop.reports.case_tool import BatchResult, week_case_tools
from desktop.services.auth.roles import Permission
from desktop.services.change_sets import Kind
from desktop.services.context import ServiceContext
from desktop.services.sampling.my_week import (
    MyWeek,
    WeekCase,
    coordinated_areas,
    draw_my_area,
    draw_my_week,
    open_audit_for,
    read_my_week,
)
from desktop.services.sampling.replacement import DROP_REASON_TEXT, Replacement, replace_item
from desktop.services.sampling.settings import RAGS
from desktop.services.sampling.weekly import AreaDraw
from desktop.services.sampling.weeks import shift_week, week_span
from desktop.views.drop_dialog import DropCaseDialog
from desktop.views.plain import plain_label
from desktop.views.quota_bar import QuotaPanel
from desktop.views.row_table import FIT_LIMIT_CHARS, RESTORED
from desktop.views.save_report import ReportSaver
from desktop.views.screen import Host, Screen
from desktop.views.week_table import (
    CASE_REF,
    CHILD,
    COHORT,
    RAG,
    STATUS,
    TEAM,
    WHY,
    WeekTableModel,
)
from desktop.views.worker import show_error

T = TypeVar("T")
#: Column widths in average character widths.
WIDTHS = {CASE_REF: 13, CHILD: 7, RAG: 8, COHORT: 16, TEAM: 34, STATUS: 26}


class MyWeekScreen(Screen):
    """The week's sample, its quota progress and the buttons that work on it.

    Signals:
        week_shown(MyWeek): a week's sample (or its absence) is on screen.
        audit_opened(str): an audit was started or found for a row, and handed to the
            window (``host.open_audit``).
        area_drawn(AreaDraw): a coordinator's draw of a whole area finished.

    Attributes:
        week: the ISO week shown (None until the first read names this week).
        shown: what is on screen.
        model / table: the cases.
        drop_dialog: the "Drop case" dialog while it is open.
        message: the line saying what the last action did.
        left_out: after an area draw, the people of the area it drew no sample for.
    """

    key = "my_week"
    needs = Permission.SAMPLE
    title = "&My week"
    reads: ClassVar[frozenset[Kind]] = frozenset({Sample, SampleItem, Claim, Audit, Case})

    week_shown = Signal(object)
    audit_opened = Signal(str)
    area_drawn = Signal(object)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.week: str | None = None
        self.shown: MyWeek | None = None
        self.drop_dialog: DropCaseDialog | None = None
        self._generation = 0
        self._areas_read = False
        self._busy = False
        #: The row to select when the list is next shown (a replacement just drawn).
        self._select_next: str | None = None
        self._build()

    # -- layout -----------------------------------------------------------------
    def _build(self) -> None:
        self.previous_button = QPushButton("&Previous week")
        self.previous_button.setAccessibleName("Previous week")
        self.previous_button.clicked.connect(lambda: self._step(-1))
        self.week_label = plain_label("")
        self.week_label.setAccessibleName("Week shown")
        self.week_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_button = QPushButton("&Next week")
        self.next_button.setAccessibleName("Next week")
        self.next_button.clicked.connect(lambda: self._step(1))
        self.this_week_button = QPushButton("&This week")
        self.this_week_button.setAccessibleName("This week")
        self.this_week_button.clicked.connect(self._this_week)
        picker = QHBoxLayout()
        picker.addWidget(self.previous_button)
        picker.addWidget(self.week_label, 1)
        picker.addWidget(self.next_button)
        picker.addWidget(self.this_week_button)

        self.summary = plain_label("")
        self.summary.setAccessibleName("Sample summary")
        self.summary.setWordWrap(True)
        self.draw_button = QPushButton("&Draw this week's sample")
        self.draw_button.setAccessibleName("Draw this week's sample")
        self.draw_button.setEnabled(False)
        self.draw_button.clicked.connect(self.draw)
        self.area_label = plain_label("Ar&ea:")
        self.area_choice = QComboBox()
        self.area_choice.setAccessibleName("Service area to draw")
        self.area_label.setBuddy(self.area_choice)
        self.area_button = QPushButton("Draw the whole &area")
        self.area_button.setAccessibleName("Draw the whole area")
        self.area_button.clicked.connect(self.draw_area)
        drawing = QHBoxLayout()
        drawing.addWidget(self.draw_button)
        drawing.addStretch(1)
        for widget in (self.area_label, self.area_choice, self.area_button):
            drawing.addWidget(widget)
            widget.setVisible(False)
        #: After an area draw: who in the area has no auditor role and so got no
        #: sample, by name, as ``sample --area`` says it (hidden when nobody).
        self.left_out = plain_label("")
        self.left_out.setAccessibleName("Left out of the area's draw")
        self.left_out.setWordWrap(True)
        self.left_out.hide()

        self.quotas = QuotaPanel(RAGS)

        self.model = WeekTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("week_cases")
        self.table.setAccessibleName("Cases in the week's sample")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        char = self.fontMetrics().averageCharWidth()
        for column, width in WIDTHS.items():
            header.resizeSection(column, width * char)
        header.setSectionResizeMode(WHY, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.activated.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._enable())

        self.drop_button = QPushButton("D&rop case…")
        self.drop_button.setAccessibleName("Drop the selected case")
        self.drop_button.clicked.connect(self.ask_drop)
        self.open_button = QPushButton("&Open audit")
        self.open_button.setAccessibleName("Start or resume the audit of the selected case")
        self.open_button.clicked.connect(self.open_selected)
        self.message = plain_label("")
        self.message.setAccessibleName("Last change")
        self.message.setWordWrap(True)
        self.case_tools_button = QPushButton("Case tools for the &week…")
        self.case_tools_button.setAccessibleName(
            "Save the case tools of your audits this week into a folder")
        self.case_tools_button.clicked.connect(self.save_case_tools)
        self.saver = ReportSaver(self.host)
        rows = QHBoxLayout()
        rows.addWidget(self.open_button)
        rows.addWidget(self.drop_button)
        rows.addWidget(self.message, 1)
        rows.addWidget(self.case_tools_button)

        layout = QVBoxLayout(self)
        layout.addLayout(picker)
        layout.addWidget(self.summary)
        layout.addLayout(drawing)
        layout.addWidget(self.left_out)
        layout.addWidget(self.quotas)
        layout.addWidget(self.table, 1)
        layout.addLayout(rows)
        layout.addWidget(self.saver)
        for first, second in ((self.previous_button, self.next_button),
                              (self.next_button, self.this_week_button),
                              (self.this_week_button, self.draw_button),
                              (self.draw_button, self.area_choice),
                              (self.area_choice, self.area_button),
                              (self.area_button, self.table),
                              (self.table, self.open_button),
                              (self.open_button, self.drop_button),
                              (self.drop_button, self.case_tools_button)):
            self.setTabOrder(first, second)
        self._enable()

    # -- reading ------------------------------------------------------------------
    def refresh(self) -> None:
        if self.host.store is None:
            return
        if self.host.user is None:  # the week is a person's: read it once they sign in
            self.stale = True
            self.summary.setText("Sign in to see your week's sample.")
            return
        self._generation += 1
        generation, week = self._generation, self.week
        (self.host.call("Reading your week's sample", lambda ctx: read_my_week(ctx, week),
                        dialog=False)
         .success(lambda found: self._arrived(generation, found))
         .run())
        self._read_areas()

    def _read_areas(self) -> None:
        """A coordinator's areas, once: the area draw is offered only to them."""
        user = self.host.user
        if self._areas_read or user is None or "coordinator" not in user.roles:
            return
        self._areas_read = True
        self.host.call("Reading your areas", coordinated_areas, dialog=False) \
            .success(self._areas_known).run()

    def _areas_known(self, areas: list[str]) -> None:
        self.area_choice.clear()
        self.area_choice.addItems(areas)
        for widget in (self.area_label, self.area_choice, self.area_button):
            widget.setVisible(bool(areas))
        self._enable()

    def _arrived(self, generation: int, found: MyWeek) -> None:
        if generation == self._generation:
            self.show_week(found)

    def show_week(self, found: MyWeek) -> None:
        selected = self.selected()
        wanted = self._select_next or (selected.item_id if selected is not None else None)
        self._select_next = None
        self.week = found.week
        self.shown = found
        self.week_label.setText(f"Week {found.week}: {week_span(found.week)}")
        self.model.set_cases(found.cases)
        self._fit_columns()
        self.quotas.show_quotas(found.quotas, found.week_audits)
        self.summary.setText(self._summary(found))
        if wanted is not None and (row := self.model.row_of(wanted)) >= 0:
            self.table.selectRow(row)
        self._enable()
        self.week_shown.emit(found)

    def _fit_columns(self) -> None:
        """The team and the audit status as wide as this week's words (up to a limit):
        by a character count, team names were cut while "Why chosen" took the rest.
        The person's own widths, once they came back from the last session, are kept."""
        if self.table.property(RESTORED) or self.model.rowCount() == 0:
            return
        header = self.table.horizontalHeader()
        limit = self.fontMetrics().averageCharWidth() * FIT_LIMIT_CHARS
        for column in (TEAM, STATUS):
            self.table.resizeColumnToContents(column)
            header.resizeSection(column, min(header.sectionSize(column), limit))

    @staticmethod
    def _summary(found: MyWeek) -> str:
        if found.sample_id is None:
            return ("No sample drawn for this week yet: press \u201cDraw this week's "
                    "sample\u201d.")
        active, dropped = len(found.active), len(found.cases) - len(found.active)
        text = f"{active} cases in your sample"
        if dropped:
            text += f" ({dropped} dropped and replaced)"
        if found.drawn_by:
            text += f", drawn for you by {found.drawn_by} (your coordinator's allocation)"
        return text + "."

    def _say_left_out(self, sentence: str) -> None:
        self.left_out.setText(sentence)
        self.left_out.setVisible(bool(sentence))

    def _step(self, by: int) -> None:
        if self.week is not None:
            self.week = shift_week(self.week, by)
            self.message.setText("")
            self._say_left_out("")
            self.refresh()

    def _this_week(self) -> None:
        self.week = None
        self.message.setText("")
        self._say_left_out("")
        self.refresh()

    # -- state of the buttons -------------------------------------------------------
    def selected(self) -> WeekCase | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.case_at(rows[0].row()) if rows else None

    def _enable(self) -> None:
        case = self.selected()
        usable = case is not None and not case.dropped and not self._busy
        self.drop_button.setEnabled(usable)
        self.open_button.setEnabled(usable)
        self.draw_button.setEnabled(not self._busy and self.shown is not None
                                    and self.shown.sample_id is None)
        self.area_button.setEnabled(not self._busy and self.shown is not None
                                    and self.area_choice.count() > 0)
        self.case_tools_button.setEnabled(not self._busy and self.shown is not None)

    def _write(self, busy: bool) -> None:
        self._busy = busy
        self._enable()

    # -- drawing --------------------------------------------------------------------
    def draw(self) -> None:
        """Draw the auditor's sample for the week shown."""
        week = self.week
        if week is None:
            return
        self._write_call("Drawing your sample", lambda ctx: draw_my_week(ctx, week),
                         self._drawn, "Cancelled: no sample was drawn.")

    def _drawn(self, found: MyWeek) -> None:
        self.show_week(found)
        self.message.setText(f"Drew {len(found.active)} cases for week {found.week}.")

    def draw_area(self) -> None:
        """Coordinator mode: every auditor of the chosen area for the week shown."""
        week, area = self.week, self.area_choice.currentText()
        if week is None or not area:
            return
        self._write_call(f"Drawing every sample of {area}",
                         lambda ctx: draw_my_area(ctx, area, week), self._area_done,
                         "Cancelled: no sample of the area was saved.")

    def _area_done(self, drawn: AreaDraw) -> None:
        self.message.setText(f"Drew the samples of {len(drawn.samples)} auditors of the "
                             f"area for week {drawn.week}.")
        self._say_left_out(f"{drawn.left_out}." if drawn.left_out else "")
        self.area_drawn.emit(drawn)

    def _write_call(self, label: str, fn: Callable[[ServiceContext], T],
                    done: Callable[[T], None], cancelled: str) -> None:
        """A write on the worker, with the row and draw buttons off until it ends.

        Why the buttons go off: a second click while the first write runs would draw
        or drop twice (the worker queues it behind the first).
        """
        self._write(True)

        def succeeded(result: T) -> None:
            self._write(False)
            done(result)

        def failed(exc: BaseException) -> None:
            self._write(False)
            show_error(self, exc, self.host.db_path)

        def gave_up() -> None:
            self._write(False)
            self.message.setText(cancelled)
            self.refresh()  # show what the store holds, whatever the moment of Cancel

        self.host.call(label, fn).success(succeeded).failure(failed).cancelled(gave_up).run()

    # -- dropping -------------------------------------------------------------------
    def ask_drop(self) -> None:
        case = self.selected()
        if case is None or case.dropped or self.drop_dialog is not None:
            return
        dialog = DropCaseDialog(case.case_ref, self)
        dialog.accepted.connect(lambda: self._drop(case, dialog.reason(), dialog.note()))
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        self.drop_dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: DropCaseDialog) -> None:
        if self.drop_dialog is dialog:
            self.drop_dialog = None
        dialog.deleteLater()

    def _drop(self, case: WeekCase, reason: str, note: str) -> None:
        item_id = case.item_id
        self._write_call("Dropping the case and drawing its replacement",
                         lambda ctx: replace_item(ctx, item_id, reason, note),
                         lambda done: self._replaced(case, reason, done),
                         "Cancelled: the case was kept.")

    def _replaced(self, dropped: WeekCase, reason: str, done: Replacement) -> None:
        self.message.setText(f"{done.case_ref} replaced {dropped.case_ref} "
                             f"({DROP_REASON_TEXT.get(reason, reason)}).")
        self._select_next = done.new_item_id

    # -- case tools -----------------------------------------------------------------
    def save_case_tools(self) -> None:
        """One PDF per audit of the week shown (the signed-in auditor's) in a folder."""
        user, week = self.host.user, self.week
        if user is None or week is None:
            return
        auditor = user.id

        def said(result: BatchResult, folder: Path) -> str:
            count = len(result.files)
            return f"Saved {count} case tool{'s' if count != 1 else ''} of {week} in {folder}."

        self.saver.save_folder(f"Folder for the case tools of {week}",
                               "Writing the week's case tools",
                               lambda ctx, folder: week_case_tools(ctx, auditor, week, folder),
                               said)

    # -- audits ---------------------------------------------------------------------
    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.table.selectRow(index.row())
            self.open_selected()

    def open_selected(self) -> None:
        """Start the selected case's audit, or resume the one already started."""
        case = self.selected()
        if case is None or case.dropped or self._busy:
            return
        item_id = case.item_id
        self._write_call("Opening the audit", lambda ctx: open_audit_for(ctx, item_id),
                         self._audit_ready, "Cancelled: no audit was started.")

    def _audit_ready(self, audit_id: str) -> None:
        self.audit_opened.emit(audit_id)
        self.host.open_audit(audit_id)
