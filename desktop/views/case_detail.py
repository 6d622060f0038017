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
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QModelIndex,
    QPushButton,
    Qt,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.case_detail import CaseDetail as Detail
from desktop.services.case_detail import TimelineEntry, case_detail, day_text, reveal_name
from desktop.services.context import ServiceContext
from desktop.views.plain import plain_label, plain_tip
from desktop.views.row_table import ROW_ROLE, Column, RowTableModel
from desktop.views.screen import Host

#: Background and text of a compliance status (light tints, dark text); the words in the
#: cell say the same, so colour is never the only signal.
STATUS_COLOURS = {"overdue": ("#f4c7c3", "#7a1712"), "due_soon": ("#fde3b3", "#6b4300"),
                  "met": ("#cdebd3", "#14532d")}
COMPLIANCE_HEADERS = ("Standard", "Due", "Last met", "Status")
NOTHING_SELECTED = "Select a case in the list to see its detail."

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
        child = QHBoxLayout()
        child.addWidget(self.name_label, 1)
        child.addWidget(self.reveal_button)
        self.facts: dict[str, QLabel] = {}
        form = QFormLayout()
        form.addRow("Child:", child)
        for key, label in (("born", "Date of birth:"), ("cohort", "Cohort:"),
                           ("team", "Team:"), ("worker", "Worker:"), ("rag", "RAG:"),
                           ("status", "Status:"), ("opened", "Opened:")):
            value = plain_label()
            value.setAccessibleName(label.rstrip(":"))
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[key] = value
            form.addRow(label, value)
        identity = QGroupBox("Identity")
        identity.setLayout(form)

        self.rag_history = QListWidget()
        self.rag_history.setObjectName("case_rag_history")
        self.rag_history.setAccessibleName("RAG history")
        self.rag_history.setMaximumHeight(self.fontMetrics().height() * 6)
        history_label = plain_label("R&AG history")
        history_label.setBuddy(self.rag_history)

        self.compliance = QTableWidget(0, len(COMPLIANCE_HEADERS))
        self.compliance.setObjectName("case_compliance")
        self.compliance.setAccessibleName("Compliance with the practice standards")
        self.compliance.setHorizontalHeaderLabels(COMPLIANCE_HEADERS)
        self.compliance.verticalHeader().hide()
        self.compliance.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compliance.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.compliance.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.compliance.horizontalHeader().setStretchLastSection(True)
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
        self.timeline.setWordWrap(False)
        self.timeline.horizontalHeader().setStretchLastSection(True)
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
        self._fill_compliance(detail)
        self.timeline_model.set_rows(detail.timeline)
        self.timeline.resizeColumnToContents(0)
        self.timeline.resizeColumnToContents(1)
        self.shown.emit(detail)

    def _fill_compliance(self, detail: Detail) -> None:
        self.compliance.setRowCount(len(detail.compliance))
        for row, item in enumerate(detail.compliance):
            cells = (item.label, _day(item.due), _day(item.last_met) or "never", item.text)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(plain_tip(item.basis or text))
                self.compliance.setItem(row, column, cell)
            status = self.compliance.item(row, 3)
            colours = STATUS_COLOURS.get(item.status)
            if status is not None and colours is not None:
                status.setBackground(QBrush(QColor(colours[0])))
                status.setForeground(QBrush(QColor(colours[1])))

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
