"""A council's export told truthfully (issue 25, items 1, 3 and 4): a standard the export has
no column for is "not known", never late; unknown value words are named once each; one
child is one record; impossible dates of birth are refused."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from desktop import paths
from desktop.services.case_detail import case_detail
from desktop.services.caseload import import_caseload
from desktop.services.caseload.draft import draft_mapping
from desktop.services.caseload.profiles import builtin_folder, parse_profile
from desktop.services.standards.caseload import caseload_standards
from desktop.services.standards.rollups import Level, rollup
from desktop.store import Store
from tests.data.make_caseload_examples import MOSAIC_HEADER, MOSAIC_ROWS
from tests.unit.services.caseload.helpers import TODAY, case, counts, fixed_ctx, write_csv

COMPLEX = "visit_complex_green"
COMPLEX_GREEN = ["CG1", "CG2", "CG3", "CG4"]


def column(name: str) -> int:
    return MOSAIC_HEADER.index(name)


def mosaic_rows() -> list[list[str]]:
    """Four complex Green children (CP plan, Green), one visited 26 days before TODAY by a
    social worker, and an Amber child in need."""
    rows = []
    for ref in COMPLEX_GREEN:
        row = list(MOSAIC_ROWS[0])
        row[0], row[column("VTT RAG")], row[column("Legal Status")] = ref, "Green", "CP Plan"
        rows.append(row)
    rows[0][column("Last Visit")] = (TODAY - dt.timedelta(days=26)).strftime("%d/%m/%Y")
    rows.append(["AM1", *MOSAIC_ROWS[1][1:]])
    return rows


def without(header: list[str], rows: list[list[str]], name: str
            ) -> tuple[list[str], list[list[str]]]:
    at = header.index(name)
    return header[:at] + header[at + 1:], [r[:at] + r[at + 1:] for r in rows]


def no_visit_by(folder: Path) -> tuple[Path, Path]:
    """The Mosaic export without its "Visit By" column, and Mosaic's mapping without it."""
    header, rows = without(MOSAIC_HEADER, mosaic_rows(), "Visit By")
    export = write_csv(folder / "no-visit-by.csv", header, rows)
    raw = json.loads((builtin_folder() / "mosaic.json").read_text(encoding="utf-8"))
    del raw["columns"]["last_f2f_visit_by"]
    raw["name"] = "ours"
    mapping = folder / "ours.json"
    mapping.write_text(json.dumps(raw), encoding="utf-8")
    return export, mapping


def test_a_standard_the_export_has_no_column_for_is_not_known_and_left_out_of_figures(
        store: Store, tmp_path: Path) -> None:
    ctx = fixed_ctx(store)
    export, mapping = no_visit_by(tmp_path)
    report = import_caseload(ctx, export, mapping)
    assert report.written and report.created == 5
    assert [(g.standard, g.missing) for g in report.not_known] == [
        (COMPLEX, ("last_f2f_visit_by",))]
    assert "complex-Green visit by a social worker" in report.not_known_text
    standards = caseload_standards(ctx, TODAY)
    assert [g.standard for g in standards.not_known] == [COMPLEX]
    by_ref = {c.case_ref: c for c in standards.cases}
    for ref in COMPLEX_GREEN:  # every complex Green child, the one visited 26 days ago too
        result = by_ref[ref].result(COMPLEX)
        assert by_ref[ref].complex_green
        assert (result.status, result.due, result.overdue_days) == ("not_known", None, None)
        assert "not known from this export" in result.basis and "visit by" in result.basis
    assert by_ref["AM1"].result(COMPLEX).status == "not_applicable"  # Amber: known not to
    assert by_ref["CG1"].result("visit_f2f").status == "met"  # other standards computed
    for level in Level:
        for group in rollup(standards.cases, level):
            counts_of = group.by_standard[COMPLEX]
            assert (counts_of.met, counts_of.due_soon, counts_of.overdue) == (0, 0, 0)
            assert counts_of.compliance is None
    total = sum(g.by_standard[COMPLEX].not_known for g in rollup(standards.cases, Level.TEAM))
    assert total == len(COMPLEX_GREEN)
    detail = case_detail(ctx, case(store, "CG1").id)
    shown = next(c for c in detail.compliance if c.standard == COMPLEX)
    assert shown.status == "not_known"
    assert shown.text == "Not known from this export: it has no 'visit by' column"


def test_the_column_back_makes_it_known_and_a_blank_stays_no_record(store: Store,
                                                                   tmp_path: Path) -> None:
    ctx = fixed_ctx(store)
    export, mapping = no_visit_by(tmp_path)
    import_caseload(ctx, export, mapping)
    rows = mosaic_rows()
    rows[1][column("Visit By")] = ""  # CG2: the column is there, this child's cell blank
    report = import_caseload(ctx, write_csv(tmp_path / "with.csv", MOSAIC_HEADER, rows),
                             "mosaic")
    assert report.written and report.not_known == []
    cases = {c.case_ref: c for c in caseload_standards(ctx, TODAY).cases}
    seen = cases["CG1"].result(COMPLEX)  # seen 26 days ago by a social worker: due in 2
    assert (seen.status, seen.due) == ("due_soon", TODAY + dt.timedelta(days=2))
    blank = cases["CG2"].result(COMPLEX)
    assert blank.status == "overdue"  # no record of a social worker's visit: as before


def test_unknown_legal_status_words_are_listed_once_each_with_counts(
        store: Store, tmp_path: Path) -> None:
    words = ["Looked After"] * 5 + ["Child with Disability"] * 2 + ["Kinship Tier"] * 3
    rows = []
    for number, word in enumerate(words):
        row = list(MOSAIC_ROWS[number % 2])
        row[0], row[column("Legal Status")] = f"W{number}", word
        rows.append(row)
    report = import_caseload(fixed_ctx(store), write_csv(tmp_path / "words.csv",
                                                         MOSAIC_HEADER, rows), "mosaic")
    assert not report.written and counts(store)["cases"] == 0
    assert (report.problem_count, report.bad_rows) == (3, 10)
    reasons = {e.row: e.reason for e in report.errors}
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "Legal Status"), (7, "Legal Status"), (9, "Legal Status")]
    assert reasons[2].startswith("'Looked After' is not a legal status this mapping knows "
                                 "(it usually means child in care: add it to the "
                                 "mapping's values), on 5 rows (first rows 2, 3, 4); "
                                 "expected one of: CIN,")
    assert reasons[7].startswith("'Child with Disability' is not a legal status this "
                                 "mapping knows (it usually means disabled children: add it "
                                 "to the mapping's values), on 2 rows (rows 7, 8)")
    # A word the app does not know is counted, not quoted: it may be a name.
    assert reasons[9].startswith("not a known legal status: the same word on 3 rows (rows "
                                 "9, 10, 11), not shown")
    assert "Kinship" not in json.dumps(report.as_json())


def test_two_spellings_of_one_reference_are_one_child(store: Store, tmp_path: Path) -> None:
    ctx = fixed_ctx(store)
    rows = [["BC1", *MOSAIC_ROWS[0][1:]], ["bc1", *MOSAIC_ROWS[1][1:]]]
    path = write_csv(tmp_path / "twice.csv", MOSAIC_HEADER, rows)
    report = import_caseload(ctx, path, "mosaic")
    assert [(e.row, e.column) for e in report.errors] == [(3, "Person ID")]
    assert report.errors[0].reason.startswith("the same case reference is on row 2 (in "
                                              "other capitals")
    assert counts(store)["cases"] == 0
    # One spelling in the store, the other in next week's file: the same case, updated.
    import_caseload(ctx, write_csv(tmp_path / "one.csv", MOSAIC_HEADER, rows[:1]), "mosaic")
    again = import_caseload(ctx, write_csv(tmp_path / "other.csv", MOSAIC_HEADER, rows[1:]),
                            "mosaic", full=True)
    assert (again.created, again.updated, again.closed) == (0, 1, 0)
    assert counts(store)["cases"] == 1 and case(store, "BC1").cohort == "cin"


def test_a_case_sensitive_system_keeps_two_spellings_apart(store: Store,
                                                           tmp_path: Path) -> None:
    raw = json.loads((builtin_folder() / "mosaic.json").read_text(encoding="utf-8"))
    mapping = tmp_path / "sensitive.json"
    mapping.write_text(json.dumps({**raw, "case_sensitive_refs": True}), encoding="utf-8")
    rows = [["BC1", *MOSAIC_ROWS[0][1:]], ["bc1", *MOSAIC_ROWS[1][1:]]]
    report = import_caseload(fixed_ctx(store), write_csv(tmp_path / "two.csv", MOSAIC_HEADER,
                                                         rows), mapping)
    assert report.errors == [] and report.created == 2


@pytest.mark.parametrize(("dob", "cohort", "reason"), [
    ("01/01/1800", "CIN", "the date of birth is more than 25 years ago, older than the "
     "oldest age the service works with (25)"),
    ("01/01/0001", "CIN", "the date of birth is more than 25 years ago"),
    ("23/11/2000", "Care Leaver", "the date of birth is more than 25 years ago"),
    ("01/12/2026", "CIN", "the date of birth is in the future; only an unborn child's may "
     "be"),
])
def test_impossible_dates_of_birth_are_refused_by_row(store: Store, tmp_path: Path,
                                                      dob: str, cohort: str,
                                                      reason: str) -> None:
    row = list(MOSAIC_ROWS[1])
    row[column("DOB")], row[column("Legal Status")] = dob, cohort
    report = import_caseload(fixed_ctx(store), write_csv(tmp_path / "dob.csv", MOSAIC_HEADER,
                                                         [row]), "mosaic")
    assert [(e.row, e.column) for e in report.errors] == [(2, "DOB")]
    assert report.errors[0].reason.startswith(reason)
    assert dob not in report.errors[0].reason


def test_the_oldest_and_the_unborn_are_accepted(store: Store, tmp_path: Path) -> None:
    """Aged 25 today (a care leaver) and an unborn child's expected date are dates of
    birth the service works with; the oldest age is the profile's to change."""
    oldest, unborn = list(MOSAIC_ROWS[1]), list(MOSAIC_ROWS[1])
    oldest[0], oldest[column("DOB")], oldest[column("Legal Status")] = (
        "OLD", "24/11/2000", "Care Leaver")
    unborn[0], unborn[column("DOB")], unborn[column("Legal Status")] = (
        "UB", "01/03/2027", "Unborn")
    path = write_csv(tmp_path / "edges.csv", MOSAIC_HEADER, [oldest, unborn])
    report = import_caseload(fixed_ctx(store), path, "mosaic", dry_run=True)
    assert report.errors == []
    raw = json.loads((builtin_folder() / "mosaic.json").read_text(encoding="utf-8"))
    mapping = tmp_path / "younger.json"
    mapping.write_text(json.dumps({**raw, "oldest_age": 21}), encoding="utf-8")
    report = import_caseload(fixed_ctx(store), path, mapping, dry_run=True)
    assert [(e.row, e.reason[:60]) for e in report.errors] == [
        (2, "the date of birth is more than 21 years ago, older than the ")]
    assert paths.config_dir().exists()


def test_a_draft_maps_common_headers_and_proposes_the_value_words_it_recognises(
        store: Store, tmp_path: Path) -> None:
    header = ["Case Ref", "Name", "D.O.B.", "Legal Status", "RAG Rating", "Last Seen",
              "Flags"]
    statuses = ["Child in Need", "CP Plan", "Child in Care", "Looked After", "Kinship Tier",
                "Kinship Tier", "child-in-need"]
    rows = [[f"K{n}", "Testchild Elm", "01/02/2015", word, "R" if n % 2 else "Green",
             "01/11/2026", "NIS;CSE" if n == 1 else "-"] for n, word in enumerate(statuses)]
    path = write_csv(tmp_path / "ours.csv", header, rows)
    draft = draft_mapping(path)
    assert draft.mapping["columns"] == {
        "case_ref": "Case Ref", "child_name": "Name", "date_of_birth": "D.O.B.",
        "cohort": "Legal Status", "rag": "RAG Rating", "last_f2f_visit": "Last Seen"}
    assert draft.mapping["values"]["cohort"] == {
        "Child in Need": "cin", "CP Plan": "cp", "Child in Care": "cic",
        "Looked After": "cic", "child-in-need": "cin"}  # as the import will read it
    assert draft.mapping["values"]["rag"] == {"Green": "green", "R": "red"}
    assert draft.mapping["flags"] == {"column": "Flags", "separator": ";", "values": {
        "NIS": "not_in_school", "CSE": "exploitation"}}
    assert draft.unused_columns == ()  # the flags column is mapped too
    assert draft.unrecognised_lines() == [
        "legal status: 1 word not recognised, on 2 rows (rows 6, 7): add them to "
        "values.cohort"]
    assert [g.standard for g in draft.not_known] == [
        "visit_complex_green", "vtt_review", "oversight", "risk_assessment"]
    report = import_caseload(fixed_ctx(store), path, parse_profile(draft.mapping),
                             dry_run=True)
    assert [e.row for e in report.errors] == [6]  # only the word a person must map
