"""Asking why a sampled case is dropped: a reason from the service's list and a note.

Why a dialog of its own and not QInputDialog: two fields belong together, the reasons
are the service's codes shown in words, and tests find it on the screen's attribute.

Why the dialog refuses "other" without a note itself: the service refuses it too, but
only after the dialog had closed, so the person read the refusal in a message box and
had to open the dialog and choose the reason again. Here the sentence appears beside
the note and the dialog stays open with the cursor in the note.
"""

from __future__ import annotations

from desktop.models.enums import DropReason
from desktop.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QWidget,
)
from desktop.services.sampling.replacement import DROP_REASON_TEXT
from desktop.views.palette import PROBLEM_STYLE
from desktop.views.plain import plain_label

#: What the dialog says when "other" has no note (the service's rule, in its words).
NOTE_NEEDED = "Say why in the note: a case dropped for another reason needs one."


class DropCaseDialog(QDialog):
    """Attributes:
        reason_choice: the reasons in words (the code is each item's data).
        note_edit: an explanation (the service requires one for "other").
        problem: why OK was refused (hidden until it is).
    """

    def __init__(self, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Drop a case from the sample")
        intro = plain_label(f"Drop case {case_ref} from this week's sample? A replacement is "
                            "drawn by the same rules, and the dropped case keeps its reason.")
        intro.setWordWrap(True)
        self.reason_choice = QComboBox()
        self.reason_choice.setAccessibleName("Reason for dropping the case")
        for code, words in DROP_REASON_TEXT.items():
            self.reason_choice.addItem(words.capitalize(), code)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setAccessibleName("Note about dropping the case")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        self.problem = plain_label("")
        self.problem.setObjectName("problem")
        self.problem.setAccessibleName("Problem with the note")
        self.problem.setStyleSheet(PROBLEM_STYLE)
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.note_edit.textChanged.connect(self.problem.hide)
        self.reason_choice.currentIndexChanged.connect(self.problem.hide)
        reason_label = plain_label("&Reason:")
        reason_label.setBuddy(self.reason_choice)
        note_label = plain_label("&Note:")
        note_label.setBuddy(self.note_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Drop and replace")
        ok.setAccessibleName("Drop and replace")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow(reason_label, self.reason_choice)
        form.addRow(note_label, self.note_edit)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.reason_choice.setFocus()

    def accept(self) -> None:
        """Close only with what the service will take: "other" needs a note."""
        if self.reason() == DropReason.OTHER.value and not self.note():
            self.problem.setText(NOTE_NEEDED)
            self.problem.show()
            self.note_edit.setFocus()
            return
        super().accept()

    def reason(self) -> str:
        return str(self.reason_choice.currentData())

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()
