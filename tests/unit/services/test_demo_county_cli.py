"""``dipsample demo``: JSON summary, refusing a database with cases, argument limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.services.context import ServiceContext
from desktop.services.demo_county import existing_cases
from desktop.store import open_store


def test_demo_builds_and_prints_counts(db_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    code = main(["demo", "--db", str(db_path), "--cases", "120", "--seed", "4",
                 "--as-of", "2026-11-20", "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["cases"] == 120 and summary["seed"] == 4
    assert summary["as_of"] == "2026-11-20"
    assert summary["service_areas"] == 8 and summary["auditors"] == 18
    assert sum(summary["rag"].values()) == summary["open_cases"]
    store = open_store(db_path, prompt=None, create=True)
    try:
        assert existing_cases(ServiceContext(store=store)) == 120
    finally:
        store.close()


def test_a_second_run_without_open_exits_2_with_one_line(
        db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--db", str(db_path), "--cases", "30", "--json"]) == 0
    capsys.readouterr()
    assert main(["demo", "--db", str(db_path), "--cases", "30"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "already holds 30 cases" in err and "--open" in err


@pytest.mark.parametrize("count", ["0", "200001", "many"])
def test_cases_outside_the_limits_are_a_usage_error(
        db_path: Path, count: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--db", str(db_path), "--cases", count])
    assert exit_info.value.code == 2
    assert "--cases" in capsys.readouterr().err
    assert not db_path.exists()


def test_a_bad_date_is_a_usage_error(db_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--db", str(db_path), "--as-of", "20/11/2026"])
    assert exit_info.value.code == 2
