"""Is the store's file whole? SQLite's page-by-page check, off the critical path.

Why not at open: on a 100,000-case store the check reads the whole encrypted file
(seconds), and a person waited for it at every start. The window runs it in the
background once the case list is up, and ``dipsample check`` runs the full form; what
it finds is said in one sentence that names the latest backup.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.services.context import Cancelled, ServiceContext
from desktop.store.backups import backup_hint


@dataclass(frozen=True)
class Health:
    """Attributes:
        problems: SQLite's findings (page numbers and kinds; never row values).
        message: one sentence for a person, empty when the file is whole.
    """

    problems: list[str]
    message: str

    @property
    def ok(self) -> bool:
        return not self.problems


def check_store(ctx: ServiceContext, *, full: bool = False) -> Health:
    """``quick_check`` (or the full ``integrity_check``) of the open store; a cancel
    (the window closing) ends the scan at once with :class:`Cancelled`."""
    store = ctx.store
    try:
        problems = store.integrity_problems(full=full, stop=lambda: ctx.cancel.cancelled)
    except Exception:
        if ctx.cancel.cancelled:
            raise Cancelled() from None
        raise
    if not problems:
        return Health([], "")
    return Health(problems, (
        f"{store.path.name} is damaged: SQLite's check found {len(problems)} "
        f"problem{'s' if len(problems) != 1 else ''}. Stop entering work in it; "
        f"{backup_hint(store.path)}. Ask IT to restore it, then run 'dipsample check'."))
