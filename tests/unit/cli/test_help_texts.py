"""Every option and argument of every command says what it is for (issue 23)."""

from __future__ import annotations

import argparse

from desktop.cli.main import build_parser


def _unexplained(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[str]:
    missing: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                missing += _unexplained(sub, (*path, name))
        elif action.dest != "help" and not (action.help or "").strip():
            missing.append(" ".join(path) + " " + "/".join(action.option_strings
                                                           or [action.dest]))
    return missing


def test_every_option_has_help_text() -> None:
    assert _unexplained(build_parser(), ("dipsample",)) == []


def _sub(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    group = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return group.choices[name]


def test_the_file_columns_of_the_imports_are_named_in_their_help() -> None:
    parser = build_parser()
    for command, action, words in (("audits", "import", "Case reference"),
                                   ("plan", "import", "Ofsted finding"),
                                   ("users", "import", "Job title")):
        text = " ".join(_sub(_sub(parser, command), action).format_help().split())
        assert words in text
