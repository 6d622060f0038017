"""The import wizard's services: preview, a hand mapping saved as a CLI profile, cancel."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from desktop.services.caseload.hand_mapping import (
    hand_profile,
    preview_file,
    save_profile,
    suggested_columns,
)
from desktop.services.caseload.importer import import_caseload
from desktop.services.caseload.profiles import ProfileProblem, load_profile
from desktop.services.caseload.report import problems_csv
from desktop.services.context import Cancelled, CancelToken, ServiceContext
from desktop.store import Store
from tests.unit.services.caseload.helpers import (
    DATA,
    NOW,
    case,
    counts,
    fixed_ctx,
    mosaic_copies,
)

MOSAIC = DATA / "mosaic_caseload.csv"


def test_preview_shows_the_first_rows_and_the_profile_that_fits() -> None:
    preview = preview_file(MOSAIC, rows=2)
    assert preview.detected == "mosaic"
    assert preview.row_count == 6
    assert [number for number, _ in preview.rows] == [2, 3]
    assert preview.rows[0][1][preview.headers.index("Person ID")] == "100001"


def test_preview_says_why_no_profile_fits(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Ref,Status,Rating\nA1,CIN,Red\n", encoding="utf-8")
    preview = preview_file(path)
    assert preview.detected is None
    assert "no built-in profile fits" in preview.why_none
    assert suggested_columns(None, preview.headers) == {"status": "Status"}


def test_a_saved_hand_mapping_is_a_profile_the_cli_reads(tmp_path: Path, store: Store
                                                         ) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Ref,Legal,Rating,Child\nA1,CP Plan,Red,Testchild Quince\n"
                    "A2,CIN,Green,Testchild Rowan\n", encoding="utf-8")
    headers = preview_file(path).headers
    columns = {"case_ref": "Ref", "cohort": "Legal", "rag": "Rating", "child_name": "Child"}
    saved = save_profile(tmp_path / "ours", "ours", columns, headers, base="mosaic")
    raw = json.loads((tmp_path / "ours.json").read_text(encoding="utf-8"))
    assert raw["columns"] == columns and raw["kind"] == "caseload"
    assert "flags" not in raw  # the file has none of mosaic's flag columns
    assert load_profile(str(tmp_path / "ours.json")).columns == saved.columns
    report = import_caseload(fixed_ctx(store), path, str(tmp_path / "ours.json"))
    assert (report.created, report.errors) == (2, [])
    assert case(store, "A1").cohort == "cp"  # mosaic's words came with the mapping


def test_an_incomplete_hand_mapping_is_refused_in_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ProfileProblem, match="'columns' must map rag"):
        hand_profile("ours", {"case_ref": "Ref", "cohort": "Legal"}, ["Ref", "Legal"])
    with pytest.raises(ProfileProblem, match="mapped twice"):
        hand_profile("ours", {"case_ref": "Ref", "cohort": "Ref", "rag": "X"}, ["Ref", "X"])
    assert not list(tmp_path.iterdir())


def test_refused_rows_as_csv_name_row_column_and_reason(store: Store) -> None:
    report = import_caseload(fixed_ctx(store), DATA / "mosaic_bad_rows.csv")
    rows = list(csv.reader(problems_csv(report).splitlines()))
    assert rows[0] == ["Row", "Column", "Problem"]
    assert rows[1:] == [[str(e.row), e.column, e.reason] for e in report.errors]
    assert {r[0] for r in rows[1:]} >= {"3", "4"}


def test_cancel_while_writing_leaves_the_store_as_it_was(tmp_path: Path, store: Store
                                                         ) -> None:
    import_caseload(fixed_ctx(store), MOSAIC)
    before = counts(store)
    rag_before = case(store, "100001").rag
    assert rag_before == "red"
    token = CancelToken()
    stages: list[str] = []

    def progress(done: int, total: int, stage: str) -> None:
        stages.append(stage)
        if stage == "writing cases":
            token.cancel()

    ctx = ServiceContext(store=store, clock=lambda: NOW, progress=progress, cancel=token)
    with pytest.raises(Cancelled):
        import_caseload(ctx, mosaic_copies(tmp_path / "big.csv", 12_000, first=("100001", "Green")))
    assert "writing cases" in stages
    assert counts(store) == before
    assert case(store, "100001").rag == rag_before
