"""``dipsample exercises``: an auditor makes a themed exercise, attaches the audits that
match it (only those they reach), shows it and prints its summary; refusals are one
line with the contract's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.cli.main import main
from desktop.models import Audit, Case
from desktop.store import open_store
from tests.unit.cli.acting import with_password
from tests.unit.reports.hostile import read_pdf, squash
from tests.unit.services.audits.test_exercise_audits import audit_of, second_area
from tests.unit.services.audits.world import make_world


class Seeded:
    """The audits of a small council: ``mine`` (the first area's, child protection),
    ``other_cohort`` (the first area's, child in need), ``south`` (another area's)."""

    def __init__(self, db_path: Path) -> None:
        store = open_store(db_path, prompt=None, create=True)
        try:
            world = make_world(store)
            _area, auditor3, south_case = second_area(world)
            self.mine = [audit_of(world, world.auditor, cohort="cp") for _ in range(2)]
            self.other_cohort = audit_of(world, world.auditor, cohort="cin")
            self.south = audit_of(world, auditor3, case_id=south_case)
            with store.read() as session:
                self.refs: dict[str, str] = {i: r for i, r in session.execute(
                    select(Audit.id, Case.case_ref).join(Case, Case.id == Audit.case_id))}
        finally:
            store.close()


@pytest.fixture
def seeded(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    found = Seeded(db_path)
    for name in ("auditor1", "qa1", "tm1"):
        with_password(db_path, name, monkeypatch)
    return found


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *argv: str,
        user: str = "auditor1") -> tuple[int, str, str]:
    code = main([*argv, "--db", str(db_path), "--user", user])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_auditor_makes_an_exercise_and_attaches_what_matches(
        db_path: Path, seeded: Seeded, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, db_path, "exercises", "add", "--title", "Neglect on plans",
                         "--theme", "Neglect", "--cohort", "cp", "--from", "01/11/2026",
                         "--to", "2026-11-30", "--json")
    assert code == 0, err
    added = json.loads(out)
    assert (added["title"], added["theme"], added["cohort"]) == (
        "Neglect on plans", "Neglect", "cp")
    assert (added["period_from"], added["period_to"]) == ("2026-11-01", "2026-11-30")
    assert added["lead"] == "User auditor1" and added["area"] == ""
    short = added["id"][:8]

    code, out, err = run(capsys, db_path, "exercises", "attach", short, "--matching",
                         "--json")
    assert code == 0, err
    attached = json.loads(out)
    assert (attached["attached"], attached["already"], attached["elsewhere"]) == (2, 0, 0)
    assert attached["progress"] == {"attached": 2, "submitted": 2, "finalised": 0,
                                    "cases_seen": 2}

    code, out, err = run(capsys, db_path, "exercises", "list", "--json")
    assert code == 0, err
    [listed] = json.loads(out)
    assert listed["id"] == added["id"] and listed["progress"]["attached"] == 2

    code, out, err = run(capsys, db_path, "exercises", "show", short, "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert {a["id"] for a in shown["audits"]} == set(seeded.mine)
    code, out, err = run(capsys, db_path, "exercises", "show", short)
    assert code == 0, err
    assert "Neglect on plans" in out and "child protection plans" in out
    assert all(seeded.refs[a] in out for a in seeded.mine)
    assert seeded.refs[seeded.south] not in out

    pdf = tmp_path / "summary.pdf"
    code, out, err = run(capsys, db_path, "report", "summary", short, "-o", str(pdf))
    assert code == 0, err
    text = read_pdf(pdf).squashed
    assert squash("Neglect (cohort: child protection plans)") in text
    assert all(seeded.refs[a] in text for a in seeded.mine)

    # QA reaches the other area's audit too.
    code, out, err = run(capsys, db_path, "exercises", "attach", short, "--matching",
                         user="qa1")
    assert code == 0, err
    assert out.startswith("1 audit attached to Neglect on plans; 2 were already in it.")


def test_attaching_and_detaching_by_id(db_path: Path, seeded: Seeded,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, db_path, "exercises", "add", "--title", "Any audits",
                         "--area", "synthetic north", "--json", user="qa1")
    assert code == 0, err
    exercise = json.loads(out)["id"]
    assert json.loads(out)["area"] == "Synthetic North"
    code, out, err = run(capsys, db_path, "exercises", "attach", exercise[:6],
                         seeded.other_cohort[:8], seeded.mine[0], "--json", user="qa1")
    assert code == 0, err
    assert json.loads(out)["attached"] == 2
    code, out, err = run(capsys, db_path, "exercises", "detach", exercise[:6],
                         seeded.mine[0][:8], "--json", user="qa1")
    assert code == 0, err
    assert json.loads(out)["detached"] == 1
    assert json.loads(out)["progress"]["attached"] == 1
    code, out, err = run(capsys, db_path, "exercises", "detach", exercise,
                         seeded.mine[0], user="qa1")
    assert code == 1 and "is not part of this exercise" in err


def test_refusals_are_one_line(db_path: Path, seeded: Seeded,
                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, db_path, "exercises", "add", "--title", "Mine",
                         user="tm1")
    assert code == 1 and "You may not create and change audit exercises" in err
    code, _, err = run(capsys, db_path, "exercises", "add", "--title", "X", "--cohort",
                       "everyone")
    assert code == 1 and "'everyone' is not a cohort" in err
    code, _, err = run(capsys, db_path, "exercises", "add", "--title", "X", "--from",
                       "31/02/2026")
    assert code == 1 and "is not a date" in err
    code, _, err = run(capsys, db_path, "exercises", "add", "--title", "X", "--area",
                       "Nowhere")
    assert code == 1 and "no service area called 'Nowhere'" in err

    code, out, err = run(capsys, db_path, "exercises", "add", "--title", "Undated",
                         "--json")
    exercise = json.loads(out)["id"]
    code, _, err = run(capsys, db_path, "exercises", "attach", exercise)
    assert code == 2 and "give audit ids or --matching" in err
    code, _, err = run(capsys, db_path, "exercises", "attach", exercise, seeded.mine[0],
                       "--matching")
    assert code == 2 and "give audit ids or --matching" in err
    code, _, err = run(capsys, db_path, "exercises", "attach", exercise, "--matching")
    assert code == 1 and "give the exercise a period" in err
    # Another area's audit is not there for this auditor, by its id or its start.
    code, _, err = run(capsys, db_path, "exercises", "attach", exercise, seeded.south[:8])
    assert code == 1 and f"no audit with the id '{seeded.south[:8]}'" in err
    code, out, err = run(capsys, db_path, "exercises", "show", "ffffffff", "--json")
    assert code == 1 and json.loads(out)["error"] == "no exercise with the id 'ffffffff'"
    assert "Traceback" not in err
