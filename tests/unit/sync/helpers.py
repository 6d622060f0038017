"""Devices for sync tests: real encrypted stores, one shared folder, one organisation key."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from desktop.models import Base, Synced
from desktop.store import Store, open_store
from desktop.sync.bundle import organisation_key
from desktop.sync.engine import SyncReport, sync
from desktop.sync.folder import FolderTarget
from desktop.sync.merge import synced_models

EXE = Path(sys.executable).with_name("dipsample")
ROOT = Path(__file__).resolve().parents[3]
#: Columns that say where and when a record was last stamped locally, not what it holds.
LOCAL_STAMPS = {"updated_at"}


def device(tmp_path: Path, name: str) -> Store:
    return open_store(tmp_path / name / "dipsample.db", prompt=None, create=True)


def folder_sync(store: Store, share: Path) -> SyncReport:
    return sync(store, FolderTarget(share, store.device_id), organisation_key(create=True))


def until_quiet(stores: list[Store], share: Path, rounds: int = 6) -> None:
    """Sync every device in turn until a whole round moves nothing."""
    settle(stores, lambda store: folder_sync(store, share), rounds)


def settle(stores: list[Store], sync_one: Callable[[Store], SyncReport], rounds: int = 6
           ) -> None:
    """:func:`until_quiet` through any target."""
    for _ in range(rounds):
        if not sum(r.pushed + r.pulled for r in map(sync_one, stores)):
            return
    raise AssertionError("sync did not settle")


def plain_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def fresh_schema(server: str) -> Iterator[str]:
    """A central database URL with a schema of its own, dropped afterwards."""
    schema = f"sync_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{server}{'&' if '?' in server else '?'}schema={schema}"
    finally:
        engine = create_engine(plain_url(server))
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def records(store: Store) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Every synced record of every table, as comparable tuples."""
    out: dict[str, dict[str, tuple[Any, ...]]] = {}
    with store.read() as session:
        for name, model in synced_models().items():
            table = model.__table__  # type: ignore[attr-defined]
            cols = [c for c in table.columns if c.key not in LOCAL_STAMPS]
            out[name] = {r[0]: tuple(r) for r in session.execute(
                select(table.c.id, *cols).order_by(table.c.id))}
    return out


__all__ = ["Base", "Synced", "device", "folder_sync", "records", "settle", "until_quiet"]
