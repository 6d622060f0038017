"""The concern of significant harm: the switch's panel, with the response deadline.

Seed 001: a concern "must be escalated to the team manager", who responds within a
set time, else it goes to the Head of Service. The panel shows that deadline before the
concern is raised (so the auditor knows what they start) and after (the real one).
The concern's text is autosaved on the draft as it is typed (``edited``). Once raised,
the words raised stay on the form as plain text that cannot be edited (``raised``): the
form used to keep only the label "What you are worried about and why" (trial defect 16).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from desktop.qt import QGroupBox, QPushButton, Qt, QVBoxLayout, Signal
from desktop.services.audits.form import FormEscalation
from desktop.views.audit_form.fields import problem_label, text_box
from desktop.views.plain import plain_label

LONDON = ZoneInfo("Europe/London")


def when(moment: dt.datetime) -> str:
    return moment.astimezone(LONDON).strftime("%A %d/%m/%Y at %H:%M")


class EscalationPanel(QGroupBox):
    """Signals:
        raise_requested(str): "Raise the concern now" with the concern's text.
        edited: the concern's text changed.

    Attributes:
        deadline: the line saying by when the team manager must respond.
        concern: the description; ``problem`` shows what is missing under it.
    """

    raise_requested = Signal(str)
    edited = Signal()

    def __init__(self) -> None:
        super().__init__("Concern of significant harm")  # the box above has the letter
        self.setAccessibleName("Concern of significant harm")
        self.deadline = plain_label()
        self.deadline.setWordWrap(True)
        self.deadline.setAccessibleName("Response deadline")
        self.concern = text_box("What you are worried about and why")
        concern_label = plain_label("What you are worried about and why")
        concern_label.setBuddy(self.concern)
        # The words raised, as stored: plain text, selectable, never editable.
        self.raised = plain_label()
        self.raised.setWordWrap(True)
        self.raised.setAccessibleName("The concern raised")
        self.raised.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.raised.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches it to read
        self.raised.hide()
        self.problem = problem_label("the concern")
        self.raise_button = QPushButton("Raise the concern now")
        self.raise_button.setAccessibleName("Raise the concern now")
        self.raise_button.clicked.connect(
            lambda: self.raise_requested.emit(self.concern.toPlainText()))
        layout = QVBoxLayout(self)
        for widget in (self.deadline, concern_label, self.concern, self.raised,
                       self.problem, self.raise_button):
            layout.addWidget(widget)
        self.concern.textChanged.connect(self.edited)
        self.hide()

    def fill(self, concern: str) -> None:
        """Show the saved draft's concern as typed, without counting it as an edit."""
        self.concern.blockSignals(True)
        self.concern.setPlainText(concern)
        self.concern.blockSignals(False)

    def show_state(self, flagged: bool, escalation: FormEscalation | None,
                   deadline_if_raised_now: dt.datetime) -> None:
        self.setVisible(flagged or escalation is not None)
        if escalation is not None:
            self.deadline.setText(
                f"Raised: the team manager must respond by {when(escalation.respond_by)} "
                f"({escalation.status.replace('_', ' ')}); without a response it goes to "
                "the Head of Service.")
            self.concern.hide()
            self.raise_button.hide()
            self.problem.hide()
            # Older stores' forms carried no words: the draft's are those raised then.
            self.raised.setText(escalation.concern or self.concern.toPlainText())
            self.raised.show()
        else:
            self.deadline.setText(
                f"Raised now, the team manager would have to respond by "
                f"{when(deadline_if_raised_now)}; without a response it goes to the Head "
                "of Service. It is raised at the latest when you submit.")
            self.raised.hide()
            self.concern.show()
            self.raise_button.show()

    def set_editable(self, editable: bool) -> None:
        """An audit that can no longer be changed: the words stay readable (not greyed
        out as a disabled box draws them), only they cannot be changed or raised."""
        self.concern.setReadOnly(not editable)
        self.raise_button.setEnabled(editable)

    def concern_text(self) -> str:
        return self.concern.toPlainText() if self.concern.isVisibleTo(self) else ""
