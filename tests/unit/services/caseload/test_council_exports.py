"""A council's export as delivered (issue 9): title line, summary lines, blank markers,
mixed dates, a per-column date format, a count flag and an unborn child's EDD, in every
encoding and as .xlsx, through a profile file written as the docs describe."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.errors import InputProblem
from desktop.services.caseload import import_caseload
from desktop.services.caseload.profiles import ProfileProblem, load_profile, parse_profile
from desktop.services.caseload.validate import COUNT_REASON
from tests.data import council_exports as council
from tests.unit.services.caseload.helpers import case, counts, fixed_ctx

D = dt.date
ABOVE = "skipped 1 line above the header (row 1; the header is row 2)"
BELOW = "skipped 2 summary lines at the end (rows 9-10)"


def csv_writer(encoding: str) -> Callable[..., Path]:
    def write(folder: Path, rows: list[list[str]] | None = None) -> Path:
        return council.write_csv(folder / f"export-{encoding}.csv", encoding, rows)
    return write


def xlsx_writer(folder: Path, rows: list[list[str]] | None = None) -> Path:
    return council.write_xlsx(folder / "export.xlsx", rows)


WRITERS = {"utf-8": csv_writer("utf-8"), "utf-8-bom": csv_writer("utf-8-sig"),
           "cp1252": csv_writer("cp1252"), "xlsx": xlsx_writer}


@pytest.mark.parametrize("kind", list(WRITERS))
def test_the_export_imports_as_delivered(store, tmp_path: Path, kind: str) -> None:
    path = WRITERS[kind](tmp_path)
    report = import_caseload(fixed_ctx(store), path, council.PROFILE)
    assert (report.errors, report.rows, report.created) == ([], 5, 5)
    assert report.notes == [ABOVE, BELOW]
    assert report.written and report.profile == "westshire"
    first = case(store, "WS-0001")
    assert first.child_name == "Testchild Ashby"
    assert (first.cohort, first.rag, first.rag_set_on) == ("cp", "red", D(2026, 10, 2))
    assert first.last_oversight == D(2026, 10, 1)  # dd-Mon-yy beside dd/mm/yyyy
    assert first.last_audit is None  # "N/A"
    assert first.flags == "missing"  # "Missing Episodes: 3"
    second = case(store, "WS-0002")
    assert second.child_name == "Testchild Brönte"  # the encoding was read right
    assert second.flags == "not_in_school"  # a count of 0 is no flag
    assert second.opened_on == D(2025, 1, 15)
    unborn = case(store, "WS-0003")
    assert unborn.cohort == "unborn"
    assert (unborn.date_of_birth, unborn.expected_delivery_date) == (None, D(2027, 1, 18))
    assert (unborn.last_oversight, unborn.flags) == (None, "")  # "-" in dates and flags
    assert case(store, "WS-0005").flags == "missing,not_in_school"
    assert counts(store)["cases"] == 5


def broken(rows: list[list[str]]) -> list[list[str]]:
    """Row 4 (WS-0002) gets an unknown RAG and row 7 (WS-0005) a day February lacks."""
    rows = copy.deepcopy(rows)
    rows[1][council.HEADER.index("RAG")] = "Purple"
    rows[4][council.HEADER.index("Last Visit")] = "31/02/2026"
    return rows


@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_broken_row_refuses_the_whole_file_naming_spreadsheet_rows(
        store, tmp_path: Path, kind: str) -> None:
    rows = broken(council.ROWS)
    if kind == "xlsx":  # a real date cell cannot hold 31 February: a word stands in
        rows[4][council.HEADER.index("Last Visit")] = "soon"
    before = counts(store)
    report = import_caseload(fixed_ctx(store), WRITERS[kind](tmp_path, rows), council.PROFILE)
    assert not report.written
    assert [(e.row, e.column) for e in report.errors] == [(4, "RAG"), (7, "Last Visit")]
    assert "Purple" not in str(report.errors) and "soon" not in str(report.errors)
    assert counts(store) == before


def test_rows_are_the_spreadsheet_rows_with_no_title_line(store, tmp_path: Path) -> None:
    path = council.write_csv(tmp_path / "plain.csv", rows=broken(council.ROWS))
    path.write_bytes(path.read_bytes().split(b"\r\n", 1)[1])  # drop the title line
    report = import_caseload(fixed_ctx(store), path, council.PROFILE)
    assert [e.row for e in report.errors] == [3, 6]
    assert report.notes == ["skipped 2 summary lines at the end (rows 8-9)"]


def test_the_header_row_may_be_named_in_the_profile(store, tmp_path: Path) -> None:
    raw = json.loads(council.PROFILE.read_text(encoding="utf-8"))
    mapping = tmp_path / "fixed.json"
    mapping.write_text(json.dumps({**raw, "header_row": 2}), encoding="utf-8")
    report = import_caseload(fixed_ctx(store), WRITERS["utf-8"](tmp_path), mapping)
    assert (report.created, report.notes) == (5, [ABOVE, BELOW])
    mapping.write_text(json.dumps({**raw, "header_row": 1}), encoding="utf-8")
    with pytest.raises(InputProblem, match="missing columns 'Child Ref'"):
        import_caseload(fixed_ctx(store), WRITERS["utf-8"](tmp_path), mapping)


def test_a_last_row_that_is_a_case_is_checked_not_skipped(store, tmp_path: Path) -> None:
    rows = copy.deepcopy(council.ROWS)
    rows[-1][council.HEADER.index("Legal Status")] = ""
    report = import_caseload(fixed_ctx(store), WRITERS["utf-8"](tmp_path, rows),
                             council.PROFILE)
    assert [(e.row, e.reason) for e in report.errors] == [(7, "the legal status is blank")]


def test_without_blank_markers_a_dash_is_not_a_date(store, tmp_path: Path) -> None:
    raw = json.loads(council.PROFILE.read_text(encoding="utf-8"))
    mapping = tmp_path / "strict.json"
    mapping.write_text(json.dumps({**raw, "blank_values": []}), encoding="utf-8")
    report = import_caseload(fixed_ctx(store), WRITERS["utf-8"](tmp_path), mapping)
    assert (5, "Last Supervision") in [(e.row, e.column) for e in report.errors]
    assert not report.written


def test_a_count_that_is_not_a_number_is_a_problem(store, tmp_path: Path) -> None:
    rows = copy.deepcopy(council.ROWS)
    rows[0][council.HEADER.index("Missing Episodes")] = "three"
    report = import_caseload(fixed_ctx(store), WRITERS["cp1252"](tmp_path, rows),
                             council.PROFILE)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "Missing Episodes", COUNT_REASON)]


def test_a_date_in_neither_its_format_nor_a_usual_one_says_which(store, tmp_path: Path
                                                                 ) -> None:
    rows = copy.deepcopy(council.ROWS)
    rows[2][council.HEADER.index("RAG Date")] = "2026/11/01x"
    report = import_caseload(fixed_ctx(store), WRITERS["utf-8"](tmp_path, rows),
                             council.PROFILE)
    [problem] = report.errors
    assert (problem.row, problem.column) == (5, "RAG Date")
    assert problem.reason.endswith("expected %Y%m%d") and "2026" not in problem.reason


def test_an_expected_date_too_far_ahead_is_refused(store, tmp_path: Path) -> None:
    rows = copy.deepcopy(council.ROWS)
    rows[2][council.HEADER.index("EDD")] = "01/01/2028"
    report = import_caseload(fixed_ctx(store), WRITERS["utf-8"](tmp_path, rows),
                             council.PROFILE)
    assert [(e.row, e.column) for e in report.errors] == [(5, "EDD")]


@pytest.mark.parametrize(("change", "message"), [
    ({"header_row": 0}, "'header_row' must be a row number"),
    ({"blank_values": "-"}, "'blank_values' must be a list of texts"),
    ({"date_formats": {"team": "%d"}}, "'team' is not a date field"),
    ({"date_formats": {"rag_set_on": "%d/%m"}}, "needs a day (%d), a month"),
    ({"flags": {"counts": {"Missing Episodes": "lost"}}}, "maps to 'lost'"),
])
def test_malformed_new_keys_are_named(change: dict, message: str) -> None:
    raw = json.loads(council.PROFILE.read_text(encoding="utf-8"))
    with pytest.raises(ProfileProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_profile({**raw, **change}, origin="x.json")


def test_the_profile_file_loads_by_path() -> None:
    profile = load_profile(council.PROFILE)
    assert profile.date_formats == {"rag_set_on": ("%Y%m%d",)}
    assert "not recorded" in profile.blanks and profile.header_row is None
    assert "Missing Episodes" in profile.required_columns()


def test_a_built_in_export_with_a_title_and_totals_is_detected(store, tmp_path: Path
                                                               ) -> None:
    from tests.unit.services.caseload.helpers import DATA

    body = (DATA / "mosaic_caseload.csv").read_bytes()
    path = tmp_path / "mosaic-report.csv"
    path.write_bytes(b"Caseload by worker\r\n\r\n" + body + b"\r\nTotal,6\r\n")
    report = import_caseload(fixed_ctx(store), path)
    assert (report.profile, report.created, report.errors) == ("mosaic", 6, [])
    assert report.notes == ["skipped 2 lines above the header (rows 1-2; the header is row 3)",
                            "skipped 1 summary line at the end (row 11)"]
