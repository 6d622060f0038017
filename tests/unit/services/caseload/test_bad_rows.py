"""Bad input: every bad row is reported, nothing is written; hypothesis-generated rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.errors import InputProblem
from desktop.services.caseload import import_caseload
from desktop.services.caseload.profiles import ProfileProblem
from tests.data.make_caseload_examples import LCS_HEADER, LCS_ROWS, MOSAIC_HEADER, MOSAIC_ROWS
from tests.unit.services.caseload.helpers import DATA, counts, fixed_ctx, write_csv

EXPECTED_MOSAIC = [
    (3, "Person ID", "the case reference is blank"),
    (4, "Person ID", "the same case reference is on row 2"),
    (5, "RAG Date", "not a real date: that month has no such day"),
    (6, "VTT RAG", "not a known RAG rating; expected one of: Red, Amber, Green"),
    (7, "Legal Status", "not a known legal status; expected one of: CIN, Child in Need, CP, "
     "CP Plan, Child Protection, LAC, CLA, CIC, Child in Care, Care Leaver, Leaving Care, "
     "Unborn, Pre-birth, Disabled Children, CWD, Fostering, SGO, Special Guardianship"),
    (8, "DOB", "the date of birth is more than 10 months ahead, even for an unborn child"),
    (9, "Last Visit", "not a date: the month is above 12; dates are day/month/year"),
    (10, "Not In School", "not yes or no; expected yes (y, yes) or no (n, no)"),
    (11, "Last Visit", "the date is in the future"),
]


def test_every_bad_row_is_reported_and_nothing_written(store) -> None:
    ctx = fixed_ctx(store)
    import_caseload(ctx, DATA / "lcs_caseload_bom.csv")
    before = counts(store)
    report = import_caseload(ctx, DATA / "mosaic_bad_rows.csv", "mosaic", full=True)
    assert [(e.row, e.column, e.reason) for e in report.errors] == EXPECTED_MOSAIC
    assert not report.written and report.created == 0 and report.closed == 0
    assert counts(store) == before


def test_lcs_bad_rows(store) -> None:
    report = import_caseload(fixed_ctx(store), DATA / "lcs_bad_rows.csv")
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "Category"), (4, "Last F2F"), (5, "Flags"), (6, "")]
    assert sum(counts(store).values()) == 0


def test_problems_never_quote_names_or_refs(store, tmp_path: Path) -> None:
    rows = [["SECRET-REF", "Testchild", "Secretname", "not-a-date", *MOSAIC_ROWS[0][4:]],
            ["SECRET-REF", *MOSAIC_ROWS[0][1:]]]
    report = import_caseload(fixed_ctx(store), write_csv(tmp_path / "x.csv", MOSAIC_HEADER,
                                                         rows))
    text = json.dumps(report.as_json())
    assert len(report.errors) == 2
    assert "SECRET" not in text and "Secretname" not in text and "not-a-date" not in text


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (",".join(MOSAIC_HEADER).encode(), "no case rows"),
    (b"Person ID,Forename\n1,x\n", "no built-in profile fits"),
])
def test_whole_file_problems(store, tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    with pytest.raises((InputProblem, ProfileProblem), match=message):
        import_caseload(fixed_ctx(store), path)
    assert sum(counts(store).values()) == 0


def test_missing_columns_are_all_listed(store, tmp_path: Path) -> None:
    header = [h for h in LCS_HEADER if h not in ("RAG", "Flags")]
    rows = [[v for h, v in zip(LCS_HEADER, LCS_ROWS[0], strict=True) if h in header]]
    with pytest.raises(InputProblem, match="missing columns 'RAG', 'Flags'"):
        import_caseload(fixed_ctx(store), write_csv(tmp_path / "x.csv", header, rows), "lcs")


GOOD = st.sampled_from(LCS_ROWS)
GARBAGE_CELL = st.one_of(st.just(""), st.text(max_size=12),
                         st.sampled_from(["31/02/2026", "12/31/2025", "Q", "XYZ", "NIS;??",
                                          "01-Jan-2099", "99999999", "R", "CPP"]))


@st.composite
def export_rows(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for i in range(draw(st.integers(1, 8))):
        row = list(draw(GOOD))
        row[0] = f"H-{i}"
        for _ in range(draw(st.integers(0, 2))):
            row[draw(st.integers(0, len(row) - 1))] = draw(GARBAGE_CELL)
        rows.append(row)
    return rows


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=export_rows(), dry_run=st.booleans())
def test_generated_rows_all_or_nothing(store, tmp_path: Path, rows: list[list[str]],
                                       dry_run: bool) -> None:
    path = write_csv(tmp_path / "gen.csv", LCS_HEADER, rows)
    before = counts(store)
    try:
        report = import_caseload(fixed_ctx(store), path, "lcs", dry_run=dry_run)
    except InputProblem:
        assert counts(store) == before
        return
    if report.errors or dry_run:
        assert counts(store) == before
        assert not report.written
        assert all(2 <= e.row <= len(rows) + 1 for e in report.errors)
    else:
        assert report.written
        assert report.created + report.updated + report.unchanged == len(rows)
        assert counts(store)["cases"] >= report.created
