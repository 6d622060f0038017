"""The Moderation screen (QA): draw the share, re-grade blind, read the agreement.

Why the first grade is not on screen until the moderator's grade is saved: a moderator
who sees it anchors on it, and the agreement figure then says little. The service never
sends it before (the view carries no grade; the list leaves it out; the outcome is
refused while blind), so the screen could not show it early even by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from desktop.models import Audit, Moderation
from desktop.qt import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QModelIndex,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.audits.moderation import (
    AuditorAgreement,
    ModerationDraw,
    ModerationItem,
    ModerationResult,
    ModerationView,
    agreement_by_auditor,
    moderation_agreement,
    moderation_items,
    moderation_outcome,
    moderation_view,
    record_moderation,
    select_for_moderation,
)
from desktop.services.auth.roles import Permission
from desktop.services.case_detail import GRADE_TEXT, day_text
from desktop.services.change_sets import Kind
from desktop.services.context import ServiceContext
from desktop.services.statistics.agreement import Agreement
from desktop.views.fit_columns import ColumnFit
from desktop.views.fitted_screen import FittedScreen
from desktop.views.plain import plain_label
from desktop.views.row_table import ROW_ROLE, Column, RowTableModel, Tone, row_view
from desktop.views.screen import Host
from desktop.views.worker import show_error

HIDDEN = "hidden until your grade is saved"


def grade_text(grade: str | None) -> str:
    return GRADE_TEXT.get(grade or "", grade or "")


def draw_text(draw: ModerationDraw) -> str:
    """What a draw did, in one line."""
    text = (f"Drew {len(draw.selected)} of {draw.eligible} finalised audits "
            f"(share {draw.share:.0%}, {draw.target} wanted, {draw.already} drawn before).")
    if draw.own:
        text += f" Your own {draw.own} were left out."
    if draw.shortfall:
        text += f" {draw.shortfall} short: only your own audits were left."
    return text


@dataclass(frozen=True)
class AgreementRow:
    """One line of the agreement table (an auditor, or everyone)."""

    who: str
    agreement: Agreement


def _percent(row: AgreementRow) -> str:
    percent = row.agreement.percent
    return "" if percent is None else f"{percent:.0%}"


def _kappa(row: AgreementRow) -> str:
    kappa = row.agreement.linear.kappa
    return "not enough pairs" if kappa is None else f"{kappa:.2f}"


ITEM_COLUMNS: list[Column[ModerationItem]] = [
    Column("Case ref", lambda i: i.case_ref),
    Column("Audit date", lambda i: day_text(i.audit_date) if i.audit_date else ""),
    Column("Auditor", lambda i: i.auditor),
    Column("Status", lambda i: "Graded" if i.done else "To grade",
           tone=lambda i: None if i.done else Tone.SOON),
    Column("Your grade", lambda i: grade_text(i.moderator_grade)),
    Column("First grade", lambda i: grade_text(i.audit_grade) if i.done else "hidden"),
]
AGREEMENT_COLUMNS: list[Column[AgreementRow]] = [
    Column("Auditor", lambda r: r.who),
    Column("Moderated", lambda r: str(r.agreement.pairs), sort=lambda r: r.agreement.pairs),
    Column("Agreement", _percent),
    Column("Weighted kappa", _kappa),
    Column("Note", lambda r: r.agreement.note),
]
#: The agreement's note gives way first when the pane is narrow (its tooltip holds it).
AGREEMENT_NOTE, NOTE_CHARS = 4, 16


@dataclass(frozen=True)
class Board:
    """What the screen reads in one call."""

    items: list[ModerationItem]
    by_auditor: list[AuditorAgreement]
    overall: Agreement


def read_board(ctx: ServiceContext) -> Board:
    return Board(moderation_items(ctx), agreement_by_auditor(ctx), moderation_agreement(ctx))


class ModerationScreen(FittedScreen):
    """Signals:
        board_shown(Board): the list and the agreement table are filled.
        item_shown(ModerationView): an audit is open for re-grading.
        graded(ModerationResult): the moderator's grade is saved; both grades shown.

    Attributes:
        draw_button, draw_result, items, regrade (the panel), grade_choice, note_edit,
        save_button, first_grade, agreement: what a person uses and reads.
    """

    key = "moderation"
    needs = Permission.MODERATE
    title = "M&oderation"
    reads: ClassVar[frozenset[Kind]] = frozenset({Moderation, Audit})

    board_shown = Signal(object)
    item_shown = Signal(object)
    graded = Signal(object)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.current: ModerationItem | None = None
        self.board: Board | None = None
        self._build()
        self._clear_panel()

    # -- layout -------------------------------------------------------------------
    def _build(self) -> None:
        self.draw_button = QPushButton("&Draw the moderation share")
        self.draw_button.setAccessibleName("Draw the moderation share")
        self.draw_button.clicked.connect(self.draw)
        self.draw_result = plain_label("Draw a share of the finalised audits to re-grade blind.")
        self.draw_result.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.draw_button)
        bar.addWidget(self.draw_result, 1)

        self.item_model: RowTableModel[ModerationItem] = RowTableModel(ITEM_COLUMNS, self)
        self.items = row_view(self.item_model, "moderation_items", "Your moderation items")
        self.items.setSortingEnabled(False)  # the service's order: to grade first
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items.selectionModel().currentRowChanged.connect(self._row_changed)
        # Every column inside the pane beside the re-grade from 1024 pixels up ("First
        # grade" was past its right edge): the auditor's name and the grades wrap.
        ColumnFit(self.items)
        items_label = plain_label("&Items (to grade first)")
        items_label.setBuddy(self.items)

        self.agreement_model: RowTableModel[AgreementRow] = RowTableModel(
            AGREEMENT_COLUMNS, self)
        self.agreement = row_view(self.agreement_model, "moderation_agreement",
                                  "Agreement with the moderators, per auditor")
        self.agreement.setSortingEnabled(False)  # by auditor, everyone last
        ColumnFit(self.agreement, first_chars={AGREEMENT_NOTE: NOTE_CHARS})
        agreement_label = plain_label("&Agreement per auditor (weighted kappa, linear weights)")
        agreement_label.setBuddy(self.agreement)

        left = QWidget()
        column = QVBoxLayout(left)
        column.addLayout(bar)
        column.addWidget(items_label)
        column.addWidget(self.items, 2)
        column.addWidget(agreement_label)
        column.addWidget(self.agreement, 1)

        self.regrade = QGroupBox("Blind re-grade")
        self.audit_heading = plain_label()
        self.audit_text = QPlainTextEdit()
        self.audit_text.setReadOnly(True)
        self.audit_text.setAccessibleName("The audit, without its grade")
        self.answers = QListWidget()
        self.answers.setAccessibleName("The audit's answers")
        self.grade_choice = QComboBox()
        self.grade_choice.setAccessibleName("Your grade")
        self.grade_choice.addItem("Choose a grade", None)
        for code, text in GRADE_TEXT.items():
            self.grade_choice.addItem(text, code)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setAccessibleName("Your note")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setMaximumHeight(self.fontMetrics().height() * 4)
        self.save_button = QPushButton("&Save my grade")
        self.save_button.setAccessibleName("Save my grade")
        self.save_button.clicked.connect(self.save)
        self.first_grade = plain_label()
        self.first_grade.setAccessibleName("First grade")
        self.your_grade = plain_label()
        self.your_grade.setAccessibleName("Your grade as saved")
        self.verdict = plain_label()
        self.verdict.setAccessibleName("Whether the grades agree")
        form = QFormLayout()
        grade_label = plain_label("&Your grade:")
        grade_label.setBuddy(self.grade_choice)
        note_label = plain_label("N&ote:")
        note_label.setBuddy(self.note_edit)
        form.addRow(grade_label, self.grade_choice)
        form.addRow(note_label, self.note_edit)
        form.addRow("", self.save_button)
        side = QHBoxLayout()
        mine = QFormLayout()
        mine.addRow("Your grade:", self.your_grade)
        theirs = QFormLayout()
        theirs.addRow("First grade:", self.first_grade)
        side.addLayout(mine)
        side.addLayout(theirs)
        panel = QVBoxLayout(self.regrade)
        panel.addWidget(self.audit_heading)
        panel.addWidget(self.audit_text, 2)
        panel.addWidget(self.answers, 2)
        panel.addLayout(form)
        panel.addLayout(side)
        panel.addWidget(self.verdict)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("moderation_split")
        split.addWidget(left)
        split.addWidget(self.regrade)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        for first, second in ((self.draw_button, self.items), (self.items, self.agreement),
                              (self.agreement, self.grade_choice),
                              (self.grade_choice, self.note_edit),
                              (self.note_edit, self.save_button)):
            self.setTabOrder(first, second)

    # -- the list and the agreement ---------------------------------------------
    def refresh(self) -> None:
        if self.host.user is None:  # before sign-in: read once someone is acting
            self.stale = True
            return
        (self.host.call("Reading moderation", read_board, dialog=False)
         .success(self._show_board).run())

    def _show_board(self, board: Board) -> None:
        self.board = board
        keep = self.current.moderation_id if self.current is not None else None
        self.item_model.set_rows(board.items)
        rows = [AgreementRow(a.auditor or "(unknown)", a.agreement) for a in board.by_auditor]
        if board.overall.pairs:
            rows.append(AgreementRow("All auditors", board.overall))
        self.agreement_model.set_rows(rows)
        for position, item in enumerate(board.items):
            if item.moderation_id == keep:
                self.items.selectRow(position)
                break
        self.board_shown.emit(board)

    def draw(self) -> None:
        """Draw the share (the service never gives a moderator their own audits)."""
        self.draw_button.setEnabled(False)
        (self.host.call("Drawing audits for moderation",
                        lambda ctx: select_for_moderation(ctx))
         .success(self._drawn)
         .failure(self._draw_failed)
         .cancelled(lambda: self.draw_button.setEnabled(True))
         .run())

    def _drawn(self, draw: ModerationDraw) -> None:
        self.draw_button.setEnabled(True)
        self.draw_result.setText(draw_text(draw))

    def _draw_failed(self, exc: BaseException) -> None:
        self.draw_button.setEnabled(True)
        show_error(self, exc)

    # -- the re-grade ---------------------------------------------------------------
    def _clear_panel(self) -> None:
        self.current = None
        self.regrade.setEnabled(False)
        self.audit_heading.setText("Select an item to re-grade it.")
        self.audit_text.clear()
        self.answers.clear()
        self.grade_choice.setCurrentIndex(0)
        self.note_edit.clear()
        self.first_grade.setText(HIDDEN)
        self.your_grade.clear()
        self.verdict.clear()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = current.data(ROW_ROLE) if current.isValid() else None
        if not isinstance(item, ModerationItem):
            return
        if self.current is not None and self.current.moderation_id == item.moderation_id:
            self.current = item
            return
        self._clear_panel()
        self.current = item
        moderation_id = item.moderation_id
        (self.host.call("Opening the audit", lambda ctx: moderation_view(ctx, moderation_id),
                        dialog=False)
         .success(lambda view: self._show_view(moderation_id, view)).run())
        if item.done:
            self._read_outcome(moderation_id)

    def _show_view(self, moderation_id: str, view: ModerationView) -> None:
        if self.current is None or self.current.moderation_id != moderation_id:
            return
        day = day_text(view.audit_date) if view.audit_date else "no date"
        template = view.template_title or view.template_code.replace("_", " ")
        self.audit_heading.setText(f"Case {view.case_ref}: {template} "
                                   f"(version {view.template_version}), audited {day}")
        rag = (f"RAG on the record: {(view.recorded_rag or 'none').title()}; "
               f"auditor's RAG: {(view.auditor_rag or 'none').title()}")
        self.audit_text.setPlainText(f"{rag}\n\nOverview:\n{view.overview}\n\n"
                                     f"Positive practice:\n{view.positive_practice}")
        self.answers.clear()
        for answer in view.answers:
            value = (answer.value or "no answer").replace("_", " ")
            self.answers.addItem(f"{answer.text}: {value}")
        done = self.current.done
        self.regrade.setEnabled(True)
        for control in (self.grade_choice, self.note_edit, self.save_button):
            control.setEnabled(not done)
        self.item_shown.emit(view)

    def save(self) -> bool:
        """Ctrl+S: save the moderator's grade, then show the first grade beside it."""
        item = self.current
        if item is None or item.done or not self.save_button.isEnabled():
            return False
        grade = self.grade_choice.currentData()
        if grade is None:
            self.verdict.setText("Choose a grade first.")
            self.grade_choice.setFocus()
            return True
        note = self.note_edit.toPlainText()
        moderation_id = item.moderation_id

        def write(ctx: ServiceContext) -> ModerationResult:
            record_moderation(ctx, moderation_id, grade, note)
            return moderation_outcome(ctx, moderation_id)

        self.save_button.setEnabled(False)
        (self.host.call("Saving the grade", write, dialog=False)
         .success(self._saved)
         .failure(self._save_failed)
         .run())
        return True

    def submit(self) -> bool:
        return self.save()

    def _save_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        show_error(self, exc)

    def _saved(self, result: ModerationResult) -> None:
        self._show_outcome(result)
        for control in (self.grade_choice, self.note_edit, self.save_button):
            control.setEnabled(False)

    def _read_outcome(self, moderation_id: str) -> None:
        (self.host.call("Reading the grades", lambda ctx: moderation_outcome(ctx, moderation_id),
                        dialog=False)
         .success(self._show_outcome).run())

    def _show_outcome(self, result: ModerationResult) -> None:
        if self.current is None or self.current.moderation_id != result.moderation_id:
            return
        self.your_grade.setText(grade_text(result.moderator_grade))
        self.first_grade.setText(grade_text(result.audit_grade))
        self.verdict.setText("The grades agree." if result.agrees else
                             "The grades differ.")
        self.graded.emit(result)
