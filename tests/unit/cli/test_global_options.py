"""``--db``, ``--json`` and ``--user`` work before and after every subcommand.

The attack: ``dipsample --db X import FILE`` (the form ``--help`` shows) imported into
the default database, because the subcommand's defaults overwrote what came before it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from desktop.cli.main import build_parser, main

DATA = Path(__file__).resolve().parents[2] / "data"

#: The smallest valid argument list of every command (nested ones per action).
COMMANDS: dict[str, list[str]] = {
    "actions": ["actions"],
    "audits list": ["audits", "list"],
    "audits show": ["audits", "show", "A1"],
    "audits import": ["audits", "import", "f.csv"],
    "check": ["check"],
    "demo": ["demo"],
    "exercises list": ["exercises", "list"],
    "exercises add": ["exercises", "add", "--title", "T"],
    "exercises attach": ["exercises", "attach", "E1", "--matching"],
    "exercises detach": ["exercises", "detach", "E1", "A1"],
    "exercises show": ["exercises", "show", "E1"],
    "export": ["export", "--format", "csv", "-o", "f.csv"],
    "finalise-due": ["finalise-due"],
    "import": ["import", "f.csv"],
    "plan import": ["plan", "import", "f.csv"],
    "plan list": ["plan", "list"],
    "profiles list": ["profiles", "list"],
    "profiles show": ["profiles", "show", "mosaic"],
    "profiles draft": ["profiles", "draft", "f.csv"],
    "report case-tool": ["report", "case-tool", "A1", "-o", "f.pdf"],
    "report monthly": ["report", "monthly", "--month", "2026-10", "-o", "f.pdf"],
    "report plan": ["report", "plan", "-o", "f.pdf"],
    "report summary": ["report", "summary", "E1", "-o", "f.pdf"],
    "report weekly": ["report", "weekly", "--week", "2026-W45", "-o", "f.pdf"],
    "sample": ["sample", "--collisions"],
    "standards": ["standards"],
    "stats": ["stats"],
    "users import": ["users", "import", "f.csv"],
    "users add": ["users", "add", "u1", "--name", "N", "--areas", "North"],
    "users list": ["users", "list"],
    "users deactivate": ["users", "deactivate", "u1"],
    "users activate": ["users", "activate", "u1"],
    "users set-password": ["users", "set-password", "u1"],
    "users titles": ["users", "titles"],
    "key rotate": ["key", "rotate"],
    "retention purge": ["retention", "purge"],
    "subject-access": ["subject-access", "C1", "-o", "f.json"],
    "sync": ["sync", "status"],
}
GLOBAL = ["--db", "elsewhere.db", "--json", "--user", "qa.lead"]
#: Commands that act as nobody: --user is not offered after them (refused before them,
#: tests/unit/cli/test_start_arguments.py).
ACTING_NOBODY = {"demo", "profiles draft", "profiles list", "profiles show"}


def _registered(parser: argparse.ArgumentParser) -> set[str]:
    """Every command and nested action the parser knows, as "cmd" or "cmd action"."""
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _registered(sub)
                found.update({f"{name} {n}" for n in nested} or {name})
    return found


def test_the_table_covers_every_command() -> None:
    assert _registered(build_parser()) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("where", ["before", "after", "between"])
def test_global_options_in_any_position(command: str, where: str) -> None:
    words = COMMANDS[command]
    options = GLOBAL[:3] if command in ACTING_NOBODY else GLOBAL
    if where == "before":
        argv = [*options, *words]
    elif where == "after":
        argv = [*words, *options]
    else:  # after the command word, before a nested action or the arguments
        argv = [words[0], *options, *words[1:]]
    args = build_parser().parse_args(argv)
    assert args.db == Path("elsewhere.db")
    assert args.json is True
    assert args.user == (None if command in ACTING_NOBODY else "qa.lead")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_without_global_options_the_defaults_hold(command: str) -> None:
    args = build_parser().parse_args(COMMANDS[command])
    assert args.db is None and args.json is False and args.user is None


def test_db_before_import_writes_to_that_file_only(tmp_path: Path, capsys) -> None:
    target = tmp_path / "chosen.db"
    code = main(["--db", str(target), "--json", "import", str(DATA / "mosaic_caseload.csv")])
    assert code == 0, capsys.readouterr()
    report = json.loads(capsys.readouterr().out)
    assert report["created"] > 0
    assert target.exists()
    from desktop import paths

    assert not paths.default_db_path().exists()


def test_json_before_check_prints_json(tmp_path: Path, capsys) -> None:
    target = tmp_path / "c.db"
    assert main(["import", str(DATA / "mosaic_caseload.csv"), "--db", str(target)]) == 0
    capsys.readouterr()
    assert main(["--json", "--db", str(target), "check"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
