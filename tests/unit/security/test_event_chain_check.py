"""The event log's chain: one row edited with raw SQL, and ``dipsample check`` names it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.cli.main import main
from desktop.models import Event
from desktop.store import open_store
from desktop.store.events import (
    NewEvent,
    chain_hash,
    record_event,
    record_events,
    verify_chain,
)


def _logged_store(path: Path, entries: int = 12) -> None:
    store = open_store(path, prompt=None, create=True)
    try:
        with store.transaction() as session:
            for n in range(entries // 2):
                record_event(session, user_id=None, action="view", entity="case",
                             entity_id=f"c{n}")
        with store.transaction() as session:
            record_events(session, None, [NewEvent("create", "audit", f"a{n}", {"n": n})
                                          for n in range(entries - entries // 2)])
    finally:
        store.close()


def _raw(path: Path, sql: str) -> None:
    """What someone with the key and a SQLite shell could do, outside DipSample."""
    store = open_store(path, prompt=None)
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        store.close()


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["check", "--db", str(path), "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_whole_chain_checks_out(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _logged_store(db_path)
    code, report = _check(db_path, capsys)
    assert code == 0 and report["event_entries"] == 12 and report["event_break"] is None
    main(["check", "--db", str(db_path)])
    assert "12 entries, hash chain unbroken" in capsys.readouterr().out


@pytest.mark.parametrize(("sql", "first_break"), [
    ("UPDATE event_log SET user_id = NULL, action = 'change' WHERE seq = 5", 5),
    ("UPDATE event_log SET detail_json = '{\"n\":99}' WHERE seq = 9", 9),
    ("UPDATE event_log SET at = '2020-01-01 00:00:00.000000' WHERE seq = 3", 3),
    ("DELETE FROM event_log WHERE seq = 7", 8),
])
def test_one_row_edited_with_raw_sql_is_named(db_path: Path, sql: str, first_break: int,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _logged_store(db_path)
    _raw(db_path, sql)
    code, report = _check(db_path, capsys)
    assert code == 1 and not report["ok"]
    assert report["event_break"] == first_break
    main(["check", "--db", str(db_path)])
    out = capsys.readouterr().out
    assert f"BROKEN at entry {first_break}" in out and "PROBLEMS FOUND" in out


def test_a_rehashed_edit_breaks_the_next_link(db_path: Path) -> None:
    """Giving the edited row its own correct hash does not help: the next row still names
    the hash it was chained to."""
    _logged_store(db_path)
    store = open_store(db_path, prompt=None)
    try:
        with store.transaction() as session:
            row = session.scalar(select(Event).where(Event.seq == 4))
            assert row is not None
            row.entity_id = "c9"
            row.hash = chain_hash(store.chain_key, seq=row.seq, event_id=row.id,
                                  at=row.at.isoformat(), user_id=row.user_id,
                                  device_id=row.device_id, action=row.action,
                                  entity=row.entity, entity_id=row.entity_id,
                                  detail_json=row.detail_json, prev_hash=row.prev_hash)
        with store.read() as session:
            found = verify_chain(session)
    finally:
        store.close()
    assert found.first_break == 5 and "before it" in found.reason
