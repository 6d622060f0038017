"""Adding one person: name, username, job title, roles and service areas.

Why check boxes and not typed lists: a QA lead adding an auditor picks the store's own
service areas and the roles by their names; nothing to misspell. Why the dialog stays
open on OK: the service judges the person (on the worker), and what it refuses is shown
under the field it is about, in the service's own words, so the person fixes that
field and tries again without retyping the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from desktop.models.enums import Role
from desktop.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.people.staff import ROLE_NAMES
from desktop.views.action_dialogs import ok_cancel
from desktop.views.palette import PROBLEM_STYLE
from desktop.views.plain import plain_label

#: Check boxes per row in the roles and service-areas groups.
PER_ROW = 2
#: Wide enough that a field and the sentence under it each fit on one line or two.
MIN_WIDTH = 620


def sentence(phrase: str) -> str:
    """A service's phrase ("the name is blank") as a sentence a person reads."""
    phrase = phrase.strip()
    return phrase[:1].upper() + phrase[1:] + ("" if phrase.endswith(".") else ".")


@dataclass(frozen=True)
class NewPerson:
    """What the dialog holds: role codes and area names as ticked, texts as typed."""

    name: str
    username: str
    job_title: str
    roles: tuple[str, ...]
    areas: tuple[str, ...]
    #: The worker reference in the case system, for a social worker or team manager.
    staff_ref: str = ""


def _problem_label(what: str) -> QLabel:
    label = plain_label()
    label.setAccessibleName(f"Problem with the {what}")
    label.setStyleSheet(PROBLEM_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def _boxes(title: str, names: Mapping[str, str]) -> tuple[QGroupBox, dict[str, QCheckBox]]:
    group = QGroupBox(title)
    grid = QGridLayout(group)
    boxes: dict[str, QCheckBox] = {}
    for number, (key, words) in enumerate(names.items()):
        box = QCheckBox(words.replace("&", "&&"))  # "Mid & East" is no mnemonic
        box.setAccessibleName(words)
        grid.addWidget(box, number // PER_ROW, number % PER_ROW)
        boxes[key] = box
    return group, boxes


class PersonDialog(QDialog):
    """Signals:
        submitted: the person chose Add; the screen asks the service, then closes the
            dialog (accept) or calls :meth:`show_problems`.

    Attributes:
        name_edit, username_edit, job_title_edit: the typed fields.
        role_boxes: role code to its check box; area_boxes: area name to its check box.
        problems: field key (name, username, job_title, roles, areas) to the label
            under it; ``status`` says anything else.
        add_button: Add.
    """

    submitted = Signal()

    def __init__(self, areas: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a person")
        self.setMinimumWidth(MIN_WIDTH)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Name")
        self.username_edit = QLineEdit()
        self.username_edit.setAccessibleName("Username")
        self.username_edit.setPlaceholderText("Letters, digits and . _ @ -")
        self.job_title_edit = QLineEdit()
        self.job_title_edit.setAccessibleName("Job title")
        self.job_title_edit.setPlaceholderText("e.g. Area Manager (North)")
        self.staff_ref_edit = QLineEdit()
        self.staff_ref_edit.setAccessibleName("Staff reference")
        self.staff_ref_edit.setAccessibleDescription(
            "A social worker's or team manager's reference in the case system: it links "
            "them to their cases")
        self.staff_ref_edit.setPlaceholderText("Social workers and team managers: e.g. W53701")
        roles_group, self.role_boxes = _boxes(
            "&Roles (none ticked: taken from the job title)",
            {role.value: ROLE_NAMES[role] for role in Role})
        areas_group, self.area_boxes = _boxes("Service &areas", {a: a for a in areas})
        if not areas:
            grid = areas_group.layout()
            assert isinstance(grid, QGridLayout)  # made by _boxes
            grid.addWidget(plain_label("No service areas yet: import a staff list "
                                       "or a caseload first."), 0, 0)
        self.problems = {key: _problem_label(what) for key, what in (
            ("name", "name"), ("username", "username"), ("job_title", "job title"),
            ("staff_ref", "staff reference"), ("roles", "roles"),
            ("areas", "service areas"))}
        self.status = plain_label()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Why the person was not added")
        buttons = QDialogButtonBox()
        self.add_button = QPushButton("A&dd")
        self.add_button.setAccessibleName("Add the person")
        self.add_button.setDefault(True)
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.add_button.clicked.connect(self.submitted.emit)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        for text, edit, key in (("&Name:", self.name_edit, "name"),
                                ("&Username:", self.username_edit, "username"),
                                ("&Job title:", self.job_title_edit, "job_title"),
                                ("&Staff reference:", self.staff_ref_edit, "staff_ref")):
            label = plain_label(text)
            label.setBuddy(edit)
            # The reason under its field, as wide as the field: a reason naming the known
            # job titles runs to three lines, which a cell beside the field cut short.
            row = QVBoxLayout()
            row.setSpacing(2)
            row.addWidget(edit)
            row.addWidget(self.problems[key])
            form.addRow(label, row)
            edit.textEdited.connect(lambda _text, k=key: self.problems[k].hide())
        column = self.column = QVBoxLayout(self)
        column.addLayout(form)
        for group, key in ((roles_group, "roles"), (areas_group, "areas")):
            column.addWidget(group)
            column.addWidget(self.problems[key])
        column.addWidget(self.status)
        column.addWidget(buttons)
        order: list[QWidget] = [self.name_edit, self.username_edit, self.job_title_edit,
                                self.staff_ref_edit,
                                *self.role_boxes.values(), *self.area_boxes.values(),
                                self.add_button, cancel]
        for first, second in pairwise(order):
            self.setTabOrder(first, second)
        self.name_edit.setFocus()

    def person(self) -> NewPerson:
        return NewPerson(
            name=self.name_edit.text().strip(), username=self.username_edit.text().strip(),
            job_title=self.job_title_edit.text().strip(),
            roles=tuple(k for k, box in self.role_boxes.items() if box.isChecked()),
            areas=tuple(k for k, box in self.area_boxes.items() if box.isChecked()),
            staff_ref=self.staff_ref_edit.text().strip())

    def set_busy(self, busy: bool) -> None:
        """While the service judges the person, Add waits (a second click adds nothing)."""
        self.add_button.setEnabled(not busy)
        if busy:
            self.status.setText("Adding…")

    def show_problems(self, reasons: Mapping[str, str], message: str = "") -> None:
        """Each refused field's sentence under it; focus goes to the first refused.

        A reason about no field of this form (a team, say) is the status sentence.
        """
        first: QWidget | None = None
        for key, label in self.problems.items():
            text = reasons.get(key, "")
            label.setText(sentence(text) if text else "")
            label.setVisible(bool(text))
            # Tall enough for every line at the width it gets: a dialog (a top-level
            # window) does not grow to a wrapped label's height by itself, and a reason
            # naming the known job titles runs to three or four lines.
            width = (self._field(key).width() if key not in ("roles", "areas")
                     else self.column.contentsRect().width())
            label.setMinimumHeight(label.heightForWidth(width) if text else 0)
            if text and first is None:
                first = self._field(key)
        others = [r for k, r in reasons.items() if k not in self.problems]
        self.status.setText(sentence(others[0] if others else message) if (
            others or (message and first is None)) else "")
        if first is not None:
            first.setFocus()
        self.adjustSize()

    def _field(self, key: str) -> QWidget:
        if key == "roles":
            return next(iter(self.role_boxes.values()))
        if key == "areas":
            return next(iter(self.area_boxes.values()), self.add_button)
        return {"name": self.name_edit, "username": self.username_edit,
                "job_title": self.job_title_edit, "staff_ref": self.staff_ref_edit}[key]


class PasswordDialog(QDialog):
    """A new password typed twice (and, for one's own, the current one first).

    Why the two fields are compared here: a typo in a password nobody can read back
    locks the person out; the strength rule itself is the service's
    (``desktop.services.auth.passwords.check_strength``), so the command line meets it
    too.

    Attributes:
        current: the current password, shown only for one's own.
        new, again: the new password, twice.
        problem: why OK did nothing.
    """

    def __init__(self, parent: QWidget | None, name: str, *, own: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Password for {name}")
        self.current = self._field("Current password")
        self.current.setVisible(own)
        self.new = self._field("New password")
        self.again = self._field("The new password again")
        self.problem = plain_label("")
        self.problem.setStyleSheet(PROBLEM_STYLE)
        self.problem.setWordWrap(True)
        self.problem.hide()
        form = QFormLayout()
        if own:
            form.addRow("&Current password:", self.current)
        form.addRow("&New password:", self.new)
        form.addRow("&Again:", self.again)
        buttons = ok_cancel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("At least ten characters: three random words make a good "
                                     "one."))
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        (self.current if own else self.new).setFocus()

    @staticmethod
    def _field(name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setAccessibleName(name)
        return field

    def accept(self) -> None:
        if self.new.text() != self.again.text():
            self.problem.setText("The two new passwords differ.")
            self.problem.show()
            self.again.clear()
            self.again.setFocus()
            return
        super().accept()
