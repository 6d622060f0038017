"""``dipsample standards``, ``sample`` and ``stats``: their JSON contracts and exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.models import Claim
from desktop.store import open_store
from tests.unit.services.sampling.caseload import Caseload

WEEK = "2026-W48"


@pytest.fixture
def seeded(db_path: Path) -> Caseload:
    store = open_store(db_path, prompt=None, create=True)
    load = Caseload(store)
    for rag in ("red", "amber", "green"):
        load.cases_of(12, rag, last_f2f_visit=dt.date(2026, 11, 16),
                      last_oversight=dt.date(2026, 11, 2))
    load.cases_of(12, "red", area="South")
    load.auditor("am-north", "North")
    load.auditor("lead-north", "North")
    load.auditor("am-south", "South")
    store.close()
    return load


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sample_json_contract_and_second_draw_shows_the_saved_one(
        db_path: Path, seeded: Caseload, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sample", "--db", str(db_path), "--auditor", "am-north",
                       "--week", WEEK, "--seed", "3", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["week"] == WEEK
    [sample] = data["samples"]
    assert sample["auditor_id"] == seeded.users["am-north"]
    assert len(sample["items"]) == 25 and sample["shortfalls"] == []
    assert {"case_ref", "rag", "reason"} <= set(sample["items"][0])
    code, out, _ = run(capsys, "sample", "--db", str(db_path), "--auditor",
                       seeded.users["am-north"], "--week", WEEK, "--json")
    again = json.loads(out)["samples"][0]
    assert again["existing"] is True
    assert [i["case_ref"] for i in again["items"]] == [i["case_ref"] for i in sample["items"]]


def test_coordinator_mode_and_shortfall_exit_code(
        db_path: Path, seeded: Caseload, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sample", "--db", str(db_path), "--area", "North", "--week",
                       WEEK, "--dry-run", "--json")
    data = json.loads(out)
    assert [s["auditor_id"] for s in data["samples"]] == [seeded.users["am-north"],
                                                          seeded.users["lead-north"]]
    refs = [i["case_ref"] for s in data["samples"] for i in s["items"]]
    assert len(refs) == len(set(refs)) == 36  # only 36 eligible cases for 50 places
    assert code == 1
    assert any(s["shortfalls"] for s in data["samples"])
    code, out, _ = run(capsys, "sample", "--db", str(db_path), "--area", "North", "--week",
                       WEEK, "--dry-run")
    assert "SHORTFALL:" in out and code == 1


def test_replace_targeted_and_collisions(db_path: Path, seeded: Caseload,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sample", "--db", str(db_path), "--auditor", "am-south",
                       "--week", WEEK, "--json")
    item = json.loads(out)["samples"][0]["items"][0]
    code, out, _err = run(capsys, "sample", "--db", str(db_path), "--replace",
                         item["item_id"], "--reason", "other", "--json")
    assert code == 1 and "explanation" in json.loads(out)["error"]
    code, out, _ = run(capsys, "sample", "--db", str(db_path), "--targeted", "--auditor",
                       "lead-north", "--week", WEEK, "--rag", "green", "--size", "3", "--json")
    assert code == 0 and len(json.loads(out)["samples"][0]["items"]) == 3
    code, out, _ = run(capsys, "sample", "--db", str(db_path), "--collisions", "--week", WEEK)
    assert code == 0 and "no collisions" in out
    store = open_store(db_path, prompt=None, create=True)
    with store.transaction() as session:
        session.add(Claim(case_id=seeded.cases[item["case_ref"]],
                          auditor_id=seeded.users["am-north"], iso_week=WEEK))
    store.close()
    code, out, _ = run(capsys, "sample", "--db", str(db_path), "--collisions", "--week", WEEK,
                       "--json")
    assert code == 1 and json.loads(out)[0]["case_ref"] == item["case_ref"]


def test_sample_usage_errors(db_path: Path, seeded: Caseload,
                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sample", "--db", str(db_path), "--auditor", "am-north",
                       "--week", "2026-48")
    assert code == 1 and "ISO week" in err and "Traceback" not in err
    code, _, err = run(capsys, "sample", "--db", str(db_path), "--auditor", "nobody",
                       "--week", WEEK)
    assert code == 1 and "no user 'nobody'" in err


def test_standards_json_contract(db_path: Path, seeded: Caseload,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "standards", "--db", str(db_path), "--as-of", "2026-11-23",
                       "--team", "North team", "--json")
    assert code == 0
    cases = json.loads(out)
    assert len(cases) == 36
    first = cases[0]
    assert first["case_ref"] == "SYN-00001" and first["rag"] == "red"
    visit = first["standards"]["visit_f2f"]
    assert visit == {"due": "2026-11-23", "last_met": "2026-11-16", "status": "due_soon",
                     "overdue_days": None, "no_record_since": None}
    assert set(first["standards"]) == {"visit_f2f", "visit_complex_green", "vtt_review",
                                       "oversight", "risk_assessment"}
    code, out, _ = run(capsys, "standards", "--db", str(db_path), "--as-of", "2026-11-23",
                       "--overdue")
    assert code == 0 and "with an overdue standard" in out
    code, out, _ = run(capsys, "standards", "--db", str(db_path), "--as-of", "2026-11-23",
                       "--by", "team", "--json")
    teams = {g["key"]: g for g in json.loads(out)}
    north = teams[seeded.teams["North"]]
    assert north["cases"] == 36 and north["by_standard"]["visit_f2f"]["compliance"] == 1.0
    assert teams[seeded.teams["South"]]["by_standard"]["visit_f2f"]["overdue"] == 12
    code, out, _ = run(capsys, "standards", "--db", str(db_path), "--by", "service_area")
    assert code == 0 and "cases" in out.splitlines()[0]
    with pytest.raises(SystemExit) as usage:
        main(["standards", "--db", str(db_path), "--as-of", "23/11/2026"])
    assert usage.value.code == 2
    assert "not a date like 2026-11-23" in capsys.readouterr().err


def test_stats_rolling_windows_json(db_path: Path, seeded: Caseload,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", "--db", str(db_path), "--to", "2026-11-23", "--json")
    assert code == 0
    windows = json.loads(out)["windows"]
    assert [(w["start"], w["end"]) for w in windows] == [
        ("2026-10-27", "2026-11-23"), ("2026-09-29", "2026-11-23"),
        ("2026-09-01", "2026-11-23")]
    assert windows[0]["audits"] == 0
    assert windows[0]["stratum_sizes"] == {"red": 24, "amber": 12, "green": 12}
    code, out, _ = run(capsys, "stats", "--db", str(db_path), "--from", "2026-11-01", "--to",
                       "2026-11-23")
    assert code == 0 and "0 finalised audits" in out and "insufficient sample" in out
