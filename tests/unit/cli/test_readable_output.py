"""Output a person can read (issue 9, items 4 and 5): names and case references, never
UUIDs; headers; short ids; usage errors exit 2; unknown names are errors; a concise
stats by default; a progress bar on a terminal only."""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.cli.support import progress_printer
from tests.conftest import MemoryKeyring, StoreTemplate
from tests.unit.cli.test_audit_commands import seeded  # noqa: F401  (a fixture)
from tests.unit.cli.test_sampling_commands import seeded as sampling_seeded  # noqa: F401
from tests.unit.services.audits.world import World
from tests.unit.services.caseload.helpers import DATA

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_audits_and_actions_show_names_dates_and_short_ids(
        db_path: Path, seeded: tuple[World, str],  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    _, audit_id = seeded
    db = str(db_path)
    code, out, _ = run(capsys, "audits", "list", "--db", db)
    header, line = out.splitlines()
    assert header.split()[:4] == ["date", "case", "auditor", "status"]
    assert "<10" not in out and re.match(r"\d{4}-\d{2}-\d{2}  SYN-0001", line)
    assert "User auditor1" in line and audit_id[:8] in line
    assert not UUID.search(out)
    code, out, _ = run(capsys, "audits", "show", audit_id[:8], "--db", db)
    assert code == 0 and "case SYN-0001" in out and "User auditor1" in out
    assert not UUID.search(out)
    code, _, err = run(capsys, "audits", "show", "abc", "--db", db)  # too short a prefix
    assert code == 1 and "no audit with the id 'abc'" in err
    code, out, _ = run(capsys, "actions", "--db", db)
    header, line = out.splitlines()
    assert header.split()[:4] == ["due", "status", "case", "owner"]
    assert "SYN-0001" in line and "Update the chronology" in line
    assert not UUID.search(out)
    code, _, err = run(capsys, "actions", "--owner", "nobody", "--db", db)
    assert code == 1 and "no worker or user 'nobody'" in err


def test_standards_by_team_names_teams_and_unknown_area_is_an_error(
        db_path: Path, sampling_seeded, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    db = str(db_path)
    code, out, _ = run(capsys, "standards", "--db", db, "--as-of", "2026-11-23", "--by",
                       "team")
    assert code == 0 and out.splitlines()[0].startswith("team")
    assert "North team" in out and not UUID.search(out)
    code, _, err = run(capsys, "standards", "--db", db, "--area", "Narnia")
    assert code == 1 and "no service area 'Narnia'; the service areas are:" in err


def test_usage_errors_exit_2(db_path: Path, sampling_seeded,  # noqa: F811
                             capsys: pytest.CaptureFixture[str]) -> None:
    db = str(db_path)
    code, _, err = run(capsys, "sample", "--auditor", "am-north", "--db", db)
    assert code == 2 and "--week is required" in err
    code, _, err = run(capsys, "sample", "--targeted", "--auditor", "am-north", "--week",
                       "2026-W48", "--db", db)
    assert code == 2 and "needs --auditor and --size" in err
    code, _, err = run(capsys, "stats", "--from", "2026-11-23", "--to", "2026-11-01",
                       "--db", db)
    assert code == 2 and "--from is after --to" in err


def test_stats_is_concise_unless_all(db_path: Path, county_template: StoreTemplate,
                                     memory_keyring: MemoryKeyring,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """By default each window counts its teams; ``--all`` lists each team's figures
    where the count was, and nothing else changes.

    On the demo county (audits in dozens of teams): a store without audits has no teams
    to list, and the two outputs are then the same whether the option works or not.
    """
    db = str(county_template.copy_to(db_path, memory_keyring))
    code, short, _ = run(capsys, "stats", "--to", "2026-11-23", "--db", db)
    assert code == 0
    code, everything, _ = run(capsys, "stats", "--to", "2026-11-23", "--all", "--db", db)
    assert code == 0
    counted = re.compile(r"  (\d+) teams with audits \(--all lists each team's figures\)")
    team = re.compile(r"  team .+ \(\d+ audits\)")
    short_windows, all_windows = short.split("\n\n"), everything.split("\n\n")
    assert len(short_windows) == len(all_windows) == 3  # the 4, 8 and 12 weeks
    for concise, full in zip(short_windows, all_windows, strict=True):
        lines = concise.splitlines()
        assert not any(team.fullmatch(line) for line in lines)
        [count_line] = [line for line in lines if counted.fullmatch(line)]
        teams = int(counted.fullmatch(count_line).group(1))  # type: ignore[union-attr]
        assert teams >= 10
        assert lines[1].split()[:2] == ["standard", "rate"]
        listed = full.splitlines()
        names = [line for line in listed if team.fullmatch(line)]
        assert len(names) == len(set(names)) == teams
        assert not any(counted.fullmatch(line) for line in listed)
        # The concise lines are the full ones without the teams' blocks.
        at = lines.index(count_line)
        first = listed.index(names[0])
        assert listed[:first] == lines[:at]
        assert listed[-(len(lines) - at - 1):] == lines[at + 1:]
        assert len(listed) > len(lines) + teams  # each team's standards too


class Terminal(io.StringIO):
    """What a person's terminal is to the progress bar: a stream that is a TTY."""

    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_in_place_and_ends_each_stage() -> None:
    screen = Terminal()
    bar = progress_printer(argparse.Namespace(json=False), screen)
    assert bar is not None
    for done in range(0, 101):
        bar(done, 100, "checking rows")
    bar(100, 100, "checking rows")
    text = screen.getvalue()
    assert text.count("\n") == 1 and text.count("\r") == 101
    assert "[" + "#" * 30 + "] 100% checking rows" in text
    assert progress_printer(argparse.Namespace(json=True), Terminal()) is None
    assert progress_printer(argparse.Namespace(json=False), io.StringIO()) is None


def test_import_shows_a_bar_on_a_terminal_and_nothing_when_piped(
        db_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    assert main(["import", str(DATA / "mosaic_caseload.csv"), "--db", str(db_path)]) == 0
    assert "] 100% " in screen.getvalue()
    monkeypatch.undo()
    assert main(["import", str(DATA / "mosaic_caseload.csv"), "--db", str(db_path)]) == 0
    assert "#" not in capsys.readouterr().err
