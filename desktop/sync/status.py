"""Where this store syncs to, and how its syncing stands: for the status bar and the CLI.

Why the target is kept in the store: the window's timer and ``dipsample sync`` with no
option must sync where the person last chose. It is a folder path or a database URL
without its password (the password is only ever in the keyring), so it is no secret.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop.errors import InputProblem
from desktop.models import (
    Meta,
    SyncConflict,
    SyncLogEntry,
    SyncRejected,
    SyncTarget,
    utcnow,
)
from desktop.services.policy import current_policy, describe_target
from desktop.store import Store
from desktop.sync.bundle import organisation_key
from desktop.sync.collect import pending_count, pending_for, read_delivery
from desktop.sync.engine import (
    Progress,
    SyncReport,
    Target,
    claim_collisions,
    last_quiet_success,
    sync,
)
from desktop.sync.folder import FolderTarget
from desktop.sync.skew import read_skew
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
    #: Bundles rejected here and retried at every sync until they apply or are set aside.
    rejected: tuple[RejectedBundle, ...] = ()
    #: What each target this store syncs with still lacks of it (the chosen one first,
    #: whose count is ``pending``).
    targets: tuple[TargetPending, ...] = ()
    #: This computer's clock minus the target's, as last measured (seconds; None: never),
    #: and the sentence saying so when it is off by more than a few minutes.
    clock_skew_s: float | None = None
    clock_skew: str = ""


@dataclass(frozen=True)
class TargetPending:
    """One target and what it lacks of this store (issue 21, item 3).

    ``pending`` counts the changes not sent anywhere yet, the records to relay to it,
    and, when it is new beside another target (``whole``), every record.
    """

    target: str
    label: str
    pending: int
    whole: bool
    last_sync: dt.datetime | None


@dataclass(frozen=True)
class RejectedBundle:
    """A bundle that would not open or apply here (ids, a reason and times only)."""

    bundle_id: str
    device: str
    target: str
    reason: str
    first_at: dt.datetime
    last_at: dt.datetime
    set_aside_at: dt.datetime | None


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
    """The target to sync with: the machine-wide policy's, else the one last chosen."""
    locked = current_policy().sync_target
    if locked:
        return locked
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


def sync_now(store: Store, spec: str | None = None, progress: Progress | None = None,
             *, make_key: bool = True) -> SyncReport:
    """Sync with ``spec`` (remembered for next time) or the remembered target;
    ``progress`` hears each step and may stop the sync between steps by raising.

    ``make_key``: make an organisation key when there is none (the council's first
    laptop); a new laptop made by ``dipsample sync --db NEW`` passes False, since a key
    of its own would open none of the council's bundles.
    """
    locked = current_policy().sync_target
    if spec and locked and spec != locked:
        raise InputProblem(f"The sync target is set by your IT team's policy "
                           f"({describe_target(locked)}); sync without naming another.")
    chosen = spec or remembered_target(store)
    target = target_for(store, chosen)
    try:
        if spec and not locked:
            remember_target(store, spec)
        return sync(store, target, organisation_key(create=make_key, store=store),
                    progress=progress)
    finally:
        close = getattr(target, "close", None)
        if close is not None:
            close()


def snapshot_now(store: Store) -> str:
    """Write a snapshot of ``store`` to its remembered target (after a sync)."""
    target = target_for(store, remembered_target(store))
    try:
        target.check()
        return write_snapshot(store, target, organisation_key(store=store))
    finally:
        close = getattr(target, "close", None)
        if close is not None:
            close()


def sync_status(store: Store) -> SyncStatus:
    skew = read_skew(store)
    with store.read() as session:
        last_ok = session.scalar(select(func.max(SyncLogEntry.at)).where(
            SyncLogEntry.outcome == "ok"))
        last = session.scalars(select(SyncLogEntry).order_by(SyncLogEntry.seq.desc())
                               .limit(1)).first()
        conflicts = session.scalar(select(func.count()).select_from(SyncConflict).where(
            SyncConflict.status == "open", SyncConflict.deleted.is_(False))) or 0
        chosen = current_policy().sync_target or session.scalar(
            select(Meta.value).where(Meta.key == TARGET_KEY)) or ""
        targets = tuple(_targets(session, chosen))
        return SyncStatus(
            target=chosen,
            pending=targets[0].pending if targets else pending_count(session),
            last_success=max((t for t in (last_ok, last_quiet_success(store.path)) if t),
                             default=None),
            last_outcome=last.outcome if last else "never",
            last_message=last.message if last else "", open_conflicts=conflicts,
            claim_collisions=len(claim_collisions(session)),
            rejected=tuple(_rejected(session, set_aside=False)),
            targets=targets, clock_skew_s=skew.offset_s if skew else None,
            clock_skew=skew.text if skew else "")


def _targets(session: Session, chosen: str) -> list[TargetPending]:
    """Every target this store has synced with, and the chosen one if it has not yet."""
    known = {t: (label, at) for t, label, at in session.execute(
        select(SyncTarget.target, SyncTarget.label, SyncTarget.last_at))}
    wanted: list[tuple[str, str]] = []
    if chosen:
        with contextlib.suppress(InputProblem):
            wanted.append(spec_identity(chosen))
    wanted += sorted((t, label) for t, (label, _) in known.items()
                     if t not in {w for w, _ in wanted})
    out = []
    for where, label in wanted:
        delivery = read_delivery(session, where, label)
        at = known.get(where, ("", None))[1]
        out.append(TargetPending(where, label, pending_for(session, delivery),
                                 delivery.whole, at))
    return out


def spec_identity(spec: str) -> tuple[str, str]:
    """The identity and label of the target a remembered ``spec`` names, without
    reaching it."""
    if spec.startswith(FOLDER):
        target = FolderTarget(Path(spec[len(FOLDER):]), "")
        return target.identity, target.label
    if spec.startswith(DATABASE):
        from desktop.sync.central import names

        return names(spec[len(DATABASE):])
    raise InputProblem("No sync target is set.")


def _rejected(session: Session, *, set_aside: bool) -> list[RejectedBundle]:
    query = select(SyncRejected).order_by(SyncRejected.first_at, SyncRejected.bundle_id)
    if not set_aside:
        query = query.where(SyncRejected.set_aside_at.is_(None))
    return [RejectedBundle(r.bundle_id, r.device, r.target, r.reason, r.first_at, r.last_at,
                           r.set_aside_at) for r in session.scalars(query)]


def rejected_bundles(store: Store, *, set_aside: bool = False) -> list[RejectedBundle]:
    """The bundles rejected here (with ``set_aside``, also those a person set aside):
    for ``sync status`` and the Sync screen."""
    with store.read() as session:
        return _rejected(session, set_aside=set_aside)


def set_aside(store: Store, bundle: str) -> RejectedBundle:
    """Stop retrying a rejected bundle: later syncs neither fetch it nor report it.

    ``bundle`` is its id (``device/name``, as reports print it), its name, or the first
    characters of either (at least four) fitting one rejected bundle. Why a person's
    choice and not automatic: a bundle that will not open may be another council's
    (never ours to apply) or one of ours damaged in the share and restorable; only a
    person can tell. The sync log records it. For ``dipsample sync ignore`` and the
    Sync screen.
    """
    wanted = bundle.strip()
    rows = rejected_bundles(store)
    candidates = [r for r in rows if wanted in (r.bundle_id, r.bundle_id.split("/", 1)[-1])
                  ] or [r for r in rows if _fits(r.bundle_id, wanted)]
    chosen = {r.bundle_id for r in candidates}
    if not chosen:
        raise InputProblem(f"No rejected bundle is called {wanted!r}; 'dipsample sync "
                           "status' lists them.")
    if len(chosen) > 1:
        raise InputProblem(f"{wanted!r} fits {len(chosen)} rejected bundles; give more of "
                           "its name.")
    bundle_id = chosen.pop()
    now = utcnow()
    with store.transaction() as session:
        session.execute(update(SyncRejected).where(SyncRejected.bundle_id == bundle_id)
                        .values(set_aside_at=now))
        first = candidates[0]
        session.add(SyncLogEntry(at=now, target=first.target, outcome="set-aside",
                                 message=f"set aside {bundle_id} from device "
                                         f"{first.device} ({first.reason})"[:300]))
    return RejectedBundle(first.bundle_id, first.device, first.target, first.reason,
                          first.first_at, first.last_at, now)


def _fits(bundle_id: str, wanted: str) -> bool:
    """``wanted`` begins the bundle's id or its name (four characters at least)."""
    name = bundle_id.split("/", 1)[-1]
    return len(wanted) >= 4 and (bundle_id.startswith(wanted) or name.startswith(wanted))


def sync_log(store: Store, limit: int = 200) -> list[LogLine]:
    with store.read() as session:
        rows = session.scalars(select(SyncLogEntry).order_by(SyncLogEntry.seq.desc())
                               .limit(limit))
        return [LogLine(r.at, r.target, r.outcome, r.pushed, r.pulled, r.conflicts,
                        r.rejected, r.message) for r in rows]
