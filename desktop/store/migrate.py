"""Alembic migrations for the store, with a backup before every upgrade.

Why one transaction for the whole upgrade: SQLite's DDL is transactional once the
driver stops managing transactions (see ``database``), so the new tables, indexes and
the version stamp commit together or not at all. A power cut mid-upgrade leaves the
file exactly at its old version, and a new store is either empty or complete: never
half its tables with an empty ``alembic_version``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import OperationalError

from desktop.errors import SchemaTooNew
from desktop.store.backups import make_backup
from desktop.store.keys import DatabaseKey

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def head_revision() -> str:
    """The newest revision; cached, as reading it compiles every migration script
    (40 ms, more than the rest of opening a store)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@functools.cache
def known_revisions() -> frozenset[str]:
    return frozenset(rev.revision for rev in
                     ScriptDirectory.from_config(alembic_config()).walk_revisions())


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision (None for a new, empty file); one plain query."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def stamped_revision(conn: Connection) -> str | None:
    """Like :func:`current_revision`, in one query on an open connection (opening a
    store is on a person's critical path)."""
    try:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except OperationalError as exc:
        if "no such table" in str(exc.orig):
            return None
        raise


def upgrade(engine: Engine, target: str = "head", on_wait: Callable[[], None] | None = None
            ) -> None:
    """Every pending migration and the version stamp in one write transaction."""
    from desktop.store.database import WRITE

    with engine.connect() as conn:
        conn.execution_options(**{WRITE: on_wait or True})
        with conn.begin():
            command.upgrade(alembic_config(conn), target)


def upgrade_if_needed(engine: Engine, path: Path, key: DatabaseKey,
                      on_wait: Callable[[], None] | None = None,
                      current: str | None = None) -> Path | None:
    """Bring the schema to head. Returns the backup made first, if any.

    A brand-new file is created at head without a backup; a file at an unknown
    revision was written by a newer DipSample and is refused untouched. ``current``
    is the revision the caller has just read, if it has.
    """
    if current is None:
        current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    if current is not None and current not in known_revisions():
        raise SchemaTooNew(
            f"{path.name} was written by a newer DipSample (schema {current}); "
            "install the newer version to open it."
        )
    with engine.connect() as conn:
        empty = not inspect(conn).get_table_names()
    made = None if (current is None and empty) else make_backup(path, key, f"pre-{head}")
    upgrade(engine, on_wait=on_wait)
    return made
