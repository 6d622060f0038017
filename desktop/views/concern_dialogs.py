"""What the concerns screen asks: a response or note, the discussion, the agreed RAG.

Why dialogs of their own: the discussion is three things that belong together (when,
who took part, the next steps), the agreed rating is one of three words, and tests
find each dialog on the screen's attribute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from desktop.qt import (
    QComboBox,
    QDateTime,
    QDialog,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    Qt,
    QtWidgets,
    QWidget,
)
from desktop.services.disagreements import Participant, ParticipantChoice
from desktop.views.action_dialogs import labelled, ok_cancel, text_box
from desktop.views.concern_tables import LONDON
from desktop.views.plain import plain_label

RAG_WORDS = (("Red", "red"), ("Amber", "amber"), ("Green", "green"))
#: The narrowest a dialog with a sentence at its head is made, in average characters.
INTRO_CHARS = 60
#: Room a title bar takes beside its title (icon, minimise, maximise, close), in pixels.
TITLE_BAR_EXTRA = 160


class TextDialog(QDialog):
    """One piece of text, with a sentence saying what it is for.

    ``quoted`` is (label, text) of what the answer is about (the concern someone
    raised), shown as plain wrapped text above the box: a response written without
    the concern in front of you answers from memory.

    Attributes:
        text_edit: what the person types.
        quoted_label: the quoted text (None when there is none).
    """

    def __init__(self, title: str, intro: str, label: str, accessible: str,
                 parent: QWidget | None = None, *,
                 quoted: tuple[str, str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        words = plain_label(intro)
        words.setWordWrap(True)
        self.text_edit = text_box(accessible)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(words)
        self.quoted_label: QLabel | None = None
        if quoted is not None:
            self.quoted_label = plain_label(quoted[1])
            self.quoted_label.setWordWrap(True)
            self.quoted_label.setAccessibleName(quoted[0].rstrip(":"))
            self.quoted_label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(plain_label(quoted[0]), self.quoted_label)
        labelled(form, label, self.text_edit)
        form.addRow(ok_cancel(self))
        # Wide enough for the whole title in the title bar (its buttons and icon beside
        # it) and for the sentence on two lines, not four.
        metrics = self.fontMetrics()
        self.setMinimumWidth(max(metrics.averageCharWidth() * INTRO_CHARS,
                                 metrics.horizontalAdvance(title) + TITLE_BAR_EXTRA))
        self.text_edit.setFocus()

    def text(self) -> str:
        return self.text_edit.toPlainText().strip()


class DiscussionDialog(QDialog):
    """When the rating was discussed, who took part (ticked), the next steps agreed.

    Attributes:
        when_edit, people_list, steps_edit: the three answers.
    """

    def __init__(self, choices: Sequence[ParticipantChoice], now: dt.datetime,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record the discussion of the rating")
        local = now.astimezone(LONDON)
        here = QDateTime(local.year, local.month, local.day, local.hour, local.minute,
                         local.second)
        self.when_edit = QtWidgets.QDateTimeEdit(here)
        self.when_edit.setAccessibleName("When it was discussed")
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.when_edit.setMaximumDateTime(here)
        self.people_list = QListWidget()
        self.people_list.setAccessibleName("Who took part")
        for choice in choices:
            item = QListWidgetItem(choice.label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, choice.participant)
            self.people_list.addItem(item)
        self.steps_edit = text_box("Next steps agreed")
        form = QFormLayout(self)
        labelled(form, "&When:", self.when_edit)
        labelled(form, "&Who took part:", self.people_list)
        labelled(form, "&Next steps agreed:", self.steps_edit)
        form.addRow(ok_cancel(self))
        self.steps_edit.setFocus()

    def when(self) -> dt.datetime:
        """The time typed, read as London time (where the council works)."""
        local = self.when_edit.dateTime().toPython()
        assert isinstance(local, dt.datetime)
        return local.replace(tzinfo=LONDON).astimezone(dt.UTC)

    def participants(self) -> list[Participant]:
        items = (self.people_list.item(i) for i in range(self.people_list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items
                if item.checkState() == Qt.CheckState.Checked]

    def next_steps(self) -> str:
        return self.steps_edit.toPlainText().strip()


class AgreeDialog(QDialog):
    """The rating agreed after the discussion.

    Attributes:
        rag_choice: Red, Amber or Green (the code is each item's data).
    """

    def __init__(self, case_ref: str, recorded: str, auditor: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Agree the rating")
        intro = plain_label(f"Case {case_ref}: the record says {recorded.capitalize()}, the "
                            f"auditor said {auditor.capitalize()}. An agreed rating that differs "
                            "from the record's becomes the case's rating.")
        intro.setWordWrap(True)
        self.rag_choice = QComboBox()
        self.rag_choice.setAccessibleName("Agreed rating")
        for words, code in RAG_WORDS:
            self.rag_choice.addItem(words, code)
        self.rag_choice.setCurrentIndex([c for _, c in RAG_WORDS].index(auditor)
                                        if auditor in {c for _, c in RAG_WORDS} else 0)
        form = QFormLayout(self)
        form.addRow(intro)
        labelled(form, "Agreed &rating:", self.rag_choice)
        form.addRow(ok_cancel(self))
        # Its sentence on two lines, not four in a dialog as narrow as its buttons.
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * INTRO_CHARS)

    def rag(self) -> str:
        return str(self.rag_choice.currentData())
