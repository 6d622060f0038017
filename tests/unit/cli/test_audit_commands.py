"""``dipsample audits``, ``actions``, ``finalise-due`` and ``plan``: JSON contracts, exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.services import actions
from desktop.services.audits import lifecycle
from desktop.services.context import ServiceContext
from desktop.store import open_store
from tests.unit.cli.acting import with_password
from tests.unit.services.audits.test_lifecycle import MET
from tests.unit.services.audits.world import World, make_world

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def seeded(db_path: Path) -> tuple[World, str]:
    """Three cases; one audit submitted 10 days ago (due to finalise) with an action."""
    store = open_store(db_path, prompt=None, create=True)
    now = dt.datetime.now(dt.UTC)
    world = make_world(store, now - dt.timedelta(days=10))
    for rag in ("red", "amber", "green"):
        world.case(rag)
    ctx: ServiceContext = world.as_user(world.auditor)
    with store.read() as session:
        from sqlalchemy import select

        from desktop.models import Case

        case_id = session.scalar(select(Case.id).where(Case.case_ref == "SYN-0001"))
    assert case_id is not None
    audit_id = lifecycle.start_audit(ctx, case_id, "risk_assessment_rag")
    for code, value in MET.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    lifecycle.save_details(ctx, audit_id, overview="ok", grade="good", auditor_rag="red")
    actions.add_action(ctx, actions.NewAction(description="Update the chronology",
                                              due_on=world.clock.now.date(),
                                              audit_id=audit_id))
    lifecycle.submit(ctx, audit_id)
    store.close()
    return world, audit_id


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_audits_list_json_contract_and_show_logs_a_view(
        db_path: Path, seeded: tuple[World, str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    world, audit_id = seeded
    code, out, _ = run(capsys, "audits", "list", "--db", str(db_path), "--json")
    assert code == 0
    [row] = json.loads(out)
    assert {"id", "case_ref", "auditor_id", "status", "grade"} <= set(row)
    assert (row["id"], row["case_ref"], row["auditor_id"], row["status"], row["grade"]) == (
        audit_id, "SYN-0001", world.auditor, "open_for_comment", "good")
    with_password(db_path, "qa1", monkeypatch)
    code, out, _ = run(capsys, "audits", "show", audit_id, "--db", str(db_path), "--json",
                       "--user", "qa1")
    assert code == 0 and json.loads(out)["answers"][0]["code"] == "ra_in_place"
    code, out, err = run(capsys, "audits", "show", "nope", "--db", str(db_path))
    assert code == 1 and "no audit with the id 'nope'" in err
    store = open_store(db_path, prompt=None, create=True)
    from desktop.services.event_log import events_for

    views = [e for e in events_for(ServiceContext(store), "audit", audit_id)
             if e.action == "view"]
    store.close()
    assert [v.user_id for v in views] == [world.qa]


def test_finalise_due_then_list_by_status(
        db_path: Path, seeded: tuple[World, str], capsys: pytest.CaptureFixture[str]) -> None:
    _, audit_id = seeded
    code, out, _ = run(capsys, "finalise-due", "--db", str(db_path), "--json")
    assert code == 0 and json.loads(out)["finalised"] == [audit_id]
    code, out, _ = run(capsys, "audits", "list", "--status", "finalised", "--db", str(db_path),
                       "--json")
    assert [r["id"] for r in json.loads(out)] == [audit_id]


def test_actions_overdue_and_owner(db_path: Path, seeded: tuple[World, str],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    world, _ = seeded
    code, out, _ = run(capsys, "actions", "--overdue", "--db", str(db_path), "--json")
    [row] = json.loads(out)
    assert code == 0 and row["overdue_working_days"] >= 1 and row["status"] == "open"
    code, out, _ = run(capsys, "actions", "--owner", "SW-001", "--db", str(db_path), "--json")
    assert [r["owner_worker_id"] for r in json.loads(out)] == [world.worker.id]
    code, out, _ = run(capsys, "actions", "--owner", "qa1", "--db", str(db_path))
    assert code == 0 and out.strip() == "no actions"


def test_audits_import_refused_lists_every_row(
        db_path: Path, seeded: tuple[World, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audits", "import", str(DATA / "audits_bad_rows.csv"), "--db",
                       str(db_path), "--json")
    data = json.loads(out)
    assert code == 1 and len(data["errors"]) >= 9
    assert {"row": 6, "column": "Date of dip sample",
            "reason": "the date is in the future"} in data["errors"]
    assert "2027" not in out  # a problem names the kind, never the value
    code, _, err = run(capsys, "audits", "import", str(DATA / "audits_bad_rows.csv"), "--db",
                       str(db_path))
    assert code == 1 and "Traceback" not in err and "row 3, column 'RAG on VTT'" in err
    code, out, _ = run(capsys, "audits", "import", str(DATA / "audits_online_form.csv"),
                       "--db", str(db_path), "--json")
    assert code == 0 and json.loads(out)["imported"] == 3


def test_plan_import_and_list(db_path: Path, seeded: tuple[World, str],
                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "import", str(DATA / "plan_inspection.csv"), "--title",
                       "Inspection 2026", "--db", str(db_path), "--json")
    assert code == 0
    plan_id = json.loads(out)["plan_id"]
    code, out, _ = run(capsys, "plan", "list", "--db", str(db_path), "--json")
    [plan] = json.loads(out)
    assert (plan["id"], plan["findings"], plan["actions"]) == (plan_id, 4, 7)
    code, out, _ = run(capsys, "plan", "list", "--plan", plan_id, "--db", str(db_path))
    assert code == 0 and "[priority_action]" in out
    code, _, err = run(capsys, "plan", "import", str(DATA / "plan_bad_rows.csv"), "--db",
                       str(db_path))
    assert code == 1 and "row 4, column 'Action taken/required': the finding has no action" \
        in err
