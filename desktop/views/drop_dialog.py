"""Asking why a sampled case is dropped: a reason from the service's list and a note.

Why a dialog of its own and not QInputDialog: two fields belong together, the reasons
are the service's codes shown in words, and tests find it on the screen's attribute.
"""

from __future__ import annotations

from desktop.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QWidget,
)
from desktop.services.sampling.replacement import DROP_REASON_TEXT
from desktop.views.plain import plain_label


class DropCaseDialog(QDialog):
    """Attributes:
        reason_choice: the reasons in words (the code is each item's data).
        note_edit: an explanation (the service requires one for "other").
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
        form.addRow(self.buttons)
        self.reason_choice.setFocus()

    def reason(self) -> str:
        return str(self.reason_choice.currentData())

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()
