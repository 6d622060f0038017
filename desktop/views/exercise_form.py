"""The form of one dip-sample exercise, and adding an open audit to an exercise.

Why the form hands over text and not an :class:`ExerciseInput`: the period's dates are
what the person typed (dd/mm/yyyy, or picked), and whether they are dates is the
service's to say (:func:`desktop.services.exercises.period_day`), on the worker, in
the same one sentence the command line prints. The form only shows and collects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from desktop.qt import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    Qt,
    QVBoxLayout,
    QWidget,
)
from desktop.services import exercises
from desktop.services.auth.roles import Permission, permissions_of
from desktop.services.exercises import (
    COHORT_WORDS,
    GRADES,
    AreaChoice,
    ExerciseInput,
    ExerciseRow,
    ExerciseView,
)
from desktop.views.action_dialogs import labelled, ok_cancel, text_box
from desktop.views.date_field import DateField, shown
from desktop.views.plain import plain_label
from desktop.views.screen import Host


def grade_words(code: str) -> str:
    return code.replace("_", " ").capitalize()


def period_words(row: ExerciseRow) -> str:
    """"02/11/2026 to 30/11/2026", "from 02/11/2026", or "" without a period."""
    start = shown(row.period_from) if row.period_from else ""
    end = shown(row.period_to) if row.period_to else ""
    if start and end:
        return f"{start} to {end}"
    return f"from {start}" if start else (f"until {end}" if end else "")


@dataclass(frozen=True)
class FormValues:
    """What the form holds, as typed; :meth:`to_input` runs on the worker."""

    title: str
    theme: str
    cohort: str | None
    service_area_id: str | None
    period_from: str | None
    period_to: str | None
    findings: str
    judgement: str | None
    judgement_text: str
    cases_seen: int | None

    def to_input(self) -> ExerciseInput:
        """The service's input; a period that is not a date is refused in one sentence.

        Raises:
            InputProblem: the start or end of the period is not a date.
        """
        return ExerciseInput(
            title=self.title, theme=self.theme, cohort=self.cohort,
            service_area_id=self.service_area_id,
            period_from=exercises.period_day(self.period_from, "start"),
            period_to=exercises.period_day(self.period_to, "end"),
            findings=self.findings, judgement=self.judgement,
            judgement_text=self.judgement_text, cases_seen=self.cases_seen)


class ExerciseForm(QWidget):
    """Title, theme, cohort, area, period, findings and the overall judgement.

    Attributes:
        title_edit, theme_edit, cohort_choice, area_choice, from_date, to_date,
            findings_edit, judgement_choice, judgement_edit: the fields.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cases_seen: int | None = None
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Title of the exercise")
        self.title_edit.setPlaceholderText("For example: Neglect, children on plans")
        self.title_edit.setMaxLength(exercises.TEXT_LIMIT)
        self.theme_edit = QLineEdit()
        self.theme_edit.setAccessibleName("Theme or topic")
        self.theme_edit.setPlaceholderText("What the dip sample looks at")
        self.cohort_choice = QComboBox()
        self.cohort_choice.setAccessibleName("Cohort or legal status")
        self.cohort_choice.addItem("Every cohort", None)
        for code, words in COHORT_WORDS.items():
            self.cohort_choice.addItem(words[:1].upper() + words[1:], code)
        self.area_choice = QComboBox()
        self.area_choice.setAccessibleName("Service area")
        self.area_choice.addItem("Every area", None)
        self.from_date = DateField("First day of the period")
        self.to_date = DateField("Last day of the period")
        self.findings_edit = text_box("Findings: a summary of the cases seen")
        self.judgement_choice = QComboBox()
        self.judgement_choice.setAccessibleName("Overall judgement")
        self.judgement_choice.addItem("Not judged yet", None)
        for code in GRADES:
            self.judgement_choice.addItem(grade_words(code), code)
        self.judgement_edit = text_box("The judgement in words: where practice is now")
        for edit in (self.findings_edit, self.judgement_edit):
            edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for text, widget in (("&Title", self.title_edit), ("The&me", self.theme_edit),
                             ("C&ohort", self.cohort_choice), ("&Area", self.area_choice),
                             ("Period &starts", self.from_date.line),
                             ("Period e&nds", self.to_date.line),
                             ("F&indings", self.findings_edit),
                             ("&Judgement", self.judgement_choice),
                             ("Judgement in &words", self.judgement_edit)):
            if widget is self.from_date.line or widget is self.to_date.line:
                holder = self.from_date if widget is self.from_date.line else self.to_date
                label = plain_label(text)
                label.setBuddy(widget)
                form.addRow(label, holder)
            else:
                labelled(form, text, widget)

    def set_areas(self, areas: Sequence[AreaChoice]) -> None:
        """The service areas offered, keeping the one chosen."""
        chosen = self.area_choice.currentData()
        self.area_choice.clear()
        self.area_choice.addItem("Every area", None)
        for area in areas:
            self.area_choice.addItem(area.name, area.id)
        self.area_choice.setCurrentIndex(max(self.area_choice.findData(chosen), 0))

    def set_editable(self, editable: bool) -> None:
        """Fields a person may read but not change when their roles do not allow it."""
        for edit in (self.title_edit, self.theme_edit, self.from_date.line,
                     self.to_date.line):
            edit.setReadOnly(not editable)
        for text in (self.findings_edit, self.judgement_edit):
            text.setReadOnly(not editable)
        for choice in (self.cohort_choice, self.area_choice, self.judgement_choice):
            choice.setEnabled(editable)
        self.from_date.pick.setEnabled(editable)
        self.to_date.pick.setEnabled(editable)

    def load(self, view: ExerciseView | None) -> None:
        """Show the exercise, or empty fields for a new one."""
        row = view.exercise if view is not None else None
        self._cases_seen = (view.cases_seen_recorded or None) if view is not None else None
        self.title_edit.setText(row.title if row else "")
        self.theme_edit.setText(row.theme if row else "")
        self.cohort_choice.setCurrentIndex(
            max(self.cohort_choice.findData(row.cohort if row else None), 0))
        self.area_choice.setCurrentIndex(
            max(self.area_choice.findData(row.service_area_id if row else None), 0))
        self.from_date.set_value(row.period_from.isoformat() if row and row.period_from
                                 else None)
        self.to_date.set_value(row.period_to.isoformat() if row and row.period_to else None)
        self.findings_edit.setPlainText(view.findings if view else "")
        self.judgement_choice.setCurrentIndex(
            max(self.judgement_choice.findData(row.judgement if row else None), 0))
        self.judgement_edit.setPlainText(view.judgement_text if view else "")

    def values(self) -> FormValues:
        return FormValues(
            self.title_edit.text(), self.theme_edit.text(), self.cohort_choice.currentData(),
            self.area_choice.currentData(), self.from_date.value(), self.to_date.value(),
            self.findings_edit.toPlainText(), self.judgement_choice.currentData(),
            self.judgement_edit.toPlainText(), self._cases_seen)

    def first(self) -> QWidget:
        """Where the cursor goes for a new exercise."""
        return self.title_edit


class ExercisePicker(QDialog):
    """Which exercise the open audit joins.

    Attributes:
        choice: the exercises, latest period first (the id is each item's data).
    """

    def __init__(self, rows: Sequence[ExerciseRow], what: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add to an exercise")
        intro = plain_label(f"Make the audit of {what} part of an exercise. The Exercises "
                            "screen makes new exercises and shows their audits.")
        intro.setWordWrap(True)
        self.choice = QComboBox()
        self.choice.setAccessibleName("Exercise")
        for row in rows:
            period = period_words(row)
            self.choice.addItem(f"{row.title} ({period})" if period else row.title, row.id)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        form = QFormLayout()
        labelled(form, "&Exercise", self.choice)
        layout.addLayout(form)
        layout.addWidget(ok_cancel(self))

    def exercise_id(self) -> str | None:
        data = self.choice.currentData()
        return data if isinstance(data, str) else None


class AddToExercise:
    """The Audits screen's "Add to an exercise…": the exercises read on the worker, the
    person picks one, the audit is attached (the service refuses an audit another
    exercise holds, in one sentence).

    Attributes:
        dialog: the picker while it is open (tests answer it).
    """

    def __init__(self, host: Host, parent: QWidget, said: Callable[[str], None]) -> None:
        self.host = host
        self.parent = parent
        self.said = said
        self.dialog: ExercisePicker | None = None

    def allowed(self) -> bool:
        """Whether the signed-in person may change exercises (the service still guards)."""
        user = self.host.user
        return user is None or Permission.EXERCISES in permissions_of(frozenset(user.roles))

    def run(self, audit_id: str, case_ref: str) -> None:
        (self.host.call("Reading the exercises", exercises.list_exercises, dialog=False)
         .success(lambda rows: self._ask(rows, audit_id, case_ref)).run())

    def _ask(self, rows: list[ExerciseRow], audit_id: str, case_ref: str) -> None:
        if not rows:
            self.said("No exercise yet: the Exercises screen makes one.")
            return
        dialog = ExercisePicker(rows, case_ref, self.parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        titles = {r.id: r.title for r in rows}

        def chosen() -> None:
            exercise_id = dialog.exercise_id()
            if exercise_id is None:
                return
            (self.host.call("Adding the audit to the exercise",
                            lambda ctx: exercises.attach_audits(ctx, exercise_id, [audit_id]))
             .success(lambda _n: self._added(titles[exercise_id], case_ref)).run())

        dialog.accepted.connect(chosen)
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        dialog.open()

    def _added(self, title: str, case_ref: str) -> None:
        self.said(f"The audit of {case_ref} is part of {title}.")
