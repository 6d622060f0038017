"""A subcommand builds its own parser alone, so it imports only what it needs.

Why: the whole parser imports every command module and, behind them, the reports
(reportlab), the spreadsheets (openpyxl), the import and the sync: about a second of
CPU before ``dipsample check`` does anything, in every scheduled run and every test
that starts a real process.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys

from desktop.cli import commands
from desktop.cli.main import build_parser, command_module, common_options


def _registered() -> dict[str, str]:
    """Each subcommand's name to the module that registers it."""
    names: dict[str, str] = {}
    for info in pkgutil.iter_modules(commands.__path__):
        register = getattr(importlib.import_module(f"{commands.__name__}.{info.name}"),
                           "register", None)
        if register is None:
            continue
        parser = argparse.ArgumentParser()
        subparsers = parser.add_subparsers()
        register(subparsers, common_options(after_command=True))
        names.update(dict.fromkeys(subparsers.choices, info.name))
    return names


def test_every_subcommand_is_found_in_its_own_module() -> None:
    registered = _registered()
    assert len(registered) >= 19
    for name, module in registered.items():
        assert command_module([name]) == module, name
        assert command_module(["--db", "x.db", "--user", name, name, "--json"]) == module
        alone = build_parser(module)
        subcommands = next(a for a in alone._actions
                           if isinstance(a, argparse._SubParsersAction))
        assert set(subcommands.choices) == {n for n, m in registered.items() if m == module}
    assert command_module(["no-such-command"]) is None
    assert command_module(["--json"]) is None


def test_a_command_imports_none_of_the_others_work() -> None:
    probe = ("import sys\n"
             "from desktop.cli.main import main\n"
             "main(['check', '--db', sys.argv[1]])\n"
             "heavy = ['openpyxl', 'reportlab', 'desktop.reports.exports',\n"
             "         'desktop.sync.engine', 'desktop.services.caseload.importer', 'PySide6']\n"
             "print(','.join(m for m in heavy if m in sys.modules) or 'none')\n")
    result = subprocess.run([sys.executable, "-c", probe, "/no/such/folder/x.db"],
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "none", result.stdout + result.stderr
    assert "There is no DipSample database" in result.stderr
