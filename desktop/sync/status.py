"""Where this store syncs to, and how its syncing stands: for the status bar and the CLI.

Why the target is kept in the store: the window's timer and ``dipsample sync`` with no
option must sync where the person last chose. It is a folder path or a database URL
without its password (the password is only ever in the keyring), so it is no secret.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update

from desktop.errors import InputProblem
from desktop.models import Meta, SyncConflict, SyncLogEntry
from desktop.store import Store
from desktop.sync.bundle import organisation_key
from desktop.sync.collect import pending_count
from desktop.sync.engine import (
    Progress,
    SyncReport,
    Target,
    claim_collisions,
    last_quiet_success,
    sync,
)
from desktop.sync.folder import FolderTarget
from desktop.sync.snapshot import write_snapshot

TARGET_KEY = "sync.target"
FOLDER = "folder:"
DATABASE = "database:"


@dataclass(frozen=True)
class SyncStatus:
    target: str
    pending: int
    last_success: dt.datetime | None
    last_outcome: str
    last_message: str
    open_conflicts: int
    claim_collisions: int


@dataclass(frozen=True)
class LogLine:
    at: dt.datetime
    target: str
    outcome: str
    pushed: int
    pulled: int
    conflicts: int
    rejected: int
    message: str


def remember_target(store: Store, target: str) -> None:
    with store.transaction() as session:
        if session.get(Meta, TARGET_KEY) is None:
            session.add(Meta(key=TARGET_KEY, value=target))
        else:
            session.execute(update(Meta).where(Meta.key == TARGET_KEY).values(value=target))


def remembered_target(store: Store) -> str:
    with store.read() as session:
        return session.scalar(select(Meta.value).where(Meta.key == TARGET_KEY)) or ""


def target_for(store: Store, spec: str) -> Target:
    """The target a remembered ``spec`` names ("folder:PATH" or "database:URL")."""
    if spec.startswith(FOLDER):
        return FolderTarget(Path(spec[len(FOLDER):]), store.device_id)
    if spec.startswith(DATABASE):
        from desktop.sync.central import DatabaseTarget

        return DatabaseTarget.connect(spec[len(DATABASE):], store.device_id)
    raise InputProblem("No sync target is set; choose a folder or a database first "
                       "(dipsample sync --folder PATH, or --database URL).")


def sync_now(store: Store, spec: str | None = None, progress: Progress | None = None
             ) -> SyncReport:
    """Sync with ``spec`` (remembered for next time) or the remembered target;
    ``progress`` hears each step and may stop the sync between steps by raising."""
    chosen = spec or remembered_target(store)
    target = target_for(store, chosen)
    try:
        if spec:
            remember_target(store, spec)
        return sync(store, target, organisation_key(create=True), progress=progress)
    finally:
        close = getattr(target, "close", None)
        if close is not None:
            close()


def snapshot_now(store: Store) -> str:
    """Write a snapshot of ``store`` to its remembered target (after a sync)."""
    target = target_for(store, remembered_target(store))
    try:
        target.check()
        return write_snapshot(store, target, organisation_key())
    finally:
        close = getattr(target, "close", None)
        if close is not None:
            close()


def sync_status(store: Store) -> SyncStatus:
    with store.read() as session:
        last_ok = session.scalar(select(func.max(SyncLogEntry.at)).where(
            SyncLogEntry.outcome == "ok"))
        last = session.scalars(select(SyncLogEntry).order_by(SyncLogEntry.seq.desc())
                               .limit(1)).first()
        conflicts = session.scalar(select(func.count()).select_from(SyncConflict).where(
            SyncConflict.status == "open", SyncConflict.deleted.is_(False))) or 0
        return SyncStatus(
            target=session.scalar(select(Meta.value).where(Meta.key == TARGET_KEY)) or "",
            pending=pending_count(session),
            last_success=max((t for t in (last_ok, last_quiet_success(store.path)) if t),
                             default=None),
            last_outcome=last.outcome if last else "never",
            last_message=last.message if last else "", open_conflicts=conflicts,
            claim_collisions=len(claim_collisions(session)))


def sync_log(store: Store, limit: int = 200) -> list[LogLine]:
    with store.read() as session:
        rows = session.scalars(select(SyncLogEntry).order_by(SyncLogEntry.seq.desc())
                               .limit(limit))
        return [LogLine(r.at, r.target, r.outcome, r.pushed, r.pulled, r.conflicts,
                        r.rejected, r.message) for r in rows]
