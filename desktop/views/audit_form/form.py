"""The dip-sample form of one audit, built from the template version it was made with.

Why built at run time: a council may change its template (a new version), and an audit
keeps the questions it was answered against; the form reads them with the audit. The
reading order is the tab order: the sections and their questions, the findings, the
grade, the auditor's RAG (and the disagreement panel when it differs from the case's),
the significant-harm switch (and its panel), the actions, Submit. Every change is
autosaved (see ``autosave``); submission shows each problem under its field and puts
the cursor on the first. The side panels (the disagreement's reason, who took part and
the outcome; the concern's text) are autosaved with the answers and shown again as
typed when the draft is reopened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from desktop.errors import UserError
from desktop.qt import (
    QApplication,
    QCheckBox,
    QEvent,
    QGroupBox,
    QLabel,
    QObject,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.actions import NewAction, add_action
from desktop.services.audits.answers import FieldProblem
from desktop.services.audits.comments import answer_query, post_comment
from desktop.services.audits.drafts import (
    AnswerChange,
    DraftChanges,
    DraftSaved,
    Submission,
    SubmitOutcome,
    submit_form,
)
from desktop.services.audits.form import AuditForm, read_audit_form
from desktop.services.audits.lifecycle import reopen
from desktop.services.case_detail import KeyFacts, key_facts
from desktop.services.context import ServiceContext
from desktop.services.escalations import raise_concern
from desktop.views.audit_form.actions_grid import ActionsGrid
from desktop.views.audit_form.autosave import Autosaver
from desktop.views.audit_form.comments_panel import CommentsPanel
from desktop.views.audit_form.disagreement_panel import DisagreementPanel
from desktop.views.audit_form.escalation_panel import EscalationPanel
from desktop.views.audit_form.fields import (
    CHOICES,
    RAG_CHOICES,
    Field,
    QuestionField,
    choice_box,
    text_box,
)
from desktop.views.audit_form.key_facts import KeyFactsPanel
from desktop.views.plain import escaped, no_mnemonic, plain_label
from desktop.views.screen import Host

DETAILS = ("overview", "positive_practice", "grade", "auditor_rag")
HARM_HELP = "Tick to escalate the concern to the team manager at once."


class AuditFormWidget(QScrollArea):
    """Signals:
        saved: an autosave was written.
        submitted(SubmitResult): the audit was submitted.
        reloaded(AuditForm): the form shows a fresh read (after opening or a write).

    Attributes:
        form: what the form shows; None before the first read.
        autosaver: the audit's pending changes (None before the first read).
        fields: every field by name: question codes and the details.
        status_line: the form's own messages (submission, refusals); saved_line: the
            autosave's (saved, or why not).
    """

    saved = Signal()
    submitted = Signal(object)
    reloaded = Signal(object)

    def __init__(self, host: Host) -> None:
        super().__init__()
        self.host = host
        self.setWidgetResizable(True)
        self.setAccessibleName("Audit form")
        self.form: AuditForm | None = None
        self.autosaver: Autosaver | None = None
        self.fields: dict[str, Field] = {}
        self.status_line = plain_label()
        self.status_line.setAccessibleName("Form status")
        self.status_line.setWordWrap(True)
        self.status_line.hide()  # no empty line under the heading until it says something
        self.saved_line = plain_label()
        self.saved_line.setAccessibleName("Autosave")
        # The page is as wide as the pane, never wider: questions and guidance wrap.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.key_facts = KeyFactsPanel()
        self._facts_for: str | None = None
        self.setWidget(plain_label("Pick an audit on the left, or start one from My week."))

    def _say(self, text: str) -> None:
        """The form's own message (shown only while there is one)."""
        self.status_line.setText(text)
        self.status_line.setVisible(bool(text))

    def _now(self) -> dt.datetime:
        """The window's clock (``host.clock``, which tests fix), as every service call
        sees it."""
        return self.host.clock()

    # -- reading ------------------------------------------------------------------
    def open(self, audit_id: str) -> None:
        """Read the audit and show it (after saving what the previous one holds)."""
        if self.autosaver is not None:
            self.autosaver.flush()  # queued before the read on the one worker
        (self.host.call("Opening the audit", lambda ctx: read_audit_form(ctx, audit_id),
                        dialog=False)
         .success(self._show)
         .run())

    def reread(self) -> None:
        if self.form is not None:
            self.open(self.form.view.summary.id)

    def _show(self, form: AuditForm) -> None:
        if self.form is None or self.form.view.summary.id != form.view.summary.id:
            self._say("")
            self.saved_line.setText("")
        same = (self.form is not None
                and self.form.view.summary.id == form.view.summary.id
                and self.form.view.summary.status == form.view.summary.status)
        self.form = form
        if not same:
            self._build(form)
        self._show_side(form)
        if not same:
            self._focus_first()
            self._read_facts(form.view.summary.case_id)
        self.reloaded.emit(form)

    def _read_facts(self, case_id: str) -> None:
        """The case's key facts beside the form, read on the worker (the standards
        engine judges the case); an answer for a case no longer shown is dropped."""
        self._facts_for = case_id
        if self.key_facts.facts is None or self.key_facts.facts.case_id != case_id:
            self.key_facts.clear("Reading the case's facts…")

        def shown(facts: KeyFacts) -> None:
            if self._facts_for == case_id:
                self.key_facts.show_facts(facts)

        def refused(exc: BaseException) -> None:
            if self._facts_for == case_id:
                why = exc.message if isinstance(exc, UserError) else "they could not be read"
                self.key_facts.clear(f"The case's facts are not shown: {why}")

        (self.host.call("Reading the case's facts", lambda ctx: key_facts(ctx, case_id),
                        dialog=False)
         .success(shown)
         .failure(refused)
         .run())

    def _focus_first(self) -> None:
        """The cursor starts in the first field a keyboard user can change."""
        for field in self.fields.values():
            if field.control.isEnabled():
                field.control.setFocus()
                return

    # -- building -----------------------------------------------------------------
    def _build(self, form: AuditForm) -> None:
        if self.autosaver is not None:
            self.autosaver.flush()
            self.autosaver.setParent(None)
        self.autosaver = Autosaver(self.host, form.view.summary.id)
        self.autosaver.saved.connect(self._saved)
        self.autosaver.failed.connect(self._save_failed)
        self.fields = {}
        page = QWidget()
        layout = QVBoxLayout(page)
        summary = form.view.summary
        case_rag = (form.case_rag or "not rated").title()
        title = summary.template_title or summary.template_code.replace("_", " ")
        # Our markup, the data escaped: a case reference comes from a council's export
        # and a title from a template file, and neither is markup.
        status = summary.status.replace("_", " ")
        header = QLabel(f"<b>Case {escaped(summary.case_ref)}</b>: {escaped(title)} "
                        f"(version {summary.template_version}). The case is rated "
                        f"{escaped(case_rag)} on the record. Status: {escaped(status)}.")
        header.setTextFormat(Qt.TextFormat.RichText)
        header.setWordWrap(True)
        header.setAccessibleName("Audit")
        layout.addWidget(header)
        layout.addWidget(self.saved_line)
        layout.addWidget(self.status_line)
        section_box: QGroupBox | None = None
        section_layout: QVBoxLayout | None = None
        section: str | None = None
        for number, answer in enumerate(form.view.answers, 1):
            if section_box is None or section != answer.section:
                section = answer.section
                section_box = QGroupBox(no_mnemonic(section))
                section_box.setAccessibleName(answer.section)
                section_layout = QVBoxLayout(section_box)
                layout.addWidget(section_box)
            question = QuestionField(number, answer, self)
            question.edited.connect(lambda q=question: self._answer_edited(q))
            assert section_layout is not None
            section_layout.addWidget(question.widget)
            self.fields[answer.code] = question
        layout.addWidget(self._details(form))
        self.disagreement = DisagreementPanel()
        self.disagreement.set_people(form.members)
        self.disagreement.fill(form.panels)
        self.disagreement.edited.connect(self._panels_edited)
        layout.addWidget(self.disagreement)
        # A check box's words never wrap: the short words on the box, the rest under it.
        self.harm = QCheckBox("&Concern of significant harm")
        self.harm.setAccessibleName("Concern of significant harm")
        self.harm.setAccessibleDescription(HARM_HELP)
        self.harm.setChecked(summary.significant_harm)
        self.harm.toggled.connect(self._harm_toggled)
        layout.addWidget(self.harm)
        harm_help = plain_label(HARM_HELP)
        harm_help.setWordWrap(True)
        harm_help.setEnabled(False)  # drawn in the palette's quieter colour, as help is
        layout.addWidget(harm_help)
        self.escalation = EscalationPanel()
        self.escalation.fill(form.panels.concern)
        self.escalation.edited.connect(self._panels_edited)
        self.escalation.raise_requested.connect(self._raise_concern)
        layout.addWidget(self.escalation)
        self.actions_grid = ActionsGrid()
        self.actions_grid.set_choices(summary.id, form.users, form.view.answers,
                                      form.now.date())
        self.actions_grid.add_requested.connect(self._add_action)
        layout.addWidget(self.actions_grid)
        self.submit_button = QPushButton("&Submit")
        self.submit_button.setAccessibleName("Submit the audit")
        self.submit_button.setToolTip("Submit (Ctrl+Enter)")
        self.submit_button.clicked.connect(self.submit)
        layout.addWidget(self.submit_button)
        self.comments = CommentsPanel(self._now)
        self.comments.post_requested.connect(self._post)
        self.comments.answer_requested.connect(self._answer)
        self.comments.reopen_requested.connect(self._reopen)
        layout.addWidget(self.comments)
        layout.addStretch(1)
        self.setWidget(page)
        for field in self.fields.values():
            field.control.installEventFilter(self)
            note = getattr(field, "note", None)
            if note is not None:
                note.installEventFilter(self)
        for control in (*self.disagreement.controls, self.escalation.concern):
            control.installEventFilter(self)
        editable = form.editable
        for field in self.fields.values():
            if isinstance(field, QuestionField):
                field.set_enabled(editable)
            else:
                field.control.setEnabled(editable)
        for widget in (self.harm, self.disagreement, self.submit_button):
            widget.setEnabled(editable)
        self.escalation.set_editable(editable)
        self.actions_grid.setEnabled(summary.status not in ("finalised",))
        self.disagreement.show_for(form.case_rag, summary.auditor_rag)

    def _details(self, form: AuditForm) -> QGroupBox:
        box = QGroupBox("Findings and rating")
        box.setAccessibleName("Findings and rating")
        layout = QVBoxLayout(box)
        view = form.view
        controls = (
            ("overview", "&Overview of findings (required)", text_box("Overview of findings"),
             view.overview),
            ("positive_practice", "&Positive practice", text_box("Positive practice"),
             view.positive_practice),
            ("grade", "O&verall grade (required)",
             choice_box(CHOICES["grade"], "Overall grade", "Not graded"), view.summary.grade),
            ("auditor_rag", "&Your RAG rating (required)",
             choice_box(RAG_CHOICES, "Your RAG rating", "Not rated"),
             view.summary.auditor_rag))
        for name, text, control, value in controls:
            field = Field(control.accessibleName(), control, self)
            field.fill(value)
            field.edited.connect(lambda n=name: self._detail_edited(n))
            label = plain_label(text)
            label.setWordWrap(True)
            label.setBuddy(control)
            layout.addWidget(label)
            layout.addWidget(control)
            layout.addWidget(field.problem)
            self.fields[name] = field
        return box

    def _show_side(self, form: AuditForm) -> None:
        """The parts that change with other writes; the answers are never refilled."""
        self.actions_grid.show_actions(form.actions)
        self.escalation.show_state(self.harm.isChecked(), form.escalation,
                                   form.deadline_if_raised_now)
        self.comments.show_form(form)

    # -- editing and autosave ------------------------------------------------------
    def _answer_edited(self, question: QuestionField) -> None:
        assert self.autosaver is not None
        self.autosaver.change(DraftChanges(answers=(AnswerChange(
            question.answer.code, question.value(), question.note_text()),)))
        if question.value() == "not_met":
            self.actions_grid.question_for(question.answer.code)

    def _detail_edited(self, name: str) -> None:
        assert self.autosaver is not None
        value = self.fields[name].value() or ""
        # ``name`` is one of DETAILS, each a ``str | None`` field of DraftChanges; mypy
        # cannot tell which field a string key names, hence Any.
        detail: dict[str, Any] = {name: value}
        self.autosaver.change(DraftChanges(**detail))
        if name == "auditor_rag" and self.form is not None:
            self.disagreement.show_for(self.form.case_rag, value or None)

    def _panels_edited(self) -> None:
        assert self.autosaver is not None
        self.autosaver.change(DraftChanges(panels=Submission(
            concern=self.escalation.concern.toPlainText(),
            rag_rationale=self.disagreement.reason.toPlainText(),
            discussion=self.disagreement.draft())))

    def _harm_toggled(self, on: bool) -> None:
        assert self.autosaver is not None and self.form is not None
        self.autosaver.change(DraftChanges(significant_harm=on))
        self.escalation.show_state(on, self.form.escalation,
                                   self.form.deadline_if_raised_now)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab onto a question's answer shows the whole question, its words above the
        control included (the scroll area alone shows only the control, which cut the
        question off at the top of the pane); never sideways: the page fits the pane."""
        moved = super().focusNextPrevChild(next)
        focus = QApplication.focusWidget()
        if moved and focus is not None:
            for field in self.fields.values():
                if isinstance(field, QuestionField) and field.widget.isAncestorOf(focus):
                    self.ensureWidgetVisible(field.widget, 0, 8)
                    break
            self.ensureWidgetVisible(focus, 0, 8)
        return moved

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Save when a field loses focus (the person has moved on)."""
        if event.type() == QEvent.Type.FocusOut and self.autosaver is not None:
            self.autosaver.flush()
        return super().eventFilter(watched, event)

    def _saved(self, result: DraftSaved) -> None:
        self._show_problems(result.problems, focus=False)
        self.saved_line.setText("All changes saved." if not result.problems else
                                "Saved, except the answers marked below.")
        self.saved.emit()

    def _save_failed(self, message: str) -> None:
        self.saved_line.setText(f"Not saved: {message}")

    def save_now(self) -> bool:
        if self.autosaver is None or self.form is None or not self.form.editable:
            return False
        self.autosaver.flush()
        return True

    # -- problems -------------------------------------------------------------------
    def _show_problems(self, problems: tuple[FieldProblem, ...], *, focus: bool) -> None:
        first = None
        for problem in problems:
            target: QWidget | None = None
            if problem.field in self.fields:
                field = self.fields[problem.field]
                field.show_problem(problem.short)
                target = field.focus_target
            elif problem.field == "concern":
                self.escalation.problem.setText(f"⚠ {problem.short}")
                self.escalation.problem.show()
                target = self.escalation.concern
            elif problem.field in self.disagreement.problems:
                label = self.disagreement.problems[problem.field]
                label.setText(f"⚠ {problem.short}")
                label.show()
                target = self.disagreement.focus_for(problem.field)
            if first is None:
                first = target
        if focus and first is not None:
            self.ensureWidgetVisible(first)
            first.activateWindow()  # back from the progress dialog, if one was shown
            first.setFocus()

    def _clear_problems(self) -> None:
        for field in self.fields.values():
            field.clear_problem()
        for label in (self.escalation.problem, *self.disagreement.problems.values()):
            label.hide()

    # -- submitting and the panels' writes --------------------------------------------
    def submit(self) -> bool:
        """Ctrl+Enter or Submit: save what waits, then submit or show what is missing."""
        if self.form is None or not self.form.editable or self.autosaver is None:
            return False
        audit_id = self.form.view.summary.id
        submission = Submission(concern=self.escalation.concern_text(),
                                rag_rationale=self.disagreement.rationale(),
                                discussion=self.disagreement.discussion())
        self._say("Submitting…")
        self.autosaver.then(lambda: self.host.call(
            "Submitting the audit", lambda ctx: submit_form(ctx, audit_id, submission))
            .success(self._submit_answered)
            .failure(self._refused)
            .run())
        return True

    def _submit_answered(self, outcome: SubmitOutcome) -> None:
        self._clear_problems()
        if outcome.problems:
            count = len(outcome.problems)
            self._say(
                f"Not submitted: {count} thing{'s' if count > 1 else ''} to complete, "
                "marked below.")
            self._show_problems(outcome.problems, focus=True)
            return
        self._say(outcome.note or "Submitted: open for comment.")
        self.submitted.emit(outcome.result)
        self.reread()

    def _refused(self, exc: BaseException) -> None:
        from desktop.views.worker import show_error

        self._say(exc.message if isinstance(exc, UserError)
                                 else "Not done: see the message.")
        show_error(self, exc, self.host.db_path)

    def _write(self, label: str, fn: Callable[[ServiceContext], object],
               then: Callable[[], None] | None = None) -> None:
        """A write on the worker (the window tells the other screens what it changed),
        then ``then`` and a fresh read of the form."""
        def done(_result: object) -> None:
            if then is not None:
                then()
            self.reread()

        def write() -> None:
            (self.host.call(label, fn)
             .success(done)
             .failure(self._refused)
             .run())

        if self.autosaver is not None:
            self.autosaver.then(write)  # the typed changes are written first
        else:
            write()

    def _add_action(self, new: NewAction) -> None:
        self._write("Adding the action", lambda ctx: add_action(ctx, new),
                    self.actions_grid.added)

    def _raise_concern(self, concern: str) -> None:
        assert self.form is not None
        summary = self.form.view.summary
        self._write("Raising the concern",
                    lambda ctx: raise_concern(ctx, summary.case_id, concern, summary.id))

    def _post(self, body: str, query: bool) -> None:
        assert self.form is not None
        audit_id = self.form.view.summary.id
        self._write("Posting the comment",
                    lambda ctx: post_comment(ctx, audit_id, body, is_query=query),
                    self.comments.text.clear)

    def _answer(self, query_id: str, body: str) -> None:
        if not query_id:
            self._say("Select a query in the list first.")
            return
        self._write("Answering the query", lambda ctx: answer_query(ctx, query_id, body),
                    self.comments.text.clear)

    def _reopen(self, reason: str) -> None:
        assert self.form is not None
        audit_id = self.form.view.summary.id
        self._write("Reopening the audit", lambda ctx: reopen(ctx, audit_id, reason),
                    lambda: self._say(
                        "Reopened: its auditor can correct it and submit it again."))
