"""The Reports screen: choose a report and its period, see what it holds, save or print.

Why a preview first: a report is chosen by its period (a week, a month, dates) and a
person wants to see that the period holds what they expect (the week's audits, the
month's estimates) before writing a folder of PDFs or a spreadsheet. The Contents tab
lists what it holds; the Pages tab shows the PDF's pages as they will print.

The screen is three parts: the choice (:mod:`desktop.views.report_choice`, a panel of
the report's fields), the preview it reads here, and what comes out
(:mod:`desktop.views.report_output`: saving, the pages, printing). The screen composes
them, reads the preview and the choice lists through its host, and keeps the buttons
in step.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import ClassVar

from desktop.errors import UserError
from desktop.models import Action, Audit, ExerciseSummary, ImprovementPlan, User
from desktop.qt import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QSettings,
    Qt,
    QTabWidget,
    QtPrintSupport,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.auth.roles import Permission
from desktop.services.change_sets import ChangeSet, Kind
from desktop.services.context import ServiceContext
from desktop.services.reporting.case_tool import WeekChoice
from desktop.services.reporting.choices import ReportChoices, report_choices
from desktop.services.reporting.exports import Period
from desktop.views import report_previews
from desktop.views.fit_columns import ColumnFit
from desktop.views.pdf_pages import PrintJob
from desktop.views.periods import host_today
from desktop.views.plain import plain_label
from desktop.views.report_choice import (
    CASE_TOOLS,
    EXPORT,
    MONTHLY,
    PLAN,
    SUMMARY,
    WEEKLY,
    ReportChoice,
    ReportChoicePanel,
    ReportKind,
)
from desktop.views.report_output import ReportOutput
from desktop.views.report_previews import Preview
from desktop.views.screen import Host, Screen
from desktop.views.split_share import ShareSplitter
from desktop.views.text_table import CopyableTableView, TextTableModel
from desktop.views.worker import show_error

__all__ = ["CASE_TOOLS", "EXPORT", "MONTHLY", "PLAN", "SUMMARY", "WEEKLY", "ReportKind",
           "ReportsScreen", "preview_reader"]

#: The preview's share of the screen's width, until the person moves the divider.
PREVIEW_SHARE = 0.55

PRINT_NOTE = ("Print opens your system's print dialog for the report as chosen (a week's "
              "case tools: all of them, each from a new page); Pages shows it as it will "
              "print.")


def preview_reader(choice: ReportChoice) -> Callable[[ServiceContext], Preview]:
    """What the Contents tab shows for ``choice``, to be read on the worker."""
    kind = choice.kind

    def read(ctx: ServiceContext) -> Preview:
        if kind is CASE_TOOLS:
            return report_previews.case_tools(ctx, choice.week, choice.auditor, choice.tools)
        if kind is WEEKLY:
            return report_previews.weekly(ctx, choice.week)
        if kind is MONTHLY:
            return report_previews.monthly(ctx, choice.month)
        if kind is SUMMARY:
            assert choice.exercise is not None  # ReportChoice.missing() says so first
            return report_previews.summary(ctx, choice.exercise)
        if kind is PLAN:
            return report_previews.plan(ctx, choice.plan)
        return report_previews.export(ctx, choice.tables, choice.period)

    return read


class ReportsScreen(Screen):
    """Signals:
        previewed(object): a preview is on screen (the Preview shown).

    Attributes:
        choices: the choice panel. Its controls are reached from the screen too:
            kind_choice (the report); week_choice, auditor_choice, month_choice,
            messages_edit, exercise_choice, plan_choice, drafts_box, findings_box,
            separate_box, format_choice, table_boxes, any_date, from_date, to_date
            (its fields, each shown only for the reports that use it).
        output: saving, the pages and printing; its saver (the file dialog, the
            writing and the "Saved … Open" line) and pages are reached from the
            screen too, and its print_dialog, print_job and printer.
        preview_button, save_button, print_button: the actions.
        preview: the Preview on show; summary, preview_model, preview_table,
            preview_tabs: where it shows.
    """

    key = "reports"
    needs = Permission.REPORTS
    title = "&Reports"
    #: The choice lists (auditors, exercises, plans) are read again with the rest.
    reads: ClassVar[frozenset[Kind]] = frozenset({Audit, Action, User, ExerciseSummary,
                                                  ImprovementPlan})
    #: What the choice lists show: a change to any of them reads them again.
    CHOICES: ClassVar[frozenset[Kind]] = frozenset({User, ExerciseSummary, ImprovementPlan})

    previewed = Signal(object)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.preview: Preview | None = None
        self._generation = 0
        self._choices_read = False
        self.choices = ReportChoicePanel()
        self.output = ReportOutput(host, self, self.choices.chosen, lambda: self.preview)
        self._point_into_parts()
        self._build()
        self._kind_changed()

    def _point_into_parts(self) -> None:
        """The parts' controls under the names the screen always gave them, so that a
        test or another screen says ``screen.week_choice``, not where it lives."""
        panel = self.choices
        self.kinds = panel.kinds
        self.kind_choice, self.week_choice = panel.kind_choice, panel.week_choice
        self.auditor_choice, self.month_choice = panel.auditor_choice, panel.month_choice
        self.exercise_choice, self.plan_choice = panel.exercise_choice, panel.plan_choice
        self.messages_edit = panel.messages_edit
        self.drafts_box, self.findings_box = panel.drafts_box, panel.findings_box
        self.separate_box = panel.separate_box
        self.format_choice, self.table_boxes = panel.format_choice, panel.table_boxes
        self.any_date, self.from_date, self.to_date = (panel.any_date, panel.from_date,
                                                       panel.to_date)
        self.saver, self.pages = self.output.saver, self.output.pages

    @property
    def print_dialog(self) -> QtPrintSupport.QPrintDialog | None:
        return self.output.print_dialog

    @property
    def print_job(self) -> PrintJob | None:
        return self.output.print_job

    @property
    def printer(self) -> QtPrintSupport.QPrinter | None:
        return self.output.printer

    # -- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        """The choice and its actions on the left, the preview on the right."""
        left = self._build_choice_side()
        right = self._build_preview_side()
        # The preview keeps its share of the width: Qt's own share-out left it 40% of a
        # 1024-pixel window, its columns wrapped, beside a form with room to spare.
        self.splitter = ShareSplitter(PREVIEW_SHARE)
        self.splitter.setObjectName("reports_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        order: list[QWidget] = [*self.choices.focus_order(), self.preview_button,
                                self.save_button, self.print_button,
                                self.saver.line.open_button, self.preview_table]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        self.choices.kind_changed.connect(self._kind_changed)
        self.choices.tool_options_changed.connect(self._tool_options_changed)
        self.choices.tables_changed.connect(self._enable)
        self.choices.choice_changed.connect(self._choice_changed)
        self.saver.saved.connect(lambda _path: self._enable())
        self.saver.gave_up.connect(self._enable)
        self._fill_periods()

    def _build_choice_side(self) -> QWidget:
        """The choice panel, the actions, how printing works, and the saved line."""
        self.preview_button = QPushButton("Pre&view")
        self.preview_button.setAccessibleName("Preview the report")
        self.preview_button.clicked.connect(self.refresh)
        self.save_button = QPushButton("&Save…")
        self.save_button.setAccessibleName("Save the report")
        self.save_button.clicked.connect(self.save_report)
        # Alt+I: Alt+P is the Pages tab's (Alt+G, its letter before, is the Go menu's).
        self.print_button = QPushButton("Pr&int…")
        self.print_button.setAccessibleName("Print the report")
        self.print_button.clicked.connect(self.print_report)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.save_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.print_line = plain_label(PRINT_NOTE)
        self.print_line.setAccessibleName("How printing works")
        self.print_line.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.choices)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.print_line)
        left_layout.addWidget(self.saver)
        left_layout.addStretch(1)
        return left

    def _build_preview_side(self) -> QWidget:
        """The Contents tab (a summary and the table of what the report holds) and the
        Pages tab."""
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
        self.preview_tabs = QTabWidget()
        self.preview_tabs.setAccessibleName("Preview")
        self.preview_tabs.addTab(contents, "Con&tents")
        self.preview_tabs.addTab(self.pages, "&Pages")
        self.preview_tabs.currentChanged.connect(lambda _i: self._pages_wanted())
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.preview_tabs, 1)
        return right

    def restore_state(self, settings: QSettings) -> None:
        """The person's divider, as the preview's share of the width."""
        super().restore_state(settings)
        self.splitter.read()

    def _fill_periods(self) -> None:
        """This week and month first, then earlier ones (the host's clock: tests fix it)."""
        self.choices.fill_periods(host_today(self.host))

    # -- the choice (the panel's, asked here by tests and other screens) -------------
    def kind(self) -> ReportKind:
        return self.choices.kind()

    def choose(self, key: str) -> None:
        """Show the report ``key`` (a screen elsewhere may open a report directly)."""
        self.choices.choose(key)

    def week(self) -> str:
        return self.choices.week()

    def week_choice_made(self) -> WeekChoice:
        return self.choices.week_choice_made()

    def tables(self) -> tuple[str, ...]:
        return self.choices.tables()

    def period(self) -> Period:
        return self.choices.period()

    def _tool_options_changed(self) -> None:
        """Drafts or findings ticked: the week's list (and its pages) read again."""
        if self.host.store is not None:
            self.refresh()

    def _kind_changed(self) -> None:
        """Another report: the last one's preview and pages go, this one's are read."""
        self.preview = None
        self.summary.setText("")
        self.saver.line.said("")  # the last report's "Saved …" is not this one's
        self.preview_model.set_rows([], ("",))
        self.output.forget_pages()
        self._enable()
        if self.host.store is not None and not self.stale:
            self.refresh()

    def _choice_changed(self) -> None:
        """Another week, month or person chosen: the preview and pages on show were of
        the old one (a user trial read last week's pages under the new week), so they
        go, and the saved line of the last report with them, until Preview reads anew."""
        self.saver.line.said("")
        if self.preview is None:
            return
        self._generation += 1  # a preview still being read is of the old choice too
        self.preview = None
        self.summary.setText("The choice changed: press Preview (F5) to read the report "
                             "it names.")
        self.preview_model.set_rows([], ("",))
        self.output.forget_pages()
        self._enable()

    def _enable(self) -> None:
        """The actions as the choice, the preview and a save under way allow."""
        choice = self.choices.chosen()
        ready = (self.host.store is not None and not self.saver.busy
                 and choice.missing() is None)
        self.save_button.setEnabled(ready)
        self.preview_button.setEnabled(ready)
        if choice.kind is CASE_TOOLS:
            self.print_button.setEnabled(ready and self.preview is not None
                                         and bool(self.preview.audit_ids))
        else:
            self.print_button.setEnabled(ready and choice.kind.writes == "pdf")

    # -- reading ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the preview of the report chosen (F5, Preview, or a new choice)."""
        if self.host.store is None:
            return
        self._fill_periods()
        if not self._choices_read:
            self._read_choices()  # the preview follows when they arrive
            return
        choice = self.choices.chosen()
        self._generation += 1
        generation = self._generation
        missing = choice.missing()
        if missing is not None:
            self._show(generation, Preview(missing, ("",), []))
            return
        self.summary.setText("Reading what the report holds…")
        (self.host.call("Reading the preview", preview_reader(choice), dialog=False)
         .success(lambda shown: self._show(generation, shown))
         .failure(lambda exc: self._unreadable(generation, exc))
         .run())

    def _read_choices(self) -> None:
        self.host.call("Reading the auditors, exercises and plans", report_choices,
                       dialog=False).success(self._choices_known).run()

    def forget_choices(self) -> None:
        self._choices_read = False

    def data_changed(self, what: ChangeSet) -> None:
        if what.touches(self.CHOICES):
            self._choices_read = False
        super().data_changed(what)

    def _choices_known(self, found: ReportChoices) -> None:
        """The three lists filled anew, then the preview of what is chosen in them."""
        self._choices_read = True
        self.choices.show_choices(found, self.host.user)
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

    # -- saving, pages and printing (the output's) --------------------------------------
    def save(self) -> bool:
        """Ctrl+S saves the report chosen."""
        if not self.save_button.isEnabled():
            return False
        self.save_report()
        return True

    def save_report(self) -> None:
        self.output.save()

    def _pages_wanted(self) -> None:
        """The Pages tab is showing: draw the report's pages unless they are on show."""
        if self.preview_tabs.currentWidget() is self.pages and self.host.store is not None:
            self.output.load_pages()

    def load_pages(self, then: Callable[[], None] | None = None) -> None:
        """Write the chosen report's PDF on the worker and show its pages."""
        self.output.load_pages(then)

    def _choice_moved(self) -> None:
        """The pages on show no longer match the choice: draw them again if showing."""
        self.output.forget_pages()
        self._pages_wanted()

    def print_report(self) -> None:
        """The system's print dialog for the report chosen, its pages drawn first."""
        if not self.print_button.isEnabled():
            return
        self.output.print_report()
