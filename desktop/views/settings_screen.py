"""The Settings screen: practice standards, sampling quotas, templates, workflow numbers.

Why these live in files and the store, not in the window: the command line and the
services read the same ``standards.json``, ``sampling.json`` and ``workflow.json`` in
the config folder and the templates in ``<config>/templates``; the screen edits those,
through the services that parse them, so that a value refused here is refused there in
the same words, and a value saved here is what the next command runs with. What the
machine-wide policy sets (desktop/services/policy.py) is shown locked, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from desktop.errors import UserError
from desktop.models import AuditTemplate, StandardsVersion, User, UserServiceArea
from desktop.qt import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from desktop.services import policy
from desktop.services.change_sets import ChangeSet, Kind, Outside
from desktop.services.context import ServiceContext
from desktop.services.standards.settings_form import (
    FORMS,
    SAMPLING,
    STANDARDS,
    WORKFLOW,
    SettingsForm,
    SettingsRefused,
    form_values,
    locked_keys,
    may_change_settings,
)
from desktop.services.standards.settings_history import (
    StandardsVersionInfo,
    save_settings,
    save_standards,
    standards_history,
)
from desktop.services.templates.library import TemplateRow, import_template, template_rows
from desktop.services.templates.versions import TemplateVersion
from desktop.views.fit_columns import ColumnFit
from desktop.views.palette import PROBLEM_STYLE
from desktop.views.path_field import PathField
from desktop.views.people_tab import PeopleTab
from desktop.views.plain import plain_label
from desktop.views.screen import Host, Screen
from desktop.views.settings_form_view import SettingsFormView
from desktop.views.text_table import CopyableTableView, TextTableModel
from desktop.views.worker import show_error

#: The least height of a settings form, in lines (its fields scroll within it).
FORM_LINES = 8
#: The least height of the standards' version history, in lines.
HISTORY_LINES = 5
HISTORY_HEADERS = ("Version", "In force from", "In use", "What changed")
TEMPLATE_HEADERS = ("Template", "Version", "Title", "In use", "Questions", "Stored on")
SAVE_TEXTS = {STANDARDS.file_name: "&Save the standards",
              SAMPLING.file_name: "&Save the quotas", WORKFLOW.file_name: "&Save the workflow"}


@dataclass
class SettingsSnapshot:
    """What the screen shows, read on the worker.

    Attributes:
        values: file name to its fields' texts.
        broken: file name to the sentence saying why it cannot be read.
        locked: file name to the settings the machine-wide policy sets.
        policy_note: what the policy sets on this computer, in words; "" without one.
        policy_problem: the policy file's problem, one line naming it; "" when none.
        templates_locked: the policy names the templates' folder (no import here).
    """

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)
    history: list[StandardsVersionInfo] = field(default_factory=list)
    templates: list[TemplateRow] = field(default_factory=list)
    locked: dict[str, frozenset[str]] = field(default_factory=dict)
    policy_note: str = ""
    policy_problem: str = ""
    templates_locked: bool = False


def policy_words(in_force: policy.Policy) -> str:
    """What the policy sets, as the banner above the tabs says it."""
    if not in_force.count:
        return ""
    count = in_force.count
    parts = [f"Your IT team's policy ({in_force.path}) sets {count} setting"
             f"{'s' * (count != 1)} on this computer; they are read-only here."]
    if in_force.sync_target:
        parts.append(f"Sync with: {policy.describe_target(in_force.sync_target)}.")
    if in_force.templates_folder is not None:
        parts.append(f"Audit templates from: {in_force.templates_folder}.")
    if in_force.idle_minutes is not None:
        parts.append(f"The window locks after {in_force.idle_minutes:g} minutes without "
                     "use.")
    return " ".join(parts)


def read_settings_snapshot(ctx: ServiceContext) -> SettingsSnapshot:
    in_force = policy.current_policy()
    snapshot = SettingsSnapshot(
        policy_note=policy_words(in_force),
        policy_problem="; ".join(p for p in (in_force.problem_line(),
                                             policy.templates_folder_problem()) if p),
        templates_locked=in_force.templates_folder is not None)
    for form in FORMS:
        snapshot.locked[form.file_name] = locked_keys(form)
        try:
            snapshot.values[form.file_name] = form_values(form)
        except UserError as problem:
            snapshot.broken[form.file_name] = problem.message
    if STANDARDS.file_name not in snapshot.broken:
        snapshot.history = standards_history(ctx)
    snapshot.templates = template_rows(ctx)
    return snapshot


def _banner(name: str, accessible_name: str, style: str = "") -> QLabel:
    """A hidden, wrapping line above the tabs, shown when it has something to say."""
    label = plain_label()
    label.setObjectName(name)
    label.setAccessibleName(accessible_name)
    label.setWordWrap(True)
    if style:
        label.setStyleSheet(style)
    label.hide()
    return label


def _setting_words(key: str) -> str:
    """A standards setting's key as the form labels it ("visit_days.green" -> words)."""
    return next((f.label for f in STANDARDS.fields if f.key == key), key)


def _when(moment: Any) -> str:
    return moment.astimezone().strftime("%d/%m/%Y %H:%M") if moment is not None else ""


class SettingsScreen(Screen):
    """The council's settings, in tabs.

    Attributes:
        tabs: the tabs; ``forms`` maps each settings file name to its form view.
        history_model: the standards' versions, newest first.
        people: the People tab (the store's users, added, imported, deactivated).
        templates_model: every template version; ``template_file`` and
            ``import_template_button`` bring a new version in; ``template_outcome``
            says what happened.
        who: why the fields are read-only, when they are.
        policy_note: what the machine-wide policy sets here, when it sets anything.
        policy_problem: the policy file's problem, one line, when it has one.
    """

    key = "settings"
    title = "Se&ttings"
    reads: ClassVar[frozenset[Kind]] = frozenset({User, UserServiceArea, StandardsVersion,
                                                  AuditTemplate, Outside.SETTINGS_FILES})

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.forms: dict[str, SettingsFormView] = {}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        self.who = plain_label()
        self.who.setWordWrap(True)
        self.who.hide()
        self.policy_note = _banner("policy_note", "Set by your IT team's policy")
        self.policy_problem = _banner("policy_problem",
                                      "Problem with your IT team's policy file", PROBLEM_STYLE)
        self.history_model = TextTableModel(HISTORY_HEADERS, self)
        self.history = CopyableTableView(self.history_model, "standards_history")
        self.history.setAccessibleName("Versions of the practice standards")
        # Every column whole in the pane ("In force from" was cut at 1024x700).
        self.history_fit = ColumnFit(self.history)
        standards = self._form_tab(STANDARDS)
        history_box = QGroupBox("Version history (every audit records the version it used)")
        QVBoxLayout(history_box).addWidget(self.history)
        # A few versions' rows, the fields above taking most of the height (the table
        # asked for 192 pixels for its one row, and the fields then scrolled).
        self.history.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.history.setMinimumHeight(self.fontMetrics().lineSpacing() * HISTORY_LINES)
        column = standards.layout()
        assert isinstance(column, QVBoxLayout)  # made by _form_tab
        column.addWidget(history_box, 1)
        column.setStretch(1, 3)  # the fields' scroll area: three parts to the history's one
        self.tabs.addTab(standards, "Practice &standards")
        self.tabs.addTab(self._form_tab(SAMPLING), "Sampling &quotas")
        self.tabs.addTab(self._templates_tab(), "Audit te&mplates")
        self.tabs.addTab(self._form_tab(WORKFLOW), "&Workflow")
        self.people = PeopleTab(host)
        self.tabs.addTab(self.people, "&People")
        layout = QVBoxLayout(self)
        layout.addWidget(self.who)
        layout.addWidget(self.policy_note)
        layout.addWidget(self.policy_problem)
        layout.addWidget(self.tabs)

    def _form_tab(self, form: SettingsForm) -> QWidget:
        view = SettingsFormView(form, SAVE_TEXTS[form.file_name])
        view.save_requested.connect(lambda f=form: self.save_form(f))
        self.forms[form.file_name] = view
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(view)
        # The fields scroll in whatever height the tab has, from a few rows up. Why not
        # their whole height as the height asked for: the window's scroll area asks the
        # screen for its height at its width (its notes wrap), and the standards' fields
        # with the version history under them asked for more than a 700-pixel window
        # has, so the whole screen scrolled as well, by a scroll bar of its own.
        scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        scroll.setMinimumHeight(self.fontMetrics().lineSpacing() * FORM_LINES)
        page = QWidget()
        column = QVBoxLayout(page)
        note = plain_label(f"Kept in {form.file_name} in your settings folder; the command line "
                           "reads the same file.")
        note.setWordWrap(True)
        column.addWidget(note)
        column.addWidget(scroll, 1)
        return page

    def _templates_tab(self) -> QWidget:
        self.templates_model = TextTableModel(TEMPLATE_HEADERS, self)
        self.templates = CopyableTableView(self.templates_model, "template_versions")
        self.templates.setAccessibleName("Audit template versions")
        self.templates_fit = ColumnFit(self.templates)
        self.template_file = PathField("Template file", "Audit templates (*.toml)")
        label = plain_label("Template &file:")
        label.setBuddy(self.template_file.edit)
        self.import_template_button = QPushButton("&Import a new version…")
        self.import_template_button.setAccessibleName("Import a new template version")
        self.import_template_button.clicked.connect(self.import_template)
        self.template_file.edit.returnPressed.connect(self.import_template)
        self.template_outcome = plain_label()
        self.template_outcome.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.template_file, 1)
        row.addWidget(self.import_template_button)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(self.templates, 1)
        column.addLayout(row)
        column.addWidget(self.template_outcome)
        return page

    # -- reading ------------------------------------------------------------------
    def refresh(self) -> None:
        self.host.call("Reading the settings", read_settings_snapshot, dialog=False) \
            .success(self._show).run()
        self.people.refresh()

    def find_text(self) -> bool:
        """Ctrl+F: the People tab's filter, when that tab is showing."""
        if self.tabs.currentWidget() is not self.people:
            return False
        self.people.find_text()
        return True

    def _show(self, snapshot: SettingsSnapshot) -> None:
        user = self.host.user
        editable = user is not None and may_change_settings(user.roles)
        self.who.setText("" if editable else "Only an administrator or a QA lead can change "
                         "settings; you can read them here.")
        self.who.setVisible(not editable)
        self.policy_note.setText(snapshot.policy_note)
        self.policy_note.setVisible(bool(snapshot.policy_note))
        self.policy_problem.setText(snapshot.policy_problem)
        self.policy_problem.setVisible(bool(snapshot.policy_problem))
        for name, view in self.forms.items():
            if name in snapshot.values:
                view.set_values(snapshot.values[name])
            else:
                view.status.setText(snapshot.broken[name])
            view.set_editable(editable, snapshot.locked.get(name, frozenset()))
        self.import_template_button.setEnabled(editable and not snapshot.templates_locked)
        if snapshot.templates_locked:
            self.template_outcome.setText("The audit templates are set by your IT team's "
                                          "policy; a new version is added to its folder.")
        self.history_model.set_rows([
            (v.number, f"Since the start ({_when(v.effective_from)})" if v.since_start
             else _when(v.effective_from), "In use" if v.current else "",
             "; ".join(_setting_words(key) for key in v.changed) if v.number > 1
             else "First version")
            for v in snapshot.history])
        self.templates_model.set_rows([
            (t.code, t.version, t.title, "In use" if t.active else "Earlier version",
             t.questions, _when(t.created_at)) for t in snapshot.templates])

    # -- saving -------------------------------------------------------------------
    def save(self) -> bool:
        """Ctrl+S: save the form on the tab showing."""
        page = self.tabs.currentWidget()
        for view in self.forms.values():
            if page is not None and page.isAncestorOf(view) and view.save_button.isEnabled():
                self.save_form(view.form)
                return True
        return False

    def save_form(self, form: SettingsForm) -> None:
        view = self.forms[form.file_name]
        texts = view.values()
        view.status.setText("Saving…")

        def work(ctx: ServiceContext) -> str:
            if form is STANDARDS:
                return f"Saved; the standards are now version {save_standards(ctx, texts)}."
            save_settings(ctx, form, texts)
            return f"Saved {form.file_name}."

        def refused(exc: BaseException) -> None:
            if isinstance(exc, SettingsRefused):
                view.status.setText(exc.message[:1].upper() + exc.message[1:] + ".")
                view.show_problems(exc.problems)
            else:
                view.status.setText("Not saved.")
                show_error(self, exc)

        def saved(sentence: str) -> None:
            self.host.changed(ChangeSet.of(Outside.SETTINGS_FILES))
            view.show_problems({})
            view.status.setText(sentence)

        self.host.call("Saving the settings", work).success(saved).failure(refused).run()

    def import_template(self) -> None:
        path = self.template_file.text()
        if not path:
            self.template_outcome.setText("Type the template file's path, or choose Browse.")
            return

        def done(version: TemplateVersion) -> None:
            # The title the person knows the template by, not its code.
            verb = "Imported" if version.created else "Brought back"
            self.template_outcome.setText(
                f"{verb} “{version.title}”, version {version.version}; new audits use it.")

        self.template_outcome.setText("Importing…")
        self.host.call("Importing the template", lambda ctx: import_template(ctx, Path(path))) \
            .success(done).failure(self._template_refused).run()

    def _template_refused(self, exc: BaseException) -> None:
        self.template_outcome.setText("The template was not imported.")
        show_error(self, exc)
