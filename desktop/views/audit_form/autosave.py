"""Saving the form as it is typed: about a second after the last keystroke, one save at
a time, the waiting changes merged.

Why debounced and serialised: a save per keystroke would queue hundreds of writes on
the window's one worker, and two saves of the same field racing could store the older
text last. Changes wait here until the typing pauses (or the field loses focus, or the
window closes); while a save is being written the next one collects newer keystrokes
and goes as soon as it ends. A crash therefore loses at most the pause plus one save:
about two seconds of typing: a person who never pauses is saved every 1.5 seconds.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.errors import UserError
from desktop.qt import QObject, QTimer, Signal
from desktop.services.audits.drafts import DraftChanges, DraftSaved, save_draft
from desktop.services.context import ServiceContext
from desktop.views.screen import Host

#: Typing pauses this long before the changes are saved. Read when an
#: :class:`Autosaver` is made, so a test sets it to a few milliseconds (or passes
#: ``delay_ms``) rather than waiting a real second per save.
AUTOSAVE_DELAY_MS = 1000
#: Changes wait at most this long, even while the typing goes on without a pause.
AUTOSAVE_MAX_WAIT_MS = 1500


class Autosaver(QObject):
    """The pending changes of one audit and the save being written.

    Signals:
        saved(DraftSaved): a save was written (its refused answers, if any).
        failed(str): a save failed; the sentence to show. The changes stay pending.
    """

    saved = Signal(object)
    failed = Signal(str)

    def __init__(self, host: Host, audit_id: str, parent: QObject | None = None, *,
                 delay_ms: int | None = None, max_wait_ms: int | None = None) -> None:
        """``delay_ms`` and ``max_wait_ms`` default to the module's constants as they are
        now (not when this module was imported), so tests can shorten both."""
        super().__init__(parent)
        self.host = host
        self.audit_id = audit_id
        self.pending = DraftChanges()
        #: The changes being written now, or None.
        self.writing: DraftChanges | None = None
        self.saves = 0
        #: Work waiting for every change to be written (a submission, an action).
        self._after: list[Callable[[], object]] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS if delay_ms is None else delay_ms)
        self._timer.timeout.connect(self.flush)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(AUTOSAVE_MAX_WAIT_MS if max_wait_ms is None
                                   else max_wait_ms)
        self._deadline.timeout.connect(self.flush)
        #: The changes of the last save written (what a crash now would keep).
        self.last_written: DraftChanges | None = None

    @property
    def idle(self) -> bool:
        """Nothing waits and nothing is being written."""
        return self.pending.empty and self.writing is None

    def change(self, changes: DraftChanges) -> None:
        """Record a change; it is saved once the typing pauses."""
        self.pending = self.pending.then(changes)
        self._timer.start()
        if not self._deadline.isActive():
            self._deadline.start()

    def flush(self) -> None:
        """Save what is waiting now (after the save being written, if there is one)."""
        self._timer.stop()
        if self.writing is not None or self.pending.empty:
            return
        self._deadline.stop()
        batch, self.pending = self.pending, DraftChanges()
        self.writing = batch
        audit_id = self.audit_id
        (self.host.call("Saving the audit",
                        lambda ctx: save_draft(ctx, audit_id, batch), dialog=False)
         .success(self._written)
         .failure(lambda exc: self._not_written(batch, exc))
         .run())

    def then(self, fn: Callable[[], object]) -> None:
        """Write every change now, and call ``fn`` once they are all written.

        Why: a submission queued while a save is being written would otherwise run
        before the changes typed meanwhile, and be refused for answers already given.
        """
        self._after.append(fn)
        self.flush()
        self._run_after()

    def _run_after(self) -> None:
        if not self.idle:
            return
        waiting, self._after = self._after, []
        for fn in waiting:
            fn()

    def _written(self, result: DraftSaved) -> None:
        self.last_written, self.writing = self.writing, None
        self.saves += 1
        self.saved.emit(result)
        if not self.pending.empty:
            self.flush()
        else:
            self._run_after()

    def _not_written(self, batch: DraftChanges, exc: BaseException) -> None:
        """Keep the changes for the next save; say why in one sentence."""
        self.writing = None
        self.pending = batch.then(self.pending)
        waiting, self._after = self._after, []  # they read what the store holds
        for fn in waiting:
            fn()
        self.failed.emit(exc.message if isinstance(exc, UserError)
                         else "The audit could not be saved; your changes are kept and "
                              "will be saved again with the next change.")

    def last_write(self) -> Callable[[ServiceContext], None] | None:
        """The write the window runs while closing: what still waits (see Screen)."""
        self._timer.stop()
        batch, audit_id = self.pending, self.audit_id
        if batch.empty:
            return None
        self.pending = DraftChanges()

        def write(ctx: ServiceContext) -> None:
            save_draft(ctx, audit_id, batch)

        return write
