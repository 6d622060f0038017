"""The event log: who viewed, changed, exported or printed what, by ids only.

Why a keyed chain over every column: each entry holds an HMAC-SHA256, under a key
derived from the store's database key, of every one of its columns (number, id, time,
user, device, action, record, detail) and of the hash of the entry before it. Editing
any column of any entry, inserting or removing one, breaks the chain at that entry;
and recomputing the chain after an edit needs the key, which only the holder of the
database key has. That holder could still rebuild the chain, so each sync bundle also
carries the chain's head: other stores remember the heads a device showed them
(``chain_anchors``), and a device showing another hash for an entry it showed before
has rewritten its history (docs/security.md, 'Tamper evidence').

Which scheme covers which entries is recorded in ``store_meta`` (``event_log.chain``):
a list of segments, each the first entry number it covers, the scheme, and an id of the
key (never the key). A store from before the keyed chain had a plain SHA-256 chain
("sha256-v1"); it is re-chained once, at the first open after the upgrade, when its old
chain is whole (a broken one is kept as it is, so the break stays visible). After
``dipsample key rotate`` new entries are chained under the new key from the next
number on; the earlier ones keep their hashes (the heads other stores hold stay true),
and with the old key gone only their links can be checked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from desktop.models.base import new_id, utcnow
from desktop.models.log import ChainAnchor, Event, Meta
from desktop.store.changes import insert_table_rows, recorder_of

#: ``Session.info`` key under which a store's sessions carry the chain key.
CHAIN_KEY = "dipsample_event_chain_key"
#: ``store_meta`` key of the segments (which scheme chains which entries).
CHAIN_META = "event_log.chain"
#: The plain SHA-256 chain of stores from before the keyed chain.
V1 = "sha256-v1"
#: HMAC-SHA256 over every column, under the derived key.
V2 = "hmac-sha256-v2"
#: The HKDF label: the chain key is of no use for anything else, and the database key
#: cannot be got back from it.
_INFO = b"DipSample event log chain v2"
_KEY_ID_LABEL = b"DipSample event log key id"
#: ``ChainAnchor.kind``: a head this store sent, or one another device's bundle carried.
SENT, SEEN = "sent", "seen"
#: Sent heads whose current hashes every bundle carries: the newest this many, then
#: every power of two further back (see :func:`anchors_to_send`).
RECENT_ANCHORS = 16


def derive_chain_key(database_key_hex: str) -> bytes:
    """The chain's HMAC key: HKDF-SHA256 of the database key with a fixed label.

    Why derived, not stored: it then exists only while the store is open, in memory,
    and whoever cannot open the database cannot recompute a hash either.
    """
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_INFO).derive(bytes.fromhex(database_key_hex))


def key_id(chain_key: bytes) -> str:
    """A short public name of a chain key (an HMAC of a fixed label under it): tells
    which key chained a segment without revealing anything of the key."""
    return hmac.new(chain_key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def _encode(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail or {}, sort_keys=True, separators=(",", ":"))


def legacy_hash(prev: str, event_id: str, at: str, user_id: str | None, action: str,
                entity: str, entity_id: str, detail_json: str) -> str:
    """The "sha256-v1" hash of stores from before the keyed chain (never written now)."""
    payload = "|".join([prev, event_id, at, user_id or "", action, entity, entity_id,
                        detail_json])
    return hashlib.sha256(payload.encode()).hexdigest()


def chain_hash(chain_key: bytes, *, seq: int, event_id: str, at: str, user_id: str | None,
               device_id: str, action: str, entity: str, entity_id: str, detail_json: str,
               prev_hash: str) -> str:
    """The "hmac-sha256-v2" hash of one entry: every column, as a JSON array (so no
    value can run into the next one), under the chain key."""
    payload = json.dumps([V2, seq, event_id, at, user_id, device_id, action, entity,
                          entity_id, detail_json, prev_hash], separators=(",", ":"))
    return hmac.new(chain_key, payload.encode(), hashlib.sha256).hexdigest()


def _key_of(session: Session) -> bytes:
    key = session.info.get(CHAIN_KEY)
    if not key:
        raise RuntimeError("session was not made by a Store (no event-chain key)")
    return bytes(key)


def _last(session: Session) -> tuple[int, str]:
    """The number and hash of the newest entry (0 and "" for an empty log)."""
    row = session.execute(select(Event.seq, Event.hash).order_by(Event.seq.desc())
                          .limit(1)).first()
    return (0, "") if row is None else (int(row[0]), row[1] or "")


def record_event(session: Session, *, user_id: str | None, action: str, entity: str,
                 entity_id: str, detail: dict[str, Any] | None = None) -> Event:
    """Append an event in the caller's transaction. ``detail`` must hold codes and ids only.

    The entry's number is given here, not by SQLite, because the hash covers it; the
    caller's write transaction holds the lock, so nobody else takes it meanwhile.
    """
    key = _key_of(session)
    recorder = recorder_of(session)
    session.flush()
    last_seq, prev = _last(session)
    at = utcnow()
    detail_json = _encode(detail)
    event = Event(seq=last_seq + 1, id=new_id(), at=at, user_id=user_id,
                  device_id=recorder.device_id, action=action, entity=entity,
                  entity_id=entity_id, detail_json=detail_json, prev_hash=prev)
    event.hash = chain_hash(key, seq=event.seq, event_id=event.id, at=at.isoformat(),
                            user_id=user_id, device_id=event.device_id, action=action,
                            entity=entity, entity_id=entity_id, detail_json=detail_json,
                            prev_hash=prev)
    session.add(event)
    return event


@dataclass(frozen=True)
class NewEvent:
    """One event for :func:`record_events`: what happened to which record, by ids only."""

    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any] | None = None


def record_events(session: Session, user_id: str | None, events: Sequence[NewEvent]) -> None:
    """Append many events in the caller's transaction, chained exactly as
    :func:`record_event` chains them, with one insert.

    Why: an import of 12,000 historical audits logs 22,000 events; one flush and two
    statements each took most of the import's time.
    """
    if not events:
        return
    key = _key_of(session)
    recorder = recorder_of(session)
    session.flush()
    seq, prev = _last(session)
    at = utcnow()
    stamp = at.isoformat()
    rows: list[dict[str, Any]] = []
    for item in events:
        seq += 1
        event_id = new_id()
        detail_json = _encode(item.detail)
        digest = chain_hash(key, seq=seq, event_id=event_id, at=stamp, user_id=user_id,
                            device_id=recorder.device_id, action=item.action,
                            entity=item.entity, entity_id=item.entity_id,
                            detail_json=detail_json, prev_hash=prev)
        rows.append({"seq": seq, "id": event_id, "at": at, "user_id": user_id,
                     "device_id": recorder.device_id, "action": item.action,
                     "entity": item.entity, "entity_id": item.entity_id,
                     "detail_json": detail_json, "prev_hash": prev, "hash": digest})
        prev = digest
    insert_table_rows(session, Event.__table__, rows)


# -- segments: which scheme and key chain which entries ---------------------------------

@dataclass(frozen=True)
class Segment:
    """Entries from ``start`` on (up to the next segment) are chained by ``scheme``
    under the key named ``key`` ("" for the unkeyed v1)."""

    start: int
    scheme: str
    key: str = ""


def parse_segments(text: str | None) -> list[Segment]:
    """The segments recorded in ``store_meta`` (an empty list for none or unreadable)."""
    try:
        data = json.loads(text or "{}")
        return [Segment(int(s["from"]), str(s["scheme"]), str(s.get("key", "")))
                for s in data.get("segments", [])]
    except (ValueError, TypeError, KeyError, AttributeError):
        return []


def _dump_segments(segments: Sequence[Segment]) -> str:
    return json.dumps({"segments": [{"from": s.start, "scheme": s.scheme, "key": s.key}
                                    for s in segments]}, separators=(",", ":"))


def segments(session: Session) -> list[Segment]:
    return parse_segments(session.scalar(select(Meta.value).where(Meta.key == CHAIN_META)))


def chain_ready(meta_text: str | None, chain_key: bytes) -> bool:
    """Whether new entries may be chained as they are (the newest segment is keyed with
    this key): then opening the store writes nothing."""
    found = parse_segments(meta_text)
    return bool(found) and found[-1].scheme == V2 and found[-1].key == key_id(chain_key)


def prepare_chain(session: Session, chain_key: bytes) -> None:
    """Make the newest segment this key's, in the caller's write transaction.

    - A store just upgraded from the unkeyed chain: when that chain is whole, every
      entry is chained again under the key (one time, at the upgrade); when it is
      broken it is kept as it was, and keyed entries start after it.
    - A new store, or one whose key was changed (``key rotate``): keyed entries start
      at the next number; the earlier ones keep their hashes.
    """
    found = segments(session)
    kid = key_id(chain_key)
    if found and found[-1].scheme == V2 and found[-1].key == kid:
        return
    last_seq, _ = _last(session)
    if found and found[-1].scheme == V1 and len(found) == 1 and found[0].start <= 1 \
            and _legacy_whole(session):
        _rechain(session, chain_key)
        found = [Segment(1, V2, kid)]
    else:
        while found and found[-1].start > last_seq:  # a segment nothing was written in
            found.pop()
        found.append(Segment(last_seq + 1, V2, kid))
    row = session.get(Meta, CHAIN_META)
    if row is None:
        session.add(Meta(key=CHAIN_META, value=_dump_segments(found)))
    else:
        row.value = _dump_segments(found)
    session.flush()


_COLUMNS = (Event.seq, Event.id, Event.at, Event.user_id, Event.device_id, Event.action,
            Event.entity, Event.entity_id, Event.detail_json, Event.prev_hash, Event.hash)


def _legacy_whole(session: Session) -> bool:
    previous = ""
    for part in session.execute(select(*_COLUMNS).order_by(Event.seq)).partitions(2_000):
        for _, event_id, at, user, _, action, entity, entity_id, detail, prev, digest \
                in part:
            if prev != previous or digest != legacy_hash(
                    prev, event_id, at.isoformat(), user, action, entity, entity_id,
                    detail):
                return False
            previous = digest
    return True


def _rechain(session: Session, chain_key: bytes) -> None:
    rows = session.execute(select(*_COLUMNS).order_by(Event.seq)).all()
    previous = ""
    updates: list[dict[str, Any]] = []
    for seq, event_id, at, user, device, action, entity, entity_id, detail, _, _ in rows:
        digest = chain_hash(chain_key, seq=seq, event_id=event_id, at=at.isoformat(),
                            user_id=user, device_id=device, action=action, entity=entity,
                            entity_id=entity_id, detail_json=detail, prev_hash=previous)
        updates.append({"s": seq, "p": previous, "h": digest})
        previous = digest
    table = Event.__table__
    for start in range(0, len(updates), 2_000):
        session.execute(update(table).where(table.c.seq == bindparam("s"))
                        .values(prev_hash=bindparam("p"), hash=bindparam("h"))
                        .execution_options(synchronize_session=False),
                        updates[start:start + 2_000])


def _segment_for(found: Sequence[Segment], seq: int) -> Segment | None:
    current = None
    for segment in found:
        if segment.start <= seq:
            current = segment
        else:
            break
    return current


# -- verifying ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainBreak:
    """One entry that does not fit: its number and why, in words without its content."""

    seq: int
    reason: str


@dataclass(frozen=True)
class ChainCheck:
    """What :func:`verify_chain` found.

    Attributes:
        entries: how many entries were read.
        breaks: every entry that does not fit (the first :data:`MAX_BREAKS`).
        more_breaks: how many more did not fit beyond those listed.
        unverifiable: entries chained under an earlier database key (before a ``key
            rotate``), whose links were checked but whose contents cannot be.
    """

    entries: int
    breaks: tuple[ChainBreak, ...] = ()
    more_breaks: int = 0
    unverifiable: int = 0

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> int | None:
        return self.breaks[0].seq if self.breaks else None

    @property
    def reason(self) -> str:
        return self.breaks[0].reason if self.breaks else ""


#: Breaks listed one by one; a file edited wholesale is not 100,000 lines of output.
MAX_BREAKS = 100
_LINK = ("it does not name the entry before it (an entry before it was changed, removed "
         "or inserted)")
_CONTENT = "its content does not match its hash (it was changed after it was written)"
_FAKE_KEY = ("it is recorded as written under an earlier key but fits the current one "
             "(the record of key changes was altered)")


def verify_chain(session: Session) -> ChainCheck:
    """Recompute every entry's hash from its own columns and the entry before it.

    Why it finds an edit: each hash covers the previous entry's hash and every column of
    its own entry, so changing, inserting or removing an entry anywhere but at the very
    end makes that entry (or the one after it) fail; every such entry is listed, and
    the walk goes on from each entry's own stored hash. Read in slices, so 100,000
    entries never sit in memory at once.
    """
    key = _key_of(session)
    current = key_id(key)
    found = segments(session) or [Segment(1, V2, current)]
    breaks: list[ChainBreak] = []
    more = 0
    count = 0
    unverifiable = 0
    previous = ""

    def broken(seq: int, reason: str) -> None:
        nonlocal more
        if len(breaks) < MAX_BREAKS:
            breaks.append(ChainBreak(seq, reason))
        else:
            more += 1

    result = session.execute(select(*_COLUMNS).order_by(Event.seq))
    for part in result.partitions(2_000):
        for seq, event_id, at, user, device, action, entity, entity_id, detail, prev, \
                digest in part:
            count += 1
            segment = _segment_for(found, seq) or found[0]
            if prev != previous:
                broken(seq, _LINK)
                previous = digest
                continue
            previous = digest
            stamp = at.isoformat()
            if segment.scheme == V1:
                if digest != legacy_hash(prev, event_id, stamp, user, action, entity,
                                         entity_id, detail):
                    broken(seq, _CONTENT)
                continue
            expected = chain_hash(key, seq=seq, event_id=event_id, at=stamp, user_id=user,
                                  device_id=device, action=action, entity=entity,
                                  entity_id=entity_id, detail_json=detail, prev_hash=prev)
            fits = hmac.compare_digest(digest or "", expected)
            if segment.key == current:
                if not fits:
                    broken(seq, _CONTENT)
            elif fits:
                broken(seq, _FAKE_KEY)
            else:
                unverifiable += 1
    return ChainCheck(count, tuple(breaks), more, unverifiable)


# -- anchors: heads sent in sync bundles, and heads other devices showed ------------------

@dataclass(frozen=True)
class Head:
    """An entry's number, its hash, and the id of the key it was chained under."""

    seq: int
    hash: str
    key: str

    def as_list(self) -> list[Any]:
        return [self.seq, self.hash, self.key]


@dataclass(frozen=True)
class ChainHeads:
    """What a sync bundle carries about its device's event log: the head now, and the
    current hashes at the heads the device sent before (:func:`anchors_to_send`)."""

    head: Head
    anchors: tuple[Head, ...] = field(default=())

    def every(self) -> list[Head]:
        return [self.head, *self.anchors]


def heads_to_send(session: Session) -> ChainHeads | None:
    """This store's chain head, and its current hashes where it sent heads before.

    Why the earlier ones: a rewrite of entry k changes every hash from k on; a receiver
    that holds a head at or after k sees it changed when the device next shows its hash
    at that number. The newest sent heads and then every power of two back are enough
    for a receiver that missed some bundles, and keep the bundle small.
    """
    last_seq, last_hash = _last(session)
    if last_seq == 0:
        return None
    found = segments(session)
    sent = list(session.scalars(select(ChainAnchor.seq).where(ChainAnchor.kind == SENT)
                                .distinct().order_by(ChainAnchor.seq.desc())))
    picked = [s for n, s in enumerate(sent)
              if n < RECENT_ANCHORS or (n & (n - 1)) == 0]
    now = dict(session.execute(select(Event.seq, Event.hash).where(
        Event.seq.in_(picked))).all()) if picked else {}

    def head(seq: int, digest: str) -> Head:
        segment = _segment_for(found, seq)
        return Head(seq, digest, segment.key if segment is not None else "")

    return ChainHeads(head(last_seq, last_hash),
                      tuple(head(s, now.get(s, "")) for s in sorted(picked)))


def _remember(session: Session, kind: str, device_id: str, heads: Iterable[Head]) -> None:
    wanted = {(h.seq, h.hash, h.key) for h in heads}
    if not wanted:
        return
    held = set(session.execute(select(ChainAnchor.seq, ChainAnchor.hash, ChainAnchor.key_id)
                               .where(ChainAnchor.kind == kind,
                                      ChainAnchor.device_id == device_id,
                                      ChainAnchor.seq.in_({s for s, _, _ in wanted})))
               .all())
    now = utcnow()
    insert_table_rows(session, ChainAnchor.__table__, [
        {"kind": kind, "device_id": device_id, "seq": s, "hash": h, "key_id": k, "at": now}
        for s, h, k in sorted(wanted - held)])


def remember_sent(session: Session, device_id: str, heads: ChainHeads) -> None:
    """After the target holds a bundle: the head it carried is one this store sent."""
    _remember(session, SENT, device_id, [heads.head])


def remember_seen(session: Session, device_id: str, heads: ChainHeads) -> None:
    """Heads another device's bundle carried (kept even when they contradict earlier
    ones: the contradiction is what ``dipsample check`` reports)."""
    _remember(session, SEEN, device_id, heads.every())


@dataclass(frozen=True)
class AnchorProblem:
    """A head that no longer holds.

    Attributes:
        device_id: the device whose history was rewritten ("" for this store's own).
        seq: the earliest entry whose hash differs from one anchored.
        heads: how many anchored heads differ.
    """

    device_id: str
    seq: int
    heads: int

    def text(self) -> str:
        if not self.device_id:
            return (f"this store's event log was rewritten after it synced: entry "
                    f"{self.seq} no longer has the hash a sync sent"
                    + (f" ({self.heads} sent heads differ)" if self.heads > 1 else ""))
        return (f"device {self.device_id} rewrote its event log after it synced: entry "
                f"{self.seq} had another hash in an earlier sync")


def anchor_problems(session: Session) -> list[AnchorProblem]:
    """This store's sent heads its chain no longer holds, and every device that showed
    two different hashes for one entry (one problem per device, at its earliest)."""
    found = segments(session)
    problems: list[AnchorProblem] = []
    sent = session.execute(select(ChainAnchor.seq, ChainAnchor.hash, ChainAnchor.key_id)
                           .where(ChainAnchor.kind == SENT)).all()
    if sent:
        now = dict(session.execute(select(Event.seq, Event.hash).where(
            Event.seq.in_({s for s, _, _ in sent}))).all())
        differ = sorted(s for s, h, k in sent if now.get(s) != h
                        or (_segment_for(found, s) or Segment(0, "")).key != k)
        if differ:
            problems.append(AnchorProblem("", differ[0], len(differ)))
    twice = (select(ChainAnchor.device_id, ChainAnchor.seq).where(ChainAnchor.kind == SEEN)
             .group_by(ChainAnchor.device_id, ChainAnchor.seq).having(func.count() > 1)
             .subquery())
    for device, seq, count in session.execute(
            select(twice.c.device_id, func.min(twice.c.seq), func.count())
            .group_by(twice.c.device_id).order_by(twice.c.device_id)):
        problems.append(AnchorProblem(device, seq, count))
    return problems
