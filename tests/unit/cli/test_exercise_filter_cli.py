"""An exercise's filter is data (schema 0013): ``exercises add --legal-status`` writes the
cohort to a column of its own, the theme stays as typed, and ``attach --matching``
attaches by that column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.models import ExerciseSummary
from desktop.store import open_store
from tests.unit.cli.test_exercises_cli import Seeded, run, seeded  # noqa: F401 (fixture)


def test_the_legal_status_is_a_column_and_attaching_goes_by_it(
        db_path: Path, seeded: Seeded, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    code, out, err = run(capsys, db_path, "exercises", "add", "--title", "Children in need",
                         "--theme", "Drift (and delay)", "--legal-status",
                         "children in need", "--from", "01/11/2026", "--to", "30/11/2026",
                         "--json")
    assert code == 0, err
    added = json.loads(out)
    store = open_store(db_path, prompt=None)
    try:
        with store.read() as session:
            row = session.get(ExerciseSummary, added["id"])
            assert row is not None
            assert (row.theme, row.cohort) == ("Drift (and delay)", "cin")
    finally:
        store.close()
    code, out, err = run(capsys, db_path, "exercises", "attach", added["id"][:8],
                         "--matching", "--json")
    assert code == 0, err
    assert json.loads(out)["attached"] == 1
    code, out, err = run(capsys, db_path, "exercises", "show", added["id"][:8], "--json")
    assert [a["id"] for a in json.loads(out)["audits"]] == [seeded.other_cohort]
    assert json.loads(out)["exercise"]["cohort"] == "cin"
