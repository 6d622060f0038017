"""Facts about an open store for ``check`` and the about box (raw SQL lives here)."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from desktop.models import Action, Audit, Case, Change, Event, Sample, Team, User, Worker


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
