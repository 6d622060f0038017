"""Hostile files through the imports: long problem lists, control characters, values
never quoted, and one rule (exit 2) for a mapping file that cannot be used."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.services import plans
from desktop.services.audits.historical import import_historical
from desktop.services.audits.historical import load_mapping as load_audit_mapping
from desktop.services.audits.refused import ImportRefused
from desktop.services.caseload import import_caseload
from desktop.services.caseload.profiles import ProfileProblem, load_profile
from desktop.services.caseload.report import LISTED, NotListed, Problems, RowProblem, date_reason
from desktop.services.dates import try_parse_date
from desktop.services.mapping_files import MappingProblem, read_mapping_json
from desktop.services.tabular import CONTROL_REASON
from desktop.store import Store
from tests.data.make_caseload_examples import MOSAIC_HEADER, MOSAIC_ROWS
from tests.unit.services import hostile_files as hostile
from tests.unit.services.audits.test_imports import world_with_cases
from tests.unit.services.audits.world import World
from tests.unit.services.caseload.helpers import DATA, counts, fixed_ctx, write_csv

STAFF_NAME = "Relymanager 0"


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# --- the list of problems -------------------------------------------------------------

def test_one_staff_name_on_every_row_is_one_problem_never_quoted(store: Store,
                                                                 tmp_path: Path) -> None:
    """A shifted file puts the same staff name in the legal status of 120 rows: one
    problem (one distinct word), counting the rows, and the name is never shown."""
    path = write_csv(tmp_path / "shifted.csv", MOSAIC_HEADER, hostile.mosaic_rows(120))
    report = import_caseload(fixed_ctx(store), path)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Legal Status")]
    assert (report.problem_count, report.bad_rows) == (1, 120)
    assert report.errors[0].reason.startswith(
        "not a known legal status: the same word on 120 rows (first rows 2, 3, 4), not "
        "shown (it may be a name in the wrong column); expected one of: CIN,")
    assert STAFF_NAME not in json.dumps(report.as_json()) + report.summary()
    assert sum(counts(store).values()) == 0


def test_many_bad_rows_list_fifty_and_count_the_rest(store: Store, tmp_path: Path) -> None:
    rows = hostile.mosaic_rows(120)
    for number, row in enumerate(rows):  # a different staff name on each row
        row[MOSAIC_HEADER.index("Legal Status")] = f"Relymanager {number}"
    path = write_csv(tmp_path / "shifted.csv", MOSAIC_HEADER, rows)
    report = import_caseload(fixed_ctx(store), path)
    assert len(report.errors) == LISTED
    assert (report.problem_count, report.bad_rows, report.not_listed) == (120, 120, 70)
    assert [e.row for e in report.errors] == list(range(2, 52))
    assert report.errors[0].reason.startswith("not a known legal status; expected one of: "
                                              "CIN, Child in Need, CP,")
    lines = report.summary().splitlines()
    assert lines == ["... and 70 more problems not listed",
                     "120 rows read; 120 bad row(s), 120 problem(s): nothing was written"]
    data = report.as_json()
    assert data["errors_not_listed"] == 70 and len(data["errors"]) == LISTED
    assert "Relymanager" not in json.dumps(data) + report.summary()
    assert sum(counts(store).values()) == 0


def test_a_good_report_keeps_its_json_keys(store: Store) -> None:
    report = import_caseload(fixed_ctx(store), DATA / "mosaic_caseload.csv")
    assert "errors_not_listed" not in report.as_json() and report.not_listed == 0


def test_problems_keep_the_first_in_row_order_whatever_the_arrival() -> None:
    every = [RowProblem(row, column, "reason") for row in range(2, 400)
             for column in ("B", "A")]
    shuffled = list(every)
    random.Random(5).shuffle(shuffled)
    problems = Problems()
    problems.extend(shuffled)
    assert problems.listed() == sorted(every)[:LISTED]
    assert (len(problems), problems.bad_rows) == (len(every), 398)
    assert list(problems) == problems.listed()


@pytest.mark.parametrize("value", ["31/02/2026", "12/31/2025", "01/01/26", "05-Foo-26",
                                   "2026", 2026, "Testchild Secret", True, "29-Feb-25",
                                   "x: there is no month 13; dates are day/month/year"])
def test_date_problems_never_quote_the_value(value: object) -> None:
    _, why = try_parse_date(value)
    assert why is not None
    reason = date_reason(value, why)
    assert reason.startswith("not a") and str(value) not in reason
    assert "Foo" not in reason and "Secret" not in reason


# --- control characters ---------------------------------------------------------------

def test_control_characters_in_caseload_cells_are_row_problems(store: Store,
                                                               tmp_path: Path) -> None:
    rows = [list(MOSAIC_ROWS[i % len(MOSAIC_ROWS)]) for i in range(80)]
    for number, row in enumerate(rows):
        row[0] = f"P{number}"
    column = MOSAIC_HEADER.index
    rows[60][column("Forename")] = "Test\x00child"  # row 62: well after the first 4 KB
    rows[61][column("Team")] = "North\tTeam"
    rows[62][column("Worker")] = "\x1b[2JWorker"
    rows[63][0] = "P\x7f63"
    rows[64][column("Not In School")] = "Y\x00"
    header = [*MOSAIC_HEADER, "Unused"]
    rows = [[*row, "\x00 not read" if number == 70 else ""] for number, row in enumerate(rows)]
    path = write_rows(tmp_path / "controls.csv", header, rows)
    assert path.read_bytes().index(b"\x00") > 4096
    report = import_caseload(fixed_ctx(store), path, "mosaic")
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (62, "Forename", CONTROL_REASON), (63, "Team", CONTROL_REASON),
        (64, "Worker", CONTROL_REASON), (65, "Person ID", CONTROL_REASON),
        (66, "Not In School", CONTROL_REASON)]  # one problem a cell: not "not yes or no"
    assert sum(counts(store).values()) == 0


# --- historical audits and plans ------------------------------------------------------

AUDIT_HEADER = ["Case reference", "Auditor username", "Date of dip sample", "RAG on VTT",
                "Auditor RAG", "Overall grade", "Overview of findings", "Positive practice"]


@pytest.fixture
def world(store: Store) -> World:
    return world_with_cases(store)


def test_historical_problems_are_capped_and_never_quote(world: World, tmp_path: Path) -> None:
    rows = [["SYN-0001", "auditor1", f"{1 + n % 28:02d}/03/2026", STAFF_NAME, "R", "Good",
             "Fine.", ""] for n in range(120)]
    path = write_rows(tmp_path / "audits.csv", AUDIT_HEADER, rows)
    with pytest.raises(ImportRefused) as refused:
        import_historical(world.as_user(world.qa), path)
    problems = refused.value.problems
    assert len(problems) == LISTED + 1 and isinstance(problems[-1], NotListed)
    assert str(problems[-1]) == "... and 70 more problems not listed"
    assert problems[0] == RowProblem(2, "RAG on VTT", "not a known RAG rating; expected one "
                                     "of: r, a, g, red, amber, green")
    assert refused.value.message.startswith("audits.csv: nothing imported, 120 bad rows, "
                                            "120 problems; the first: row 2,")
    assert STAFF_NAME not in refused.value.message
    assert not any(STAFF_NAME in str(p) for p in problems)


def test_historical_free_text_may_break_lines_but_nothing_else(world: World,
                                                               tmp_path: Path) -> None:
    rows = [["SYN-0001", "auditor1", "01/03/2026", "R", "R", "Good", "Two\r\nlines.", "ok"],
            ["SYN-0002", "auditor1", "02/03/2026", "R", "R", "Good", "Tab\there.", "ok"],
            ["SYN-0003", "auditor\x00", "03/03/2026", "R", "R", "Good", "Fine.", "ok"]]
    path = write_rows(tmp_path / "audits.csv", AUDIT_HEADER, rows)
    with pytest.raises(ImportRefused) as refused:
        import_historical(world.as_user(world.qa), path)
    assert [(p.row, p.column, p.reason) for p in refused.value.problems] == [
        (3, "Overview of findings", CONTROL_REASON), (4, "Auditor username", CONTROL_REASON)]
    result = import_historical(world.as_user(world.qa),
                               write_rows(tmp_path / "ok.csv", AUDIT_HEADER, rows[:1]))
    assert result.imported == 1


PLAN_HEADER = ["Ofsted finding", "Action taken/required", "Lead/s", "By When", "Status"]


def test_plan_problems_are_capped_and_never_quote(world: World, tmp_path: Path) -> None:
    rows = [["Areas for development", "", "", "", ""]] + [
        [f"Finding {n}.", "An action.", "Lead", "Ongoing", STAFF_NAME] for n in range(120)]
    path = write_rows(tmp_path / "plan.csv", PLAN_HEADER, rows)
    with pytest.raises(ImportRefused) as refused:
        plans.import_plan(world.as_user(world.qa), path)
    problems = refused.value.problems
    assert len(problems) == LISTED + 1 and str(problems[-1]).endswith("70 more problems "
                                                                      "not listed")
    assert problems[0].column == "Status" and problems[0].reason.startswith(
        "not a status this mapping knows; expected one of: open, not started, in progress")
    assert not any(STAFF_NAME in str(p) for p in problems)


def test_plan_cells_may_break_lines_but_hold_no_other_control(world: World,
                                                             tmp_path: Path) -> None:
    rows = [["Areas for development", "", "", "", ""],
            ["A finding\nacross lines.", "An action.", "Lead", "Ongoing", ""],
            ["A \x00 finding.", "An action.", "Lead", "Ongoing", ""]]
    path = write_rows(tmp_path / "plan.csv", PLAN_HEADER, rows)
    with pytest.raises(ImportRefused) as refused:
        plans.import_plan(world.as_user(world.qa), path)
    assert [(p.row, p.column, p.reason) for p in refused.value.problems] == [
        (4, "Ofsted finding", CONTROL_REASON)]
    result = plans.import_plan(world.as_user(world.qa),
                               write_rows(tmp_path / "ok.csv", PLAN_HEADER, rows[:2]))
    [finding] = plans.plan_findings(world.as_user(world.qa), result.plan_id)
    assert finding.text == "A finding across lines."


# --- mapping files --------------------------------------------------------------------

BROKEN_MAPPINGS = {
    "nested": None,  # 100,000 nested '[' (written by hostile.nested_json)
    "not_json": "{\"name\": ",
    "a_list": "[1, 2, 3]",
    "not_utf8": b"\xff\xfe{",
}


def _broken(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.json"
    content = BROKEN_MAPPINGS[kind]
    if content is None:
        return hostile.nested_json(path)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


@pytest.mark.parametrize("kind", sorted(BROKEN_MAPPINGS))
def test_every_loader_refuses_a_broken_mapping_as_a_mapping_problem(tmp_path: Path,
                                                                    kind: str) -> None:
    path = _broken(tmp_path, kind)
    loaders = [lambda: load_profile(str(path)), lambda: load_audit_mapping(path),
               lambda: plans.load_mapping(path)]
    for load in loaders:
        with pytest.raises(MappingProblem) as caught:
            load()
        assert caught.value.exit_code == 2 and "\n" not in caught.value.message
        assert caught.value.message.startswith(f"mapping file {path.name}: ")
    with pytest.raises(ProfileProblem):
        load_profile(str(path))


def test_nested_brackets_say_so(tmp_path: Path) -> None:
    path = hostile.nested_json(tmp_path / "deep.json")
    with pytest.raises(MappingProblem, match="nested too deeply"):
        read_mapping_json(path)


def test_a_huge_mapping_file_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text('{"name": "' + "x" * 2_000_000 + '"}')
    with pytest.raises(MappingProblem, match="larger than 1,000,000 bytes"):
        read_mapping_json(path)


@pytest.mark.parametrize("mapping", [
    {"columns": {"finding": "F", "action": "A"}, "sections": ["not", "an", "object"]},
    {"columns": {"finding": "F", "action": "A"}, "statuses": {"Open": 5}},
    {"columns": {"finding": "F", "action": "A"}, "required": ["finding", "nope"]},
    {"columns": {"finding": "F", "action": "A"}, "required": 5},
    {"columns": {"finding": 1, "action": "A"}},
    {"columns": {"finding": "F", "action": "A"}, "completed_prefix": []},
])
def test_plan_mappings_of_the_wrong_shape(tmp_path: Path, mapping: dict) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(mapping))
    with pytest.raises(MappingProblem):
        plans.load_mapping(path)


@pytest.mark.parametrize("mapping", [
    {"template": "t", "columns": {"case_ref": "A", "auditor": 5, "audit_date": "C"}},
    {"template": "t", "columns": {"case_ref": "A", "auditor": "B", "audit_date": "C"},
     "questions": {"Q": 1}},
    {"template": "t", "columns": {"case_ref": "A", "auditor": "B", "audit_date": "C"},
     "values": {"rag": {"r": None}}},
    {"template": 1, "columns": {"case_ref": "A", "auditor": "B", "audit_date": "C"}},
])
def test_audit_mappings_of_the_wrong_shape(tmp_path: Path, mapping: dict) -> None:
    path = tmp_path / "audits.json"
    path.write_text(json.dumps(mapping))
    with pytest.raises(MappingProblem):
        load_audit_mapping(path)


@pytest.mark.parametrize("kind", [*sorted(BROKEN_MAPPINGS), "missing"])
def test_the_three_commands_exit_2_for_the_same_broken_mapping(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    assert main(["import", str(DATA / "mosaic_caseload.csv"), "--db", str(db_path)]) == 0
    capsys.readouterr()
    path = tmp_path / "missing.json" if kind == "missing" else _broken(tmp_path, kind)
    commands = [["import", str(DATA / "mosaic_caseload.csv"), "--profile", str(path)],
                ["audits", "import", str(DATA / "audits_online_form.csv"), "--mapping",
                 str(path)],
                ["plan", "import", str(DATA / "plan_inspection.csv"), "--mapping", str(path)]]
    for argv in commands:
        code = main([*argv, "--db", str(db_path)])
        err = capsys.readouterr().err
        assert code == 2, (argv[0], err)
        assert err.startswith(f"dipsample: mapping file {path.name}: ")
        assert len(err.strip().splitlines()) == 1 and "unexpected" not in err


@pytest.mark.parametrize(("change", "message"), [
    ({"template": "nope"}, "names template 'nope', which is not one of"),
    ({"questions": {"Agree with RAG": "no_such_question"}}, "names question "
     "'no_such_question'"),
])
def test_a_mapping_naming_what_does_not_exist_is_a_mapping_problem(
        world: World, tmp_path: Path, change: dict, message: str) -> None:
    mapping = json.loads((DATA.parent.parent / "resources/mappings/historical_audits.json")
                         .read_text())
    mapping.update(change)
    path = tmp_path / "ours.json"
    path.write_text(json.dumps(mapping))
    with pytest.raises(MappingProblem, match=message) as caught:
        import_historical(world.as_user(world.qa), DATA / "audits_online_form.csv", path)
    assert caught.value.exit_code == 2
