"""Alembic migrations for the store, with a backup before every upgrade.

Why a backup through SQLite's online backup API: it copies a consistent snapshot
even while another connection reads, and with the same key the copy is encrypted too
(Vorta's ``backup_current_db`` copies the file, which can catch a half-written WAL).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from desktop.errors import SchemaTooNew
from desktop.store.keys import DatabaseKey

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), target)


def backup(path: Path, key: DatabaseKey, suffix: str) -> Path:
    """An encrypted copy of ``path`` beside it, via the online backup API."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.{suffix}.{stamp}{path.suffix}.bak")
    source = sqlcipher.connect(str(path))
    dest = sqlcipher.connect(str(target))
    try:
        source.execute(key.pragma())
        dest.execute(key.pragma())
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return target


def upgrade_if_needed(engine: Engine, path: Path, key: DatabaseKey) -> Path | None:
    """Bring the schema to head. Returns the backup made first, if any.

    A brand-new file is created at head without a backup; a file at an unknown
    revision was written by a newer DipSample and is refused untouched.
    """
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
    made = None if (current is None and empty) else backup(path, key, f"pre-{head}")
    upgrade(engine)
    return made
