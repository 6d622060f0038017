"""What a person chooses on the Reports screen: the report, its period and its options.

Why a panel of its own: the choice is a form of a dozen controls (the report, the week,
the auditor, the month, the key messages, the exercise, the plan, the case tools'
options, the export's format, tables and dates), each shown only for the reports that
use it. The Reports screen reads the choice as one :class:`ReportChoice`, a snapshot:
the preview, the Pages tab and Save each run on the worker from the choice as it was
when asked, whatever the person ticks meanwhile.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from dataclasses import dataclass

from desktop.qt import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.reporting.case_tool import WeekChoice
from desktop.services.reporting.choices import ReportChoices
from desktop.services.reporting.exports import KINDS, Period
from desktop.services.users import Person
from desktop.views.periods import fill_weeks
from desktop.views.plain import plain_label

#: Months offered, counting back from this one.
MONTHS_BACK = 12


@dataclass(frozen=True)
class ReportKind:
    """One choice of the report list: which fields it asks for and what it writes."""

    key: str
    title: str
    fields: frozenset[str]
    #: "pdf", or "table" (XLSX or CSV).
    writes: str

    def what(self) -> str:
        """The title as a sentence says it ("Save the monthly quality assurance…")."""
        return self.title[0].lower() + self.title[1:]


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


@dataclass(frozen=True)
class ReportChoice:
    """The report as chosen at one moment.

    Attributes:
        kind: the report.
        week: the ISO week chosen or typed ("2026-W47"); month: "YYYY-MM".
        auditor, exercise, plan: ids chosen (None: everyone, none recorded, every plan).
        messages: the monthly report's key messages.
        tables, period, file_format: the export's.
        tools: which of the week's audits the case tools hold; separate: one file each.
    """

    kind: ReportKind
    week: str
    auditor: str | None
    month: str
    messages: str
    exercise: str | None
    plan: str | None
    tables: tuple[str, ...]
    period: Period
    file_format: str
    tools: WeekChoice
    separate: bool

    def missing(self) -> str | None:
        """Why nothing can be read or written as chosen, or None when something can."""
        if self.kind is EXPORT and not self.tables:
            return "Tick a table to export."
        if self.kind is SUMMARY and self.exercise is None:
            return "No exercise has been recorded: there is nothing to summarise."
        return None

    def pages_key(self) -> tuple[object, ...]:
        """What a PDF report's pages depend on: pages drawn for an equal key are still
        the report as chosen (the export's fields and "one file per case" are not)."""
        return (self.kind.key, self.week, self.month, self.messages, self.exercise,
                self.plan, self.auditor, self.tools)


class ReportChoicePanel(QWidget):
    """The form that chooses a report: one row per field, shown for the reports using it.

    Signals:
        kind_changed(): another report was chosen (its rows are shown already).
        tool_options_changed(): drafts or "only findings" ticked (the week's list
            changes).
        tables_changed(): the export's tables, format or "any date" changed (what may
            be saved changes).

    Attributes:
        kinds: the reports offered.
        kind_choice: the report; week_choice, auditor_choice, month_choice,
            messages_edit, exercise_choice, plan_choice, drafts_box, findings_box,
            separate_box, format_choice, table_boxes, any_date, from_date, to_date:
            its fields.
        rows: each field's label and control, by field name.
    """

    kind_changed = Signal()
    tool_options_changed = Signal()
    tables_changed = Signal()
    #: The week, month, auditor, exercise, plan or dates chosen changed: a preview or
    #: pages on show are of the old choice.
    choice_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kinds = available_kinds()
        #: The day the week and month lists count back from.
        self._periods_of: dt.date | None = None
        self._build_lists()
        tool_options = self._build_tool_options()
        tables = self._build_tables()
        dates = self._build_dates()
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.rows: dict[str, tuple[QLabel, QWidget]] = {}
        for field, text, widget, buddy in (
                ("kind", "Rep&ort", self.kind_choice, None),
                ("week", "&Week", self.week_choice, None),
                ("auditor", "A&uditor", self.auditor_choice, None),
                ("tool_options", "Cases", tool_options, self.drafts_box),
                ("month", "&Month", self.month_choice, None),
                ("exercise", "E&xercise", self.exercise_choice, None),
                ("plan", "P&lan", self.plan_choice, None),
                ("messages", "&Key messages", self.messages_edit, None),
                ("format", "Fo&rmat", self.format_choice, None),
                ("tables", "Tables", tables, self.table_boxes["audits"]),
                ("dates", "Dates", dates, self.any_date)):
            label = plain_label(text)
            label.setBuddy(buddy or widget)
            self.form.addRow(label, widget)
            self.rows[field] = (label, widget)
        self.kind_choice.currentIndexChanged.connect(lambda _i: self._kind_chosen())
        self._show_rows()

    # -- layout -----------------------------------------------------------------------
    def _build_lists(self) -> None:
        """The report and the lists and text of its period and subject."""
        self.kind_choice = QComboBox()
        self.kind_choice.setAccessibleName("Report")
        for kind in self.kinds:
            self.kind_choice.addItem(kind.title, kind.key)
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

    def _build_tool_options(self) -> QWidget:
        """The case tools' options: drafts, only findings, one file per case."""
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
            box.toggled.connect(lambda _on: self._tool_options_ticked())
            options_column.addWidget(box)
        options_column.addWidget(self.separate_box)
        return tool_options

    def _build_tables(self) -> QWidget:
        """The export's format and the tables it holds (one, for a CSV file)."""
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
            box.toggled.connect(lambda _on: self.tables_changed.emit())
            self.table_boxes[table] = box
            tables_row.addWidget(box)
        tables_row.addStretch(1)
        return tables

    def _build_dates(self) -> QWidget:
        """The export's dates: any, or from one day until another."""
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
        for box in (self.week_choice, self.month_choice, self.auditor_choice,
                    self.exercise_choice, self.plan_choice):
            box.currentTextChanged.connect(lambda _text: self.choice_changed.emit())
        for edit in (self.from_date, self.to_date):
            edit.dateChanged.connect(lambda _day: self.choice_changed.emit())
        self.any_date.toggled.connect(lambda _on: self._any_date_ticked())
        dates_row.addWidget(self.any_date)
        dates_row.addWidget(self.from_date)
        dates_row.addWidget(plain_label("until"))
        dates_row.addWidget(self.to_date)
        dates_row.addStretch(1)
        self._any_date_ticked()
        return dates

    def focus_order(self) -> list[QWidget]:
        """The controls in the order Tab visits them (the form's order)."""
        return [self.kind_choice, self.week_choice, self.auditor_choice, self.drafts_box,
                self.findings_box, self.separate_box, self.month_choice, self.messages_edit,
                self.exercise_choice, self.plan_choice, self.format_choice,
                *self.table_boxes.values(), self.any_date, self.from_date, self.to_date]

    # -- filling ----------------------------------------------------------------------
    def fill_periods(self, today: dt.date) -> None:
        """This week and month first, then earlier ones, counted back from ``today``
        (the host's clock: tests fix it); nothing to do on the same day."""
        if today == self._periods_of:
            return
        self._periods_of = today
        fill_weeks(self.week_choice, today)
        self.month_choice.clear()
        first = today.replace(day=1)
        for _ in range(MONTHS_BACK):
            self.month_choice.addItem(first.strftime("%B %Y"), f"{first:%Y-%m}")
            first = (first - dt.timedelta(days=1)).replace(day=1)
        self.from_date.setDate(QDate(today.year, today.month, 1))
        self.to_date.setDate(QDate(today.year, today.month, today.day))

    def show_choices(self, found: ReportChoices, user: Person | None) -> None:
        """Fill the auditors, exercises and plans anew (two reads in flight once listed
        everyone twice), keeping what was chosen where it is still there; an auditor
        signed in is chosen at first."""
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

    def tables(self) -> tuple[str, ...]:
        return tuple(k for k, box in self.table_boxes.items() if box.isChecked())

    def period(self) -> Period:
        if self.any_date.isChecked():
            return Period()
        start, end = self.from_date.date().toPython(), self.to_date.date().toPython()
        assert isinstance(start, dt.date) and isinstance(end, dt.date)  # typed as object
        return Period(start, end)

    def chosen(self) -> ReportChoice:
        """The report as chosen now."""
        return ReportChoice(
            kind=self.kind(), week=self.week(), auditor=self.auditor_choice.currentData(),
            month=self.month_choice.currentData(),
            messages=self.messages_edit.toPlainText(),
            exercise=self.exercise_choice.currentData(),
            plan=self.plan_choice.currentData(), tables=self.tables(),
            period=self.period(), file_format=self.format_choice.currentData(),
            tools=self.week_choice_made(), separate=self.separate_box.isChecked())

    # -- reacting ---------------------------------------------------------------------
    def _show_rows(self) -> None:
        """Only the fields the report chosen uses."""
        fields = self.kind().fields | {"kind"}
        for field, (label, widget) in self.rows.items():
            label.setVisible(field in fields)
            widget.setVisible(field in fields)

    def _kind_chosen(self) -> None:
        self._show_rows()
        self.kind_changed.emit()

    def _tool_options_ticked(self) -> None:
        """Drafts or findings ticked: the week's list (and its pages) change, for the
        case tools only."""
        if self.kind() is CASE_TOOLS:
            self.tool_options_changed.emit()

    def _any_date_ticked(self) -> None:
        self.from_date.setEnabled(not self.any_date.isChecked())
        self.to_date.setEnabled(not self.any_date.isChecked())
        self.tables_changed.emit()

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
        self.tables_changed.emit()
