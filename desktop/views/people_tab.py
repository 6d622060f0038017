"""The People tab of the Settings screen: the store's users, added, imported, deactivated.

Why here and not only on the command line: after importing its own caseload a council
cannot draw a sample until its auditors are in the store (issue 9, item 3), and the QA
lead who runs the weekly sample is not a command-line user. The tab calls the same
staff service as ``dipsample users``, so a list refused here is refused there, row for
row, and all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from desktop.errors import UserError
from desktop.qt import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QItemSelectionModel,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)
from desktop.services.auth.signin import set_password
from desktop.services.context import ServiceContext
from desktop.services.people.staff import (
    PersonRefused,
    StaffImport,
    StaffMember,
    StaffRefused,
    add_user,
    import_staff,
    list_users,
    roles_in_words,
    service_area_choices,
    set_active,
)
from desktop.services.standards.settings_form import may_change_settings
from desktop.views.import_problems import ProblemsPanel
from desktop.views.path_field import PathField
from desktop.views.person_dialog import PasswordDialog, PersonDialog, sentence
from desktop.views.plain import message_box, plain_label
from desktop.views.row_table import (
    ROW_ROLE,
    Column,
    LatestRead,
    RowTableModel,
    filtering_proxy,
    reselect,
    row_view,
    selected_rows,
)
from desktop.views.screen import Host
from desktop.views.worker import show_error

COLUMNS: tuple[Column[StaffMember], ...] = (
    Column("Name", lambda m: m.name),
    Column("Username", lambda m: m.username),
    Column("Job title", lambda m: m.job_title),
    Column("Roles", lambda m: roles_in_words(m.roles)),
    Column("Service areas", lambda m: ", ".join(m.areas)),
    Column("Active", lambda m: "Active" if m.active else "Deactivated"),
)
READ_ONLY = ("Only an administrator or a QA lead can add, import or deactivate people; "
             "you can read the list here.")
STAFF_FILES = "Staff lists (*.csv *.xlsx);;All files (*)"


@dataclass
class PeopleSnapshot:
    """Everyone in the store (active or not) and the service areas they may be given."""

    members: list[StaffMember] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)


def read_people(ctx: ServiceContext) -> PeopleSnapshot:
    return PeopleSnapshot(list_users(ctx, include_inactive=True), service_area_choices(ctx))


def imported_sentence(result: StaffImport) -> str:
    """What an import did, in words: counts, new areas, and lines read past."""
    people = "person" if result.rows == 1 else "people"
    text = (f"Imported {result.file}: {result.rows} {people}; {result.created} added, "
            f"{result.updated} changed, {result.unchanged} already as listed.")
    if result.new_areas:
        text += f" New service areas: {', '.join(result.new_areas)}."
    if result.new_teams:
        text += f" New teams: {', '.join(result.new_teams)}."
    return " ".join([text, *(sentence(note) for note in result.notes)])


class PeopleTab(QWidget):
    """The store's people.

    Attributes:
        model: every user (``proxy`` filters it by ``filter_edit``); ``table`` shows it.
        add_button, active_button: add a person; deactivate or activate the selected one.
        staff_file, import_button: a staff list brought in all or nothing; a refused
            list's rows are in ``problems``.
        outcome: what the last change did, or why it was refused.
        who: why the buttons are off, when they are.
        dialog: the open "Add a person" dialog, or None.
        confirm_box: the open "Deactivate ...?" question, or None.
    """

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.areas: list[str] = []
        self.dialog: PersonDialog | None = None
        self.editable = False
        self._reads = LatestRead()
        self._select: set[str] = set()
        #: The person just added: their row is selected and scrolled to when shown.
        self._reveal: str | None = None
        self.confirm_box: QMessageBox | None = None
        self.who = plain_label(READ_ONLY)
        self.who.setWordWrap(True)
        self.who.hide()
        self.filter_edit = QLineEdit()
        self.filter_edit.setAccessibleName("Filter the people by text")
        self.filter_edit.setPlaceholderText("Words in any column")
        self.filter_edit.setClearButtonEnabled(True)
        filter_label = plain_label("&Filter:")
        filter_label.setBuddy(self.filter_edit)
        self.model: RowTableModel[StaffMember] = RowTableModel(COLUMNS, self)
        self.proxy = filtering_proxy(self.model, self)
        self.table = row_view(self.proxy, "people_table", "The store's people")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.count = plain_label()
        self.add_button = QPushButton("&Add a person…")
        self.add_button.setAccessibleName("Add a person")
        self.active_button = QPushButton("&Deactivate…")
        self.active_button.setAccessibleName("Deactivate the selected person")
        self.password_button = QPushButton("Set &password…")
        self.password_button.setAccessibleName("Set the selected person's password")
        self.password_dialog: PasswordDialog | None = None
        self.outcome = plain_label()
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("What the last change did")
        self.staff_file = PathField("Staff list file", STAFF_FILES)
        file_label = plain_label("Staff &list:")
        file_label.setBuddy(self.staff_file.edit)
        self.import_button = QPushButton("&Import the staff list")
        self.import_button.setAccessibleName("Import the staff list")
        self.problems = ProblemsPanel()
        self.problems.hide()
        self._lay_out(filter_label, file_label)
        self.filter_edit.textChanged.connect(self._filter)
        self.add_button.clicked.connect(self.add_person)
        self.active_button.clicked.connect(self.toggle_active)
        self.password_button.clicked.connect(self.ask_password)
        self.import_button.clicked.connect(self.import_list)
        self.staff_file.edit.returnPressed.connect(self.import_list)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def _lay_out(self, filter_label: QLabel, file_label: QLabel) -> None:
        filters = QHBoxLayout()
        filters.addWidget(filter_label)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.count)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.active_button)
        buttons.addWidget(self.password_button)
        buttons.addStretch(1)
        import_box = QGroupBox("Import a staff list (all or nothing: a list with a bad row "
                               "adds nobody)")
        hint = plain_label("A CSV or Excel file, one person a line: Name, Username, Job title, "
                           "Roles, Service areas, Teams. Roles may be council titles, and "
                           "empty roles are taken from the job title (Area Manager, Head of "
                           "Service, QA Officer…: the table of job titles, job_titles.csv, "
                           "which a council may change); 'all' in Service areas means every "
                           "area.")
        hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(file_label)
        row.addWidget(self.staff_file, 1)
        row.addWidget(self.import_button)
        inside = QVBoxLayout(import_box)
        inside.addWidget(hint)
        inside.addLayout(row)
        inside.addWidget(self.problems, 1)
        people = QWidget()
        upper = QVBoxLayout(people)
        upper.setContentsMargins(0, 0, 0, 0)
        upper.addLayout(filters)
        upper.addWidget(self.table, 1)
        upper.addLayout(buttons)
        upper.addWidget(self.outcome)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("people_split")  # remembered with the screen
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(people)
        self.splitter.addWidget(import_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        column = QVBoxLayout(self)
        column.addWidget(self.who)
        column.addWidget(self.splitter, 1)
        order: list[QWidget] = [self.filter_edit, self.table, self.add_button,
                                self.active_button, self.password_button,
                                self.staff_file.edit,
                                self.staff_file.button, self.import_button]
        for first, second in pairwise(order):
            self.setTabOrder(first, second)

    # -- reading ------------------------------------------------------------------
    def refresh(self) -> None:
        self._reads.run(self.host, "Reading the people", read_people, self._show)

    def _show(self, snapshot: PeopleSnapshot) -> None:
        user = self.host.user
        self.editable = user is not None and may_change_settings(user.roles)
        self.who.setVisible(not self.editable)
        self.add_button.setEnabled(self.editable)
        self.import_button.setEnabled(self.editable)
        self.staff_file.setEnabled(self.editable)
        self.areas = snapshot.areas
        chosen = self._select or {m.id for m in selected_rows(self.table)}
        self._select = set()
        self.model.set_rows(snapshot.members)
        reselect(self.table, chosen)
        if self._reveal is not None:
            self.reveal(self._reveal)
            self._reveal = None
        self._count()
        self._selection_changed()

    def reveal(self, member_id: str) -> None:
        """Select the person's row, make it current and scroll it into view.

        Why (issue 23, item 9): after "Add a person" the new row was somewhere off-screen
        in a list of a hundred people. A filter that hides the person is cleared first:
        the person just added must be in sight.
        """
        row = self._proxy_row(member_id)
        if row is None and self.filter_edit.text():
            self.filter_edit.clear()
            row = self._proxy_row(member_id)
        if row is None:
            return
        index = self.proxy.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def _proxy_row(self, member_id: str) -> int | None:
        return next((r for r in range(self.proxy.rowCount())
                     if self.proxy.index(r, 0).data(ROW_ROLE).id == member_id), None)

    def find_text(self) -> None:
        """Ctrl+F: the cursor in the filter."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._count()

    def _count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        active = sum(m.active for m in self.model.rows)
        self.count.setText(f"{shown} of {total} shown ({active} active)" if shown != total
                           else f"{total} people ({active} active)")

    def _selection_changed(self, *_args: object) -> None:
        chosen = selected_rows(self.table)
        member = chosen[0] if chosen else None
        deactivate = member is None or member.active
        self.active_button.setText("&Deactivate…" if deactivate else "Activat&e")
        self.active_button.setAccessibleName(
            f"{'Deactivate' if deactivate else 'Activate'} the selected person")
        self.active_button.setEnabled(self.editable and member is not None)
        user = self.host.user
        own = member is not None and user is not None and member.id == user.id
        self.password_button.setEnabled(member is not None and (self.editable or own))

    # -- writing ------------------------------------------------------------------
    def _written(self, sentence_text: str, select: set[str]) -> None:
        self.outcome.setText(sentence_text)
        self._select = select

    def _refused(self, exc: BaseException, what: str) -> None:
        if isinstance(exc, UserError):
            self.outcome.setText(f"{what} {sentence(exc.message)}")
        else:
            self.outcome.setText(what)
            show_error(self, exc)

    def toggle_active(self) -> None:
        """Activate the selected person at once; deactivate them once the person at the
        screen has said yes to a question that names them (issue 23, item 9: one click
        deactivated whoever happened to be selected)."""
        chosen = selected_rows(self.table)
        if not chosen or self.confirm_box is not None:
            return
        member: StaffMember = chosen[0]
        user = self.host.user
        if member.active and not (user is not None and member.id == user.id):
            self._confirm_deactivate(member)
        elif member.active:  # oneself: the service's refusal, without a question first
            self._set_active(member, False)
        else:
            self._set_active(member, True)

    def _confirm_deactivate(self, member: StaffMember) -> None:
        box = message_box(QMessageBox.Icon.Question, "Deactivate a person",
                          f"Deactivate {member.name} ({member.username})?\n\nThey keep "
                          "their history, but no longer sign in or are drawn a sample. "
                          "You can activate them again.",
                          QMessageBox.StandardButton.Cancel, self)
        yes = box.addButton("&Deactivate", QMessageBox.ButtonRole.AcceptRole)
        yes.setAccessibleName(f"Deactivate {member.name}")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter does no harm
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)

        def answered(_result: int) -> None:
            self.confirm_box = None
            box.deleteLater()
            if box.clickedButton() is yes:
                self._set_active(member, False)

        box.finished.connect(answered)
        self.confirm_box = box
        box.open()

    def _set_active(self, member: StaffMember, active: bool) -> None:
        def done(changed: StaffMember) -> None:
            self._written(f"{changed.name} is active again." if active else
                          f"{changed.name} is deactivated: they keep their history, but no "
                          "longer sign in or are drawn a sample.", {changed.id})

        self.host.call("Activating a person" if active else "Deactivating a person",
                       lambda ctx: set_active(ctx, member.id, active)) \
            .success(done) \
            .failure(lambda exc: self._refused(
                exc, "Not activated:" if active else "Not deactivated:")).run()

    def ask_password(self) -> None:
        """Set the selected person's password: anyone's for QA and administrators, one's
        own for everyone (the service checks the same)."""
        chosen = selected_rows(self.table)
        if not chosen or self.password_dialog is not None:
            return
        member: StaffMember = chosen[0]
        user = self.host.user
        own = user is not None and member.id == user.id
        dialog = PasswordDialog(self, member.name, own=own and not self.editable)
        dialog.accepted.connect(lambda: self._set_password(member, dialog))
        dialog.finished.connect(self._password_closed)
        self.password_dialog = dialog
        dialog.open()

    def _password_closed(self, _result: int) -> None:
        if self.password_dialog is not None:
            self.password_dialog.deleteLater()
        self.password_dialog = None

    def _set_password(self, member: StaffMember, dialog: PasswordDialog) -> None:
        new = dialog.new.text()
        old = dialog.current.text() if dialog.current.isVisibleTo(dialog) else None
        self.host.call("Setting a password",
                       lambda ctx: set_password(ctx, member.id, new, old=old)) \
            .success(lambda _none: self._written(
                f"The password of {member.name} is set.", {member.id})) \
            .failure(lambda exc: self._refused(exc, "Password not set:")).run()

    def add_person(self) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            return
        dialog = PersonDialog(self.areas, self)
        dialog.submitted.connect(self._add)
        dialog.finished.connect(self._dialog_closed)
        self.dialog = dialog
        dialog.open()

    def _dialog_closed(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def _add(self) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        person = dialog.person()
        dialog.set_busy(True)

        def added(member: StaffMember) -> None:
            if self.dialog is dialog:  # not closed with Cancel while the service worked
                dialog.accept()
            self._reveal = member.id
            self._written(f"Added {member.name} ({member.username}): "
                          f"{roles_in_words(member.roles) or 'no roles'} in "
                          f"{', '.join(member.areas)}.", {member.id})

        def refused(exc: BaseException) -> None:
            if self.dialog is not dialog:
                self._refused(exc, "The person was not added:")
                return
            dialog.set_busy(False)
            if isinstance(exc, PersonRefused):
                dialog.show_problems(exc.reasons, exc.message)
            elif isinstance(exc, UserError):
                dialog.show_problems({}, exc.message)
            else:
                dialog.status.setText("Not added.")
                show_error(dialog, exc)

        self.host.call("Adding a person", lambda ctx: add_user(
            ctx, username=person.username, name=person.name, roles=";".join(person.roles),
            areas=";".join(person.areas), job_title=person.job_title,
            staff_ref=person.staff_ref or None)) \
            .success(added).failure(refused).run()

    def _room_for_problems(self) -> None:
        """Give the bad rows at least half the height, so a person sees them at once."""
        upper, lower = self.splitter.sizes()
        if lower < upper:
            self.splitter.setSizes([(upper + lower) // 2, (upper + lower) - (upper + lower) // 2])

    def import_list(self) -> None:
        if not self.editable:
            return
        path = self.staff_file.text()
        if not path:
            self.outcome.setText("Type the staff list's path, or choose Browse.")
            return
        self.outcome.setText("Importing…")

        def done(result: StaffImport) -> None:
            self.problems.hide()
            self._written(imported_sentence(result), set())

        def refused(exc: BaseException) -> None:
            if isinstance(exc, StaffRefused):
                self.outcome.setText("The staff list was not imported; nobody was added or "
                                     "changed. Its bad rows are listed below.")
                self.problems.show_report(exc.report)
                self.problems.show()
                self._room_for_problems()
            else:
                self.problems.hide()
                self._refused(exc, "The staff list was not imported:")

        self.host.call("Importing the staff list", lambda ctx: import_staff(ctx, Path(path))) \
            .success(done).failure(refused).run()
