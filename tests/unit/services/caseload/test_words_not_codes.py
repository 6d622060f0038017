"""What the Import screen and ``demo`` say is in words, not codes (tester's item 14): the
screen does not tell a window user to type ``--profile``; a column mapped twice names the
fields as a person reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.caseload.hand_mapping import hand_profile, preview_file
from desktop.services.caseload.profiles import ProfileProblem, detect_profile
from tests.unit.services.caseload.helpers import write_csv


def test_the_window_is_not_told_to_use_profile(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ours.csv", ["Ref", "Legal", "Colour"], [["A1", "CIN", "R"]])
    preview = preview_file(path)
    assert preview.detected is None
    assert "--profile" not in preview.why_none
    assert preview.why_none == "no built-in profile fits this file's columns (eclipse, lcs, " \
        "mosaic)"
    with pytest.raises(ProfileProblem, match="choose one with --profile"):
        detect_profile(["Ref", "Legal", "Colour"])  # the command line still says so


def test_a_column_mapped_twice_names_the_fields_in_words() -> None:
    with pytest.raises(ProfileProblem) as refused:
        hand_profile("ours", {"case_ref": "Ref", "cohort": "Legal", "rag": "RAG",
                              "last_f2f_visit": "Seen", "last_vtt_review": "Seen"},
                     ["Ref", "Legal", "RAG", "Seen"])
    assert "(last face-to-face visit and last VTT review)" in refused.value.message
    assert "last_f2f_visit" not in refused.value.message
