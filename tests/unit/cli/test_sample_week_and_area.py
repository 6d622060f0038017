"""``dipsample sample``: a lower-case ISO week is taken as ``report weekly`` takes it, the
help says --week is required, and ``--area`` draws a person who covers several areas from
that area's cases only (tester's items 21 and 22)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli.main import build_parser, main
from desktop.store import open_store
from tests.unit.services.sampling.caseload import Caseload


@pytest.fixture
def three_areas(db_path: Path) -> Caseload:
    store = open_store(db_path, prompt=None, create=True)
    load = Caseload(store)
    for area in ("Northdale", "Southmoor", "Westvale"):
        for rag in ("red", "amber", "green"):
            load.cases_of(12, rag, area=area)
    load.auditor("hos-all", "Northdale", "Southmoor", "Westvale")
    store.close()
    return load


def test_area_draws_a_person_of_several_areas_from_that_area_only(
        db_path: Path, three_areas: Caseload, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sample", "--db", str(db_path), "--area", "Northdale", "--week", "2026-w50",
                 "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["week"] == "2026-W50"  # lower case taken, as report weekly
    [sample] = data["samples"]
    refs = {i["case_ref"] for i in sample["items"]}
    assert len(refs) == 25
    northdale = {ref for ref, case_id in three_areas.cases.items()
                 if int(ref[4:]) <= 36}  # the first 36 cases made are Northdale's
    assert refs <= northdale


def test_the_help_says_week_is_required() -> None:
    text = build_parser("sample")._subparsers._group_actions[0].choices[  # type: ignore[union-attr]
        "sample"].format_help()
    assert "required, except with --replace" in " ".join(text.split())
