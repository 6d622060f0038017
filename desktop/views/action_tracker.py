"""The action tracker: every action from audits, exercises and plans, and its next step.

Why the filters ask the service and the text filter does not: "mine", "my teams",
"overdue" and "due this week" are rules (who owns what, working days, the ISO week),
so :func:`desktop.services.actions.list_actions` applies them on the worker; typed text
only narrows the rows already shown, so it filters in the view as the person types.
A status change goes through ``set_status``, which refuses a move the person may not
make (the owner's manager confirms, QA verifies) in one sentence the window shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from desktop.models import Action
from desktop.qt import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSettings,
    Qt,
    QVBoxLayout,
    Signal,
)
from desktop.services import actions
from desktop.services.actions import ActionRow
from desktop.services.auth.roles import Permission
from desktop.services.change_sets import Kind
from desktop.services.context import ServiceContext
from desktop.views.action_dialogs import (
    ProgressDialog,
    StatusDialog,
    may_confirm,
    may_verify,
)
from desktop.views.action_table import (
    EVIDENCE,
    SOURCE_WORDS,
    STATUS_WORDS,
    WHAT,
    action_model,
)
from desktop.views.fit_columns import ColumnFit
from desktop.views.plain import plain_label
from desktop.views.row_table import (
    LatestRead,
    filtering_proxy,
    reselect,
    row_view,
    selected_rows,
)
from desktop.views.screen import Host, Screen

#: The narrowest What and Evidence are made, in average characters, before the other
#: columns wrap.
WHAT_CHARS = 20
EVIDENCE_CHARS = 12


@dataclass(frozen=True)
class ActionFilters:
    """What the filter controls ask of the service (see ``list_actions``)."""

    mine: str | None = None
    teams_of: str | None = None
    overdue: bool = False
    due_this_week: bool = False
    review_due: bool = False
    status: str | None = None
    source: str | None = None

    def read(self, ctx: ServiceContext) -> list[ActionRow]:
        return actions.list_actions(
            ctx, mine=self.mine, teams_of=self.teams_of, overdue=self.overdue,
            due_this_week=self.due_this_week, review_due=self.review_due,
            status=self.status, source=self.source)


class ActionTrackerScreen(Screen):
    """Signals:
        actions_loaded(int): the list was read again (the number of rows).

    Attributes:
        model, proxy, table: the actions, the text filter over them, the view.
        mine_check, teams_check, overdue_check, week_check, review_check, status_choice,
            source_choice, filter_edit: the filters.
        status_button, confirm_button, verify_button, progress_button, case_button:
            what can be done with the selected rows.
        status_dialog, progress_dialog: the dialog last opened (tests drive it).
    """

    key = "actions"
    needs = Permission.VIEW_AUDITS
    title = "A&ctions"
    reads: ClassVar[frozenset[Kind]] = frozenset({Action})

    actions_loaded = Signal(int)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.reads_rows = LatestRead()
        self.status_dialog: StatusDialog | None = None
        self.progress_dialog: ProgressDialog | None = None

        self.mine_check = self._check("&Mine", "Only actions I own or raised in my audits")
        self.teams_check = self._check("My &teams", "Only actions of my teams")
        self.overdue_check = self._check("&Overdue", "Only overdue actions")
        self.week_check = self._check("Due this &week", "Only actions due this week")
        self.review_check = self._check("&Review due", "Only actions past their review date")
        self.status_choice = self._choice("Status", [("Any status", None)] + [
            (words, code) for code, words in STATUS_WORDS.items()])
        self.source_choice = self._choice("Source", [("Any source", None)] + [
            (words, code) for code, words in SOURCE_WORDS.items()])
        self.filter_edit = QLineEdit()
        self.filter_edit.setAccessibleName("Filter the actions by text")
        self.filter_edit.setPlaceholderText("Words in any column")
        self.filter_edit.setClearButtonEnabled(True)

        self.model = action_model()
        self.proxy = filtering_proxy(self.model, self)
        self.table = row_view(self.proxy, "action_table", "Actions")
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        # Every column on screen, from 1024 pixels up: Evidence and then What give way
        # first (their tooltips hold the words), then the words wrap onto a second line.
        self.fit = ColumnFit(self.table, first_chars={EVIDENCE: EVIDENCE_CHARS,
                                                      WHAT: WHAT_CHARS})
        self.counts = plain_label("Not read yet.")

        self.status_button = self._button("Change &status…", "Change the selected actions' "
                                          "status", lambda: self.change_status(None))
        self.confirm_button = self._button("Confirm &done…", "Confirm the selected actions "
                                           "done (the owner's manager)",
                                           lambda: self.change_status("done"))
        self.verify_button = self._button("&Verify…", "Verify the selected actions (QA)",
                                          lambda: self.change_status("verified"))
        self.progress_button = self._button("Record &progress…", "Record progress and "
                                            "evidence on the selected action",
                                            self.record_progress)
        self.case_button = self._button("Open the &case", "Open the selected action's case",
                                        self.open_case)

        # Two rows of filters: in one they made the screen wider than a 1024 window.
        checks = QHBoxLayout()
        for check in (self.mine_check, self.teams_check, self.overdue_check,
                      self.week_check, self.review_check):
            checks.addWidget(check)
        checks.addStretch(1)
        filters = QHBoxLayout()
        for text, widget in (("St&atus:", self.status_choice),
                             ("So&urce:", self.source_choice),
                             ("Fi&lter:", self.filter_edit)):
            label = plain_label(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget, 1 if widget is self.filter_edit else 0)
        buttons = QHBoxLayout()
        for button in (self.status_button, self.confirm_button, self.verify_button,
                       self.progress_button, self.case_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(checks)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.counts)
        layout.addLayout(buttons)

        for check in (self.mine_check, self.teams_check, self.overdue_check,
                      self.week_check, self.review_check):
            check.toggled.connect(self.refresh)
        self.status_choice.currentIndexChanged.connect(self.refresh)
        self.source_choice.currentIndexChanged.connect(self.refresh)
        self.filter_edit.textChanged.connect(self._filter_text)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.change_status(None))
        self._selection_changed()

    # -- building -------------------------------------------------------------------
    def _check(self, text: str, name: str) -> QCheckBox:
        check = QCheckBox(text)
        check.setAccessibleName(name)
        return check

    def _choice(self, name: str, items: Sequence[tuple[str, str | None]]) -> QComboBox:
        choice = QComboBox()
        choice.setAccessibleName(name)
        for text, code in items:
            choice.addItem(text, code)
        return choice

    def _button(self, text: str, name: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    def save_state(self, settings: QSettings) -> None:
        super().save_state(settings)
        self.fit.save(settings, self.key)

    def restore_state(self, settings: QSettings) -> None:
        super().restore_state(settings)
        self.fit.restore(settings, self.key)

    # -- reading --------------------------------------------------------------------
    def filters(self) -> ActionFilters:
        user = self.host.user.id if self.host.user is not None else None
        return ActionFilters(
            mine=user if self.mine_check.isChecked() else None,
            teams_of=user if self.teams_check.isChecked() else None,
            overdue=self.overdue_check.isChecked(),
            due_this_week=self.week_check.isChecked(),
            review_due=self.review_check.isChecked(),
            status=self.status_choice.currentData(),
            source=self.source_choice.currentData())

    def refresh(self) -> None:
        self.verify_button.setVisible(self._may_verify())  # offered to QA only
        # To team managers and QA only: an auditor was offered it and then refused.
        self.confirm_button.setVisible(self._may_confirm())
        if self.host.store is None:
            return
        self.stale = False
        self.reads_rows.run(self.host, "Reading the actions", self.filters().read, self._show)

    def _show(self, rows: list[ActionRow]) -> None:
        kept = {r.id for r in self.selected()}
        self.model.set_rows(rows)
        reselect(self.table, kept)
        self._count()
        self.actions_loaded.emit(len(rows))

    def _filter_text(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._count()

    def _count(self) -> None:
        shown, read = self.proxy.rowCount(), self.model.rowCount()
        late = sum(1 for r in self.model.rows if r.overdue_working_days)
        review = sum(1 for r in self.model.rows if r.review_due)
        if read == 0:
            self.counts.setText("No actions match these filters.")
            return
        self.counts.setText(f"{shown:,} of {read:,} actions shown   ·   {late:,} overdue   ·"
                            f"   {review:,} due for review")

    # -- the selection ----------------------------------------------------------------
    def selected(self) -> list[ActionRow]:
        return selected_rows(self.table)

    def _selection_changed(self) -> None:
        count = len(self.selected())
        for button in (self.status_button, self.confirm_button, self.verify_button):
            button.setEnabled(count > 0)
        self.progress_button.setEnabled(count == 1)
        self.case_button.setEnabled(count == 1 and self.selected()[0].case_id is not None)

    # -- writing ----------------------------------------------------------------------
    def change_status(self, status: str | None) -> None:
        """Ask for the new status (``status`` preset, else the usual next step) and its
        evidence or reason, for every selected action."""
        rows = self.selected()
        if not rows:
            return
        verify, confirm = self._may_verify(), self._may_confirm()
        refused = {c for c, may in (("verified", verify), ("done", confirm)) if not may}
        if status in refused:
            return  # never asked for evidence the service would refuse
        preset = status or actions.NEXT.get(rows[0].status, rows[0].status)
        if preset in refused:
            preset = rows[0].status
        dialog = StatusDialog(len(rows), preset, self, verify=verify, confirm=confirm)
        self.status_dialog = dialog
        ids = [r.id for r in rows]
        dialog.accepted.connect(lambda: self._set_status(ids, dialog.status(), dialog.text()))
        dialog.open()

    def _set_status(self, ids: list[str], to: str, text: str) -> None:
        cancelling = to == "cancelled"

        def write(ctx: ServiceContext) -> int:
            return actions.set_status(ctx, ids, to, reason=text if cancelling else "",
                                      evidence=None if cancelling or not text else text)

        self.host.call("Changing the status", write).run()

    def _may_verify(self) -> bool:
        user = self.host.user
        return may_verify(None if user is None else user.roles)

    def _may_confirm(self) -> bool:
        user = self.host.user
        return may_confirm(None if user is None else user.roles)

    def record_progress(self) -> None:
        rows = self.selected()
        if len(rows) != 1:
            return
        row = rows[0]
        dialog = ProgressDialog(row.progress, row.evidence, self)
        self.progress_dialog = dialog

        dialog.accepted.connect(lambda: self._record(row.id, dialog.progress_edit.toPlainText(),
                                                     dialog.evidence_edit.toPlainText()))
        dialog.open()

    def _record(self, action_id: str, progress: str, evidence: str) -> None:
        def write(ctx: ServiceContext) -> None:
            actions.record_progress(ctx, action_id, progress=progress, evidence=evidence)

        self.host.call("Recording progress", write).run()

    def open_case(self) -> None:
        rows = self.selected()
        if len(rows) == 1 and rows[0].case_id is not None:
            self.host.open_case(rows[0].case_id)

    # -- window duties ----------------------------------------------------------------
    def find_text(self) -> bool:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()
        return True
