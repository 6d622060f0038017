"""Opening the window's store: the passphrase if one is needed, then the file, then a
check of the whole file in the background.

Why on the worker, every step: asking the OS keyring whether it holds the key can block
for seconds on D-Bus, so even the question "do we need a passphrase?" is asked there,
and opening a store may upgrade it. Why the check comes last, on a worker of its own:
SQLite's quick check reads the whole file (seconds on 100,000 cases); run before the
first screenful, or on the screens' worker, it would make the person wait for it.

The window holds the store once it is open (:meth:`MainWindow.use_store`); these
classes hold only the flow and what it shows (the passphrase dialog, the health
message).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING

from desktop.errors import KeyUnavailable, WrongKey
from desktop.qt import QMessageBox, Qt
from desktop.services.context import CancelToken, ServiceContext
from desktop.services.store_health import Health, check_store
from desktop.store import Store, open_store
from desktop.views.passphrase import Need, PassphraseDialog, passphrase_need
from desktop.views.plain import message_box
from desktop.views.worker import BackgroundOp, TaskControl, show_error

if TYPE_CHECKING:
    from desktop.views.window import MainWindow

log = logging.getLogger(__name__)


class StoreOpening:
    """Open the window's database file, asking for a passphrase first if one is needed.

    Attributes:
        window: the window the store opens for.
        stores: every store the worker opened for the window (the window closes them
            on its worker's last task; a plain list, so the worker never reads an
            attribute of the window).
        passphrase_dialog: the passphrase dialog while it is shown.
    """

    def __init__(self, window: MainWindow, stores: list[Store]) -> None:
        self.window = window
        self.stores = stores
        self.passphrase_dialog: PassphraseDialog | None = None

    def open(self, store: Store | None = None) -> None:
        """Open the store off the GUI thread, asking for a passphrase first if needed;
        ``store``: one opened already (the application opens it before the window)."""
        if store is not None:
            self.stores.append(store)
            self._opened(store)
        else:
            self._open(None, probe=True)

    def _open(self, passphrase: str | None, probe: bool = False) -> None:
        """Open the store on the worker.

        With ``probe``, the worker first finds whether a passphrase must be typed; that
        may ask the keyring, which can block for seconds, so never on the GUI thread.
        """
        self.passphrase_dialog = None
        path = self.window.db_path
        stores = self.stores

        def task(_control: TaskControl) -> Store | Need:
            if probe:
                need = passphrase_need(path)
                if need is not Need.NONE:
                    return need
            opened = open_store(path, passphrase=passphrase, prompt=None, create=True)
            stores.append(opened)
            return opened

        (BackgroundOp(self.window, self.window.tasks, "Opening the database", task,
                      path=path)
         .success(self._answered)
         .failure(lambda exc: self._failed(exc, passphrase))
         .run())

    def _answered(self, answer: Store | Need) -> None:
        if isinstance(answer, Need):
            self._ask_passphrase(answer)
        else:
            self._opened(answer)

    def _ask_passphrase(self, need: Need, again: bool = False) -> None:
        window = self.window
        dialog = PassphraseDialog(window, need=need, name=window.db_path.name, again=again)
        dialog.accepted.connect(lambda: self._open(dialog.value()))
        dialog.rejected.connect(self._no_passphrase)
        dialog.finished.connect(dialog.deleteLater)
        self.passphrase_dialog = dialog
        dialog.open()

    def _no_passphrase(self) -> None:
        self.passphrase_dialog = None
        self.window.say("No database open: no passphrase was given. Use File > Quit, and "
                        "start DipSample again to try again.")

    def _failed(self, exc: BaseException, passphrase: str | None) -> None:
        """The store did not open: said in one sentence; a wrong passphrase typed is
        asked for again once the message is dismissed."""
        self.window.say("No database open.")
        box = show_error(self.window, exc, self.window.db_path)
        if passphrase is not None and isinstance(exc, WrongKey | KeyUnavailable):
            box.finished.connect(lambda _code: self._ask_passphrase(Need.EXISTING, again=True))

    def _opened(self, store: Store) -> None:
        """The window holds the store; then who is acting, or the first screen."""
        window = self.window
        window.use_store(store)
        if window.asks_sign_in:
            window.person_flow.ask_who()
        else:
            window.start()


class HealthCheck:
    """SQLite's quick check of the open store, once, after the first screen is up.

    Signals are the window's (``health_checked``): the window is what others watch.

    Attributes:
        health: the check's answer, None until it finished.
        box: the message about a damaged file while it is shown.
    """

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.health: Health | None = None
        self.box: QMessageBox | None = None
        self._started = False

    def start(self) -> None:
        """Check the store on the window's ``checks`` worker (once per window)."""
        store = self.window.store
        if store is None or self._started:
            return
        self._started = True

        def done(future: Future[Health]) -> None:
            exc = future.exception()
            if exc is not None:
                self.window.read_failed(exc)
                return
            self._known(future.result())

        # Cancelled by the window's closing: Ctrl+Q does not wait for the rest of the scan.
        token = CancelToken()
        self.window.checks.run(lambda: check_store(ServiceContext(store=store, cancel=token)),
                               done, cancel=token)

    def _known(self, health: Health) -> None:
        window = self.window
        self.health = health
        if health.ok:
            window.statusBar().showMessage("The database file checked out whole.", 5000)
        else:
            box = message_box(QMessageBox.Icon.Critical, "DipSample", health.message,
                              parent=window)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.box = box
            window.say("The database file is damaged: see the message.")
        window.health_checked.emit(health)

