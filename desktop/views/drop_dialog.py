"""Asking why a sampled case is dropped: a reason from the service's list and a note.

Why a dialog of its own and not QInputDialog: two fields belong together, the reasons
are the service's codes shown in words, and tests find it on the screen's attribute.

Why the dialog refuses "other" without a note itself: the service refuses it too, but
only after the dialog had closed, so the person read the refusal in a message box and
had to open the dialog and choose the reason again. Here the sentence appears beside
the note and the dialog stays open with the cursor in the note.

Why no reason is chosen at first: a preselected one ("closed since the draw") let
Enter drop an open case for a reason nobody chose. OK is refused, beside the choice,
until one is. A refusal shown grows the dialog rather than squeezing its wrapped
sentence (whose first and last lines were clipped).
"""

from __future__ import annotations

from desktop.models.enums import DropReason
from desktop.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)
from desktop.services.sampling.replacement import DROP_REASON_TEXT
from desktop.views.palette import PROBLEM_STYLE
from desktop.views.plain import plain_label

#: What the dialog says when "other" has no note (the service's rule, in its words).
NOTE_NEEDED = "Say why in the note: a case dropped for another reason needs one."
#: What the dialog says when OK is pressed before a reason is chosen.
REASON_NEEDED = "Choose why the case is dropped."


class DropCaseDialog(QDialog):
    """Attributes:
        reason_choice: the reasons in words (the code is each item's data).
        note_edit: an explanation (the service requires one for "other").
        problem: why OK was refused for the note (hidden until it is).
        reason_problem: why OK was refused for the reason (hidden until it is).
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
        self.reason_choice.setPlaceholderText("Choose a reason")
        self.reason_choice.setCurrentIndex(-1)
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
        self.reason_problem = plain_label("")
        self.reason_problem.setObjectName("reason_problem")
        self.reason_problem.setAccessibleName("Problem with the reason")
        self.reason_problem.setStyleSheet(PROBLEM_STYLE)
        self.reason_problem.setWordWrap(True)
        self.reason_problem.hide()
        self.note_edit.textChanged.connect(self.problem.hide)
        self.reason_choice.currentIndexChanged.connect(self.problem.hide)
        self.reason_choice.currentIndexChanged.connect(self.reason_problem.hide)
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
        form.addRow("", self.reason_problem)
        form.addRow(note_label, self.note_edit)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.reason_choice.setFocus()

    def accept(self) -> None:
        """Close only with what the service will take: a reason, and "other" a note."""
        if not self.reason():
            self._refuse(self.reason_problem, REASON_NEEDED, self.reason_choice)
            return
        if self.reason() == DropReason.OTHER.value and not self.note():
            self._refuse(self.problem, NOTE_NEEDED, self.note_edit)
            return
        super().accept()

    def _refuse(self, label: QLabel, text: str, focus: QWidget) -> None:
        label.setText(text)
        label.show()
        focus.setFocus()
        self._grow()

    def _grow(self) -> None:
        """Make the dialog tall enough for every line at its width (never shorter)."""
        layout = self.layout()
        assert layout is not None
        layout.activate()
        width = self.width()
        needed = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
                  else layout.totalSizeHint().height())
        needed = max(needed, layout.totalMinimumSize().height())
        if needed > self.height():
            self.resize(width, needed)

    def reason(self) -> str:
        """The chosen reason's code ("" before one is chosen)."""
        data = self.reason_choice.currentData()
        return str(data) if self.reason_choice.currentIndex() >= 0 and data else ""

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()
