"""The plain callables the window hands its worker: each screen's service call, watched
for what it wrote, and the last task when the window closes.

Why built here, from values: only plain callables may cross into a worker thread
(docs/architecture.md, "Transactions and threads"). A closure over the window would
let the worker read a Qt object, or drop the last reference to one; these functions
take what they need, read on the GUI thread, and nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from collections.abc import Callable, Sequence
from typing import TypeVar

from desktop.errors import UserError
from desktop.services.change_sets import ChangeSet, ChangeWatch
from desktop.services.context import ServiceContext
from desktop.store import Store
from desktop.views.worker import TaskControl, TaskManager

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class NoStoreOpen(UserError):
    """A screen asked for data before the database was open."""

    def __init__(self) -> None:
        super().__init__("No database is open yet: wait for it to open, or start "
                         "DipSample again.")


def _quietly(read: Callable[[], R]) -> R | None:
    """What the change watch reads, or None when it cannot (a damaged or busy store):
    the task's own answer, or its own error, is what the person must see."""
    try:
        return read()
    except Exception as exc:  # logged by type only: it may quote the database
        log.info("the change watch could not read the store: %s", type(exc).__name__)
        return None


def watched_call(fn: Callable[[ServiceContext], T], *, store: Store | None,
                 user_id: str | None, clock: Callable[[], dt.datetime],
                 watch: ChangeWatch | None, written: deque[ChangeSet]
                 ) -> Callable[[TaskControl], T]:
    """``fn(ctx)`` as a worker's task, acting as ``user_id`` with the task's progress
    and cancel; what it wrote (``watch``: the store's change log, read before and after)
    is appended to ``written``, a plain deque the GUI thread empties."""

    def task(control: TaskControl) -> T:
        if store is None:
            raise NoStoreOpen()
        ctx = ServiceContext(store=store, user_id=user_id, clock=clock,
                             progress=control.progress, cancel=control.cancel)
        if watch is None or watch.store is not store:
            return fn(ctx)
        mark = _quietly(watch.mark)
        try:
            return fn(ctx)
        finally:
            if mark is not None:
                changes = _quietly(lambda: watch.since(mark))
                if changes:
                    written.append(changes)

    return task


def closing_task(*, store: Store | None, user_id: str | None,
                 clock: Callable[[], dt.datetime],
                 last_writes: Sequence[Callable[[ServiceContext], None]],
                 side_workers: Sequence[TaskManager], stores: Sequence[Store]
                 ) -> Callable[[], None]:
    """The worker's last task: wait for the side workers (a sync stops at its next
    step), run the screens' last writes (a pending autosave), then close every store
    opened for the window."""

    def finish() -> None:
        for worker in side_workers:
            worker.join()
        if store is not None:
            for write in last_writes:
                try:
                    write(ServiceContext(store=store, user_id=user_id, clock=clock))
                except Exception:
                    log.exception("a last write before closing failed")
        for opened in stores:
            opened.close()

    return finish
