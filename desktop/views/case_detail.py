"""The detail of one case, beside the case list: identity, RAG history, compliance,
timeline.

Why a widget and not a screen: it is part of the case review (the Cases screen embeds
it to the right of the list, in a splitter) and has no navigation entry of its own.
It reads through the host's worker like a screen, so selecting cases quickly never
blocks the window; an answer for a case no longer selected is dropped.

Why the name sits behind a button: the pane shows initials; the full name is read only
when the person asks, and the service records that they did.
"""

from __future__ import annotations

from typing import Any

from desktop.qt import (
    QAbstractItemView,
    QBrush,
    QColor,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QModelIndex,
    QPushButton,
    Qt,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QtGui,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.case_detail import CaseDetail as Detail
from desktop.services.case_detail import TimelineEntry, case_detail, day_text, reveal_name
from desktop.services.context import ServiceContext
from desktop.views.fit_columns import ColumnFit
from desktop.views.plain import plain_label, plain_tip
from desktop.views.row_table import ROW_ROLE, Column, RowTableModel
from desktop.views.screen import Host

#: Background and text of a compliance status (light tints, dark text); the words in the
#: cell say the same, so colour is never the only signal.
STATUS_COLOURS = {"overdue": ("#f4c7c3", "#7a1712"), "due_soon": ("#fde3b3", "#6b4300"),
                  "met": ("#cdebd3", "#14532d")}
COMPLIANCE_HEADERS = ("Standard", "Due", "Last met", "Status")
NOTHING_SELECTED = "Select a case in the list to see its detail."
#: The identity's facts after the child: key and caption.
IDENTITY = (("born", "Date of birth:"), ("cohort", "Cohort:"), ("rag", "RAG:"),
            ("team", "Team:"), ("worker", "Worker:"), ("status", "Status:"),
            ("opened", "Opened:"))
#: The pane's width, in average characters, from which the identity takes two columns.
WIDE_CHARS = 76
#: RAG changes shown before the list scrolls; timeline rows always room for.
HISTORY_ROWS = 3
TIMELINE_ROWS = 4
#: The timeline's free text, giving way in this order, each down to this many average
#: characters (its detail, then what happened).
TIMELINE_FREE = {2: 12, 1: 18}

def _day(day: Any) -> str:
    return day_text(day) if day else ""


TIMELINE_COLUMNS: list[Column[TimelineEntry]] = [
    Column("Date", lambda e: _day(e.on), sort=lambda e: e.on.isoformat()),
    Column("What", lambda e: e.what),
    Column("Detail", lambda e: e.detail),
]


class CaseDetail(QWidget):
    """The selected case's detail.

    Signals:
        shown(CaseDetail): a case's detail is on screen (the service's dataclass).
        name_revealed(str): the full name is on screen (the case id; never the name).

    Attributes:
        detail: the detail shown, or None.
        name_label, reveal_button, rag_history, compliance, timeline: the parts a
            person reads and uses.
    """

    shown = Signal(object)
    name_revealed = Signal(str)

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setObjectName("case_detail")
        self.detail: Detail | None = None
        self._wanted: str | None = None
        self._build()
        self.clear()

    # -- layout -------------------------------------------------------------------
    def _build(self) -> None:
        self.heading = plain_label()
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)

        self.name_label = plain_label()
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name_label.setAccessibleName("Child")
        self.reveal_button = QPushButton("Show full &name")
        self.reveal_button.setAccessibleName("Show the child's full name")
        self.reveal_button.setToolTip("Shows the full name; the view is recorded in the "
                                      "event log")
        self.reveal_button.clicked.connect(self.reveal)
        self.child = QWidget()
        child = QHBoxLayout(self.child)
        child.setContentsMargins(0, 0, 0, 0)
        child.addWidget(self.name_label)
        child.addWidget(self.reveal_button)
        child.addStretch(1)  # the button beside the initials, not across the pane
        self.facts: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {"child": plain_label("Child:")}
        for key, label in IDENTITY:
            value = plain_label()
            value.setAccessibleName(label.rstrip(":"))
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)  # a long team name wraps in a narrow pane
            self.facts[key] = value
            self.captions[key] = plain_label(label)
        self.identity_grid = QGridLayout()
        self.identity_grid.setVerticalSpacing(2)
        self.identity_columns = 0
        self._arrange_identity(1)
        identity = QGroupBox("Identity")
        identity.setLayout(self.identity_grid)

        self.rag_history = QListWidget()
        self.rag_history.setObjectName("case_rag_history")
        self.rag_history.setAccessibleName("RAG history")
        self.rag_history.setWordWrap(True)
        history_label = plain_label("R&AG history")
        history_label.setBuddy(self.rag_history)

        self.compliance = QTableWidget(0, len(COMPLIANCE_HEADERS))
        self.compliance.setObjectName("case_compliance")
        self.compliance.setAccessibleName("Compliance with the practice standards")
        self.compliance.setHorizontalHeaderLabels(COMPLIANCE_HEADERS)
        self.compliance.verticalHeader().hide()
        self.compliance.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compliance.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.compliance.setTextElideMode(Qt.TextElideMode.ElideRight)  # the tooltip has all
        self.compliance.verticalHeader().setDefaultSectionSize(self._row_height())
        self.compliance.horizontalHeader().setStretchLastSection(True)
        # Every column inside the pane, each standard's name whole: in a narrow pane
        # (1024x700) the names wrap onto a second line, and only their rows grow.
        self.compliance_fit = ColumnFit(self.compliance)
        self.compliance_fit.fitted.connect(self._fit_compliance)
        compliance_label = plain_label("Com&pliance today")
        compliance_label.setBuddy(self.compliance)

        self.timeline_model: RowTableModel[TimelineEntry] = RowTableModel(TIMELINE_COLUMNS,
                                                                           self)
        self.timeline = QTableView()
        self.timeline.setObjectName("case_timeline")
        self.timeline.setAccessibleName("Timeline, newest first")
        self.timeline.setModel(self.timeline_model)
        self.timeline.verticalHeader().hide()
        self.timeline.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline.verticalHeader().setDefaultSectionSize(self._row_height())
        self.timeline.horizontalHeader().setStretchLastSection(True)
        # Inside the pane, one line a row (the rows a person scans): the detail and
        # then what happened give way, elided, their tooltips whole.
        self.timeline_fit = ColumnFit(self.timeline, lines=1, first_chars=TIMELINE_FREE)
        self.timeline.setMinimumHeight(self._row_height() * (TIMELINE_ROWS + 1) + 4)
        self.timeline.doubleClicked.connect(self._open_entry)
        timeline_label = plain_label("&Timeline (double-click an audit to open it)")
        timeline_label.setBuddy(self.timeline)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(identity)
        layout.addWidget(history_label)
        layout.addWidget(self.rag_history)
        layout.addWidget(compliance_label)
        layout.addWidget(self.compliance)
        layout.addWidget(timeline_label)
        layout.addWidget(self.timeline, 1)
        self.setTabOrder(self.reveal_button, self.rag_history)
        self.setTabOrder(self.rag_history, self.compliance)
        self.setTabOrder(self.compliance, self.timeline)

    def _row_height(self) -> int:
        """One line of text a row: the style's default row is nearly two."""
        return self.fontMetrics().height() + 6

    def _arrange_identity(self, columns: int) -> None:
        """The identity in one column of caption and value, or two side by side when
        the pane is wide (half the height: the timeline below gets the rows)."""
        if columns == self.identity_columns:
            return
        self.identity_columns = columns
        grid = self.identity_grid
        for widget in (*self.captions.values(), self.child, *self.facts.values()):
            grid.removeWidget(widget)
        rows = [("child", self.child), *((key, self.facts[key]) for key, _ in IDENTITY)]
        per_column = -(-len(rows) // columns)  # rounded up
        for number, (key, value) in enumerate(rows):
            row, column = number % per_column, 2 * (number // per_column)
            grid.addWidget(self.captions[key], row, column,
                           Qt.AlignmentFlag.AlignVCenter if key == "child"  # by the button
                           else Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, column + 1)
        for column in range(4):
            grid.setColumnStretch(column, 1 if column % 2 and column < 2 * columns else 0)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        wide = event.size().width() >= self.fontMetrics().averageCharWidth() * WIDE_CHARS
        self._arrange_identity(2 if wide else 1)
        super().resizeEvent(event)

    def _fit_history(self) -> None:
        """As tall as its changes, up to ``HISTORY_ROWS`` (then it scrolls)."""
        view = self.rag_history
        rows = min(max(view.count(), 1), HISTORY_ROWS)
        row = view.sizeHintForRow(0) if view.count() else self._row_height()
        view.setFixedHeight(rows * row + 2 * view.frameWidth() + 2)

    def _fit_compliance(self) -> None:
        """Each row as tall as its words at the columns' widths, and the table as tall
        as its rows: no blank space under them (the timeline below gets it)."""
        view = self.compliance
        view.resizeRowsToContents()
        rows = view.verticalHeader().length() if view.rowCount() else self._row_height()
        view.setFixedHeight(view.horizontalHeader().sizeHint().height() + rows
                            + 2 * view.frameWidth())

    # -- reading ------------------------------------------------------------------
    def clear(self) -> None:
        """No case selected."""
        self._wanted = None
        self.detail = None
        self.heading.setText(NOTHING_SELECTED)
        self.name_label.clear()
        self.reveal_button.setEnabled(False)
        for value in self.facts.values():
            value.clear()
        self.rag_history.clear()
        self.compliance.setRowCount(0)
        self.timeline_model.set_rows([])
        self._fit_history()
        self._fit_compliance()

    def show_case(self, case_id: str) -> None:
        """Read ``case_id``'s detail on the worker and show it when it comes."""
        self._wanted = case_id

        def read(ctx: ServiceContext) -> Detail:
            return case_detail(ctx, case_id)

        (self.host.call("Reading the case", read, dialog=False)
         .success(lambda detail: self._show(case_id, detail)).run())

    def _show(self, case_id: str, detail: Detail) -> None:
        if case_id != self._wanted:
            return  # another case was selected meanwhile
        self.detail = detail
        who = detail.identity
        self.heading.setText(f"Case {who.case_ref}")
        self.name_label.setText(who.initials or "(no name on record)")
        self.reveal_button.setText("Show full &name")
        self.reveal_button.setEnabled(bool(who.initials))
        born = _day(who.date_of_birth) or "not recorded"
        if who.date_of_birth is not None:
            born += f" (age {who.age})" if who.age is not None else " (expected)"
        closed = f", closed {_day(who.closed_on)}" if who.closed_on else ""
        for key, text in (("born", born), ("cohort", who.cohort_text),
                          ("team", who.team or "none"), ("worker", who.worker or "none"),
                          ("rag", (who.rag or "not rated").title()),
                          ("status", who.status.title()),
                          ("opened", (_day(who.opened_on) or "not recorded") + closed)):
            self.facts[key].setText(text)
        self.rag_history.clear()
        for step in detail.rag_history:
            before = (step.rag_from or "not rated").title()
            self.rag_history.addItem(f"{_day(step.on)}: {before} to {step.rag_to.title()}")
        if not detail.rag_history:
            self.rag_history.addItem("No RAG changes on record")
        self._fit_history()
        self._fill_compliance(detail)
        self.timeline_model.set_rows(detail.timeline)  # timeline_fit sizes its columns
        self.shown.emit(detail)

    def _fill_compliance(self, detail: Detail) -> None:
        self.compliance.setRowCount(len(detail.compliance))
        for row, item in enumerate(detail.compliance):
            cells = (item.label, _day(item.due), _day(item.last_met) or "none on record", item.text)
            # The whole row in the tooltip: a narrow pane cuts the standard's name short.
            tip = f"{item.label}: {item.text}" + (f" ({item.basis})" if item.basis else "")
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(plain_tip(tip))
                self.compliance.setItem(row, column, cell)
            status = self.compliance.item(row, 3)
            colours = STATUS_COLOURS.get(item.status)
            if status is not None and colours is not None:
                status.setBackground(QBrush(QColor(colours[0])))
                status.setForeground(QBrush(QColor(colours[1])))
        self._fit_compliance()

    # -- the name -----------------------------------------------------------------
    def reveal(self) -> None:
        """Show the full name (the service logs the view)."""
        if self.detail is None:
            return
        case_id = self.detail.identity.case_id

        def read(ctx: ServiceContext) -> str:
            return reveal_name(ctx, case_id)

        (self.host.call("Showing the full name", read, dialog=False)
         .success(lambda name: self._name_read(case_id, name)).run())

    def _name_read(self, case_id: str, name: str) -> None:
        if self.detail is None or self.detail.identity.case_id != case_id:
            return
        self.name_label.setText(name)
        self.reveal_button.setText("Name shown")
        self.reveal_button.setEnabled(False)
        self.name_revealed.emit(case_id)

    # -- the timeline -------------------------------------------------------------
    def _open_entry(self, index: QModelIndex) -> None:
        entry = index.data(ROW_ROLE)
        if isinstance(entry, TimelineEntry) and entry.kind == "audit":
            self.host.open_audit(entry.record_id)
