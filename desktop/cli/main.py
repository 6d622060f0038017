"""``dipsample``: the desktop window with no subcommand, otherwise a subcommand.

Exit codes are a contract: 0 success, 1 the operation found problems (bad rows,
a refused transition), 2 usage or environment errors. Errors are one line; a
traceback never reaches the user (it goes to the log file, which holds no data).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import logging
import pkgutil
import sys
from pathlib import Path
from typing import NoReturn

from desktop import __version__
from desktop.cli import commands, help_cache
from desktop.errors import UserError
from desktop.logs import log_file, setup_logging

log = logging.getLogger("dipsample")


def common_options(*, after_command: bool = False, acting: bool = True
                   ) -> argparse.ArgumentParser:
    """``--db``, ``--json``, ``--user`` and ``--system``, accepted before or after the subcommand.

    Why two copies: argparse lets a subcommand's defaults overwrite what was given before
    it, so ``dipsample --db X import FILE`` used to import into the default database. The
    copy given to subcommands leaves an option it did not see untouched (SUPPRESS).

    ``acting=False`` leaves out ``--user`` and ``--system``, for the commands that act
    as nobody (:data:`ACTING_NOBODY`): offering them there promised a choice that
    changed nothing.
    """
    unset: object = argparse.SUPPRESS if after_command else None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=unset,
                        help="the database file (default: in your user data folder)")
    common.add_argument("--json", action="store_true",
                        default=argparse.SUPPRESS if after_command else False,
                        help="machine-readable output")
    if acting:
        common.add_argument("--user", default=unset,
                            help="username of the acting person (default: $DIPSAMPLE_USER); "
                            "their password comes from $DIPSAMPLE_PASSWORD or is asked")
        common.add_argument("--system", action="store_true",
                            default=argparse.SUPPRESS if after_command else False,
                            help="act as the system (IT and scripts), logged as such; needed "
                            "on a database where people have passwords, unless --user is "
                            "given")
    return common


#: Command modules whose commands act as nobody: ``demo`` builds synthetic data into a
#: new store, ``profiles`` reads the mapping files; neither opens a store as a person.
ACTING_NOBODY = frozenset({"demo_county", "profiles"})


def _top_parser(*, add_help: bool = True) -> argparse.ArgumentParser:
    """The options before any subcommand: the same parser for the window's quick start
    (:func:`_window_args`, without ``--help``) and under the full one (:func:`build_parser`)."""
    parser = argparse.ArgumentParser(
        prog="dipsample", parents=[common_options()], add_help=add_help,
        description="Dip-sample audits of children's social care case records.",
    )
    parser.add_argument("--version", action="version", version=f"dipsample {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation end to end in a temporary folder "
                        "(never your data); exit 0 when it works, 1 naming the step that "
                        "failed")
    return parser


#: The command module of a subcommand whose name is not the module's (``finalise-due``
#: is ``finalise_due`` by the plain rule). tests/unit/cli/test_one_command_imported.py
#: checks every module against this.
MODULE_OF = {"demo": "demo_county", "import": "import_cmd"}

#: Options before the subcommand that take a value (``--db X``), so X is not taken for
#: the subcommand.
_VALUED = frozenset({"--db", "--user"})


def command_module(words: list[str]) -> str | None:
    """The command module that ``words`` name (``import`` is ``import_cmd``), or None
    when they name no subcommand or one that does not exist (the full parser then says
    which there are)."""
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in _VALUED:
            skip = True
        elif not word.startswith("-"):
            name = MODULE_OF.get(word, word.replace("-", "_"))
            known = {info.name for info in pkgutil.iter_modules(commands.__path__)}
            return name if name in known else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every subcommand, found with ``pkgutil``, or only the one of module ``only``.

    Why ``only``: each command module imports what its command needs (the reports, the
    import, the sync, openpyxl, reportlab), so the whole parser costs about a second of
    imports; ``dipsample check`` needs none of the others'. A run of a subcommand builds
    its own parser alone, and the window builds none (:func:`_window_args`).
    """
    common = common_options(after_command=True)
    plain = common_options(after_command=True, acting=False)
    parser = _top_parser()
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if only is not None and info.name != only:
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:  # a helper module beside the commands registers nothing
            before = set(subparsers.choices)
            register(subparsers, plain if info.name in ACTING_NOBODY else common)
            if info.name in ACTING_NOBODY:
                for name in set(subparsers.choices) - before:
                    subparsers.choices[name].set_defaults(acts_as_nobody=True)
    return parser


def _refuse(message: str) -> NoReturn:
    raise argparse.ArgumentError(None, message)


def _window_args(argv: list[str]) -> argparse.Namespace | None:
    """The parsed options when ``argv`` asks for the window (no subcommand), else None.

    Why not :func:`build_parser`: it imports every command (the import, the reports,
    the sync), which the window does not need before it lists who can sign in. Anything
    this cannot settle alone (a subcommand, ``--help``, a mistyped option) returns None,
    and the full parser answers as it always did.
    """
    parser = _top_parser(add_help=False)
    parser.exit_on_error = False
    parser.error = _refuse  # type: ignore[method-assign]  # silent: the full parser says it
    try:
        args, rest = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    if rest:
        return None
    args.command = None
    return args


def _parse(words: list[str]) -> argparse.Namespace:
    """The full parser's reading of ``words``; a help it prints is kept for next time
    (:mod:`desktop.cli.help_cache`)."""
    if not help_cache.asks_for_help(words):
        return build_parser(command_module(words)).parse_args(words)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            args = build_parser(command_module(words)).parse_args(words)
    except SystemExit as stop:
        sys.stdout.write(printed.getvalue())
        if stop.code in (0, None) and printed.getvalue():
            help_cache.keep(words, printed.getvalue())
        raise
    sys.stdout.write(printed.getvalue())
    return args


def _fail(args: argparse.Namespace | None, message: str, code: int) -> int:
    if args is not None and getattr(args, "json", False):
        print(json.dumps({"error": message, "exit_code": code}))
    else:
        print(f"dipsample: {message}", file=sys.stderr)
    return code


def _self_test(args: argparse.Namespace) -> int:
    """``--self-test``: IT runs it after a deployment; one line, or JSON with ``--json``."""
    if args.command is not None:
        raise UserError("--self-test runs alone, without a subcommand")
    from desktop.selftest import run_self_test

    report = run_self_test()
    if args.json:
        print(json.dumps({"ok": report.ok, "version": report.version, "done": report.done,
                          "failed": report.failed, "reason": report.reason,
                          "seconds": round(report.seconds, 2),
                          "summary": report.line()}))
    else:
        print(report.line())
    return report.exit_code


#: Answered before anything else is imported: IT's scripts and the installer ask it, and
#: building the parser imports every command and with them the database stack.
VERSION_ONLY = (["--version"], ["-V"])


def main(argv: list[str] | None = None) -> int:
    if (sys.argv[1:] if argv is None else argv) in VERSION_ONLY:
        print(f"dipsample {__version__}")
        return 0
    words = sys.argv[1:] if argv is None else argv
    if help_cache.asks_for_help(words):
        text = help_cache.kept(words)
        if text is not None:  # printed by the full parser before, for these words
            sys.stdout.write(text)
            return 0
    args = _window_args(words) or _parse(words)
    setup_logging()
    try:
        if getattr(args, "acts_as_nobody", False) and (args.user or args.system):
            raise UserError(f"{args.command} acts as nobody: --user and --system mean "
                            "nothing for it")
        if args.self_test:
            return _self_test(args)
        if args.command is None:
            from desktop.views.app import run_gui

            return run_gui(args.db)
        return int(args.handler(args))
    except UserError as exc:
        return _fail(args, exc.message, exc.exit_code)
    except KeyboardInterrupt:
        return _fail(args, "interrupted", 2)
    except BrokenPipeError:
        return 0
    except Exception as exc:
        from desktop.store.failures import as_user_error

        problem = as_user_error(exc)
        if problem is not None:
            log.warning("%s stopped: %s", args.command or "gui", type(problem).__name__)
            return _fail(args, problem.message, problem.exit_code)
        log.exception("unexpected error in %s", args.command or "gui")
        return _fail(args, "an unexpected error stopped this command; details are in "
                     f"{log_file()}", 2)


if __name__ == "__main__":
    raise SystemExit(main())
