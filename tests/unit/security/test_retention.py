"""Retention purges what names or describes a child of a long-closed case, keeps the
audits' figures; a subject access export holds everything about one child."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import String, Text, func, inspect, select
from sqlalchemy.sql import column as sql_column
from sqlalchemy.sql import table as sql_table

from desktop.cli.main import main
from desktop.errors import PermissionRefused
from desktop.models import (
    Audit,
    AuditAnswer,
    Case,
    CaseEvent,
    Change,
    Escalation,
    Event,
    SyncConflict,
)
from desktop.services import escalations
from desktop.services.retention import purge_closed
from desktop.services.subject_access import subject_access
from desktop.store import Store, keys, open_store
from desktop.store.backups import make_backup
from desktop.store.changes import insert_facts
from tests.unit.security.people import Org

NAME = "Zorvath Quillimore"
BORN = dt.date(2015, 3, 17)
NOTE = "Synthetic visit note about the kitchen"
CONCERN = "Synthetic concern about bruising"


@pytest.fixture
def org(store: Store) -> Org:
    return Org(store)


def _closed_case_with_history(org: Org, closed_on: dt.date) -> tuple[str, str]:
    audit_id = org.submitted_audit()
    with org.store.transaction() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None
        case = session.get(Case, audit.case_id)
        assert case is not None
        case.child_name, case.date_of_birth = NAME, BORN
        case.status, case.closed_on = "closed", closed_on
        case_id = case.id
    escalations.raise_concern(org.as_user(org.auditor), case_id, CONCERN)
    with org.store.transaction() as session:
        insert_facts(session, CaseEvent, [{"case_id": case_id, "kind": "visit",
                                           "occurred_on": dt.date(2020, 1, 2),
                                           "by": None, "worker_id": None, "rag_from": None,
                                           "rag_to": None, "origin": "manual",
                                           "note": NOTE}])
    return case_id, audit_id


def test_a_long_closed_case_is_purged_and_its_audit_keeps_its_figures(org: Org) -> None:
    case_id, audit_id = _closed_case_with_history(org, dt.date(2018, 1, 31))
    recent_id, _ = _closed_case_with_history(org, dt.date(2025, 6, 1))
    ctx = org.as_user(org.admin)
    dry = purge_closed(ctx, years=6, dry_run=True)
    assert dry.case_ids == (case_id,) and dry.audits == 1
    done = purge_closed(ctx, years=6)
    assert done.case_ids == (case_id,)
    with org.store.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.child_name == "" and case.date_of_birth is None
        assert case.case_ref  # the reference stays: reports still count the case
        audit = session.get(Audit, audit_id)
        assert audit is not None and audit.grade == "good" and audit.overview == ""
        answers = session.scalars(select(AuditAnswer.value).where(
            AuditAnswer.audit_id == audit_id)).all()
        assert "met" in answers
        notes = session.scalars(select(CaseEvent.note).where(
            CaseEvent.case_id == case_id)).all()
        assert notes and set(notes) == {""}
        other = session.get(Case, recent_id)
        assert other is not None and other.child_name == NAME  # closed too recently
        logged = session.scalars(select(Event).where(Event.action == "purge")).all()
        assert [e.entity_id for e in logged] == [case_id]
        assert NAME not in logged[0].detail_json
    assert purge_closed(ctx, years=6).cases == 0  # already purged: nothing new


def test_only_an_administrator_purges(org: Org) -> None:
    with pytest.raises(PermissionRefused):
        purge_closed(org.as_user(org.qa), years=6)


def test_subject_access_holds_everything_about_the_child(org: Org, tmp_path: Path,
                                                         db_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    case_id, audit_id = _closed_case_with_history(org, dt.date(2025, 6, 1))
    export = subject_access(org.as_user(org.qa), "SYN-0001")
    text = export.to_json()
    for held in (NAME, BORN.isoformat(), NOTE, CONCERN, "Synthetic overview.", audit_id):
        assert held in text
    assert export.tables["audit_answers"] and export.tables["escalations"]
    with org.store.read() as session:
        logged = session.scalars(select(Event).where(
            Event.action == "export", Event.entity_id == case_id)).all()
    assert len(logged) == 1 and "subject_access" in logged[0].detail_json
    with pytest.raises(PermissionRefused):
        subject_access(org.as_user(org.auditor), "SYN-0001")
    org.store.close()
    out = tmp_path / "sar.json"
    assert main(["subject-access", "SYN-0001", "-o", str(out), "--db", str(db_path)]) == 0
    assert (out.stat().st_mode & 0o777) == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["tables"]["case"][0]["child_name"] \
        == NAME
    assert "SYN-0001" in capsys.readouterr().out
    # JSON named as something else (sar.pdf) is refused in one line, nothing written.
    wrong = tmp_path / "sar.pdf"
    assert main(["subject-access", "SYN-0001", "-o", str(wrong), "--db", str(db_path)]) == 2
    assert "name the file with .json" in capsys.readouterr().err and not wrong.exists()
    assert main(["retention", "purge", "--years", "0.5", "--db", str(db_path)]) == 0
    assert "purged 1" in capsys.readouterr().out


# -- every copy the store keeps (issue 20, item 7) -------------------------------------

#: One distinctive synthetic surname, in every form the child's name took.
TOKEN = "Quillfeatherby"
EARLIER = f"Zeb {TOKEN}-Moss"
LATER = f"Zebedee {TOKEN}"


def _named_everywhere(org: Org, conflict: bool = True) -> str:
    """A long-closed case whose name is in the change log twice, in an audit's texts,
    an escalation's concern (changed once) and a sync conflict's two values."""
    case_id, audit_id = _closed_case_with_history(org, dt.date(2017, 5, 2))
    with org.store.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.child_name = EARLIER
    with org.store.transaction() as session:
        case = session.get(Case, case_id)
        audit = session.get(Audit, audit_id)
        assert case is not None and audit is not None
        case.child_name = LATER
        audit.overview = f"Seen at home: {LATER} was settled."
        audit.positive_practice = f"The worker knew {TOKEN} well."
    if not conflict:
        return case_id
    with org.store.transaction() as session:
        session.add(SyncConflict(table_name="cases", record_id=case_id, field="child_name",
                                 winner_version="0000000001-0000-aa", winner_device="a",
                                 winner_json=json.dumps(LATER),
                                 loser_version="0000000001-0000-bb", loser_device="b",
                                 loser_json=json.dumps(EARLIER)))
    concern = escalations.raise_concern(org.as_user(org.auditor), case_id,
                                        f"Bruising seen on {EARLIER}")
    with org.store.transaction() as session:
        escalation = session.get(Escalation, concern)
        assert escalation is not None
        escalation.concern = f"Bruising seen on {LATER}, again"
    return case_id


def _holding(store: Store, text: str) -> list[str]:
    """``table.column`` of every text column of every table that holds ``text``."""
    inspector = inspect(store.engine)
    found = []
    with store.engine.connect() as conn:
        for name in inspector.get_table_names():
            for info in inspector.get_columns(name):
                if not isinstance(info["type"], String | Text):
                    continue
                column = sql_column(info["name"])
                hits = conn.scalar(select(func.count()).select_from(sql_table(name, column))
                                   .where(column.contains(text, autoescape=True)))
                if hits:
                    found.append(f"{name}.{info['name']}")
    assert "change_log" in inspector.get_table_names()  # the store's own tables were seen
    return found


def test_a_purge_leaves_the_name_in_no_column_and_names_the_older_backups(
        org: Org, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case_id = _named_everywhere(org)
    assert {"cases.child_name", "change_log.fields_json", "sync_conflicts.winner_json",
            "audits.overview"} <= set(_holding(org.store, TOKEN))
    backup = make_backup(db_path, keys.resolve_key(db_path, prompt=None), "before-purge")
    org.store.close()
    assert main(["retention", "purge", "--years", "6", "--db", str(db_path)]) == 0
    said = capsys.readouterr().out
    assert "purged 1" in said and backup.name in said
    store = open_store(db_path, prompt=None)
    try:
        assert _holding(store, TOKEN) == []
        with store.read() as session:
            # The purge itself still goes to the other devices: its change is pending.
            pending = session.scalars(select(Change.fields_json).where(
                Change.table_name == "cases", Change.record_id == case_id,
                Change.pushed_at.is_(None))).all()
            assert any(json.loads(f or "{}").get("child_name") == "" for f in pending)
            conflict = session.scalars(select(SyncConflict).where(
                SyncConflict.record_id == case_id)).one()
            assert json.loads(conflict.winner_json) == json.loads(conflict.loser_json) == ""
    finally:
        store.close()
    assert main(["retention", "purge", "--years", "6", "--db", str(db_path), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["cases"] == 0


def test_the_purge_reaches_the_other_laptops(tmp_path: Path) -> None:
    from tests.unit.sync.helpers import device, until_quiet

    share = tmp_path / "share"
    share.mkdir()
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    try:
        org = Org(a)
        case_id = _named_everywhere(org, conflict=False)
        until_quiet([a, b], share)
        with b.read() as session:
            assert session.get(Case, case_id).child_name == LATER  # type: ignore[union-attr]
        assert purge_closed(org.as_user(org.admin), years=6).case_ids == (case_id,)
        until_quiet([a, b], share)
        with b.read() as session:
            case = session.get(Case, case_id)
            assert case is not None and case.child_name == "" and case.date_of_birth is None
            audit = session.scalars(select(Audit).where(Audit.case_id == case_id)).one()
            assert audit.overview == "" and audit.grade == "good"
        assert _holding(a, TOKEN) == [] and _holding(b, TOKEN) == []
    finally:
        a.close()
        b.close()
