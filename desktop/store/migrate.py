"""Alembic migrations for the store, with a backup before every upgrade.

Why one transaction for the whole upgrade: SQLite's DDL is transactional once the
driver stops managing transactions (see ``database``), so the new tables, indexes and
the version stamp commit together or not at all. A power cut mid-upgrade leaves the
file exactly at its old version, and a new store is either empty or complete: never
half its tables with an empty ``alembic_version``.

Why foreign keys are off while the scripts run, and checked before the commit: SQLite
alters a table by copying it, dropping the old one and renaming the copy (Alembic's
batch mode). Dropping a table that other rows refer to fails with foreign keys on, and
deferring them does not help (the drop counts a violation that the rename never
clears), so 0007 failed on every store holding audits. This is SQLite's own procedure
for schema changes (sqlite.org/lang_altertable.html, "other kinds of table schema
changes"): foreign keys off outside the transaction, ``foreign_key_check`` inside it.

Why a new store is made from the schema the migrations made once in memory: running
the thirteen scripts costs about 0.1 s of Alembic and SQLAlchemy work per store, and the
result for an empty file is always the same. The first new store of a process runs them
on an in-memory database; its tables, indexes and triggers (as SQLite keeps their
``CREATE`` text) and the rows the scripts wrote (the version stamp, bookkeeping) are then
written into each new store in one transaction. Nothing is kept by hand, so the two
cannot drift: tests/unit/store/test_new_store_schema.py compares a replayed store with a
migrated one, text and rows. Every store that holds data is still upgraded by the
scripts themselves.

Why a failed upgrade removes its backup and says so in one sentence: the transaction
rolled back, so the store is exactly what the backup holds; each retry used to leave
one more full copy beside it and the command line called it "an unexpected error".
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from desktop.errors import SchemaTooNew
from desktop.store import failures
from desktop.store.backups import make_backup, remove
from desktop.store.keys import DatabaseKey

log = logging.getLogger(__name__)

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
    """Every pending migration and the version stamp in one write transaction.

    On SQLite, foreign keys are off for the transaction and every reference is checked
    before it commits (see the module docstring); a dangling one rolls it all back.
    """
    from desktop.store.database import WRITE

    with engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection if conn.dialect.name == "sqlite" else None
        if raw is not None:  # outside any transaction: SQLite ignores it inside one
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            conn.execution_options(**{WRITE: on_wait or True})
            with conn.begin():
                command.upgrade(alembic_config(conn), target)
                if raw is not None:
                    _refuse_dangling_references(conn)
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")


@dataclass(frozen=True)
class HeadSchema:
    """What the migrations make of an empty database, in the order to make it again.

    Attributes:
        statements: each table's, then each index's, trigger's and view's ``CREATE``
            text, as SQLite keeps it in ``sqlite_master``.
        rows: per table that the scripts wrote rows into, its column count and rows.
    """

    statements: tuple[str, ...]
    rows: tuple[tuple[str, int, tuple[tuple[Any, ...], ...]], ...]


#: The order objects are made in: a table before its indexes and triggers.
_KINDS = ("table", "index", "trigger", "view")


def read_schema(conn: Connection) -> HeadSchema:
    """A database's schema and rows, as :func:`create_at_head` writes them again."""
    objects = conn.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
    ).all()
    internal = [name for _kind, name, _sql in objects if name.startswith("sqlite_")]
    if set(internal) - {"sqlite_sequence"}:
        raise RuntimeError(f"the migrations made SQLite's own tables: {internal}")
    statements = tuple(sql for kind in _KINDS for row_kind, name, sql in objects
                       if row_kind == kind and not name.startswith("sqlite_"))
    rows = []
    for kind, name, _sql in objects:
        if kind != "table":
            continue
        result = conn.exec_driver_sql(f'SELECT * FROM "{name}"')
        found = tuple(tuple(row) for row in result)
        if found:
            rows.append((name, len(result.keys()), found))
    return HeadSchema(statements, tuple(rows))


@functools.cache
def head_schema() -> HeadSchema:
    """The migrations run once per process on an empty in-memory database."""

    def connect() -> Any:
        conn = sqlcipher.connect(":memory:", check_same_thread=False)
        conn.isolation_level = None  # as the store's connections (see ``database``)
        return conn

    engine = create_engine("sqlite://", creator=connect, module=sqlcipher,
                           poolclass=StaticPool)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            return read_schema(conn)
    finally:
        engine.dispose()


def create_at_head(engine: Engine, on_wait: Callable[[], None] | None = None) -> None:
    """Make an empty store's schema and rows at head in one write transaction."""
    from desktop.store.database import WRITE

    schema = head_schema()
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: on_wait or True})
        with conn.begin():
            for statement in schema.statements:
                conn.exec_driver_sql(statement)
            for table, width, rows in schema.rows:
                marks = ", ".join("?" * width)
                conn.exec_driver_sql(f'INSERT INTO "{table}" VALUES ({marks})', list(rows))


def _refuse_dangling_references(conn: Connection) -> None:
    """Raise when a row refers to a record that is not there (names tables only)."""
    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if dangling:
        tables = sorted({f"{row[0]} -> {row[2]}" for row in dangling})
        raise RuntimeError(f"the upgrade left {len(dangling)} dangling references: "
                           + ", ".join(tables))


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
    new = current is None and empty
    made = None if new else make_backup(path, key, f"pre-{head}")
    try:
        if new:
            create_at_head(engine, on_wait)
        else:
            upgrade(engine, on_wait=on_wait)
    except BaseException as exc:
        if made is not None:  # rolled back: the store is what the backup holds
            remove(made)
        if not isinstance(exc, Exception) or failures.as_user_error(exc, path) is not None:
            raise  # an interrupt, a busy, full or damaged store: said as it is
        log.error("upgrade of the store from %s to %s failed", current, head, exc_info=exc)
        raise failures.UpgradeFailed(
            f"the upgrade of {path.name} from schema {current} to {head} failed and the "
            "database is unchanged; the details are in the log file") from None
    return made
