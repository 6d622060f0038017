"""``dipsample users`` and a council's first day on the command line: its staff list,
its own caseload (no demo), then ``sample --area`` draws a full week."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.store import Store
from tests.data import council_exports as council
from tests.unit.services.people.test_staff import STAFF, WEEK, caseload_rows


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_first_day_caseload_staff_and_a_full_week(db_path: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The caseload import makes the store; the staff list goes into it."""
    db = str(db_path)
    caseload = council.write_csv(tmp_path / "caseload.csv", "cp1252", caseload_rows(45))
    code, out, _ = run(capsys, "import", str(caseload), "--profile", str(council.PROFILE),
                       "--db", db)
    assert code == 0, out
    assert "note: skipped 2 summary lines at the end" in out
    code, out, _ = run(capsys, "users", "import", str(STAFF), "--db", db)
    assert code == 0 and "6 people: 6 created" in out
    assert "note: skipped 1 line above the header" in out
    code, out, _ = run(capsys, "sample", "--area", "north", "--week", WEEK, "--db", db,
                       "--json")
    assert code == 0
    samples = json.loads(out)["samples"]
    assert len(samples) == 4
    assert all(len(s["items"]) == 25 and s["shortfalls"] == [] for s in samples)
    code, out, _ = run(capsys, "sample", "--area", "north", "--week", WEEK, "--db", db)
    assert "Testperson Amberfield (am-north): 25 cases" in out
    assert "case          rag" in out


def test_users_add_list_deactivate_and_errors(store: Store, db_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = str(db_path)
    run(capsys, "users", "import", str(STAFF), "--db", db)
    code, out, _ = run(capsys, "users", "add", "am-exe", "--name", "Testperson Gale",
                       "--title", "Area Manager (Exeter)", "--areas", "Exeter", "--db", db)
    assert code == 0 and "am-exe" in out and "auditor" in out
    code, out, _ = run(capsys, "users", "list", "--area", "Exeter", "--db", db)
    lines = out.splitlines()
    assert lines[0].startswith("username") and len(lines) == 2
    code, out, _ = run(capsys, "users", "deactivate", "am-exe", "--db", db)
    assert code == 0 and "(deactivated)" in out
    code, out, _ = run(capsys, "users", "list", "--db", db, "--json")
    assert "am-exe" not in [m["username"] for m in json.loads(out)]
    code, _, err = run(capsys, "users", "deactivate", "nobody", "--db", db)
    assert code == 1 and "no user 'nobody'" in err
    code, _, err = run(capsys, "sample", "--area", "Narnia", "--week", WEEK, "--db", db)
    assert code == 1
    assert "no service area 'Narnia'; the service areas are: Exeter; North; South" in err
    code, _, err = run(capsys, "sample", "--area", "North", "--db", db)
    assert code == 2 and "--week is required" in err


def test_a_bad_staff_list_exits_1_listing_rows(store: Store, db_path: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(STAFF.read_text(encoding="utf-8").replace("Area Manager (South),auditor",
                                                              "Cook,"), encoding="utf-8")
    code, _, err = run(capsys, "users", "import", str(path), "--db", str(db_path))
    assert code == 1
    assert ("row 5, column 'Job title': no roles, and the job title is not a known job "
            "title; known titles are Head of Service") in err
    assert "seed" not in err


def test_users_import_into_a_missing_store_refuses_like_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Only demo, import, the window and a new laptop's first pull make a store."""
    missing = tmp_path / "typo" / "council.db"
    code, out, err = run(capsys, "users", "import", str(STAFF), "--db", str(missing))
    assert code == 2 and out == ""
    _check, _, check_err = run(capsys, "check", "--db", str(missing))
    assert err == check_err and len(err.strip().splitlines()) == 1
    assert "There is no DipSample database" in err
    assert not missing.exists() and not missing.parent.exists()


def test_an_area_draw_includes_a_head_of_service_named_in_roles_and_names_the_rest(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Head of Service imported through the Roles column is drawn a sample; whoever of
    the area has no auditor role is named, not left out silently."""
    db = str(db_path)
    caseload = council.write_csv(tmp_path / "caseload.csv", "cp1252", caseload_rows(30))
    assert run(capsys, "import", str(caseload), "--profile", str(council.PROFILE),
               "--db", db)[0] == 0
    staff = tmp_path / "staff.csv"
    staff.write_text("Name,Username,Roles,Service areas\n"
                     "Testperson Hale,hos-north,Head of Service,North\n"
                     "Testperson Irwin,esc-north,head_of_service,North\n"
                     "Testperson Jory,tm-north,Team Manager,North\n", encoding="utf-8")
    assert run(capsys, "users", "import", str(staff), "--db", db)[0] == 0
    code, out, _ = run(capsys, "sample", "--area", "North", "--week", WEEK, "--db", db)
    assert code == 0, out
    assert "Testperson Hale (hos-north): 25 cases" in out
    assert out.splitlines()[-1] == (
        "2 people in North have no auditor role, so no sample was drawn for them: "
        "Testperson Irwin (head of service), Testperson Jory (team manager)")
    code, out, _ = run(capsys, "sample", "--area", "North", "--week", WEEK, "--db", db,
                       "--json")
    assert [(p["name"], p["roles"]) for p in json.loads(out)["not_auditors"]] == [
        ("Testperson Irwin", ["head_of_service"]), ("Testperson Jory", ["team_manager"])]
