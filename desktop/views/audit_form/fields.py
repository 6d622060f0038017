"""One field of the form: its label, its control, its help and the problem under it.

Why a class per field: the form needs the same four things of every question and of
its own fields (overview, grade, RAG): the value to save, the control to focus when
something is missing, a label for the problem, and a signal when it changes.
"""

from __future__ import annotations

from desktop.models.enums import AnswerType
from desktop.qt import (
    QComboBox,
    QLabel,
    QLineEdit,
    QObject,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.audits.views import AnswerView
from desktop.views.date_field import DateField
from desktop.views.palette import PROBLEM_STYLE
from desktop.views.plain import no_mnemonic, plain_label

NOT_ANSWERED = "Not answered"
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    AnswerType.STANDARD.value: (("Met", "met"), ("Partly met", "partly_met"),
                                ("Not met", "not_met"), ("Not applicable", "not_applicable")),
    AnswerType.YES_NO.value: (("Yes", "yes"), ("No", "no")),
    AnswerType.GRADE.value: (("Outstanding", "outstanding"), ("Good", "good"),
                             ("Requires improvement", "requires_improvement"),
                             ("Inadequate", "inadequate")),
}
RAG_CHOICES = (("Red", "red"), ("Amber", "amber"), ("Green", "green"))
#: Lines a text box shows before it scrolls.
TEXT_LINES = 4


#: The width a choice box asks for, in characters, whatever its longest choice: the box
#: shows the chosen text elided when narrower, its list opens as wide as the words.
CHOICE_CHARS = 16


def narrow_choice(box: QComboBox, chars: int = CHOICE_CHARS) -> QComboBox:
    """``box`` asking for ``chars`` characters of width, not its longest item's.

    Why: a combo box sizes itself to its longest item ("3. Is the risk assessment of
    good quality: analytical, evidence based and focused on the child?"), and one such
    box made the whole form wider than its pane, so it scrolled sideways. The box
    still grows with the layout; only its minimum shrinks. Returned for chaining.
    """
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(chars)
    return box


def choice_box(choices: tuple[tuple[str, str], ...], name: str,
               empty: str = NOT_ANSWERED) -> QComboBox:
    box = narrow_choice(QComboBox())
    box.addItem(empty, None)
    for label, code in choices:
        box.addItem(label, code)
    box.setAccessibleName(name)
    return box


def text_box(name: str) -> QPlainTextEdit:
    """A text box where Tab moves on (the keyboard user's way through the form)."""
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setAccessibleName(name)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * TEXT_LINES + 12)
    return box


def problem_label(name: str) -> QLabel:
    label = plain_label()
    label.setObjectName("problem")
    label.setWordWrap(True)
    # White on strong red, its own background: dark red text on the window's own
    # background read at 1.7:1 in a dark palette.
    label.setStyleSheet(PROBLEM_STYLE)
    label.setAccessibleName(f"Problem with {name}")
    label.hide()
    return label


def value_of(control: QWidget) -> str | None:
    if isinstance(control, DateField):
        return control.value()
    if isinstance(control, QComboBox):
        data = control.currentData()
        return str(data) if data else None
    if isinstance(control, QPlainTextEdit):
        return control.toPlainText()
    if isinstance(control, QLineEdit):
        return control.text()
    raise TypeError(type(control).__name__)


def set_value(control: QWidget, value: str | None) -> None:
    if isinstance(control, DateField):
        control.set_value(value)
    elif isinstance(control, QComboBox):
        found = control.findData(value) if value else 0
        control.setCurrentIndex(max(found, 0))
    elif isinstance(control, QPlainTextEdit):
        control.setPlainText(value or "")
    elif isinstance(control, QLineEdit):
        control.setText(value or "")


def changed_signal(control: QWidget) -> object:
    if isinstance(control, QComboBox):
        return control.currentIndexChanged
    return control.textChanged  # type: ignore[attr-defined]


class Field(QObject):
    """A control with its problem label.

    Signals:
        edited: the person changed the value (not emitted while the form fills it).
    """

    edited = Signal()

    def __init__(self, name: str, control: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.control = control
        self.problem = problem_label(name)
        self._filling = False
        changed_signal(control).connect(self._changed)  # type: ignore[attr-defined]

    @property
    def focus_target(self) -> QWidget:
        return self.control.line if isinstance(self.control, DateField) else self.control

    def value(self) -> str | None:
        return value_of(self.control)

    def fill(self, value: str | None) -> None:
        self._filling = True
        try:
            set_value(self.control, value)
        finally:
            self._filling = False

    def show_problem(self, text: str) -> None:
        self.problem.setText(f"⚠ {text}")
        self.problem.show()

    def clear_problem(self) -> None:
        self.problem.hide()
        self.problem.setText("")

    def _changed(self, *_args: object) -> None:
        if not self._filling:
            self.clear_problem()
            self.edited.emit()


class QuestionField(Field):
    """A template question: its answer control and, except for text, a note.

    Attributes:
        widget: the question's block in the form (label, help, control, note, problem).
        label, help_label: the question's words and its guidance (None without), both
            wrapped to the form's width.

    Why a note: a "not met" without an action needs a written reason (the answer's
    note), and any answer may carry a remark.
    """

    def __init__(self, number: int, answer: AnswerView, parent: QObject | None = None) -> None:
        name = f"Question {number}: {answer.text}"
        if answer.answer_type in CHOICES:
            control: QWidget = choice_box(CHOICES[answer.answer_type], name)
        elif answer.answer_type == AnswerType.TEXT:
            control = text_box(name)
        else:
            control = DateField(name)  # dd/mm/yyyy or a calendar, as every date
        super().__init__(name, control, parent)
        self.answer = answer
        control.setAccessibleDescription(answer.help)
        self.note: QLineEdit | None = None
        if answer.answer_type != AnswerType.TEXT:
            self.note = QLineEdit()
            self.note.setPlaceholderText("Note, or the reason when not met without an action")
            self.note.setAccessibleName(f"Note on question {number}")
            self.note.textChanged.connect(self._changed)
        self.widget = self._build(number)
        self.fill(answer.value)
        if self.note is not None:
            self._filling = True
            self.note.setText(answer.note)
            self._filling = False

    def _build(self, number: int) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 8)
        required = "" if not self.answer.required else " (required)"
        label = plain_label(f"{number}. {no_mnemonic(self.answer.text)}{required}")
        label.setWordWrap(True)  # the form fits its pane: questions wrap, never cut
        label.setBuddy(self.control)
        layout.addWidget(label)
        self.label = label
        self.help_label: QLabel | None = None
        if self.answer.help:
            help_label = plain_label(self.answer.help)
            help_label.setWordWrap(True)
            help_label.setObjectName("help")
            help_label.setEnabled(False)  # drawn in the palette's quieter colour
            layout.addWidget(help_label)
            self.help_label = help_label
        layout.addWidget(self.control)
        if self.note is not None:
            layout.addWidget(self.note)
        layout.addWidget(self.problem)
        return box

    def note_text(self) -> str:
        return self.note.text() if self.note is not None else ""

    def set_enabled(self, on: bool) -> None:
        self.control.setEnabled(on)
        if self.note is not None:
            self.note.setEnabled(on)
