"""Facts about an open store for ``check`` and the about box (raw SQL lives here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select

from desktop.models import Action, Audit, Case, Change, Event, Sample, Team, User, Worker

if TYPE_CHECKING:
    from desktop.store.database import Store


@dataclass(frozen=True)
class StoreHealth:
    """What ``dipsample check`` reports of the file itself.

    Attributes:
        integrity: SQLite's problems, page by page (empty: none).
        counts: live records per main table and the logs' sizes; empty when the file
            is damaged (counting would read the damaged pages).
    """

    integrity: list[str]
    schema_revision: str
    schema_head: str
    cipher_version: str
    counts: dict[str, int]


def store_health(store: Store) -> StoreHealth:
    """The whole-file check of ``store``: why here, not in the command, is that only the
    store layer holds the engine (the command line calls services and this)."""
    from desktop.store import migrate
    from desktop.store.database import integrity_problems

    problems = integrity_problems(store.engine, full=True)
    return StoreHealth(
        integrity=problems,
        schema_revision=migrate.current_revision(store.engine) or "",
        schema_head=migrate.head_revision(),
        cipher_version=cipher_version(store.engine),
        counts={} if problems else table_counts(store.engine))


def cipher_version(engine: Engine) -> str:
    with engine.connect() as conn:
        row = conn.exec_driver_sql("PRAGMA cipher_version").fetchone()
    return str(row[0]) if row else ""


def table_counts(engine: Engine) -> dict[str, int]:
    """Live records per main table (tombstones excluded), plus the log sizes."""
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for model in (Case, Team, Worker, User, Sample, Audit, Action):
            table = model.__table__
            counts[table.name] = conn.scalar(
                select(func.count()).select_from(table).where(table.c.deleted.is_(False))
            ) or 0
        for log in (Change.__table__, Event.__table__):
            counts[log.name] = conn.scalar(select(func.count()).select_from(log)) or 0
    return counts


def change_counters(engine: Engine) -> tuple[int, int]:
    """The newest change-log row and the newest case event.

    Why: the window compares them before and after each task to learn whether it wrote
    anything (desktop/services/change_sets.py). Read on a pooled connection, so no other
    process is kept from taking the file for itself, as a standing connection would.
    """
    # The case events' number is the one the store hands out (store_meta), so that no
    # page of the events table itself is read: a damaged one is the integrity check's
    # to report, not every task's.
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT (SELECT max(seq) FROM change_log), "
            "(SELECT value FROM store_meta WHERE key = 'case_events.seq')").one()
    return int(row[0] or 0), int(row[1] or 0)
