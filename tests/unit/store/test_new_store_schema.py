"""A new store is made from what the migrations make, replayed (desktop/store/migrate.py).

Why this test: the replay is only safe while it makes exactly what running every script
on an empty file makes. It compares the two as SQLite itself describes them (every
object's ``CREATE`` text, SQLite's own tables included) and every row of every table,
read with plain queries rather than the replay's own reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from desktop.store import keys, migrate, open_store
from desktop.store.database import make_engine


def _engine(path: Path) -> Engine:
    return make_engine(path, keys.resolve_key(path, prompt=None))


def _described(engine: Engine) -> tuple[list[Any], dict[str, list[Any]]]:
    with engine.connect() as conn:
        objects = conn.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all()
        rows = {name: sorted(conn.exec_driver_sql(f'SELECT * FROM "{name}"').all(), key=repr)
                for kind, name, _table, _sql in objects if kind == "table"}
    return [tuple(row) for row in objects], rows


def test_a_replayed_store_is_what_the_migrations_make(tmp_path: Path,
                                                      memory_keyring: object) -> None:
    migrated, replayed = _engine(tmp_path / "migrated.db"), _engine(tmp_path / "replayed.db")
    try:
        migrate.upgrade(migrated)
        migrate.create_at_head(replayed)
        schema, rows = _described(migrated)
        assert [kind for kind, *_ in schema].count("index") >= 20  # the real schema
        assert rows["alembic_version"] == [(migrate.head_revision(),)]
        assert _described(replayed) == (schema, rows)
        assert migrate.current_revision(replayed) == migrate.head_revision()
        with replayed.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        migrated.dispose()
        replayed.dispose()


def test_a_new_store_is_at_head_and_upgrades_from_an_old_one_still_run_the_scripts(
        tmp_path: Path, memory_keyring: object) -> None:
    store = open_store(tmp_path / "new.db", prompt=None, create=True)
    try:
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        assert not list(tmp_path.glob("*.bak*"))  # a new store needs no backup
    finally:
        store.close()
    old = tmp_path / "old.db"
    engine = _engine(old)
    try:
        migrate.upgrade(engine, "0012")
        before = _described(engine)
        assert migrate.upgrade_if_needed(engine, old, keys.resolve_key(old, prompt=None)
                                         ) is not None  # a backup: the scripts ran
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert _described(engine) != before
    finally:
        engine.dispose()
