"""A populated store of every earlier schema revision opens with today's code, whole.

Why stores made by the old code itself (``tests/data/upgrades/NNNN``, made by
``tests/data/upgrades/make_store.py`` on the commit its manifest names): a store holding
one case upgraded cleanly while every store holding audits failed at 0007 (a copied
table that rows refer to, dropped with foreign keys on). Each store holds cases, people,
a demo county's or an import's organisation, audits with answers, actions, comments,
disagreements, weekly samples with claims and, from 0007, sync's state after a real
folder sync with a second laptop (a conflict, applied bundles, field histories).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop.cli.main import main
from desktop.models import Action
from desktop.store import backups, keys, migrate, open_store
from desktop.store.database import make_engine
from desktop.store.events import verify_chain
from desktop.store.failures import UpgradeFailed

UPGRADES = Path(__file__).resolve().parents[2] / "data" / "upgrades"
STORES = sorted(p.parent for p in UPGRADES.glob("*/manifest.json"))


def _copy(folder: Path, into: Path) -> tuple[Path, dict[str, Any]]:
    into.mkdir(parents=True)
    for name in ("dipsample.db", "dipsample.db.kdf"):
        shutil.copyfile(folder / name, into / name)
    return into / "dipsample.db", json.loads((folder / "manifest.json").read_text())


def _expected_counts(manifest: dict[str, Any]) -> dict[str, int]:
    """The rows each table must hold after the upgrade.

    0004 made case events append-only facts: a tombstoned event is dropped and the
    events' change-log rows with it. 0013 makes a synced record of the fields the last
    caseload import carried (where its event-log entry lists them), logged as one more
    change so that it syncs. ``store_meta`` gains the keys later versions keep (the
    clock's high-water mark, the event chain's segments), so it is only "at least".
    """
    counts = dict(manifest["counts"])
    if manifest["revision"] < "0004":
        counts["case_events"] = manifest["live_case_events"]
        counts["change_log"] -= manifest["case_event_changes"]
    if manifest["revision"] < "0013":
        counts["change_log"] += manifest.get("imports_with_fields", 0)
    return counts


def test_every_earlier_revision_has_a_populated_store() -> None:
    earlier = sorted(migrate.known_revisions() - {migrate.head_revision()})
    assert [p.name for p in STORES if p.name in earlier] == earlier


@pytest.mark.parametrize("folder", STORES, ids=lambda p: p.name)
def test_a_populated_store_upgrades_with_every_record(folder: Path, tmp_path: Path) -> None:
    path, manifest = _copy(folder, tmp_path / "store")
    store = open_store(path, passphrase=manifest["passphrase"], prompt=None)
    try:
        head = migrate.head_revision()
        assert store.schema_revision == head
        if manifest["revision"] != head:
            assert store.upgraded_from == manifest["revision"]
            assert backups.backups_of(path) == [store.backup_path]
        expected = _expected_counts(manifest)
        with store.reading() as conn:
            for table, count in sorted(expected.items()):
                found = conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar()
                if table == "store_meta":
                    assert found >= count, table
                else:
                    assert (table, found) == (table, count)
            for table, rows in sorted(manifest["rows"].items()):
                key = manifest["row_keys"][table]
                for record_id, columns in rows.items():
                    names = ", ".join(f'"{c}"' for c in columns)
                    found = conn.exec_driver_sql(
                        f'SELECT {names} FROM "{table}" WHERE "{key}" = ?',
                        (record_id,)).one()
                    assert dict(zip(columns, found, strict=True)) == columns, table
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            if manifest["revision"] < "0013":
                _check_0013(conn, manifest)
        assert store.integrity_problems(full=True) == []
        with store.read() as session:
            chain = verify_chain(session)
            assert chain.ok and chain.entries == manifest["counts"]["event_log"]
        # Still a working store: a change is stamped and change-logged as any other.
        before = expected["change_log"]
        with store.transaction() as session:
            action = session.scalars(select(Action).order_by(Action.id)).first()
            assert action is not None
            action.description = "Checked after the upgrade."
        with store.reading() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM change_log").scalar() \
                == before + 1
    finally:
        store.close()
    if manifest["revision"] != migrate.head_revision():
        engine = make_engine(store.backup_path, keys.resolve_key(
            path, passphrase=manifest["passphrase"], prompt=None))
        try:
            assert migrate.current_revision(engine) == manifest["revision"]
        finally:
            engine.dispose()


def _check_0013(conn: Any, manifest: dict[str, Any]) -> None:
    """0013: an exercise's cohort is a column of its own, split from its theme's text;
    the last import's carried fields are a synced record waiting to be pushed."""
    split = conn.exec_driver_sql(
        "SELECT theme, cohort FROM exercise_summaries WHERE cohort IS NOT NULL").all()
    assert len(split) == manifest.get("cohort_themes", 0)
    assert all("(cohort:" not in theme for theme, _ in split)
    if manifest.get("cohort_themes"):
        assert ("Neglect", "cp") in split
    carried = conn.exec_driver_sql("SELECT id, fields FROM caseload_imports").all()
    assert len(carried) == manifest.get("imports_with_fields", 0)
    for record_id, fields in carried:
        assert "last_f2f_visit" in fields.split(",")
        assert "last_f2f_visit_by" not in fields.split(",")  # the mapping had no column
        assert conn.exec_driver_sql(
            "SELECT op, pushed_at FROM change_log WHERE table_name = 'caseload_imports' "
            "AND record_id = ?", (record_id,)).all() == [("insert", None)]


def _with_a_dangling_reference(path: Path, passphrase: str) -> None:
    """An answer whose audit is not there, written past the foreign keys as a tool
    outside DipSample could: the upgrade's own check must refuse to commit over it."""
    import sqlcipher3.dbapi2 as sqlcipher

    conn = sqlcipher.connect(str(path), isolation_level=None)
    try:
        conn.execute(keys.resolve_key(path, passphrase=passphrase, prompt=None).pragma())
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("UPDATE audit_answers SET audit_id = 'no-such-audit' "
                     "WHERE id = (SELECT min(id) FROM audit_answers)")
    finally:
        conn.close()


def test_a_failed_upgrade_leaves_the_store_and_no_backup_and_says_so(
        tmp_path: Path) -> None:
    path, manifest = _copy(UPGRADES / "0006", tmp_path / "store")
    _with_a_dangling_reference(path, manifest["passphrase"])
    for _attempt in range(3):
        with pytest.raises(UpgradeFailed) as refused:
            open_store(path, passphrase=manifest["passphrase"], prompt=None)
        assert backups.backups_of(path) == []
    message = refused.value.message
    assert "upgrade of dipsample.db from schema 0006" in message
    assert "failed" in message and "unchanged" in message and message.count(". ") == 0
    engine = make_engine(path, keys.resolve_key(path, passphrase=manifest["passphrase"],
                                                prompt=None))
    try:
        assert migrate.current_revision(engine) == "0006"
    finally:
        engine.dispose()


def test_the_command_line_says_a_failed_upgrade_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path, manifest = _copy(UPGRADES / "0006", tmp_path / "store")
    _with_a_dangling_reference(path, manifest["passphrase"])
    monkeypatch.setenv(keys.PASSPHRASE_ENV, manifest["passphrase"])
    assert main(["check", "--db", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "upgrade of dipsample.db from schema 0006" in err and "unchanged" in err
    assert "unexpected" not in err
    assert backups.backups_of(path) == []
