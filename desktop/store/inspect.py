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
        for model in (Change, Event):
            counts[model.__table__.name] = conn.scalar(
                select(func.count()).select_from(model.__table__)) or 0
    return counts
