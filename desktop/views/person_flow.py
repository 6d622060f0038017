"""Who the window acts as: signing in, signing out and switching person, and what the
person may use.

Why apart from the window: every service call runs as the person signed in, and a
change of person must leave nothing the last one read in any widget. The window holds
who it is (``window.user``, read by every call); this flow decides when it changes and
what follows (drafts saved, every screen built anew, the sign-in dialog, the first
screen the person may use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.qt import QTimer, QWidget
from desktop.services.auth.roles import permissions_of
from desktop.services.users import Person, people
from desktop.views.screen import Screen
from desktop.views.signin import SignInDialog, remember_user, remembered_user

if TYPE_CHECKING:
    from desktop.views.screen_list import ScreenKind
    from desktop.views.window import MainWindow

#: QSettings key of the last screen shown (per person: see :meth:`last_screen_key`).
LAST_SCREEN = "window/screen"
#: How long the sign-in list shows before the screens' modules are imported behind it.
#: Why not at once: a person reads the list for longer than this, and one who picks at
#: once (launch_to_first_screen_100k) would have their first screen built and read
#: while the import held the interpreter (0.15 s of its 1.7 s here).
IMPORT_AHEAD_MS = 500


class PersonFlow:
    """Sign in, sign out and switch the person the window acts as.

    Attributes:
        window: the window acting.
        dialog: the sign-in dialog while it is shown.
    """

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.dialog: SignInDialog | None = None
        #: Screens a sign-out replaced, kept until the window closes (switch_person).
        self._retired: list[QWidget] = []

    # -- signing in -------------------------------------------------------------------
    def ask_who(self) -> None:
        """The store's people, read on the worker, then the sign-in dialog."""
        window = self.window
        window.say("Sign in to see the cases.")
        (window.call("Finding who can sign in", people)
         .success(self._choose_person)
         .run())

    def _choose_person(self, found: list[Person]) -> None:
        """The sign-in dialog; meanwhile, the screens' modules are imported."""
        window = self.window
        if not found:  # a store with nobody in it yet: nothing to sign in as
            window.statusBar().showMessage("Nobody can sign in yet: import the staff "
                                           "list, or build the demo county.", 10_000)
            window.start()
            return
        key = str(window.db_path)
        dialog = SignInDialog(window, found, remembered_user(key))
        dialog.accepted.connect(lambda: self._signed_in(dialog.chosen, key))
        dialog.rejected.connect(window.close)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        QTimer.singleShot(IMPORT_AHEAD_MS, window, window.screen_builder.import_ahead)

    def _signed_in(self, person: Person | None, key: str) -> None:
        self.dialog = None
        if person is None:
            return
        remember_user(key, person.id)
        self.act_as(person)
        self.window.start()

    def act_as(self, person: Person) -> None:
        """Run every later service call as ``person`` (the sign-in dialog's answer)."""
        window = self.window
        window.user = person
        window.say("")
        window.setWindowTitle(f"DipSample: {person.name}: {window.db_path.name}")
        window.who.setText(f"Signed in: {person.name}")
        window.switch_action.setEnabled(window.asks_sign_in)
        for screen in window.built_screens():
            screen.stale = True
        window.signed_in.emit(person)

    # -- signing out ------------------------------------------------------------------
    def switch_person(self) -> None:
        """Sign out: drafts saved, every screen built anew on its next visit (nothing the
        last person read stays in a widget), then the sign-in dialog for the next person."""
        window = self.window
        if window.user is None or window.store is None or self.dialog is not None:
            return
        window.save_layout()
        for screen in window.built_screens():
            write = screen.last_write()
            if write is not None:
                window.call("Saving before signing out", write, dialog=False).run()
        window.user = None
        window.switch_action.setEnabled(False)
        window.who.setText("")
        window.setWindowTitle(f"DipSample: {window.db_path.name}")
        # Every screen built is retired: each is built anew on its next visit. The old
        # ones are kept, hidden and detached, until the window closes: a read still
        # running for them answers into widgets nobody sees instead of into deleted ones.
        self._retired += window.screen_builder.retire_all()
        self.ask_who()

    # -- what the person may use ------------------------------------------------------
    def may_use(self, screen: Screen | ScreenKind) -> bool:
        """Whether the signed-in person's roles give the screen's permission (the system,
        with nobody signed in, may use every screen)."""
        user = self.window.user
        if screen.needs is None or user is None:
            return True
        return screen.needs in permissions_of(frozenset(user.roles))

    def last_screen_key(self) -> str:
        """The last screen is remembered per person: QA's Moderation is not where the
        auditor who signs in next on this laptop should land."""
        user = self.window.user
        return f"{LAST_SCREEN}/{user.id}" if user is not None else LAST_SCREEN
