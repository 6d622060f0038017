"""Who is acting: the sign-in dialog shown once the store is open.

Why a list and not a username box: an auditor on a shared locality laptop picks
themselves from the people the store knows, found by typing part of a name; the last
person to sign in on this laptop is selected already (remembered in QSettings per
store). Every service call the window makes then carries that person's id, so the
event log says who viewed, changed or printed what. A person with a password is asked
for it (checked by ``desktop.services.auth.signin.sign_in`` on the window's worker:
scrypt is slow on purpose). A person without one chooses one here, typed twice, before
the window opens for them on a council's database; on the demo county they sign in by
name (docs/security.md). Every sign-in is logged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from desktop.errors import UserError
from desktop.qt import (
    QDialog,
    QDialogButtonBox,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSettings,
    Qt,
    QVBoxLayout,
    QWidget,
)
from desktop.services.auth.signin import choose_first_password, sign_in
from desktop.services.context import ServiceContext
from desktop.services.users import Person
from desktop.views.plain import plain_label, plain_tip

SETTINGS_KEY = "signin/last_user"


def remembered_user(store_key: str) -> str | None:
    value = QSettings().value(f"{SETTINGS_KEY}/{store_key}")
    return str(value) if value else None


def remember_user(store_key: str, user_id: str) -> None:
    QSettings().setValue(f"{SETTINGS_KEY}/{store_key}", user_id)


def check_password(host: object, person: Person, password: QLineEdit, problem: QLabel,
                   then: Callable[[], None]) -> None:
    """Check the typed password on ``host``'s worker (the window's ``call``); ``then``
    when right, one sentence in ``problem`` when refused. The sign-in dialog and the
    idle lock both ask for it this way."""
    typed = password.text()
    if not typed:  # Enter before typing it: not a wrong password, not counted
        password.setFocus()
        return
    password.clear()
    call = getattr(host, "call", None)
    if not callable(call):
        raise RuntimeError("a password is checked on the window's worker")

    def refused(exc: BaseException) -> None:
        problem.setText(exc.message if isinstance(exc, UserError)
                        else "The password could not be checked.")
        problem.show()
        password.setFocus()

    (call("Checking the password", lambda ctx: sign_in(ctx, person.id, typed), dialog=False)
     .success(lambda _none: then())
     .failure(refused)
     .run())


class SignInDialog(QDialog):
    """Pick yourself from the store's people.

    Attributes:
        search: type part of a name, username or job title.
        people_list: the matching people; Enter or double-click signs in.
        password: shown when the selected person has a password.
        problem: why the last attempt was refused (a wrong password).
        chosen: the person signed in, once accepted.
    """

    def __init__(self, parent: QWidget | None, people: Sequence[Person],
                 remembered: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("DipSample: sign in")
        self._people = list(people)
        self.chosen: Person | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type part of your name")
        self.search.setAccessibleName("Find yourself")
        self.search.textChanged.connect(self._filter)
        self.people_list = QListWidget()
        self.people_list.setAccessibleName("People who can sign in")
        self.people_list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setPlaceholderText("Password")
        self.password.hide()
        self.choose_note = plain_label(
            "You have no password yet. Choose one of at least 10 characters (three "
            "random words make a good one) and type it twice; you will use it from now "
            "on.")
        self.choose_note.setWordWrap(True)
        self.choose_note.hide()
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.setAccessibleName("The new password again")
        self.again.setPlaceholderText("The new password again")
        self.again.hide()
        self.problem = plain_label("")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.people_list.currentRowChanged.connect(lambda _row: self._show_password())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        label = plain_label("&Who are you?")
        label.setBuddy(self.search)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.search)
        layout.addWidget(self.people_list)
        layout.addWidget(self.choose_note)
        layout.addWidget(self.password)
        layout.addWidget(self.again)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(440, 480)
        self._filter("")
        if remembered is not None:
            self._select(remembered)
        self.search.setFocus()

    def _filter(self, text: str) -> None:
        current = self.selected()
        self.people_list.clear()
        for person in self._people:
            if person.matches(text):
                detail = person.job_title or ", ".join(person.roles) or person.username
                item = QListWidgetItem(f"{person.name}\n{detail}")
                item.setData(Qt.ItemDataRole.UserRole, person.id)
                item.setToolTip(plain_tip(person.username))
                self.people_list.addItem(item)
        if current is None or not self._select(current.id):
            self.people_list.setCurrentRow(0)

    def _select(self, user_id: str) -> bool:
        for row in range(self.people_list.count()):
            if self.people_list.item(row).data(Qt.ItemDataRole.UserRole) == user_id:
                self.people_list.setCurrentRow(row)
                return True
        return False

    def selected(self) -> Person | None:
        item = self.people_list.currentItem()
        if item is None:
            return None
        wanted = item.data(Qt.ItemDataRole.UserRole)
        return next((p for p in self._people if p.id == wanted), None)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Up and Down move through the list while the search field has the focus."""
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.search.hasFocus():
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            row = max(0, min(self.people_list.count() - 1,
                             self.people_list.currentRow() + step))
            self.people_list.setCurrentRow(row)
            return
        super().keyPressEvent(event)

    def _show_password(self) -> None:
        person = self.selected()
        choosing = person is not None and person.chooses_password
        self.password.setVisible(person is not None and (person.has_password or choosing))
        self.password.setPlaceholderText("Choose a password" if choosing else "Password")
        self.password.setAccessibleName("New password" if choosing else "Password")
        self.choose_note.setVisible(choosing)
        self.again.setVisible(choosing)
        self.problem.hide()

    def accept(self) -> None:
        person = self.selected()
        if person is None:
            return  # nobody matches what was typed: stay open
        if person.chooses_password:
            self._choose(person)
            return
        if not person.has_password:
            self._on_worker(lambda ctx: sign_in(ctx, person.id, ""), person)
            return
        check_password(self.parent(), person, self.password, self.problem,
                       lambda: self._signed_in(person))

    def _choose(self, person: Person) -> None:
        """A first password, typed twice, set and signed in with on the worker."""
        typed, again = self.password.text(), self.again.text()
        if not typed:
            self.password.setFocus()
            return
        if typed != again:
            self.password.clear()
            self.again.clear()
            self._refused_text("The two passwords differ; type the same one twice.")
            return
        self.password.clear()
        self.again.clear()
        self._on_worker(lambda ctx: choose_first_password(ctx, person.id, typed), person)

    def _on_worker(self, task: Callable[[ServiceContext], object], person: Person) -> None:
        call = getattr(self.parent(), "call", None)
        if not callable(call):
            raise RuntimeError("a sign-in is recorded on the window's worker")

        def refused(exc: BaseException) -> None:
            self._refused_text(exc.message if isinstance(exc, UserError)
                               else "The sign-in could not be recorded.")

        (call("Signing in", task, dialog=False)
         .success(lambda _none: self._signed_in(person))
         .failure(refused)
         .run())

    def _refused_text(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.password.setFocus()

    def _signed_in(self, person: Person) -> None:
        self.chosen = person
        super().accept()
