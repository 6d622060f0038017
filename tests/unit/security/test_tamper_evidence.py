"""Evidence that cannot be rebuilt quietly (issue 20): the keyed chain over every column,
heads anchored by sync, and audit seals, each found by a real ``dipsample check``."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from desktop.cli.main import main
from desktop.models import Audit, Case, Event, ServiceArea
from desktop.models.log import ChainAnchor
from desktop.services.audits import lifecycle
from desktop.services.audits.finalise import finalise_due
from desktop.services.context import ServiceContext
from desktop.services.retention import purge_closed
from desktop.store import Store, keys, migrate, open_store
from desktop.store.database import make_engine
from desktop.store.events import (
    V1,
    V2,
    chain_hash,
    derive_chain_key,
    legacy_hash,
    record_event,
    segments,
)
from desktop.store.rotate import rotate_key
from desktop.sync.bundle import Bundle
from tests import forked
from tests.unit.services.audits.world import World, make_world
from tests.unit.sync.helpers import device, folder_sync

EXE = Path(sys.executable).with_name("dipsample")
TEMPLATE = "risk_assessment_rag"
MET = {"ra_in_place": "met", "ra_quality": "met", "ra_response_proportionate": "met",
       "vtt_completed": "met", "rag_agrees": "yes"}


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


def _log(store: Store, entries: int = 8) -> None:
    with store.transaction() as session:
        for n in range(entries):
            record_event(session, user_id=None, action="view", entity="case",
                         entity_id=f"c{n}", detail={"n": n})


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    """``dipsample check`` as the command line runs it: exit code, JSON, and text."""
    code = main(["check", "--db", str(path), "--system", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert main(["check", "--db", str(path), "--system"]) == code
    return code, report, capsys.readouterr().out


def _raw(store: Store, sql: str, **params: object) -> None:
    """What someone with the key and a SQLite shell could do, outside DipSample."""
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


# -- every column of every entry, under the key -----------------------------------------

@pytest.mark.parametrize(("sql", "named"), [
    ("UPDATE event_log SET device_id = 'another-device' WHERE seq = 5", 5),
    ("UPDATE event_log SET id = 'another-id' WHERE seq = 4", 4),
    ("UPDATE event_log SET at = '2020-01-01 00:00:00.000000' WHERE seq = 3", 3),
    ("UPDATE event_log SET action = 'export' WHERE seq = 6", 6),
    ("UPDATE event_log SET entity = 'audit' WHERE seq = 2", 2),
    ("UPDATE event_log SET entity_id = 'c99' WHERE seq = 7", 7),
    ("UPDATE event_log SET detail_json = '{}' WHERE seq = 1", 1),
    ("UPDATE event_log SET seq = 50 WHERE seq = 8", 50),
    ("UPDATE event_log SET hash = prev_hash WHERE seq = 5", 5),
])
def test_a_change_to_any_column_of_an_entry_is_named(
        store: Store, sql: str, named: int, capsys: pytest.CaptureFixture[str]) -> None:
    _log(store)
    assert _check(store.path, capsys)[0] == 0
    _raw(store, sql)
    code, report, out = _check(store.path, capsys)
    assert code == 1 and not report["ok"]
    assert any(f"BROKEN at entry {named}:" in line for line in report["tamper"])
    assert f"tampered:   event log BROKEN at entry {named}:" in out
    assert "PROBLEMS FOUND" in out


def test_the_real_command_names_an_edited_device_id(
        tmp_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the installed ``dipsample`` executable, on a passphrase store."""
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "tamper-evidence-passphrase")
    path = tmp_path / "store" / "dipsample.db"
    store = open_store(path, prompt=None, create=True)
    try:
        _log(store)
        _raw(store, "UPDATE event_log SET device_id = 'laptop-2' WHERE seq = 5")
    finally:
        store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPSAMPLE_")}
    env.update({"DIPSAMPLE_HOME": str(tmp_path / "home"),
                "DIPSAMPLE_PASSPHRASE": "tamper-evidence-passphrase",
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    done = forked.run([str(EXE), "check", "--db", str(path), "--system"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("tampered:")]
    assert lines == ["tampered:   event log BROKEN at entry 5: its content does not match "
                     "its hash (it was changed after it was written)"]


# -- a chain rebuilt with the key: the anchors ------------------------------------------

def _rewrite(store: Store, seq: int, *, and_sent_heads: bool) -> None:
    """Edit one entry and recompute every later hash with the store's own chain key,
    derived as DipSample derives it: what a tamperer holding the database key can do.
    With ``and_sent_heads`` the record of heads sent at sync is rewritten to match."""
    key = derive_chain_key(keys.resolve_key(store.path, prompt=None).hex)
    old: dict[int, str] = {}
    with store.transaction() as session:
        previous = ""
        for event in session.scalars(select(Event).order_by(Event.seq)):
            if event.seq == seq:
                event.entity_id = "another-case"
            if event.seq >= seq:
                old[event.seq] = event.hash
                event.prev_hash = previous
                event.hash = chain_hash(
                    key, seq=event.seq, event_id=event.id, at=event.at.isoformat(),
                    user_id=event.user_id, device_id=event.device_id, action=event.action,
                    entity=event.entity, entity_id=event.entity_id,
                    detail_json=event.detail_json, prev_hash=previous)
            previous = event.hash
        if and_sent_heads:
            sent = session.scalars(select(ChainAnchor.seq).where(
                ChainAnchor.kind == "sent")).all()
            for seq_sent in sent:
                if seq_sent in old:
                    fresh = session.scalar(select(Event.hash).where(Event.seq == seq_sent))
                    session.execute(text(
                        "UPDATE chain_anchors SET hash = :new WHERE kind = 'sent' AND "
                        "seq = :seq"), {"new": fresh, "seq": seq_sent})


def _change_something(store: Store, name: str) -> None:
    with store.transaction() as session:
        session.add(ServiceArea(name=name))


@pytest.mark.parametrize("and_sent_heads", [True, False])
def test_a_chain_rebuilt_with_the_key_is_named_by_the_qa_install_after_the_next_sync(
        tmp_path: Path, share: Path, and_sent_heads: bool,
        capsys: pytest.CaptureFixture[str]) -> None:
    laptop, qa = device(tmp_path, "laptop"), device(tmp_path, "qa")
    try:
        _log(laptop)
        _change_something(laptop, "North")
        assert folder_sync(laptop, share).pushed == 1
        assert folder_sync(qa, share).pulled == 1
        assert _check(qa.path, capsys)[0] == 0
        _log(laptop, 3)  # more work, then a second sync: a second head anchored
        _change_something(laptop, "South")
        folder_sync(laptop, share)
        folder_sync(qa, share)
        assert _check(qa.path, capsys)[0] == 0

        _rewrite(laptop, 4, and_sent_heads=and_sent_heads)
        code, report, out = _check(laptop.path, capsys)
        if and_sent_heads:
            # The key is there, and so is a consistent record of what was sent: the
            # laptop on its own cannot tell. The QA install can, at the next sync.
            assert code == 0 and report["tamper"] == []
        else:
            assert code == 1
            assert report["tamper"] == [
                "this store's event log was rewritten after it synced: entry 8 no longer "
                "has the hash a sync sent (2 sent heads differ)"]
        assert _check(qa.path, capsys)[0] == 0  # nothing new reached it yet

        _change_something(laptop, "East")
        folder_sync(laptop, share)
        assert folder_sync(qa, share).pulled == 1
        code, report, out = _check(qa.path, capsys)
        assert code == 1
        assert report["tamper"] == [f"device {laptop.device_id} rewrote its event log "
                                    "after it synced: entry 8 had another hash in an "
                                    "earlier sync"]
        assert f"tampered:   device {laptop.device_id} rewrote its event log" in out
    finally:
        laptop.close()
        qa.close()


def test_honest_devices_syncing_often_are_never_flagged(
        tmp_path: Path, share: Path, capsys: pytest.CaptureFixture[str]) -> None:
    laptop, qa = device(tmp_path, "laptop"), device(tmp_path, "qa")
    try:
        for n in range(20):
            _log(laptop, 2)
            _change_something(laptop, f"Area {n}")
            folder_sync(laptop, share)
            if n % 3 == 0:  # the QA install misses some bundles for a while
                folder_sync(qa, share)
        folder_sync(qa, share)
        with qa.read() as session:
            seen = session.scalars(select(ChainAnchor.seq).where(
                ChainAnchor.kind == "seen")).all()
        assert max(seen) == 40 and len(seen) >= 20
        assert _check(qa.path, capsys)[0] == 0
        assert _check(laptop.path, capsys)[0] == 0
    finally:
        laptop.close()
        qa.close()


def test_a_bundle_with_malformed_heads_is_refused_whole() -> None:
    good = Bundle("dev", "", [], heads=[[3, "ab" * 32, "k" * 16]])
    assert Bundle.from_bytes(good.to_bytes()).heads == [[3, "ab" * 32, "k" * 16]]
    for heads in ([[0, "x", ""]], [["3", "x", ""]], [[3, "x" * 65, ""]], "nope"):
        raw = Bundle("dev", "", [], heads=heads).to_bytes()  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            Bundle.from_bytes(raw)


# -- seals --------------------------------------------------------------------------------

def _finalised(world: World) -> str:
    ctx = world.as_user(world.auditor)
    audit_id = lifecycle.start_audit(ctx, world.case(), TEMPLATE)
    for code, value in MET.items():
        lifecycle.save_answer(ctx, audit_id, code, value, note="seen on file")
    lifecycle.save_details(ctx, audit_id, overview="Risks are understood.",
                           positive_practice="Clear analysis.", grade="good",
                           auditor_rag="amber")
    lifecycle.submit(ctx, audit_id)
    world.clock.advance(hours=73)
    assert finalise_due(ctx) == ([audit_id], [])
    return audit_id


@pytest.mark.parametrize("sql", [
    "UPDATE audits SET grade = 'inadequate' WHERE id = :audit",
    "UPDATE audits SET overview = 'Something else' WHERE id = :audit",
    "UPDATE audits SET auditor_rag = 'green' WHERE id = :audit",
    "UPDATE audit_answers SET value = 'not met' WHERE audit_id = :audit AND value = 'met'",
    "UPDATE audit_answers SET note = 'edited' WHERE audit_id = :audit",
    "DELETE FROM audit_answers WHERE audit_id = :audit AND value = 'yes'",
])
def test_a_finalised_audit_changed_in_the_file_is_named(
        store: Store, sql: str, capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world(store)
    audit_id = _finalised(world)
    other = _finalised(world)
    assert _check(store.path, capsys)[0] == 0
    _raw(store, sql, audit=audit_id)
    code, report, out = _check(store.path, capsys)
    assert code == 1
    assert report["tamper"] == [f"audit {audit_id} (finalised): its content no longer "
                                "matches its seal (it was changed outside DipSample) "
                                f"(seal: entry {_seal_seq(store, audit_id)})"]
    assert other not in out
    assert "Something else" not in out and "edited" not in out


def _seal_seq(store: Store, audit_id: str) -> int:
    with store.read() as session:
        return session.scalar(select(Event.seq).where(
            Event.action == "seal", Event.entity_id == audit_id).order_by(
            Event.seq.desc()).limit(1)) or 0


def test_an_audit_made_final_again_in_the_file_after_a_reopening_is_named(
        store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world(store)
    audit_id = _finalised(world)
    lifecycle.reopen(world.as_user(world.qa), audit_id, "grade to be checked")
    assert _check(store.path, capsys)[0] == 0
    _raw(store, "UPDATE audits SET status = 'finalised' WHERE id = :audit", audit=audit_id)
    code, report, _ = _check(store.path, capsys)
    assert code == 1 and report["tamper"][0].startswith(
        f"audit {audit_id} (finalised): it was reopened and is final again")


def test_reopen_edit_and_resubmit_is_not_flagged(store: Store,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world(store)
    audit_id = _finalised(world)
    ctx = world.as_user(world.auditor)
    lifecycle.reopen(ctx, audit_id, "grade to be checked")
    lifecycle.save_details(ctx, audit_id, grade="requires_improvement", overview="Revised.")
    lifecycle.save_answer(ctx, audit_id, "ra_quality", "partly met", note="revised")
    assert _check(store.path, capsys)[0] == 0  # reopened: editable, nothing to match
    lifecycle.submit(ctx, audit_id)
    assert _check(store.path, capsys)[0] == 0
    world.clock.advance(hours=73)
    finalise_due(ctx)
    code, report, out = _check(store.path, capsys)
    assert code == 0 and report["tamper"] == [] and out.rstrip().endswith("OK")


def test_a_purge_seals_again_and_is_not_flagged(store: Store,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world(store)
    audit_id = _finalised(world)
    with store.transaction() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None
        case = session.get(Case, audit.case_id)
        assert case is not None
        case.status, case.closed_on = "closed", dt.date(2017, 1, 31)
        case.child_name = "Synthetic Child"
    assert purge_closed(ServiceContext(store=store, clock=world.clock), years=6).cases == 1
    with store.read() as session:
        assert session.scalar(select(Audit.overview).where(Audit.id == audit_id)) != \
            "Risks are understood."
    assert _check(store.path, capsys)[0] == 0


def test_seals_follow_an_audit_through_sync(tmp_path: Path, share: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """The QA install seals what it receives finished; a reopening and resubmission
    made on the laptop and synced is a legitimate change, an edit in its file is not."""
    laptop, qa = device(tmp_path, "laptop"), device(tmp_path, "qa")
    try:
        world = make_world(laptop)
        ctx = world.as_user(world.auditor)
        audit_id = lifecycle.start_audit(ctx, world.case(), TEMPLATE)
        for code, value in MET.items():
            lifecycle.save_answer(ctx, audit_id, code, value)
        lifecycle.save_details(ctx, audit_id, overview="Risks are understood.",
                               positive_practice="Clear analysis.", grade="good",
                               auditor_rag="amber")
        folder_sync(laptop, share)
        folder_sync(qa, share)  # a draft: nothing sealed on the QA install
        assert _seal_seq(qa, audit_id) == 0
        lifecycle.submit(ctx, audit_id)
        folder_sync(laptop, share)
        folder_sync(qa, share)
        assert _seal_seq(qa, audit_id) > 0
        # The QA install's own sweep finalises it there and seals it again.
        world.clock.advance(hours=73)
        assert finalise_due(ServiceContext(store=qa, clock=world.clock))[0] == [audit_id]
        assert _check(qa.path, capsys)[0] == 0
        # Reopened, corrected and resubmitted on the laptop, then synced.
        lifecycle.reopen(ctx, audit_id, "grade to be checked")
        lifecycle.save_details(ctx, audit_id, grade="requires_improvement")
        lifecycle.submit(ctx, audit_id)
        folder_sync(laptop, share)
        folder_sync(qa, share)
        with qa.read() as session:
            assert session.scalar(select(Audit.grade).where(Audit.id == audit_id)) == \
                "requires_improvement"
        assert _check(qa.path, capsys)[0] == 0
        assert _check(laptop.path, capsys)[0] == 0
        # The same audit edited in the QA install's file.
        _raw(qa, "UPDATE audits SET grade = 'outstanding' WHERE id = :audit", audit=audit_id)
        code, report, _ = _check(qa.path, capsys)
        assert code == 1 and report["tamper"][0].startswith(f"audit {audit_id} ")
        # A later legitimate change synced from the laptop does not hide the edit.
        lifecycle.reopen(ctx, audit_id, "typo")
        lifecycle.save_details(ctx, audit_id, overview="Risks are understood, reviewed.")
        lifecycle.submit(ctx, audit_id)
        folder_sync(laptop, share)
        folder_sync(qa, share)
        code, report, _ = _check(qa.path, capsys)
        assert code == 1 and report["tamper"][0].startswith(f"audit {audit_id} ")
    finally:
        laptop.close()
        qa.close()


# -- upgrades and key changes -------------------------------------------------------------

def _store_at_0008(path: Path, entries: int, break_at: int | None = None) -> None:
    """A store from before the keyed chain, with its plain SHA-256 chain."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = keys.resolve_key(path, prompt=None)
    engine = make_engine(path, key)
    migrate.upgrade(engine, "0008")
    previous = ""
    with engine.begin() as conn:
        for n in range(1, entries + 1):
            at = dt.datetime(2026, 11, 1, 9, n, tzinfo=dt.UTC)
            detail = json.dumps({"n": n})
            digest = legacy_hash(previous, f"e{n}", at.isoformat(), None, "view", "case",
                                 f"c{n}", detail)
            conn.execute(Event.__table__.insert().values(
                seq=n, id=f"e{n}", at=at, user_id=None, device_id="old-device",
                action="view", entity="case", entity_id=f"c{n}", detail_json=detail,
                prev_hash=previous, hash=digest))
            previous = digest
        if break_at is not None:
            conn.execute(text("UPDATE event_log SET entity_id = 'cX' WHERE seq = :s"),
                         {"s": break_at})
    engine.dispose()


def test_an_upgraded_store_is_chained_again_under_its_key(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store_at_0008(db_path, 6)
    store = open_store(db_path, prompt=None)
    try:
        assert store.upgraded_from == "0008"
        with store.read() as session:
            assert [(s.start, s.scheme) for s in segments(session)] == [(1, V2)]
        _log(store, 2)
        assert _check(db_path, capsys)[0] == 0
        # The device column is covered now, as on any new store.
        _raw(store, "UPDATE event_log SET device_id = 'laptop-2' WHERE seq = 2")
        code, report, _ = _check(db_path, capsys)
        assert code == 1 and report["event_break"] == 2
    finally:
        store.close()


def test_an_upgraded_store_whose_old_chain_was_broken_keeps_the_break(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Chaining a broken log again would launder the edit: it is kept as it was."""
    _store_at_0008(db_path, 6, break_at=3)
    store = open_store(db_path, prompt=None)
    try:
        with store.read() as session:
            assert [(s.start, s.scheme) for s in segments(session)] == [(1, V1), (7, V2)]
        _log(store, 2)
        code, report, _ = _check(db_path, capsys)
        assert code == 1 and report["event_break"] == 3
        assert len(report["tamper"]) == 1
    finally:
        store.close()


def test_after_a_key_rotation_earlier_entries_keep_their_hashes(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(db_path, prompt=None, create=True)
    _log(store, 5)
    store.close()
    rotate_key(db_path)
    store = open_store(db_path, prompt=None)
    try:
        with store.read() as session:
            assert [(s.start, s.scheme) for s in segments(session)] == [(1, V2), (6, V2)]
        _log(store, 3)
        code, report, out = _check(db_path, capsys)
        assert code == 0 and report["event_unverifiable"] == 5
        assert "5 written under an earlier key" in out
        _raw(store, "UPDATE event_log SET device_id = 'laptop-2' WHERE seq = 7")
        code, report, _ = _check(db_path, capsys)
        assert code == 1 and report["event_break"] == 7
        # Claiming that later entries were written under another key does not hide them.
        _raw(store, "UPDATE event_log SET device_id = :d WHERE seq = 7", d=store.device_id)
        _raw(store, "UPDATE store_meta SET value = :v WHERE key = 'event_log.chain'",
             v=json.dumps({"segments": [{"from": 1, "scheme": V2, "key": "aaaaaaaaaaaaaaaa"},
                                        {"from": 9, "scheme": V2,
                                         "key": segments_key(store)}]}))
        code, report, _ = _check(db_path, capsys)
        assert code == 1 and {6, 7, 8} <= {int(line.split("entry ")[1].split(":")[0])
                                           for line in report["tamper"]}
    finally:
        store.close()


def segments_key(store: Store) -> str:
    with store.read() as session:
        return segments(session)[-1].key
