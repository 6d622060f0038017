"""The Exercises screen: themed dip-sample exercises, their audits and their summary.

Why a screen of its own: an exercise (seed 002: "a theme, a sample of files/cases",
a period) gathers audits done in the ordinary way, and its overall summary is what
the QA team keeps. Until one could be made here, the Reports screen's "Overall summary
of an exercise" had nothing to print. The list shows every exercise the person
reaches with its progress; the form beside it makes or changes one; under the form
are its audits and the audits of its period that could join it, attached by its
filter (period, area, cohort) or one by one. Every read and write runs on the
window's worker; the services hold the rules and the reach.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from desktop.models import Audit, ExerciseSummary
from desktop.qt import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QSettings,
    Qt,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services import exercises
from desktop.services.auth.roles import Permission, permissions_of
from desktop.services.change_sets import Kind
from desktop.services.context import ServiceContext
from desktop.services.exercises import (
    COHORT_WORDS,
    AreaChoice,
    AttachResult,
    ExerciseAudit,
    ExerciseRow,
    ExerciseView,
)
from desktop.views.date_field import shown
from desktop.views.exercise_form import ExerciseForm, FormValues, grade_words, period_words
from desktop.views.fit_columns import ColumnFit
from desktop.views.fitted_screen import FittedScreen
from desktop.views.plain import plain_label
from desktop.views.row_table import (
    Column,
    LatestRead,
    RowTableModel,
    filtering_proxy,
    reselect,
    row_view,
    selected_rows,
)
from desktop.views.save_report import PDF_FILTER, ReportSaver
from desktop.views.screen import Host
from desktop.views.split_share import ShareSplitter
from desktop.words import plural


def words(code: str | None) -> str:
    return (code or "").replace("_", " ").capitalize()


def cohort_words(code: str | None, every: str = "Every cohort") -> str:
    return words(COHORT_WORDS[code]) if code in COHORT_WORDS else (code or every)


def progress_words(row: ExerciseRow) -> str:
    p = row.progress
    return (f"{plural(p.attached, 'audit')} in the exercise: {p.submitted} submitted, "
            f"{p.finalised} finalised; {plural(p.cases_seen, 'case')} seen.")


def _day(audit: ExerciseAudit) -> str:
    return shown(audit.audit_date) if audit.audit_date else ""


EXERCISE_COLUMNS: list[Column[ExerciseRow]] = [
    Column("Exercise", lambda r: r.title),
    Column("Theme", lambda r: r.theme),
    Column("Cohort", lambda r: cohort_words(r.cohort)),
    Column("Area", lambda r: r.area or "Every area"),
    Column("Period", period_words,
           lambda r: (r.period_from.isoformat() if r.period_from else "")),
    Column("Lead", lambda r: r.lead),
    Column("Audits", lambda r: str(r.progress.attached), lambda r: r.progress.attached),
    Column("Submitted", lambda r: str(r.progress.submitted), lambda r: r.progress.submitted),
    Column("Finalised", lambda r: str(r.progress.finalised), lambda r: r.progress.finalised),
]

_AUDIT_COLUMNS: list[Column[ExerciseAudit]] = [
    Column("Case", lambda a: a.case_ref),
    Column("Audit date", _day, lambda a: a.audit_date.isoformat() if a.audit_date else ""),
    Column("Area", lambda a: a.area),
    Column("Cohort", lambda a: cohort_words(a.cohort, "")),
    Column("Auditor", lambda a: a.auditor),
    Column("Status", lambda a: words(a.status)),
    Column("Grade", lambda a: grade_words(a.grade) if a.grade else "Not graded"),
]


def named(columns: Sequence[Column[Any]], *headers: str) -> list[int]:
    """The positions of the columns with these headers, in the order given."""
    titles = [c.header for c in columns]
    return [titles.index(h) for h in headers]


#: The columns that step aside, in this order, when a table is too narrow for them all
#: (a list beside the form has about 250 pixels in a 1024-pixel window): what the form
#: and the progress line beside the list say of the exercise picked, and what the
#: exercise's own area and cohort say of its audits.
#: The form's share of the width beside the list, until the person moves the divider.
FORM_SHARE = 0.66
LIST_OPTIONAL = ("Finalised", "Submitted", "Lead", "Area", "Cohort", "Theme", "Audits")
AUDITS_OPTIONAL = ("Area", "Cohort")
PERIOD_OPTIONAL = ("Area", "Cohort", "In an exercise", "Auditor")


class ExercisesScreen(FittedScreen):
    """Signals:
        exercises_loaded(int): the list was read (the number of exercises).
        exercise_shown(str): an exercise's form and audits are on show (its id).

    Attributes:
        model, proxy, table: the exercises.
        form: the exercise's fields; save_button, new_button.
        progress: its progress in words; note: what the last attach or detach did.
        audit_model, audit_table: its audits; detach_button.
        period_model, period_table: the audits of its period not in it yet;
            match_button, attach_button.
        print_button, saver: the summary PDF, saved as the Reports screen saves it.
        current: the id of the exercise on show (None: a new one).
    """

    key = "exercises"
    needs = Permission.VIEW_AUDITS
    title = "E&xercises"
    reads: ClassVar[frozenset[Kind]] = frozenset({ExerciseSummary, Audit})

    exercises_loaded = Signal(int)
    exercise_shown = Signal(str)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.current: str | None = None
        self.view: ExerciseView | None = None
        self.reads_rows = LatestRead()
        self.reads_detail = LatestRead()
        self._titles: dict[str, str] = {}
        #: The exercise the form's fields hold: a re-read after attaching keeps what
        #: the person typed and has not saved yet.
        self._form_of: str | None = None

        self.model: RowTableModel[ExerciseRow] = RowTableModel(EXERCISE_COLUMNS, self)
        self.proxy = filtering_proxy(self.model, self)
        self.table = row_view(self.proxy, "exercise_table", "Exercises")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        # A title may take three lines: exercises are few, their titles what is read.
        ColumnFit(self.table, lines=3, optional=named(EXERCISE_COLUMNS, *LIST_OPTIONAL))
        self.counts = plain_label("Not read yet.")
        self.counts.setAccessibleName("How many exercises")
        self.new_button = self._button("New e&xercise", "Start a new exercise",
                                       self.new_exercise)

        self.heading = plain_label("A new exercise")
        self.heading.setAccessibleName("The exercise on show")
        self.form = ExerciseForm()
        self.save_button = self._button("Sa&ve the exercise", "Save the exercise",
                                        self.save_exercise)
        self.print_button = self._button("&Print the summary…", "Save the exercise's "
                                         "overall summary as a PDF", self.print_summary)
        self.progress = plain_label("")
        self.progress.setAccessibleName("Progress of the exercise")
        self.progress.setWordWrap(True)
        self.note = plain_label("")
        self.note.setAccessibleName("What the last change did")
        self.note.setWordWrap(True)

        self.audit_model: RowTableModel[ExerciseAudit] = RowTableModel(_AUDIT_COLUMNS, self)
        self.audit_table = row_view(self.audit_model, "exercise_audits",
                                    "The exercise's audits")
        ColumnFit(self.audit_table, optional=named(_AUDIT_COLUMNS, *AUDITS_OPTIONAL))
        self.detach_button = self._button("Ta&ke the chosen audits out", "Take the "
                                          "selected audits out of the exercise",
                                          self.detach_chosen)
        self.period_model: RowTableModel[ExerciseAudit] = RowTableModel([
            *_AUDIT_COLUMNS,
            Column("Fits its filter", lambda a: "Yes" if a.matches else "No"),
            Column("In an exercise", lambda a: self._titles.get(a.exercise_id or "", "Another")
                   if a.exercise_id else ""),
        ], self)
        self.period_table = row_view(self.period_model, "exercise_period_audits",
                                     "Audits of the exercise's period, not in it yet")
        ColumnFit(self.period_table,
                  optional=named(self.period_model.columns, *PERIOD_OPTIONAL))
        self.match_button = self._button("Attach the audits that mat&ch", "Attach every "
                                         "audit of its period, area and cohort",
                                         self.attach_matching)
        self.attach_button = self._button("Attach the chosen au&dits", "Attach the "
                                          "selected audits to the exercise",
                                          self.attach_chosen)
        self.saver = ReportSaver(host)
        self._lay_out()
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._picked())
        for table in (self.audit_table, self.period_table):
            table.selectionModel().selectionChanged.connect(lambda *_a: self._enable())
        self.saver.saved.connect(lambda _path: self._enable())
        self.saver.gave_up.connect(self._enable)
        self.new_exercise()

    # -- building -----------------------------------------------------------------------
    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _lay_out(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.counts)
        left_layout.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignLeft)

        buttons = QHBoxLayout()
        for button in (self.save_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        its = QWidget()
        its_layout = QVBoxLayout(its)
        its_layout.addWidget(self.audit_table, 1)
        its_layout.addWidget(self.detach_button, 0, Qt.AlignmentFlag.AlignLeft)
        period = QWidget()
        period_layout = QVBoxLayout(period)
        period_layout.addWidget(self.period_table, 1)
        period_buttons = QHBoxLayout()
        period_buttons.addWidget(self.match_button)
        period_buttons.addWidget(self.attach_button)
        period_buttons.addStretch(1)
        period_layout.addLayout(period_buttons)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Audits")
        self.tabs.addTab(its, "Its a&udits")
        self.tabs.addTab(period, "Audits of its pe&riod")

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.form)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.saver)
        right_layout.addWidget(self.progress)
        right_layout.addWidget(self.tabs, 1)
        right_layout.addWidget(self.note)

        # The form keeps its share of the width, the list the rest: Qt's own share-out
        # left the list its narrowest (two columns) even in a 1920-pixel window.
        self.splitter = ShareSplitter(FORM_SHARE)
        self.splitter.setObjectName("exercises_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    def restore_state(self, settings: QSettings) -> None:
        """The person's divider, as the form's share of the width."""
        super().restore_state(settings)
        self.splitter.read()

    # -- who may do what ------------------------------------------------------------------
    def _may(self, permission: Permission) -> bool:
        user = self.host.user
        return user is None or permission in permissions_of(frozenset(user.roles))

    def _enable(self) -> None:
        manage = self._may(Permission.EXERCISES) and self.host.store is not None
        shown_one = self.current is not None
        self.form.set_editable(manage)
        self.save_button.setEnabled(manage)
        self.new_button.setEnabled(manage)
        self.print_button.setEnabled(shown_one and self._may(Permission.REPORTS)
                                     and not self.saver.busy)
        self.detach_button.setEnabled(manage and shown_one
                                      and bool(self.audit_table.selectionModel()
                                               .selectedRows()))
        self.attach_button.setEnabled(manage and shown_one
                                      and bool(self.period_table.selectionModel()
                                               .selectedRows()))
        self.match_button.setEnabled(manage and shown_one and self.period_model.rowCount() > 0)

    # -- reading --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the list (and the exercise on show) again: F5, or after a change."""
        if self.host.store is None:
            return
        self.stale = False

        def read(ctx: ServiceContext) -> tuple[list[ExerciseRow], list[AreaChoice]]:
            return exercises.list_exercises(ctx), exercises.area_choices(ctx)

        self.reads_rows.run(self.host, "Reading the exercises", read, self._listed)

    def _listed(self, found: tuple[list[ExerciseRow], list[AreaChoice]]) -> None:
        rows, areas = found
        self._titles = {r.id: r.title for r in rows}
        self.form.set_areas(areas)
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(rows)
        if self.current is not None:
            reselect(self.table, {self.current})
        self.table.selectionModel().blockSignals(False)
        self.counts.setText(plural(len(rows), "exercise") if rows else
                            "No exercises yet: New exercise starts one.")
        self._enable()  # the person, and so what they may change, is known by now
        self.exercises_loaded.emit(len(rows))
        if self.current is not None:
            if self.current in self._titles:
                self.open_exercise(self.current)
            else:
                self.new_exercise()  # gone, or out of reach after a sync

    def _picked(self) -> None:
        rows: list[ExerciseRow] = selected_rows(self.table)
        if rows and rows[0].id != self.current:
            self.open_exercise(rows[0].id)

    def open_exercise(self, exercise_id: str) -> None:
        """Show the exercise: its form, progress, audits and the audits of its period."""
        def read(ctx: ServiceContext) -> tuple[ExerciseView, list[ExerciseAudit]]:
            return (exercises.show_exercise(ctx, exercise_id),
                    exercises.period_audits(ctx, exercise_id))

        self.current = exercise_id
        self.reads_detail.run(self.host, "Reading the exercise", read, self._shown)

    def _shown(self, found: tuple[ExerciseView, list[ExerciseAudit]]) -> None:
        view, period = found
        if view.exercise.id != self.current:
            return
        self.view = view
        row = view.exercise
        if self._form_of != row.id:
            self.form.load(view)
            self._form_of = row.id
        self.heading.setText(row.title)
        self.progress.setText(progress_words(row))
        self.audit_model.set_rows(view.audits)
        self.period_model.set_rows(period)
        self.tabs.setTabText(0, f"Its a&udits ({len(view.audits)})")
        self.tabs.setTabText(1, f"Audits of its pe&riod ({len(period)})"
                             if row.period_from or row.period_to else
                             "Audits of its pe&riod (give it a period)")
        self._enable()
        self.exercise_shown.emit(row.id)

    def new_exercise(self) -> None:
        """Empty fields for a new exercise; its audits come once it is saved."""
        self.current = None
        self.view = None
        self.reads_detail.serial += 1  # a read on its way is no longer wanted
        self.table.clearSelection()
        self.form.load(None)
        self._form_of = None
        self.heading.setText("A new exercise")
        self.progress.setText("Save the exercise, then attach its audits: those that "
                              "match its period, area and cohort, or ones you choose.")
        self.audit_model.set_rows([])
        self.period_model.set_rows([])
        self.tabs.setTabText(0, "Its a&udits")
        self.tabs.setTabText(1, "Audits of its pe&riod")
        self.note.setText("")
        self._enable()
        if self.isVisible() and self.new_button.hasFocus():
            self.form.first().setFocus()

    # -- writing --------------------------------------------------------------------------
    def save_exercise(self) -> None:
        values: FormValues = self.form.values()
        exercise_id = self.current

        def write(ctx: ServiceContext) -> str:
            data = values.to_input()
            if exercise_id is None:
                return exercises.create_exercise(ctx, data)
            exercises.update_exercise(ctx, exercise_id, data)
            return exercise_id

        self.host.call("Saving the exercise", write).success(self._saved).run()

    def _saved(self, exercise_id: str) -> None:
        self.current = exercise_id
        self._form_of = None  # shown again as the service stored it
        self.note.setText("Saved.")

    def attach_matching(self) -> None:
        exercise_id = self.current
        if exercise_id is None:
            return
        self.host.call("Attaching the audits that match",
                       lambda ctx: exercises.attach_matching(ctx, exercise_id)
                       ).success(self._attached).run()

    def _attached(self, result: AttachResult) -> None:
        text = f"Attached {plural(result.attached, 'audit')} that match."
        if result.already:
            text += f" {plural(result.already, 'audit')} that match were in it already."
        if result.elsewhere:
            text += (f" {plural(result.elsewhere, 'audit')} that match belong to another "
                     "exercise and were left there.")
        self._changed(text)

    def attach_chosen(self) -> None:
        exercise_id = self.current
        chosen = [a.id for a in selected_rows(self.period_table)]
        if exercise_id is None or not chosen:
            return
        (self.host.call("Attaching the chosen audits",
                        lambda ctx: exercises.attach_audits(ctx, exercise_id, chosen))
         .success(lambda n: self._changed(f"Attached {plural(n, 'audit')}.")).run())

    def detach_chosen(self) -> None:
        exercise_id = self.current
        chosen = [a.id for a in selected_rows(self.audit_table)]
        if exercise_id is None or not chosen:
            return
        (self.host.call("Taking the audits out",
                        lambda ctx: exercises.detach_audits(ctx, exercise_id, chosen))
         .success(lambda n: self._changed(f"Took {plural(n, 'audit')} out of the exercise."))
         .run())

    def _changed(self, text: str) -> None:
        self.note.setText(text)

    def print_summary(self) -> None:
        """The exercise's overall summary (seed 002, form 1) as a PDF where the person
        chooses, written as the Reports screen writes it."""
        from desktop.reports.summary import summary_pdf

        exercise_id = self.current
        if exercise_id is None:
            return
        self.saver.save_file(
            "Save the overall summary of the exercise",
            f"exercise-summary_{exercise_id[:8]}.pdf", PDF_FILTER,
            "Writing the exercise's summary",
            lambda ctx, path: summary_pdf(ctx, exercise_id, path))
        self._enable()

    # -- window duties --------------------------------------------------------------------
    def save(self) -> bool:
        """Ctrl+S saves the exercise on show."""
        if not self.save_button.isEnabled():
            return False
        self.save_exercise()
        return True
