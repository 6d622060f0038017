"""One sync: push what changed here, then pull and apply what the others pushed.

The guarantees (docs/sync.md): a change is marked sent only after the target holds it
durably, so a lost acknowledgement (killed after the target took it) means a harmless
resend; applying is idempotent (a bundle applied is recorded in the same transaction as
its changes, and a field version already held is skipped), so each change takes effect
exactly once; a bundle that is not whole or not ours is reported by name and the rest
of the sync goes on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import threading
import time
import weakref
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.errors import EnvironmentProblem
from desktop.models import (
    CaseEvent,
    Meta,
    SyncApplied,
    SyncLogEntry,
    SyncRejected,
    new_id,
    utcnow,
)
from desktop.models.sample import Claim
from desktop.services.audits.seal import resealing
from desktop.store import Store
from desktop.store import events as chain
from desktop.store.changes import defer_foreign_keys, insert_facts
from desktop.sync import lock as sync_lock
from desktop.sync.bundle import Bundle, BundleRejected, open_sealed, seal
from desktop.sync.collect import (
    CHUNK,
    FACT_COLUMNS,
    FACTS_GIVEN,
    SENT,
    Delivery,
    Outgoing,
    collect,
    delivered,
    mark_sent,
    note_outbox,
    pending_for,
    read_delivery,
    received_facts,
    remember_target,
)
from desktop.sync.merge import Merger, value_from_json
from desktop.sync.pause import test_pause
from desktop.sync.skew import clock_skew


class Target(Protocol):
    """Where bundles go and come from: a shared folder (or the central database)."""

    @property
    def label(self) -> str: ...

    def check(self, write: bool = True) -> None: ...

    def push(self, name: str, data: bytes) -> str: ...

    def listed(self) -> list[str]: ...

    def fetch(self, bundle_id: str) -> bytes | None: ...

    def tidy(self) -> None: ...


@dataclass
class SyncReport:
    target: str
    outcome: str = "ok"
    pushed: int = 0
    pulled: int = 0
    bundles: int = 0
    conflicts: int = 0
    rejected: list[str] = field(default_factory=list)
    pending: int = 0
    message: str = ""


#: Called between steps: (done, total, stage); raising stops the sync between steps.
Progress = Callable[[int, int, str], None]


@dataclass
class State:
    """What a sync needs to know of this store, read in one go at its start.

    Why one read: each session costs a fraction of a millisecond, and a sync with
    nothing to do (every few minutes, from the window) is mostly such reads.
    """

    out: Outgoing
    applied: set[str]
    sent: set[str]
    pulled_before: bool
    pending: int
    cursor: int
    #: Bundles a person set aside (never fetched again), and the rejected ones not set
    #: aside, by target label (retried at every sync).
    aside: set[str] = field(default_factory=set)
    rejected: dict[str, set[str]] = field(default_factory=dict)
    #: What the target holds of this store (desktop/sync/collect.py, 'Per target').
    delivery: Delivery = field(default_factory=lambda: Delivery("", ""))


#: The state each open store had when last read, by store object and target, with the
#: store (weakly: a later store may reuse an id) and its data version then.
_remembered: dict[tuple[int, str], tuple[weakref.ref[Store], int, State]] = {}


def identity(target: Target) -> str:
    """What ``sync_targets`` calls ``target`` (its identity, else its label)."""
    return str(getattr(target, "identity", "") or target.label)


def current_state(store: Store, target: Target) -> State:
    """This store's sync state: remembered from the last sync when nothing was committed
    since (the store's data version is the same), read again otherwise.

    Why: a sync with nothing to do, every few minutes from the window, was mostly these
    reads (sync_nothing_folder). The version is taken before the read, so a commit that
    lands during the read only makes the next sync read again.
    """
    version = store.data_version()
    key = (id(store), identity(target))
    held = _remembered.get(key)
    if held is not None and held[0]() is store and held[1] == version:
        return held[2]
    state = read_state(store, target)
    for stale in [k for k, (ref, _, _) in _remembered.items() if ref() is None]:
        del _remembered[stale]
    _remembered[key] = (weakref.ref(store), version, state)
    return state


def read_state(store: Store, target: Target) -> State:
    cursor_key = getattr(target, "cursor_key", None)
    with store.reading() as session:
        rows = session.execute(select(SyncApplied.bundle_id, SyncApplied.target)).all()
        cursor = 0
        if cursor_key is not None:
            cursor = int(session.scalar(select(Meta.value).where(Meta.key == cursor_key))
                         or 0)
        aside: set[str] = set()
        rejected: dict[str, set[str]] = {}
        for where, bundle_id, set_aside in session.execute(select(
                SyncRejected.target, SyncRejected.bundle_id, SyncRejected.set_aside_at)):
            if set_aside is None:
                rejected.setdefault(where, set()).add(bundle_id)
            else:
                aside.add(bundle_id)
        delivery = read_delivery(session, identity(target), target.label)
        return State(out=collect(session, delivery), applied={b for b, _ in rows},
                     sent={b for b, t in rows if t == SENT},
                     pulled_before=any(t != SENT for _, t in rows),
                     pending=pending_for(session, delivery), cursor=cursor, aside=aside,
                     rejected=rejected, delivery=delivery)


#: One sync at a time per store file in this process.
_running: dict[Path, threading.Lock] = {}
_running_guard = threading.Lock()


def sync(store: Store, target: Target, key: bytes, *, progress: Progress | None = None
         ) -> SyncReport:
    """Push, then pull; the report says what happened (also written to the sync log).

    Why one at a time per store: the window's background sync runs on a worker of its
    own, and a person may press Sync now meanwhile; the second waits for the first and
    then finds little or nothing left to do. Across processes (the window and a
    scheduled ``dipsample sync``) the lock file beside the store does the same
    (:mod:`desktop.sync.lock`); a sync that finds another process's running for longer
    than a short wait does nothing and says so (outcome ``busy``).
    """
    with _running_guard:
        lock = _running.setdefault(store.path, threading.Lock())
    with lock, contextlib.ExitStack() as held:
        try:
            held.enter_context(sync_lock.held(store.path))
        except sync_lock.SyncBusy as exc:
            return SyncReport(target=target.label, outcome="busy", message=str(exc))
        return _sync(store, target, key, progress)


def _sync(store: Store, target: Target, key: bytes, progress: Progress | None
          ) -> SyncReport:
    report = SyncReport(target=target.label)
    step = progress or (lambda done, total, stage: None)
    state: State | None = None
    try:
        target.check(write=False)
        state = current_state(store, target)
        if not state.delivery.known:  # met for the first time: what it holds from now on
            with store.transaction() as session:
                remember_target(session, state.delivery, utcnow())
            state.delivery.known = True
        step(0, 2, "sending changes")
        try:
            target.check(write=True)
            # Under this store's sync lock no push of its own is half-written now, so
            # whatever a killed push left behind can go before this one writes.
            target.tidy()
            own_identity(store, target, report, state.sent)
            push(store, target, key, report, state.out, state.delivery)
        except EnvironmentProblem as exc:
            report.outcome, report.message = "push-failed", str(exc)[:300]
        step(1, 2, "receiving changes")
        pull(store, target, key, report, state)
        measure_skew(store, target)
        step(2, 2, "done")
    except EnvironmentProblem as exc:
        report.outcome, report.message = "offline", str(exc)[:300]
    finally:
        if report.rejected and report.outcome == "ok":
            report.outcome = "rejected"
        if state is not None and not (report.pushed or report.pulled):
            report.pending = state.pending  # nothing moved: no need to count again
        else:
            with store.read() as session:
                report.pending = pending_for(session, read_delivery(
                    session, identity(target), target.label))
        write_log(store, report)
    if report.outcome != "offline":
        # This sync's own commits (marks, applied bundles, the log line) changed the
        # store's version: read the state now, so the next sync, every few minutes,
        # finds it remembered instead of reading it then.
        current_state(store, target)
    return report


#: How often a sync reads the target's clock to measure this computer's (seconds, per
#: store, in this process): the offset is for a person to read, and a probe at every
#: quiet sync would be most of its cost.
SKEW_EVERY_S = 600.0
_skew_measured: dict[Path, float] = {}


def measure_skew(store: Store, target: Target) -> None:
    """Measure how far this computer's clock is from the target's (PostgreSQL's
    ``now()``, or a probe file's time on the share; :func:`desktop.sync.skew.clock_skew`
    keeps it for the status bar and ``sync status``). A target that cannot say is no
    reason to fail a sync."""
    read = getattr(target, "target_time", None)
    now = time.monotonic()
    last = _skew_measured.get(store.path)
    if read is None or (last is not None and now - last < SKEW_EVERY_S):
        return
    try:
        clock_skew(store, read())
    except EnvironmentProblem:
        return
    _skew_measured[store.path] = now


def bundle_name(out: Outgoing, body: bytes) -> str:
    """The same changes resent (a lost acknowledgement) make the same name, so a target
    that already holds them sees a duplicate (a no-op); different changes never share
    one, even from a restored copy of this store reusing its change numbers."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{out.last_seq:012d}-{out.last_fact:012d}-{digest[:20]}"


def own_identity(store: Store, target: Target, report: SyncReport, sent: set[str]) -> None:
    """Give this store a new device id when the target holds bundles under its id that
    it never sent: it is a copy of another store (a restored backup, a copied file).

    Why: the device id lives in the store file, so a copy carries it; two stores
    sending as one device would each skip the other's bundles as their own.

    A bundle this store wrote but had no record of (a sync killed between writing it
    and recording it) is not a copy's: every push names its bundle in the store before
    writing it (:data:`PUSHING`), and a bundle so named is recorded as sent here and
    the id kept (issue 21, item 4; it used to take a new id and send everything again).
    The changes it holds are still pending and go again in the next bundle, which
    applies once everywhere.
    """
    own = getattr(target, "own_bundles", None)
    if own is None:
        return
    unknown = set(own()) - sent
    if not unknown:
        return
    with store.read() as session:
        intended = pushing(session)
    mine = unknown & set(intended)
    if mine:
        with store.transaction() as session:
            for bundle_id in sorted(mine):
                if session.get(SyncApplied, bundle_id) is None:
                    session.add(SyncApplied(bundle_id=bundle_id, target=SENT,
                                            applied_at=utcnow(), changes=0))
            save_meta(session, PUSHING, json.dumps([b for b in intended if b not in mine]))
        sent.update(mine)
    if not unknown - mine:
        return
    fresh = new_id()
    with store.transaction() as session:
        save_meta(session, "device_id", fresh)
    store.device_id = fresh
    store.recorder.device_id = fresh
    store.clock.node = fresh.replace("-", "")[:8]
    target.device = fresh  # type: ignore[attr-defined]
    report.message = ("this store is a copy of another (its device id was in use); "
                      "it now syncs under a new one")


#: ``store_meta`` key: the bundles this store is about to write (JSON list of ids),
#: each named before its write and taken off once the write is recorded.
PUSHING = "sync.pushing"
#: Names kept at most (a kill after each of this many pushes in a row is far-fetched).
PUSHING_KEPT = 50


def pushing(session: Session) -> list[str]:
    """The bundles this store named before writing them and has not recorded since."""
    text = session.scalar(select(Meta.value).where(Meta.key == PUSHING))
    try:
        names = json.loads(text) if text else []
    except ValueError:
        return []
    return [str(n) for n in names] if isinstance(names, list) else []


def push(store: Store, target: Target, key: bytes, report: SyncReport, out: Outgoing,
         delivery: Delivery) -> None:
    if out.empty:
        if out.advances:  # nothing to send, yet the target's record moves on
            with store.transaction() as session:
                delivered(session, out, delivery, utcnow())
        return
    # Read now, not with the remembered state: the log grows between syncs.
    with store.read() as session:
        heads = chain.heads_to_send(session)
    body = Bundle(store.device_id, "", out.changes, out.facts,
                  heads=[h.as_list() for h in heads.every()] if heads else []).to_bytes()
    name = bundle_name(out, body)
    intended = f"{store.device_id}/{name}"
    with store.transaction() as session:  # named first: see own_identity
        names = [n for n in pushing(session) if n != intended] + [intended]
        save_meta(session, PUSHING, json.dumps(names[-PUSHING_KEPT:]))
    bundle_id = target.push(name, seal(key, intended, body))
    test_pause("pushed")
    # Durable at the target: only now is it marked sent (a kill before this resends).
    with store.transaction() as session:
        mark_sent(session, out, utcnow(), bundle_id, delivery)
        save_meta(session, PUSHING, json.dumps([n for n in pushing(session)
                                                if n != intended]))
        if heads is not None:
            chain.remember_sent(session, store.device_id, heads)
    report.pushed += len(out.changes)


def pull(store: Store, target: Target, key: bytes, report: SyncReport, state: State
         ) -> None:
    """Fetch and apply what the other devices pushed that this store has not applied.

    A bundle that does not open (torn, altered, another council's key) or cannot be
    applied here is recorded as rejected (``sync_rejected``, named with its device the
    first time) and fetched again at every sync until it applies (restored, or its
    parent came) or a person sets it aside (:func:`desktop.sync.status.set_aside`).
    The central database's cursor stops before the first such bundle, so it is
    offered again (issue 21, item 2: the cursor used to move past it for ever).
    """
    cursor_key = getattr(target, "cursor_key", None)
    if cursor_key is not None:  # a server's sequence: only what came after it
        target.cursor = state.cursor  # type: ignore[attr-defined]
    covered: set[str] = set()
    if not state.pulled_before:
        covered = start_from_snapshot(store, target, key, report, state.delivery)
    listed = target.listed()
    applied, aside = state.applied, state.aside
    fresh = [b for b in listed if b not in applied and b not in aside and b not in covered]
    opened: list[tuple[str, Bundle]] = []
    refused: dict[str, str] = {}
    for bundle_id in fresh:
        data = target.fetch(bundle_id)
        if data is None:
            continue  # listed but not readable yet (a share's cached listing): next time
        try:
            opened.append((bundle_id, open_sealed(key, bundle_id, data)))
        except BundleRejected as exc:
            refused[bundle_id] = str(exc)
    now: set[str] = set()
    done = Done((applied, aside, covered, now))  # no copy of what may be thousands
    cursor_saved = False
    if opened:
        batch = {b for b, _ in opened}
        try:
            apply_bundles(store, target, opened, report, state.delivery,
                          cursor=settled_cursor(target, Done((done, batch))))
            now |= batch
            cursor_saved = True
        except IntegrityError:
            # One of them cannot be applied here (a record whose parent never came, a
            # name another record holds): apply each alone, and report the ones that
            # fail; they are tried again next time, and the cursor stays before them.
            for item in opened:
                try:
                    apply_bundles(store, target, [item], report, state.delivery,
                                  cursor=None)
                    now.add(item[0])
                except IntegrityError:
                    refused[item[0]] = "cannot be applied here (a record it needs is missing)"
    report.rejected.extend(refused)
    note_rejections(store, target, state, listed, done, refused,
                    None if cursor_saved else settled_cursor(target, done), report)


@dataclass(frozen=True)
class Done:
    """The bundles done here (applied, set aside, covered by a snapshot, applied just
    now), as one container over the sets that hold them."""

    parts: tuple[Container[str], ...]

    def __contains__(self, item: object) -> bool:
        return any(item in part for part in self.parts)


def settled_cursor(target: Target, done: Container[str]) -> int | None:
    """The database cursor after this pull: past every bundle applied or set aside,
    before the first one that is not (None for a target without a cursor)."""
    settled = getattr(target, "settled", None)
    return None if settled is None else int(settled(done))


def note_rejections(store: Store, target: Target, state: State, listed: list[str],
                    done: Container[str], refused: dict[str, str], cursor: int | None,
                    report: SyncReport) -> None:
    """Record the bundles refused by this pull, forget the rejected ones that applied
    or are gone from the target, and save the cursor: one transaction, and none when
    nothing changed (a quiet sync writes nothing, and reads nothing more)."""
    label = target.label[:200]
    known = state.rejected.get(label, set())
    cursor_key = getattr(target, "cursor_key", None)
    move = cursor is not None and cursor_key is not None and cursor != state.cursor
    if not (refused or known or move):
        return
    listing = set(listed)
    resolved = {b for b in known if b in done or b not in listing} - set(refused)
    new = [b for b in refused if b not in known]
    if not (refused or resolved or move):
        return
    now = utcnow()
    with store.transaction() as session:
        for bundle_id, reason in refused.items():
            row = session.get(SyncRejected, (label, bundle_id))
            if row is None:
                session.add(SyncRejected(target=label, bundle_id=bundle_id,
                                         device=bundle_id.split("/", 1)[0][:36],
                                         reason=reason[:200], first_at=now, last_at=now))
            else:
                row.last_at, row.reason = now, reason[:200]
        if resolved:
            session.execute(delete(SyncRejected).where(
                SyncRejected.target == label, SyncRejected.bundle_id.in_(resolved),
                SyncRejected.set_aside_at.is_(None)))
        if move:
            save_meta(session, cursor_key, str(cursor))  # type: ignore[arg-type]
    if new:
        named = "; ".join(f"{b.split('/', 1)[-1]} from device {b.split('/', 1)[0]} "
                          f"({refused[b]})" for b in new)
        said = (f"rejected, and retried at every sync until it applies or is set aside "
                f"('dipsample sync ignore NAME'): {named}")
        report.message = "; ".join(m for m in (report.message, said) if m)


def apply_bundles(store: Store, target: Target, opened: list[tuple[str, Bundle]],
                  report: SyncReport, delivery: Delivery, *, cursor: int | None) -> None:
    """Apply ``opened`` in one transaction, with the cursor after them when given; the
    report counts them once it commits. With other targets, the records are noted to be
    relayed to them."""
    pulled = 0
    with store.transaction() as session, resealing(
            session, None, audits_touched(b for _, b in opened), "sync"):
        defer_foreign_keys(session)
        merger = Merger(session)
        for bundle_id, bundle in opened:
            merger.apply_many(bundle.changes)
            add_facts(session, bundle.facts, delivery.target)
            remember_heads(session, bundle)
            session.add(SyncApplied(bundle_id=bundle_id, target=target.label[:200],
                                    applied_at=utcnow(), changes=len(bundle.changes)))
            pulled += len(bundle.changes)
            relay(session, bundle, delivery)
            test_pause("applying")
        cursor_key = getattr(target, "cursor_key", None)
        if cursor is not None and cursor_key is not None:
            save_meta(session, cursor_key, str(cursor))
    report.pulled += pulled
    report.bundles += len(opened)
    report.conflicts += merger.result.conflicts


def start_from_snapshot(store: Store, target: Target, key: bytes, report: SyncReport,
                        delivery: Delivery) -> set[str]:
    """A store that never pulled starts from the newest snapshot, if there is one: every
    record at once, and the bundles it covers are not fetched at all. Returns them.

    Never its own: a store that wrote the newest snapshot (the QA install that owns the
    caseload and never pulled) holds all of it already; applying it took a minute to
    receive its own 25,062 changes back (issue 21, item 10).
    """
    latest = getattr(target, "latest_snapshot", None)
    snapshot_id = latest() if latest is not None else None
    if snapshot_id is None or snapshot_id.split("/", 1)[0] == store.device_id:
        return set()
    data = target.fetch_snapshot(snapshot_id)  # type: ignore[attr-defined]
    try:
        snapshot = open_sealed(key, "snapshot:" + snapshot_id, data or b"")
    except BundleRejected:
        report.rejected.append(snapshot_id)
        return set()
    covered = set(snapshot.covers) | {"snapshot:" + snapshot_id}
    with store.transaction() as session, resealing(
            session, None, audits_touched([snapshot]), "sync"):
        defer_foreign_keys(session)
        merger = Merger(session)
        merger.apply_many(snapshot.changes)
        add_facts(session, snapshot.facts, delivery.target)
        relay(session, snapshot, delivery)
        held = set(session.scalars(select(SyncApplied.bundle_id)))
        for bundle_id in sorted(covered - held):
            session.add(SyncApplied(bundle_id=bundle_id, target=target.label[:200],
                                    applied_at=utcnow(), changes=0))
        report.conflicts += merger.result.conflicts
    report.pulled += len(snapshot.changes)
    return covered


def relay(session: Session, bundle: Bundle, delivery: Delivery) -> None:
    """While this store has other targets, note the records ``bundle`` brought from
    ``delivery``'s target, to pass them on to the others (issue 21, item 3)."""
    if delivery.others and bundle.changes:
        note_outbox(session, [(c.table, c.id) for c in bundle.changes], delivery.target,
                    delivery.holders())


def audits_touched(bundles: Iterable[Bundle]) -> set[str]:
    """The audits whose record or answers these bundles change (to seal them again
    once applied; desktop/services/audits/seal.py)."""
    touched: set[str] = set()
    for bundle in bundles:
        for change in bundle.changes:
            if change.table == "audits":
                touched.add(change.id)
            elif change.table == "audit_answers" and change.row.get("audit_id"):
                touched.add(str(change.row["audit_id"]))
    return touched


def remember_heads(session: Session, bundle: Bundle) -> None:
    """Keep the chain heads another device's bundle carried: the anchors its later
    bundles must agree with (desktop/store/events.py)."""
    if not bundle.heads:
        return
    found = [chain.Head(int(s), str(h), str(k)) for s, h, k in bundle.heads]
    chain.remember_seen(session, bundle.device, chain.ChainHeads(found[0], tuple(found[1:])))


def save_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


#: The columns that make a case event the same event (all but the free-text note).
FACT_KEY = tuple(c for c in FACT_COLUMNS if c != "note")


def add_facts(session: Session, facts: list[dict[str, object]], origin: str = "") -> None:
    """Case events from target ``origin``; one kept of an event already here (same
    everything but the note), and those kept are never sent back to ``origin``.

    Why the events already here are looked up a chunk of cases at a time: a snapshot
    brings every event of the county, and one lookup per event made a new laptop's
    first pull, and every store's pull of a laptop's resend, take a minute (issue 21,
    item 6).
    """
    if not facts:
        return
    rows: dict[tuple[object, ...], dict[str, object]] = {}
    for fact in facts:
        row = {c: fact.get(c) for c in FACT_COLUMNS}
        day = row["occurred_on"]
        if isinstance(day, str):
            row["occurred_on"] = dt.date.fromisoformat(day)
        rows.setdefault(tuple(row[c] for c in FACT_KEY), row)
    cases = sorted({str(row["case_id"]) for row in rows.values()})
    here: set[tuple[object, ...]] = set()
    columns = [getattr(CaseEvent, c) for c in FACT_KEY]
    for start in range(0, len(cases), CHUNK):
        here.update(tuple(r) for r in session.execute(select(*columns).where(
            CaseEvent.case_id.in_(cases[start:start + CHUNK]))))
    new = [row for key, row in rows.items() if key not in here]
    if not new:
        return
    given = int(session.scalar(select(Meta.value).where(Meta.key == FACTS_GIVEN)) or 0)
    insert_facts(session, CaseEvent, new)
    if origin:
        received_facts(session, given + 1, given + len(new), origin)


def value_from_json_fact(column: str, value: object) -> object:
    if column == "occurred_on" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


#: A sync that moved nothing is logged at most this often (seconds): the window syncs
#: every few minutes, and a line each time would bury the lines that matter, and cost
#: a committed write (half of a quiet sync's time, sync_nothing_folder).
QUIET_LOG_S = 600.0
#: When this process last logged, and last had, a quiet success, per store file.
_quiet_logged: dict[Path, dt.datetime] = {}
_quiet_success: dict[Path, dt.datetime] = {}


def last_quiet_success(path: Path) -> dt.datetime | None:
    """The last sync that found nothing to do, in this process (maybe not logged)."""
    return _quiet_success.get(path)


def write_log(store: Store, report: SyncReport) -> None:
    """One line per sync: counts, codes and the target's name; never a row's values."""
    now = utcnow()
    if report.outcome == "ok" and not (report.pushed or report.pulled or report.conflicts):
        _quiet_success[store.path] = now
        logged = _quiet_logged.get(store.path)
        if logged is not None and (now - logged).total_seconds() < QUIET_LOG_S:
            return
        _quiet_logged[store.path] = now
    with store.transaction() as session:
        session.add(SyncLogEntry(at=now, target=report.target[:200],
                                 outcome=report.outcome, pushed=report.pushed,
                                 pulled=report.pulled, conflicts=report.conflicts,
                                 rejected=len(report.rejected), message=report.message[:300]))


@dataclass(frozen=True)
class Collision:
    """Two auditors claimed the same case in the same week (offline, then synced)."""

    case_id: str
    iso_week: str
    auditor_ids: tuple[str, ...]


def claim_collisions(session: Session) -> list[Collision]:
    rows = session.execute(
        select(Claim.case_id, Claim.iso_week, Claim.auditor_id).where(
            Claim.deleted.is_(False), Claim.released.is_(False)))
    by_key: dict[tuple[str, str], set[str]] = {}
    for case_id, week, auditor in rows:
        by_key.setdefault((case_id, week), set()).add(auditor)
    return [Collision(c, w, tuple(sorted(a))) for (c, w), a in sorted(by_key.items())
            if len(a) > 1]


__all__ = ["Collision", "SyncReport", "Target", "claim_collisions", "sync", "value_from_json"]
