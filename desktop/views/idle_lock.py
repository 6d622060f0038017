"""The idle lock: after a quiet spell the window hides its screens and asks for the
signed-in person's password again.

Why an application event filter: every key press and mouse movement in any of the
window's widgets and dialogs passes through it, so no screen has to report activity.
Why the screens' ``last_write()`` before locking: the same hook closing the window uses
hands over a pending autosave, which is run on the worker, so a draft typed a moment
before the lock is saved underneath it. Why a clock argument: the test moves a fake
clock ten minutes on instead of waiting ten minutes.

Install it once the window exists: ``install_idle_lock(window)``. The time comes from
the machine-wide policy (``[lock] idle_minutes``, desktop/services/policy.py), else
``DIPSAMPLE_IDLE_MINUTES``, else QSettings ``security/idle_minutes``, else 10 minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from desktop.qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QLineEdit,
    QObject,
    QSettings,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from desktop.services import policy
from desktop.views.plain import plain_label
from desktop.views.signin import check_password

SETTINGS_KEY = "security/idle_minutes"
#: How often the quiet time is compared with the limit.
CHECK_MS = 5_000

_ACTIVITY = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                       QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin,
                       QEvent.Type.ShortcutOverride})


def idle_minutes() -> float:
    """The configured idle time; a value that is not a positive number means the next
    place's (the policy's, the environment's, the window's own, the default)."""
    raw = QSettings().value(SETTINGS_KEY)
    try:
        own = float(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        own = None
    return policy.idle_minutes(own)[0]


class LockDialog(QDialog):
    """The modal lock: the signed-in person's password, or closing DipSample.

    Attributes:
        password: where the password is typed (hidden for a person without one).
        problem: why the last try was refused.
    """

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        person = window.user
        self.setWindowTitle("DipSample is locked")
        self.setModal(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setVisible(person.has_password)
        self.problem = plain_label("")
        self.problem.setWordWrap(True)
        self.problem.hide()
        #: The person chose to sign out rather than unlock.
        self.switching = False
        words = ("Type your password to go on." if person.has_password
                 else "this account has no password, so anyone at this computer can "
                 "unlock it. Sign out and sign in again to choose one (a council's "
                 "database asks for it), or press Unlock to go on.")
        label = plain_label(f"Locked after a quiet spell. {person.name}: {words}")
        label.setWordWrap(True)
        buttons = QDialogButtonBox()
        unlock = buttons.addButton("&Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        unlock.setDefault(True)
        switch = buttons.addButton("Sign out and s&witch person",
                                   QDialogButtonBox.ButtonRole.ActionRole)
        switch.setAccessibleName("Sign out and switch person")
        switch.clicked.connect(self.switch)
        buttons.addButton("&Close DipSample", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.password)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.password.setFocus()

    def accept(self) -> None:
        person = self._window.user
        if person is None or not person.has_password:
            super().accept()
            return
        check_password(self._window, person, self.password, self.problem,
                       lambda: QDialog.accept(self))

    def switch(self) -> None:
        """Another person at the laptop: the lock ends in the sign-in dialog, never in
        the last person's screens (the drafts were saved before the lock)."""
        self.switching = True
        QDialog.accept(self)

    def reject(self) -> None:
        """Escape does not unlock: it closes DipSample (the draft is already saved)."""
        super().reject()
        self._window.close()


class IdleLock(QObject):
    """Watches the application's input and locks ``window`` after ``minutes`` without any.

    Attributes:
        dialog: the lock while it is shown, else None.
    """

    def __init__(self, window: Any, minutes: float, clock: Callable[[], float],
                 check_ms: int) -> None:
        super().__init__(window)
        self.window = window
        self.limit = minutes * 60.0
        self.clock = clock
        self.last_input = clock()
        self.dialog: LockDialog | None = None
        self._hidden: QWidget | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.dialog is None and event.type() in _ACTIVITY:
            self.last_input = self.clock()
        return False

    @property
    def locked(self) -> bool:
        return self.dialog is not None

    def check(self) -> None:
        """Lock when the quiet time has reached the limit (the timer calls this)."""
        if self.dialog is None and self.clock() - self.last_input >= self.limit:
            self.lock()

    def lock(self) -> None:
        window = self.window
        if self.dialog is not None or window.user is None or window.store is None:
            return
        self._save_drafts()
        central = window.centralWidget()
        if central is not None and central.isVisible():
            central.hide()  # nothing of a child's record stays on the screen
            self._hidden = central
        dialog = LockDialog(window)
        dialog.accepted.connect(self._unlocked)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def _save_drafts(self) -> None:
        """Each screen's pending autosave, run on the worker ahead of anything else."""
        for screen in self.window.built_screens():
            write = screen.last_write()
            if write is not None:
                self.window.call("Saving before locking", write, dialog=False).run()

    def _unlocked(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and dialog.switching:
            # New screens are built before the central widget shows again.
            self.window.switch_person()
        if self._hidden is not None:
            self._hidden.show()
            self._hidden = None
        self.last_input = self.clock()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def install_idle_lock(window: Any, *, minutes: float | None = None,
                      clock: Callable[[], float] = time.monotonic,
                      check_ms: int = CHECK_MS) -> IdleLock:
    """Lock ``window`` (a MainWindow) after ``minutes`` without input (default: the
    configured :func:`idle_minutes`). The lock lives as long as the window."""
    lock = IdleLock(window, idle_minutes() if minutes is None else minutes, clock, check_ms)
    return lock
