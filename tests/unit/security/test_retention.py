"""Retention purges what names or describes a child of a long-closed case, keeps the
audits' figures; a subject access export holds everything about one child."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.cli.main import main
from desktop.errors import PermissionRefused
from desktop.models import Audit, AuditAnswer, Case, CaseEvent, Event
from desktop.services import escalations
from desktop.services.retention import purge_closed
from desktop.services.subject_access import subject_access
from desktop.store import Store
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
    assert main(["retention", "purge", "--years", "0.5", "--db", str(db_path)]) == 0
    assert "purged 1" in capsys.readouterr().out
