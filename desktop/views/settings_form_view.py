"""One settings file as a form: a labelled field per setting, its problem beside it.

Why the problem beside the field: a QA lead changing three numbers must see which one
was refused and why, in the words of the file's own parser, without a message box
hiding the form. The colour of the sentence is only a help; the words say it all.
A setting the machine-wide policy sets is read-only with "Set by your IT team's policy"
beside it, so nobody types a value that would not be used.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

from desktop.qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.policy import LOCKED_NOTE
from desktop.services.standards.settings_form import CHOICE, SettingsForm
from desktop.views.palette import PROBLEM_STYLE
from desktop.views.plain import plain_label


class SettingsFormView(QWidget):
    """The fields of one :class:`SettingsForm`.

    Signals:
        save_requested: the person chose Save.

    Attributes:
        editors: setting key to its line edit or combo box.
        problems: setting key to the label beside it that says what is wrong.
        notes: setting key to the label beside it saying the policy sets it.
        locked: the settings the machine-wide policy sets (read-only here).
        save_button, status: Save, and the sentence after saving.
    """

    save_requested = Signal()

    def __init__(self, form: SettingsForm, save_text: str, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.form = form
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        self.problems: dict[str, QLabel] = {}
        self.notes: dict[str, QLabel] = {}
        self.locked: frozenset[str] = frozenset()
        layout = QFormLayout()
        for field in form.fields:
            editor: QLineEdit | QComboBox
            if field.kind == CHOICE:
                editor = QComboBox()
                editor.addItems(list(field.choices))
            else:
                editor = QLineEdit()
                editor.textEdited.connect(lambda _text, key=field.key: self._clear(key))
            editor.setObjectName(field.key)
            editor.setAccessibleName(field.label)
            if field.hint:
                editor.setToolTip(field.hint)
                editor.setAccessibleDescription(field.hint)
                if isinstance(editor, QLineEdit):
                    editor.setPlaceholderText(field.hint)
            problem = plain_label()
            problem.setObjectName(f"{field.key}_problem")
            problem.setAccessibleName(f"Problem with {field.label}")
            problem.setStyleSheet(PROBLEM_STYLE)
            problem.setWordWrap(True)
            problem.hide()
            note = plain_label(LOCKED_NOTE)
            note.setObjectName(f"{field.key}_locked")
            note.setAccessibleName(f"{field.label}: {LOCKED_NOTE.lower()}")
            note.hide()
            label = plain_label(f"{field.label}:")
            label.setBuddy(editor)
            row = QHBoxLayout()
            row.addWidget(editor, 1)
            row.addWidget(problem, 1)
            row.addWidget(note)
            layout.addRow(label, row)
            self.editors[field.key] = editor
            self.problems[field.key] = problem
            self.notes[field.key] = note
        self.save_button = QPushButton(save_text)
        self.save_button.setAccessibleName(save_text.replace("&", ""))
        self.save_button.clicked.connect(self.save_requested.emit)
        self.status = plain_label()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Saved or not")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.status, 1)
        column = QVBoxLayout(self)
        column.addLayout(layout)
        column.addLayout(buttons)
        order = [*self.editors.values(), self.save_button]
        for first, second in pairwise(order):
            self.setTabOrder(first, second)

    def values(self) -> dict[str, str]:
        return {key: editor.currentText() if isinstance(editor, QComboBox) else editor.text()
                for key, editor in self.editors.items()}

    def set_values(self, values: Mapping[str, str]) -> None:
        for key, text in values.items():
            editor = self.editors.get(key)
            if isinstance(editor, QComboBox):
                editor.setCurrentText(text)
            elif editor is not None:
                editor.setText(text)
        self.show_problems({})

    def show_problems(self, problems: Mapping[str, str]) -> None:
        """Each refused field's sentence beside it; focus goes to the first refused."""
        first: QWidget | None = None
        for key, label in self.problems.items():
            text = problems.get(key, "")
            label.setText(text)
            label.setVisible(bool(text))
            if text and first is None:
                first = self.editors[key]
        if first is not None:
            first.setFocus()

    def _clear(self, key: str) -> None:
        self.problems[key].hide()

    def set_editable(self, editable: bool, locked: frozenset[str] | None = None) -> None:
        """Open the fields to change (or not); ``locked``: the settings the policy sets,
        read-only with the note beside each whatever ``editable`` says."""
        if locked is not None:
            self.locked = locked
        for key, editor in self.editors.items():
            open_ = editable and key not in self.locked
            if isinstance(editor, QLineEdit):
                editor.setReadOnly(not open_)
            else:
                editor.setEnabled(open_)
            self.notes[key].setVisible(key in self.locked)
            editor.setToolTip(f"{LOCKED_NOTE}." if key in self.locked
                              else self.form.field(key).hint)
        self.save_button.setEnabled(editable and len(self.locked) < len(self.editors))

