"""The audit's actions: the list so far, and a row of controls to add one.

Seed 001: each action says what must be done, who owns it and by when, with a
realistic timescale; the service refuses a past or too distant date in one sentence.
The owner is picked from the organisation's users, or left to the case's worker; the
priority (high, medium or low) tells the owner which to do first.

A question is named in words with its number ("Q4 Is the response ..."), never by its
code (trial defect 14): the list's cell is elided with the whole question in its
tooltip, the "For question" box shows the number and the first words (its items' and
its own tooltip hold the whole question). The list's columns are fitted to its width
(:class:`ColumnFit`): with "What" stretched, the fixed columns beside it left it a
sliver at 1366x768 and it read "U... th..." (trial defect 15).
"""

from __future__ import annotations

import datetime as dt

from desktop.qt import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLineEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    Signal,
)
from desktop.services.actions import DEFAULT_PRIORITY, PRIORITIES, NewAction
from desktop.services.audits.form import FormAction, Member
from desktop.services.audits.views import AnswerView
from desktop.views.audit_form.fields import narrow_choice
from desktop.views.date_field import DateField
from desktop.views.fit_columns import ColumnFit
from desktop.views.plain import plain_label, plain_tip

COLUMNS = ("What", "Owner", "Due", "Priority", "Status", "Question")
WHAT = COLUMNS.index("What")
QUESTION = COLUMNS.index("Question")
#: The Question column gives way first, down to this many average characters (its
#: tooltip has the whole question).
QUESTION_CHARS = 12
#: The first words of a question in the "For question" box, in characters.
SHORT_CHARS = 40
#: An action that is for no one question.
WHOLE_AUDIT = "The audit as a whole"
#: A new action's due date, in days from today, until the auditor picks one.
DEFAULT_DUE_DAYS = 14
#: The list's height in lines: its header and two actions of two lines each.
TABLE_LINES = 8


def short_words(text: str, chars: int = SHORT_CHARS) -> str:
    """``text`` cut at a word boundary to about ``chars`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return text
    cut = text[:chars].rsplit(" ", 1)[0] or text[:chars]
    return cut.rstrip(" ,;:") + "…"


class ActionsGrid(QGroupBox):
    """Signals:
        add_requested(NewAction): "Add action" with the row's values.

    Attributes:
        table: the actions so far; description, owner, due, question: the new row.
    """

    add_requested = Signal(object)

    def __init__(self) -> None:
        super().__init__("Actions")
        self.setAccessibleName("Actions")
        self.audit_id = ""
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("audit_actions")
        self.table.setAccessibleName("Actions of this audit")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list, arrows move in it
        self.table.setFixedHeight(self.table.fontMetrics().lineSpacing() * TABLE_LINES)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fit = ColumnFit(self.table, first_chars={QUESTION: QUESTION_CHARS})
        #: Each question's code -> its number and words ("Q4 Is the response ...").
        self.question_words: dict[str, str] = {}
        self.description = QLineEdit()
        self.description.setAccessibleName("What must be done")
        self.owner = narrow_choice(QComboBox())
        self.owner.setAccessibleName("Owner")
        # The one date field of the app (dd/mm/yyyy typed, ISO too, a calendar): a
        # QDateEdit here turned 04/01/2027 typed over its text into 21/12/2027.
        self.due = DateField("Due date")
        self.due_problem = plain_label()
        self.due_problem.setAccessibleName("Due date problem")
        self.due_problem.setWordWrap(True)
        self.due_problem.hide()
        self.due.textChanged.connect(lambda _text: self.due_problem.hide())
        self.priority = QComboBox()
        self.priority.setAccessibleName("Priority")
        for code in PRIORITIES:
            self.priority.addItem(code.capitalize(), code)
        self.priority.setCurrentIndex(self.priority.findData(DEFAULT_PRIORITY))
        # Its items are a question's number and first words; the tooltips hold it all.
        self.question = narrow_choice(QComboBox())
        self.question.setAccessibleName("For question")
        self.question.currentIndexChanged.connect(self._question_tip)
        self.add_button = QPushButton("&Add action")
        self.add_button.setAccessibleName("Add action")
        self.add_button.clicked.connect(self._add)
        self.description.returnPressed.connect(self._add)
        form = QFormLayout()
        # A narrow pane puts each control under its label rather than scroll sideways.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for text, control in (("What must &be done", self.description),
                              ("Owner", self.owner), ("D&ue date", self.due),
                              ("Priority", self.priority),
                              ("For &question", self.question)):
            label = plain_label(text)
            label.setBuddy(control.line if isinstance(control, DateField) else control)
            form.addRow(label, control)
            if control is self.due:
                form.addRow("", self.due_problem)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(form)
        layout.addWidget(self.add_button)

    def set_choices(self, audit_id: str, users: tuple[Member, ...],
                    answers: tuple[AnswerView, ...], today: dt.date) -> None:
        self.audit_id = audit_id
        self.owner.clear()
        self.owner.addItem("The case's social worker", None)
        for member in users:
            self.owner.addItem(member.label, member.id)
        self.question.clear()
        self.question_words = {}
        self.question.addItem(WHOLE_AUDIT, None)
        for number, answer in enumerate(answers, 1):
            words = f"Q{number} {' '.join(answer.text.split())}"
            self.question_words[answer.code] = words
            self.question.addItem(f"Q{number} {short_words(answer.text)}", answer.code)
            self.question.setItemData(self.question.count() - 1, plain_tip(words),
                                      Qt.ItemDataRole.ToolTipRole)
        self._question_tip()
        due = today + dt.timedelta(days=DEFAULT_DUE_DAYS)
        self.due.set_day(due)
        self.due_problem.hide()

    def show_actions(self, actions: tuple[FormAction, ...]) -> None:
        self.table.setRowCount(len(actions))
        for row, action in enumerate(actions):
            due = action.due_on.strftime("%d/%m/%Y") if action.due_on else ""
            for column, text in enumerate((action.description, action.owner_name, due,
                                           action.priority.capitalize(),
                                           action.status.replace("_", " "),
                                           self.question_text(action.question_code))):
                item = QTableWidgetItem(text)
                if column in (WHAT, QUESTION):  # cut to fit: the tooltip has it all
                    item.setToolTip(plain_tip(text))
                self.table.setItem(row, column, item)
        self.fit.later()

    def question_text(self, code: str | None) -> str:
        """The question's number and words; never its code (a question no longer on
        the form is named as "a question no longer asked")."""
        if code is None:
            return WHOLE_AUDIT
        return self.question_words.get(code, "A question no longer asked")

    def _question_tip(self, *_args: object) -> None:
        """The box shows the first words; its tooltip is the whole question."""
        code = self.question.currentData()
        whole = self.question_words.get(code, WHOLE_AUDIT) if code else WHOLE_AUDIT
        self.question.setToolTip(plain_tip(whole))
        self.question.setAccessibleDescription(whole)

    def question_for(self, code: str) -> None:
        """Pick ``code`` as the new action's question (from a "not met" answer)."""
        found = self.question.findData(code)
        if found >= 0:
            self.question.setCurrentIndex(found)

    def _add(self) -> None:
        due = self.due.day()
        if due is None:  # refused beside the field, never read as another date
            self.due_problem.setText(self.due.refusal())
            self.due_problem.show()
            self.due.line.setFocus()
            return
        self.due_problem.hide()
        self.add_requested.emit(NewAction(
            description=self.description.text(),
            due_on=due,
            audit_id=self.audit_id, question_code=self.question.currentData(),
            owner_user_id=self.owner.currentData(), priority=self.priority.currentData()))

    def added(self) -> None:
        """The action was stored: clear the row for the next one."""
        self.description.clear()
        self.priority.setCurrentIndex(self.priority.findData(DEFAULT_PRIORITY))
        self.description.setFocus()
