"""The RAG disagreement panel: shown when the auditor's rating differs from the case's.

Seed 000: a disagreement is "discussed, with next steps agreed, action taken, and
recorded". The panel collects the reason, who took part (picked from the case's team
and the organisation's users) and the outcome; submission records them on the
disagreement record it opens. Until then the form autosaves them on the draft
(``edited``), and ``fill`` shows them again as typed when the draft is reopened.
"""

from __future__ import annotations

from desktop.qt import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    Qt,
    QVBoxLayout,
    Signal,
)
from desktop.services.audits.drafts import Discussion, Submission
from desktop.services.audits.form import Member
from desktop.services.disagreements import Participant
from desktop.views.audit_form.fields import RAG_CHOICES, choice_box, problem_label, text_box
from desktop.views.plain import plain_label

#: Rows of people the list shows before it scrolls.
PEOPLE_ROWS = 6


class DisagreementPanel(QGroupBox):
    """Signals:
        edited: the reason, who took part, the outcome or the agreed rating changed.

    Attributes:
        summary: says which ratings differ, in words.
        reason, people, next_steps, agreed: the panel's controls.
        problems: the problem label of each field ("participants", "next_steps").
    """

    edited = Signal()

    def __init__(self) -> None:
        super().__init__("RAG disagreement")
        self.setAccessibleName("RAG disagreement")
        self.summary = plain_label()
        self.summary.setWordWrap(True)
        self.reason = text_box("Reason for your rating")
        self.people = QListWidget()
        self.people.setAccessibleName("Discussed with")
        self.people.setFixedHeight(self.people.fontMetrics().lineSpacing() * PEOPLE_ROWS + 8)
        self.next_steps = text_box("Outcome and next steps agreed")
        self.agreed: QComboBox = choice_box(RAG_CHOICES, "Agreed rating", "Not agreed yet")
        self.problems = {"participants": problem_label("Discussed with"),
                         "next_steps": problem_label("Outcome and next steps")}
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # fits a narrow pane
        for text, control, problem in (
                ("&Reason for your rating", self.reason, None),
                ("Discussed &with (Space ticks)", self.people, "participants"),
                ("Outcome an&d next steps", self.next_steps, "next_steps"),
                ("Agreed rat&ing", self.agreed, None)):
            label = plain_label(text)
            label.setBuddy(control)
            form.addRow(label, control)
            if problem is not None:
                form.addRow("", self.problems[problem])
        layout.addLayout(form)
        self.reason.textChanged.connect(self.edited)
        self.people.itemChanged.connect(lambda _item: self.edited.emit())
        self.next_steps.textChanged.connect(self.edited)
        self.agreed.currentIndexChanged.connect(lambda _index: self.edited.emit())
        self.hide()

    @property
    def controls(self) -> tuple[QPlainTextEdit | QListWidget | QComboBox, ...]:
        """The controls in reading order (the form saves when one loses focus)."""
        return (self.reason, self.people, self.next_steps, self.agreed)

    def fill(self, panels: Submission) -> None:
        """Show the saved draft as typed, without counting it as an edit."""
        ticked = set(panels.discussion.participants)
        for control in self.controls:
            control.blockSignals(True)
        try:
            self.reason.setPlainText(panels.rag_rationale)
            for row in range(self.people.count()):
                item = self.people.item(row)
                member: Member = item.data(Qt.ItemDataRole.UserRole)
                item.setCheckState(Qt.CheckState.Checked
                                   if Participant(member.role, member.id) in ticked
                                   else Qt.CheckState.Unchecked)
            self.next_steps.setPlainText(panels.discussion.next_steps)
            self.agreed.setCurrentIndex(max(self.agreed.findData(
                panels.discussion.agreed_rag), 0) if panels.discussion.agreed_rag else 0)
        finally:
            for control in self.controls:
                control.blockSignals(False)

    def draft(self) -> Discussion:
        """What the panel holds, shown or not (the autosave keeps it either way: the
        rating may differ again a moment later)."""
        return Discussion(self.participants(), self.next_steps.toPlainText(),
                          self.agreed.currentData() or None)

    def set_people(self, members: tuple[Member, ...]) -> None:
        self.people.clear()
        for member in members:
            item = QListWidgetItem(member.label)
            item.setData(Qt.ItemDataRole.UserRole, member)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.people.addItem(item)

    def show_for(self, case_rag: str | None, mine: str | None) -> None:
        """Shown when both ratings are known and differ; the words say which."""
        differs = bool(case_rag) and bool(mine) and case_rag != mine
        if differs:
            self.summary.setText(
                f"The case is rated {str(case_rag).title()} on the record; you rated it "
                f"{str(mine).title()}. A disagreement record is opened when you submit: "
                "say why, who you discussed it with and what was agreed.")
        self.setVisible(differs)

    def participants(self) -> tuple[Participant, ...]:
        chosen: list[Participant] = []
        for row in range(self.people.count()):
            item = self.people.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                member: Member = item.data(Qt.ItemDataRole.UserRole)
                chosen.append(Participant(member.role, member.id))
        return tuple(chosen)

    def discussion(self) -> Discussion:
        return Discussion() if self.isHidden() else self.draft()

    def rationale(self) -> str:
        return self.reason.toPlainText() if not self.isHidden() else ""

    def focus_for(self, field: str) -> QPlainTextEdit | QListWidget:
        return self.people if field == "participants" else self.next_steps
