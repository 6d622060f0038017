"""What every service call carries: the store, who is acting, the time, progress.

Why a clock here: the 72-hour finalisation and escalation deadlines are tested with
a fake clock, and the GUI's worker thread reports progress and honours cancel.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from desktop.models.base import utcnow
from desktop.store import Store

#: ``progress(done, total, stage)``: stage is a short phrase, never personal data.
ProgressFn = Callable[[int, int, str], None]


class Cancelled(Exception):
    """The user pressed Cancel; the service rolled back everything it had done."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass
class ServiceContext:
    """Attributes:
        store: the open local store.
        user_id: the acting user's id, or None for the system (a CLI sweep).
        clock: returns "now" as an aware UTC datetime.
        progress: called with (done, total, stage) during long work.
        cancel: checked between chunks of long work.
    """

    store: Store
    user_id: str | None = None
    clock: Callable[[], dt.datetime] = utcnow
    progress: ProgressFn | None = None
    cancel: CancelToken = field(default_factory=CancelToken)

    def read(self) -> Session:
        """A session for reading, held to the acting person's roles: every query of a
        case, an audit or what hangs off them sees only what this person may see
        (:mod:`desktop.services.auth.visibility`). Services read through this, and
        through ``ctx.store.read()`` only for the whole-caseload figures and bookkeeping
        that the visibility module lists."""
        from desktop.services.auth.visibility import scoped_read

        return scoped_read(self)

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        """Today in England (the council's calendar), not in UTC."""
        from zoneinfo import ZoneInfo

        return self.clock().astimezone(ZoneInfo("Europe/London")).date()

    def report(self, done: int, total: int, stage: str) -> None:
        if self.progress is not None:
            self.progress(done, total, stage)
        self.cancel.check()
