"""Disagreements and escalations: what is waiting on whom, and what was decided.

Why two tables, escalations on top: a concern of significant harm has a deadline in
hours and a child's safety behind it; a RAG disagreement is a discussion about risk
with no deadline in the guidance. A QA lead scans the first for anything late, then
works through the second. In each, the services list open items first (soonest
deadline first), then closed ones with their outcome; who must act next is in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import pairwise
from typing import ClassVar

from desktop.models import Escalation, EscalationStep, RagDisagreement
from desktop.qt import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSettings,
    QSplitter,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services import disagreements, escalations
from desktop.services.auth.roles import Permission
from desktop.services.change_sets import Kind
from desktop.services.context import ServiceContext
from desktop.services.disagreements import DisagreementRow, ParticipantChoice
from desktop.services.escalations import EscalationRow
from desktop.views.concern_dialogs import AgreeDialog, DiscussionDialog, TextDialog
from desktop.views.concern_tables import (
    DISAGREEMENT_DISCUSSION,
    DISAGREEMENT_OUTCOME,
    ESCALATION_CONCERN,
    ESCALATION_OUTCOME,
    disagreement_model,
    escalation_model,
)
from desktop.views.fit_columns import ColumnFit
from desktop.views.plain import plain_label
from desktop.views.row_table import LatestRead, reselect, row_view, selected_rows
from desktop.views.screen import Host, Screen

#: The narrowest the free text columns are made, in average characters.
FREE_TEXT_CHARS = 16


class ConcernsScreen(Screen):
    """Signals:
        concerns_loaded(): both lists were read again.

    Attributes:
        escalation_model, escalation_table, disagreement_model, disagreement_table.
        respond_button, close_escalation_button, escalation_case_button: for the
            selected escalation; discuss_button, agree_button, escalate_button,
            close_disagreement_button, disagreement_case_button: for the disagreement.
        dialog: the dialog last opened (tests drive it).
    """

    key = "concerns"
    needs = Permission.CONCERNS
    title = "&Disagreements and escalations"
    reads: ClassVar[frozenset[Kind]] = frozenset({RagDisagreement, Escalation, EscalationStep})

    concerns_loaded = Signal()

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.reads_rows = LatestRead()
        self.dialog: QWidget | None = None
        #: Whether the person may close any concern listed (else the button is hidden).
        self._closable = False
        clock = self._now
        self.escalation_model = escalation_model(clock)
        self.escalation_table = row_view(self.escalation_model, "escalation_table",
                                         "Concerns of significant harm")
        self.disagreement_model = disagreement_model(clock)
        self.disagreement_table = row_view(self.disagreement_model, "disagreement_table",
                                           "RAG disagreements")
        self.escalation_counts = plain_label()
        self.disagreement_counts = plain_label()

        self.respond_button = self._button("&Respond…", "Respond to the selected concern",
                                           self.respond)
        self.close_escalation_button = self._button(
            "C&lose concern…", "Close the selected concern", self.close_escalation)
        self.escalation_case_button = self._button(
            "O&pen its case", "Open the selected concern's case",
            lambda: self._open_case(self.escalation_table))
        self.discuss_button = self._button("Record discussio&n…", "Record the discussion "
                                           "of the selected disagreement", self.discuss)
        self.agree_button = self._button("&Agree rating…", "Agree the rating of the "
                                         "selected disagreement", self.agree)
        self.escalate_button = self._button(
            "Escalate to a senior &manager", "Escalate the selected disagreement",
            lambda: self._disagreement_step("Escalating the disagreement",
                                            disagreements.escalate))
        self.close_disagreement_button = self._button(
            "Clo&se disagreement", "Close the selected disagreement once the agreed "
            "action is taken", lambda: self._disagreement_step(
                "Closing the disagreement", disagreements.close))
        self.disagreement_case_button = self._button(
            "Open i&ts case", "Open the selected disagreement's case",
            lambda: self._open_case(self.disagreement_table))

        top = self._pane("&Concerns of significant harm (escalations)",
                         self.escalation_table, self.escalation_counts,
                         (self.respond_button, self.close_escalation_button,
                          self.escalation_case_button))
        bottom = self._pane("RAG &disagreements", self.disagreement_table,
                            self.disagreement_counts,
                            (self.discuss_button, self.agree_button, self.escalate_button,
                             self.close_disagreement_button, self.disagreement_case_button))
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("concerns_splitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        for table in (self.escalation_table, self.disagreement_table):
            table.selectionModel().selectionChanged.connect(self._enable)
            table.doubleClicked.connect(lambda _i, t=table: self._open_case(t))
        # Every column on screen at 1024x700: the words wrap onto a second line before
        # Deadline is pushed off the right edge; the free text (the concern, the
        # discussion, the outcome) gives way first, its tooltip holding all of it.
        # Three lines: who must respond ("Auditor ... and team manager ..., to discuss")
        # is the column a QA lead reads first, and two lines cut it at 1024.
        self.escalation_fit = ColumnFit(self.escalation_table, first_chars={
            ESCALATION_OUTCOME: FREE_TEXT_CHARS, ESCALATION_CONCERN: FREE_TEXT_CHARS},
            lines=3)
        self.disagreement_fit = ColumnFit(self.disagreement_table, first_chars={
            DISAGREEMENT_OUTCOME: FREE_TEXT_CHARS, DISAGREEMENT_DISCUSSION: FREE_TEXT_CHARS},
            lines=3)
        chain = (self.escalation_table, self.respond_button, self.close_escalation_button,
                 self.escalation_case_button, self.disagreement_table, self.discuss_button,
                 self.agree_button, self.escalate_button, self.close_disagreement_button,
                 self.disagreement_case_button)
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)  # reading order: each table, then its buttons
        self._enable()

    # -- building -------------------------------------------------------------------
    def save_state(self, settings: QSettings) -> None:
        super().save_state(settings)
        for fit in (self.escalation_fit, self.disagreement_fit):
            fit.save(settings, self.key)

    def restore_state(self, settings: QSettings) -> None:
        super().restore_state(settings)
        for fit in (self.escalation_fit, self.disagreement_fit):
            fit.restore(settings, self.key)

    def _now(self) -> dt.datetime:
        return self.host.clock()

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    def _pane(self, title: str, table: QTableView, counts: QLabel,
              buttons: tuple[QPushButton, ...]) -> QWidget:
        pane = QWidget()
        label = plain_label(title)
        label.setBuddy(table)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(table, 1)
        layout.addWidget(counts)
        layout.addLayout(row)
        return pane

    # -- reading --------------------------------------------------------------------
    def refresh(self) -> None:
        if self.host.store is None:
            return
        self.stale = False

        def read(ctx: ServiceContext) -> tuple[list[EscalationRow], list[DisagreementRow]]:
            return escalations.list_escalations(ctx), disagreements.list_disagreements(ctx)

        self.reads_rows.run(self.host, "Reading disagreements and escalations", read,
                            lambda lists: self._show(*lists))

    def _show(self, escalated: list[EscalationRow], disagreed: list[DisagreementRow]) -> None:
        kept = ({r.id for r in selected_rows(self.escalation_table)},
                {r.id for r in selected_rows(self.disagreement_table)})
        self.escalation_model.set_rows(escalated)
        self._closable = any(r.may_close for r in escalated)
        self.disagreement_model.set_rows(disagreed)
        reselect(self.escalation_table, kept[0])
        reselect(self.disagreement_table, kept[1])
        late = sum(1 for r in escalated if r.overdue)
        live = sum(1 for r in escalated if r.is_open)
        self.escalation_counts.setText(
            f"{live} open ({late} overdue), {len(escalated) - live} closed or responded"
            if escalated else "No concerns of significant harm have been raised.")
        waiting = sum(1 for r in disagreed if r.status in ("open", "escalated"))
        self.disagreement_counts.setText(
            f"{waiting} open or escalated, {len(disagreed) - waiting} agreed or closed"
            if disagreed else "No RAG disagreements.")
        self._enable()
        self.concerns_loaded.emit()

    # -- the selection ----------------------------------------------------------------
    def selected_escalation(self) -> EscalationRow | None:
        rows = selected_rows(self.escalation_table)
        return rows[0] if len(rows) == 1 else None

    def selected_disagreement(self) -> DisagreementRow | None:
        rows = selected_rows(self.disagreement_table)
        return rows[0] if len(rows) == 1 else None

    def _enable(self) -> None:
        escalation = self.selected_escalation()
        self.respond_button.setEnabled(escalation is not None and escalation.is_open)
        # Closing is the raising auditor's or QA's (escalations.may_close_as): the
        # button is not there for anyone who may close none, and off for a concern the
        # person may not close.
        self.close_escalation_button.setVisible(self._closable)
        self.close_escalation_button.setEnabled(escalation is not None
                                                and escalation.may_close)
        self.escalation_case_button.setEnabled(escalation is not None)
        disagreement = self.selected_disagreement()
        live = disagreement is not None and disagreement.status in ("open", "escalated")
        self.discuss_button.setEnabled(live)
        self.agree_button.setEnabled(live)
        self.escalate_button.setEnabled(disagreement is not None
                                        and disagreement.status == "open")
        self.close_disagreement_button.setEnabled(disagreement is not None
                                                  and disagreement.status == "agreed")
        self.disagreement_case_button.setEnabled(disagreement is not None)

    def _open_case(self, table: QTableView) -> None:
        rows = selected_rows(table)
        if len(rows) == 1:
            self.host.open_case(rows[0].case_id)

    # -- writing ----------------------------------------------------------------------
    def _write(self, label: str, fn: Callable[[ServiceContext], object]) -> None:
        """A write on the worker; the window tells every screen what it changed."""
        self.host.call(label, fn).run()

    def respond(self) -> None:
        row = self.selected_escalation()
        if row is None:
            return
        dialog = TextDialog("Respond to a concern of significant harm",
                            f"Case {row.case_ref}: what has been done to keep the child "
                            "safe? The response stops the clock.", "&Response:", "Response",
                            self, quoted=("The concern:", row.concern))
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._respond(row.id, dialog.text()))
        dialog.open()

    def _respond(self, escalation_id: str, text: str) -> None:
        self._write("Recording the response",
                    lambda ctx: escalations.respond(ctx, escalation_id, text))

    def close_escalation(self) -> None:
        row = self.selected_escalation()
        if row is None:
            return
        dialog = TextDialog("Close a concern", f"Case {row.case_ref}: close the concern once "
                            "you are satisfied the child is safe.", "&Note (optional):",
                            "Closing note", self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._write(
            "Closing the concern", lambda ctx: escalations.close(ctx, row.id, dialog.text())))
        dialog.open()

    def discuss(self) -> None:
        row = self.selected_disagreement()
        if row is None:
            return
        self.host.call("Reading who took part", lambda ctx: disagreements.participant_choices(
            ctx, row.id), dialog=False).success(
            lambda choices: self._ask_discussion(row.id, choices)).run()

    def _ask_discussion(self, disagreement_id: str, choices: list[ParticipantChoice]) -> None:
        dialog = DiscussionDialog(choices, self._now(), self)
        self.dialog = dialog

        def record() -> None:
            when, people, steps = dialog.when(), dialog.participants(), dialog.next_steps()
            self._write("Recording the discussion", lambda ctx: disagreements.record_discussion(
                ctx, disagreement_id, discussed_at=when, participants=people,
                next_steps=steps))

        dialog.accepted.connect(record)
        dialog.open()

    def agree(self) -> None:
        row = self.selected_disagreement()
        if row is None:
            return
        dialog = AgreeDialog(row.case_ref, row.recorded_rag, row.auditor_rag, self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._agree(row.id, dialog.rag()))
        dialog.open()

    def _agree(self, disagreement_id: str, rag: str) -> None:
        def write(ctx: ServiceContext) -> None:
            disagreements.agree(ctx, disagreement_id, rag)

        self.host.call("Agreeing the rating", write).run()

    def _disagreement_step(self, label: str,
                           step: Callable[[ServiceContext, str], None]) -> None:
        row = self.selected_disagreement()
        if row is not None:
            self._write(label, lambda ctx: step(ctx, row.id))
