"""The headers councils' caseload reports commonly use are matched by the draft and the
Import screen alike (tester's item 20): "Date Last Visit", "Last Visit Date", "SW ID",
"Allocated SW"... and a visit column that is there is never "not known from this
export"."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.caseload.draft import draft_mapping
from desktop.services.caseload.hand_mapping import suggested_columns
from tests.unit.services.caseload.helpers import write_csv

BASE = ["Case Ref", "Name", "DOB", "Legal Status", "RAG Rating"]
ROW = ["K1", "Testchild Elm", "01/02/2015", "CIN", "Green"]


@pytest.mark.parametrize(("visit", "worker", "worker_ref", "oversight", "vtt"), [
    ("Date Last Visit", "Allocated SW", "SW ID", "Date Last Supervision",
     "Last VTT Review Date"),
    ("Last Visit Date", "SW Name", "Worker ID", "Last Oversight Date", "Date of Last VTT"),
])
def test_common_headers_are_matched_by_the_draft_and_the_import_screen(
        tmp_path: Path, visit: str, worker: str, worker_ref: str, oversight: str,
        vtt: str) -> None:
    header = [*BASE, visit, worker, worker_ref, oversight, vtt, "Visit By",
              "Risk Assessment Date"]
    row = [*ROW, "01/11/2026", "Testworker Ash", "W1", "02/11/2026", "03/11/2026", "SW",
           "04/11/2026"]
    path = write_csv(tmp_path / "ours.csv", header, [row])
    draft = draft_mapping(path)
    expected = {"last_f2f_visit": visit, "worker_name": worker, "worker_ref": worker_ref,
                "last_oversight": oversight, "last_vtt_review": vtt}
    assert {f: draft.mapping["columns"].get(f) for f in expected} == expected
    assert draft.unused_columns == ()
    assert draft.not_known == ()  # the face-to-face visit is known: its column is there
    suggested = suggested_columns(None, header)
    assert {f: suggested.get(f) for f in expected} == expected
