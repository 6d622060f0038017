"""The Reports screen: choose a report and its period, see what it holds, save or print.

Why a preview first: a report is chosen by its period (a week, a month, dates) and a
person wants to see that the period holds what they expect (the week's audits, the
month's estimates) before writing a folder of PDFs or a spreadsheet. The Contents tab
lists what it holds; the Pages tab shows the PDF's pages as they will print
(:mod:`desktop.views.pdf_pages`). Saving goes through :mod:`desktop.views.save_report`
(written on the worker with progress and Cancel); Print opens the system's print dialog
and sends the pages drawn for the Pages tab, so what prints is what was shown. A week's
case tools are one document: the Pages tab shows all of them, Print prints all of them
(each from a new page, with its case reference on every page), Save writes one PDF with
a bookmark per case, or one file per case when asked.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from desktop.errors import UserError
from desktop.models import Action, Audit, ExerciseSummary, ImprovementPlan, User
from desktop.qt import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSettings,
    Qt,
    QTabWidget,
    QtPrintSupport,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.reports.case_tool import (
    BatchResult,
    WeekResult,
    week_case_tools,
    week_case_tools_pdf,
)
from desktop.reports.exports import export
from desktop.reports.monthly import monthly_pdf
from desktop.services.auth.roles import Permission
from desktop.services.change_sets import ChangeSet, Kind
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_changes
from desktop.services.reporting.case_tool import WeekChoice
from desktop.services.reporting.choices import ReportChoices, report_choices
from desktop.services.reporting.exports import KINDS, Period
from desktop.views import report_previews
from desktop.views.fit_columns import ColumnFit
from desktop.views.pdf_pages import PdfPages, PrintJob, owned_printer, pdf_bytes
from desktop.views.periods import fill_weeks, host_today
from desktop.views.plain import plain_label
from desktop.views.report_previews import Preview
from desktop.views.save_report import (
    CSV_FILTER,
    PDF_FILTER,
    XLSX_FILTER,
    ReportSaver,
)
from desktop.views.screen import Host, Screen
from desktop.views.split_share import ShareSplitter
from desktop.views.text_table import CopyableTableView, TextTableModel
from desktop.views.worker import show_error

#: Months offered, counting back from this one.
MONTHS_BACK = 12
#: The preview's share of the screen's width, until the person moves the divider.
PREVIEW_SHARE = 0.55


@dataclass(frozen=True)
class ReportKind:
    """One choice of the report list: which fields it asks for and what it writes."""

    key: str
    title: str
    fields: frozenset[str]
    #: "pdf", or "table" (XLSX or CSV).
    writes: str


CASE_TOOLS = ReportKind("case_tools", "Case tools of a week",
                        frozenset({"week", "auditor", "tool_options"}), "pdf")
WEEKLY = ReportKind("weekly", "Weekly report for senior management", frozenset({"week"}),
                    "pdf")
MONTHLY = ReportKind("monthly", "Monthly quality assurance report",
                     frozenset({"month", "messages"}), "pdf")
SUMMARY = ReportKind("summary", "Overall summary of an exercise", frozenset({"exercise"}),
                     "pdf")
PLAN = ReportKind("plan", "Improvement plan", frozenset({"plan"}), "pdf")
EXPORT = ReportKind("export", "Export of audits, answers and actions",
                    frozenset({"format", "tables", "dates"}), "table")


#: Reports written by modules of their own, offered when the module is there.
OPTIONAL = {WEEKLY.key: "desktop.reports.weekly", SUMMARY.key: "desktop.reports.summary",
            PLAN.key: "desktop.reports.plan"}


def available_kinds() -> list[ReportKind]:
    """The reports this copy can write, in the order a person looks for them."""
    return [kind for kind in (CASE_TOOLS, WEEKLY, MONTHLY, SUMMARY, PLAN, EXPORT)
            if kind.key not in OPTIONAL
            or importlib.util.find_spec(OPTIONAL[kind.key]) is not None]


PRINT_NOTE = ("Print opens your system's print dialog for the report as chosen (a week's "
              "case tools: all of them, each from a new page); Pages shows it as it will "
              "print.")


class ReportsScreen(Screen):
    """Signals:
        previewed(object): a preview is on screen (the Preview shown).

    Attributes:
        kind_choice: the report; week_choice, auditor_choice, month_choice,
            messages_edit, format_choice, table_boxes, any_date, from_date, to_date:
            its fields (each shown only for the reports that use it).
        preview_button, save_button, print_button: the actions.
        summary, preview_model, preview_table: the preview.
        saver: the file dialog, the writing and the "Saved … Open" line.
    """

    key = "reports"
    needs = Permission.REPORTS
    title = "&Reports"
    #: The choice lists (auditors, exercises, plans) are read again with the rest.
    reads: ClassVar[frozenset[Kind]] = frozenset({Audit, Action, User, ExerciseSummary,
                                                  ImprovementPlan})

    previewed = Signal(object)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.kinds = available_kinds()
        self.preview: Preview | None = None
        self._generation = 0
        #: What the pages on show are of (see :meth:`_page_source`), and the printer
        #: and print dialog once Print was used (the dialog while open: tests accept it).
        self._pages_of: tuple[object, ...] | None = None
        self._pages_generation = 0
        self.printer: QtPrintSupport.QPrinter | None = None
        self.print_dialog: QtPrintSupport.QPrintDialog | None = None
        self.print_job: PrintJob | None = None
        self._choices_read = False
        #: The day the week and month lists count back from.
        self._periods_of: dt.date | None = None
        self._build()
        self._kind_changed()

    # -- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        self.kind_choice = QComboBox()
        self.kind_choice.setAccessibleName("Report")
        for kind in self.kinds:
            self.kind_choice.addItem(kind.title, kind.key)
        self.kind_choice.currentIndexChanged.connect(lambda _i: self._kind_changed())

        self.week_choice = QComboBox()
        self.week_choice.setEditable(True)
        self.week_choice.setAccessibleName("Week (ISO week such as 2026-W47)")
        self.auditor_choice = QComboBox()
        self.auditor_choice.setAccessibleName("Auditor")
        self.auditor_choice.addItem("Everyone", None)
        self.exercise_choice = QComboBox()
        self.exercise_choice.setAccessibleName("Exercise")
        self.plan_choice = QComboBox()
        self.plan_choice.setAccessibleName("Improvement plan")
        self.plan_choice.addItem("Every plan", None)
        self.month_choice = QComboBox()
        self.month_choice.setAccessibleName("Month")
        self.messages_edit = QPlainTextEdit()
        self.messages_edit.setAccessibleName("Key messages for the monthly report")
        self.messages_edit.setPlaceholderText("What the month's audits showed, in a few lines")
        self.messages_edit.setTabChangesFocus(True)
        self.messages_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        tool_options = QWidget()
        options_column = QVBoxLayout(tool_options)
        options_column.setContentsMargins(0, 0, 0, 0)
        self.drafts_box = QCheckBox("Include &drafts (marked DRAFT)")
        self.drafts_box.setAccessibleName("Include audits not yet submitted")
        self.findings_box = QCheckBox("&Only cases with actions or good practice")
        self.findings_box.setAccessibleName(
            "Only cases with actions or noted good practice, as the council's procedure says")
        self.separate_box = QCheckBox("Save one &file per case, into a folder")
        self.separate_box.setAccessibleName("Save one file per case into a folder")
        for box in (self.drafts_box, self.findings_box):
            box.toggled.connect(lambda _on: self._tool_options_changed())
            options_column.addWidget(box)
        options_column.addWidget(self.separate_box)
        self.format_choice = QComboBox()
        self.format_choice.setAccessibleName("File format")
        self.format_choice.addItem("Excel workbook (XLSX), one sheet per table", "xlsx")
        self.format_choice.addItem("CSV file: one table", "csv")
        self.format_choice.currentIndexChanged.connect(lambda _i: self._format_changed())
        tables = QWidget()
        tables_row = QHBoxLayout(tables)
        tables_row.setContentsMargins(0, 0, 0, 0)
        self.table_group = QButtonGroup(self)
        self.table_boxes: dict[str, QCheckBox] = {}
        for table, text in zip(KINDS, ("Au&dits", "A&nswers", "A&ctions"), strict=True):
            box = QCheckBox(text)
            box.setAccessibleName(f"Export the {table}")
            box.setChecked(True)
            box.toggled.connect(lambda _on: self._enable())
            self.table_boxes[table] = box
            tables_row.addWidget(box)
        tables_row.addStretch(1)
        dates = QWidget()
        dates_row = QHBoxLayout(dates)
        dates_row.setContentsMargins(0, 0, 0, 0)
        self.any_date = QCheckBox("&Any date")
        self.any_date.setAccessibleName("Export audits of any date")
        self.any_date.setChecked(True)
        self.from_date = QDateEdit()
        self.from_date.setAccessibleName("Audits dated from")
        self.to_date = QDateEdit()
        self.to_date.setAccessibleName("Audits dated until")
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        self.from_date.dateChanged.connect(self.to_date.setMinimumDate)
        self.any_date.toggled.connect(lambda _on: self._enable())
        to_label = plain_label("until")
        dates_row.addWidget(self.any_date)
        dates_row.addWidget(self.from_date)
        dates_row.addWidget(to_label)
        dates_row.addWidget(self.to_date)
        dates_row.addStretch(1)

        self.form = QFormLayout()
        self.rows: dict[str, tuple[QLabel, QWidget]] = {}
        for field, text, widget in (
                ("kind", "Rep&ort", self.kind_choice),
                ("week", "&Week", self.week_choice),
                ("auditor", "A&uditor", self.auditor_choice),
                ("tool_options", "Cases", tool_options),
                ("month", "&Month", self.month_choice),
                ("exercise", "E&xercise", self.exercise_choice),
                ("plan", "P&lan", self.plan_choice),
                ("messages", "&Key messages", self.messages_edit),
                ("format", "Fo&rmat", self.format_choice),
                ("tables", "Tables", tables),
                ("dates", "Dates", dates)):
            label = plain_label(text)
            label.setBuddy(widget if field not in ("tables", "dates", "tool_options") else
                           self.table_boxes["audits"] if field == "tables" else
                           self.drafts_box if field == "tool_options" else self.any_date)
            self.form.addRow(label, widget)
            self.rows[field] = (label, widget)

        self.preview_button = QPushButton("Pre&view")
        self.preview_button.setAccessibleName("Preview the report")
        self.preview_button.clicked.connect(self.refresh)
        self.save_button = QPushButton("&Save…")
        self.save_button.setAccessibleName("Save the report")
        self.save_button.clicked.connect(self.save_report)
        self.print_button = QPushButton("&Print…")
        self.print_button.setAccessibleName("Print the report")
        self.print_button.clicked.connect(self.print_report)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.save_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.print_line = plain_label(PRINT_NOTE)
        self.print_line.setAccessibleName("How printing works")
        self.print_line.setWordWrap(True)
        self.saver = ReportSaver(self.host)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(self.form)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.print_line)
        left_layout.addWidget(self.saver)
        left_layout.addStretch(1)

        self.summary = plain_label("")
        self.summary.setAccessibleName("What the report holds")
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # Room for three lines: beside a stretching table a wrapped label gets one.
        self.summary.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.preview_model = TextTableModel(("",), self)
        self.preview_table = CopyableTableView(self.preview_model, "report_preview")
        self.preview_table.setAccessibleName("Preview of the report")
        self.preview_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.preview_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.preview_table.setTabKeyNavigation(False)
        self.preview_table.selectionModel().selectionChanged.connect(
            lambda *_a: self._selection_moved())
        # Every column inside the pane (at 1024x700 Status was cut): words wrap first.
        self.preview_fit = ColumnFit(self.preview_table)
        contents = QWidget()
        contents_layout = QVBoxLayout(contents)
        contents_layout.addWidget(self.summary)
        contents_layout.addWidget(self.preview_table, 1)
        self.pages = PdfPages()
        self.preview_tabs = QTabWidget()
        self.preview_tabs.setAccessibleName("Preview")
        self.preview_tabs.addTab(contents, "Con&tents")
        self.preview_tabs.addTab(self.pages, "Pa&ges")
        self.preview_tabs.currentChanged.connect(lambda _i: self._pages_wanted())
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.preview_tabs, 1)

        # The preview keeps its share of the width: Qt's own share-out left it 40% of a
        # 1024-pixel window, its columns wrapped, beside a form with room to spare.
        self.splitter = ShareSplitter(PREVIEW_SHARE)
        self.splitter.setObjectName("reports_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        order: list[QWidget] = [self.kind_choice, self.week_choice, self.auditor_choice,
                                self.drafts_box, self.findings_box, self.separate_box,
                                self.month_choice, self.messages_edit,
                                self.exercise_choice, self.plan_choice, self.format_choice,
                                *self.table_boxes.values(), self.any_date, self.from_date,
                                self.to_date, self.preview_button, self.save_button,
                                self.print_button, self.saver.line.open_button,
                                self.preview_table]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.saver.saved.connect(lambda _path: self._enable())
        self.saver.gave_up.connect(self._enable)
        self._fill_periods()

    def restore_state(self, settings: QSettings) -> None:
        """The person's divider, as the preview's share of the width."""
        super().restore_state(settings)
        self.splitter.read()

    def _fill_periods(self) -> None:
        """This week and month first, then earlier ones (the host's clock: tests fix it)."""
        today = host_today(self.host)
        if today == self._periods_of:
            return
        self._periods_of = today
        fill_weeks(self.week_choice, today)
        self.month_choice.clear()
        first = today.replace(day=1)
        for _ in range(MONTHS_BACK):
            self.month_choice.addItem(first.strftime("%B %Y"), f"{first:%Y-%m}")
            first = (first - dt.timedelta(days=1)).replace(day=1)
        start = QDate(today.year, today.month, 1)
        self.from_date.setDate(start)
        self.to_date.setDate(QDate(today.year, today.month, today.day))

    # -- the choice -------------------------------------------------------------------
    def kind(self) -> ReportKind:
        key = self.kind_choice.currentData()
        return next(k for k in self.kinds if k.key == key)

    def choose(self, key: str) -> None:
        """Show the report ``key`` (a screen elsewhere may open a report directly)."""
        self.kind_choice.setCurrentIndex(self.kind_choice.findData(key))

    def week(self) -> str:
        """The week chosen, or the one typed (its first word: "2026-W47 (16 to …)"; in
        either case: "2026-w47")."""
        index = self.week_choice.findText(self.week_choice.currentText())
        if index >= 0:
            return str(self.week_choice.itemData(index))
        typed = self.week_choice.currentText().split()
        return typed[0].upper() if typed else ""

    def week_choice_made(self) -> WeekChoice:
        """Which of the week's audits the case tools hold, as ticked."""
        return WeekChoice(drafts=self.drafts_box.isChecked(),
                          findings_only=self.findings_box.isChecked())

    def _tool_options_changed(self) -> None:
        """Drafts or findings ticked: the week's list (and its pages) read again."""
        if self.kind() is CASE_TOOLS and self.host.store is not None:
            self.refresh()

    def tables(self) -> tuple[str, ...]:
        return tuple(k for k, box in self.table_boxes.items() if box.isChecked())

    def period(self) -> Period:
        if self.any_date.isChecked():
            return Period()
        start, end = self.from_date.date().toPython(), self.to_date.date().toPython()
        assert isinstance(start, dt.date) and isinstance(end, dt.date)  # typed as object
        return Period(start, end)

    def _kind_changed(self) -> None:
        fields = self.kind().fields | {"kind"}
        for field, (label, widget) in self.rows.items():
            label.setVisible(field in fields)
            widget.setVisible(field in fields)
        self.preview = None
        self.summary.setText("")
        self.preview_model.set_rows([], ("",))
        self._pages_generation += 1
        self._pages_of = None
        self.pages.clear("")
        self._enable()
        if self.host.store is not None and not self.stale:
            self.refresh()

    def _format_changed(self) -> None:
        """A CSV file holds one table: the table boxes become a choice of one."""
        csv = self.format_choice.currentData() == "csv"
        if csv:
            ticked = self.tables() or ("audits",)
            for kind, box in self.table_boxes.items():
                box.setChecked(kind == ticked[0])
        for box in self.table_boxes.values():
            if csv:
                self.table_group.addButton(box)
            else:
                self.table_group.removeButton(box)
        self.table_group.setExclusive(csv)
        self._enable()

    def _enable(self) -> None:
        kind = self.kind()
        ready = self.host.store is not None and not self.saver.busy
        if kind is EXPORT:
            ready = ready and bool(self.tables())
        if kind is SUMMARY:
            ready = ready and self.exercise_choice.currentData() is not None
        self.from_date.setEnabled(not self.any_date.isChecked())
        self.to_date.setEnabled(not self.any_date.isChecked())
        self.save_button.setEnabled(ready)
        self.preview_button.setEnabled(ready)
        if kind is CASE_TOOLS:
            self.print_button.setEnabled(ready and self.preview is not None
                                         and bool(self.preview.audit_ids))
        else:
            self.print_button.setEnabled(ready and kind.writes == "pdf")

    # -- reading ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the preview of the report chosen (F5, Preview, or a new choice)."""
        if self.host.store is None:
            return
        self._fill_periods()
        if not self._choices_read:
            self._read_choices()  # the preview follows when they arrive
            return
        kind, week, auditor = self.kind(), self.week(), self.auditor_choice.currentData()
        month, tables, period = self.month_choice.currentData(), self.tables(), self.period()
        exercise, plan = self.exercise_choice.currentData(), self.plan_choice.currentData()
        choice = self.week_choice_made()
        if (kind is EXPORT and not tables) or (kind is SUMMARY and exercise is None):
            self._generation += 1
            self._show(self._generation, Preview(
                "Tick a table to export." if kind is EXPORT else
                "No exercise has been recorded: there is nothing to summarise.", ("",), []))
            return

        def read(ctx: ServiceContext) -> Preview:
            if kind is CASE_TOOLS:
                return report_previews.case_tools(ctx, week, auditor, choice)
            if kind is WEEKLY:
                return report_previews.weekly(ctx, week)
            if kind is MONTHLY:
                return report_previews.monthly(ctx, month)
            if kind is SUMMARY:
                return report_previews.summary(ctx, exercise)
            if kind is PLAN:
                return report_previews.plan(ctx, plan)
            return report_previews.export(ctx, tables, period)

        self._generation += 1
        generation = self._generation
        self.summary.setText("Reading what the report holds…")
        (self.host.call("Reading the preview", read, dialog=False)
         .success(lambda shown: self._show(generation, shown))
         .failure(lambda exc: self._unreadable(generation, exc))
         .run())

    def _read_choices(self) -> None:
        self.host.call("Reading the auditors, exercises and plans", report_choices,
                       dialog=False).success(self._choices_known).run()

    #: What the choice lists show: a change to any of them reads them again.
    CHOICES: ClassVar[frozenset[Kind]] = frozenset({User, ExerciseSummary, ImprovementPlan})

    def forget_choices(self) -> None:
        self._choices_read = False

    def data_changed(self, what: ChangeSet) -> None:
        if what.touches(self.CHOICES):
            self._choices_read = False
        super().data_changed(what)

    def _choices_known(self, found: ReportChoices) -> None:
        """Fill the three lists anew (two reads in flight once listed everyone twice),
        keeping what was chosen where it is still there."""
        self._choices_read = True
        user = self.host.user
        chosen = (self.auditor_choice.currentData(), self.exercise_choice.currentData(),
                  self.plan_choice.currentData())
        for box in (self.auditor_choice, self.plan_choice):
            while box.count() > 1:  # "Everyone" / "Every plan" stay first
                box.removeItem(box.count() - 1)
        self.exercise_choice.clear()
        for person in found.auditors:
            self.auditor_choice.addItem(person.name, person.id)
        if user is not None and "auditor" in user.roles:
            mine = self.auditor_choice.findData(user.id)
            if mine >= 0 and self.auditor_choice.currentIndex() == 0:
                self.auditor_choice.setCurrentIndex(mine)
        for exercise in found.exercises:
            dates = (f" ({exercise.period_from:%d/%m/%Y})" if exercise.period_from else "")
            self.exercise_choice.addItem(exercise.title + dates, exercise.id)
        for plan in found.plans:
            self.plan_choice.addItem(plan.title, plan.id)
        for box, data in zip((self.auditor_choice, self.exercise_choice, self.plan_choice),
                             chosen, strict=True):
            found_at = box.findData(data) if data is not None else -1
            if found_at >= 0:
                box.setCurrentIndex(found_at)
        self.refresh()

    def _show(self, generation: int, shown: Preview) -> None:
        if generation != self._generation:
            return
        self.preview = shown
        self.summary.setText(shown.summary)
        self.preview_model.set_rows(shown.rows, shown.headers)  # preview_fit sizes it
        self._enable()
        self._choice_moved()
        self.previewed.emit(shown)

    def _unreadable(self, generation: int, exc: BaseException) -> None:
        """A wrong week typed, say: the sentence goes where the preview would be."""
        if generation != self._generation:
            return
        self.preview = None
        self.preview_model.set_rows([], ("",))
        if isinstance(exc, UserError):
            self.summary.setText(f"No preview: {exc.message}")
        else:
            self.summary.setText("No preview.")
            show_error(self, exc, self.host.db_path)
        self._enable()

    def _selection_moved(self) -> None:
        self._enable()

    # -- saving and printing --------------------------------------------------------------
    def save(self) -> bool:
        """Ctrl+S saves the report chosen."""
        if not self.save_button.isEnabled():
            return False
        self.save_report()
        return True

    def save_report(self) -> None:
        kind, week, auditor = self.kind(), self.week(), self.auditor_choice.currentData()
        if kind is CASE_TOOLS and self.separate_box.isChecked():
            choice = self.week_choice_made()

            def said(result: BatchResult, folder: Path) -> str:
                count = len(result.files)
                return (f"Saved {count} case tool{'s' if count != 1 else ''} of {week} "
                        f"in {folder}.")

            self.saver.save_folder(f"Folder for the case tools of {week}",
                                   "Writing the week's case tools",
                                   lambda ctx, folder: week_case_tools(ctx, auditor, week,
                                                                       folder, choice), said)
        elif kind is CASE_TOOLS:
            self._save_pdf(kind, then=None)
        elif kind is EXPORT:
            fmt, tables, period = self.format_choice.currentData(), self.tables(), self.period()
            name = f"dipsample-{'-'.join(tables)}.{fmt}"
            self.saver.save_file("Save the export", name,
                                 XLSX_FILTER if fmt == "xlsx" else CSV_FILTER,
                                 "Writing the export",
                                 lambda ctx, path: export(ctx, fmt, path, kinds=tables,
                                                          period=period))
        else:
            self._save_pdf(kind, then=None)

    def _pdf_writer(self, kind: ReportKind
                    ) -> tuple[str, Callable[[ServiceContext, Path], object]] | None:
        """The file name offered and the writer of the PDF report ``kind``, with the
        fields as chosen now (None: nothing chosen to write)."""
        week, month = self.week(), self.month_choice.currentData()
        messages = self.messages_edit.toPlainText()
        exercise, plan = self.exercise_choice.currentData(), self.plan_choice.currentData()
        if kind is CASE_TOOLS:
            auditor, choice = self.auditor_choice.currentData(), self.week_choice_made()
            return (f"case-tools_{week}.pdf",
                    lambda ctx, path: week_case_tools_pdf(ctx, auditor, week, path, choice))
        if kind is WEEKLY:
            from desktop.reports.weekly import weekly_pdf

            return (f"weekly-report_{week}.pdf",
                    lambda ctx, path: weekly_pdf(ctx, week, path))
        if kind is SUMMARY:
            from desktop.reports.summary import summary_pdf

            return None if exercise is None else (
                f"exercise-summary_{exercise[:8]}.pdf",
                lambda ctx, path: summary_pdf(ctx, exercise, path))
        if kind is PLAN:
            from desktop.reports.plan import plan_pdf

            return (f"improvement-plan_{plan[:8] if plan else 'all'}.pdf",
                    lambda ctx, path: plan_pdf(ctx, path, plan))
        return (f"monthly-qa-report_{month}.pdf",
                lambda ctx, path: monthly_pdf(ctx, month, path, messages))

    def _save_pdf(self, kind: ReportKind, then: Callable[[Path], None] | None) -> None:
        """Ask where, then write the PDF report ``kind``."""
        chosen = self._pdf_writer(kind)
        if chosen is None:
            return
        name, write = chosen
        what = kind.title[0].lower() + kind.title[1:]
        said = None
        if kind is CASE_TOOLS:
            week = self.week()

            def said(result: object, path: Path) -> str:
                count = len(result.audit_ids) if isinstance(result, WeekResult) else 0
                return (f"Saved {count} case tool{'s' if count != 1 else ''} of {week} in "
                        f"{path.name} ({path.parent}), a bookmark per case.")

        self.saver.save_file(f"Save the {what}", name, PDF_FILTER, f"Writing the {what}",
                             write, said, then=then)

    # -- pages and printing -----------------------------------------------------------
    def _page_source(self) -> tuple[tuple[object, ...], str,
                                    Callable[[ServiceContext, Path], object]] | str:
        """What the Pages tab and Print show now: a key (the choice it depends on), a
        name and the PDF's writer; or the sentence saying why there are no pages."""
        kind = self.kind()
        if kind is EXPORT:
            return "An export is a spreadsheet: it has no pages. Contents shows its rows."
        if kind is CASE_TOOLS and (self.preview is None or not self.preview.audit_ids):
            return "No case tools in the week as chosen: nothing to show."
        chosen = self._pdf_writer(kind)
        if chosen is None:
            return "Choose what the report is about to see its pages."
        what = kind.title[0].lower() + kind.title[1:]
        if kind is CASE_TOOLS:
            what = f"case tools of {self.week()}"
        key = (kind.key, self.week(), self.month_choice.currentData(),
               self.messages_edit.toPlainText(), self.exercise_choice.currentData(),
               self.plan_choice.currentData(), self.auditor_choice.currentData(),
               self.week_choice_made())
        return key, f"the {what}", chosen[1]

    def _pages_wanted(self) -> None:
        """The Pages tab is showing: draw the report's pages unless they are on show."""
        if self.preview_tabs.currentWidget() is self.pages and self.host.store is not None:
            self.load_pages()

    def load_pages(self, then: Callable[[], None] | None = None) -> None:
        """Write the chosen report's PDF on the worker and show its pages."""
        source = self._page_source()
        if isinstance(source, str):
            self._pages_of = None
            self.pages.clear(source)
            return
        key, what, write = source
        if key == self._pages_of and self.pages.document is not None:
            if then is not None:
                then()
            return
        self._pages_generation += 1
        generation = self._pages_generation
        self.pages.clear(f"Drawing the pages of {what}…")

        def shown(data: bytes) -> None:
            if generation != self._pages_generation:
                return
            self._pages_of = key
            self.pages.show_pdf(data, what)
            if then is not None and self.pages.document is not None:
                then()

        def failed(exc: BaseException) -> None:
            if generation != self._pages_generation:
                return
            self.pages.clear(f"No pages: {exc.message}" if isinstance(exc, UserError) else
                             "No pages.")
            if not isinstance(exc, UserError):
                show_error(self, exc, self.host.db_path)

        (self.host.call(f"Drawing the pages of {what}", lambda ctx: pdf_bytes(ctx, write))
         .success(shown).failure(failed)
         .cancelled(lambda: self.pages.clear("Cancelled: no pages drawn.")).run())

    def _choice_moved(self) -> None:
        """The pages on show no longer match the choice: draw them again if showing."""
        self._pages_generation += 1
        self._pages_of = None
        self.pages.clear("")
        self._pages_wanted()

    def print_report(self) -> None:
        """The system's print dialog for the report chosen, its pages drawn first."""
        if not self.print_button.isEnabled():
            return
        self.load_pages(then=self._ask_printer)

    def _ask_printer(self) -> None:
        if self.print_dialog is not None or self.print_job is not None:
            return
        if self.printer is None:
            self.printer = owned_printer(self)  # kept: the dialog remembers the choice
        dialog = QtPrintSupport.QPrintDialog(self.printer, self)
        dialog.setWindowTitle("Print")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.print_dialog = dialog
        dialog.accepted.connect(self._print)
        dialog.finished.connect(lambda _code: setattr(self, "print_dialog", None))
        QDialog.open(dialog)  # QPrintDialog.open() in PySide6 wants a receiver and a slot

    def _print(self) -> None:
        data, printer = self.pages.data, self.printer
        if data is None or printer is None:
            return
        pages_of = self._pages_of
        printed = (tuple(self.preview.audit_ids) if self.preview is not None and pages_of
                   and pages_of[0] == CASE_TOOLS.key else ())
        job = PrintJob(data, printer, self)
        self.print_job = job

        def finished(done: bool) -> None:
            self.print_job = None
            job.deleteLater()
            count = job.printed
            if not done:
                self.saver.line.said("Printing was cancelled or the printer refused it.")
                return
            self.saver.line.said(f"Sent {count} page{'' if count == 1 else 's'} to "
                                 f"{printer.printerName() or 'the printer'}.")
            if printed:
                self.host.call("Recording the print", lambda ctx: _log_prints(ctx, printed),
                               dialog=False).run()

        job.finished.connect(finished)
        job.start()


def _log_prints(ctx: ServiceContext, audit_ids: tuple[str, ...]) -> None:
    """One print entry per case tool printed, in one transaction (a week is 450)."""
    with ctx.store.transaction() as session:
        log_changes(session, ctx, [("print", "audit", audit_id, {"report": "case_tool"})
                                   for audit_id in audit_ids])
