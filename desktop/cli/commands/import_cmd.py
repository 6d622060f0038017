"""``dipsample import FILE``: bring a Mosaic, LCS or Eclipse caseload export in.

Exit 0 when the file was imported (or a dry run found nothing wrong), 1 when rows are
bad (every one is listed; nothing is written), 2 when the file or profile cannot be
used at all (missing file, unknown profile, malformed mapping file).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.support import NewStore, acting_user_id, emit, progress_printer
from desktop.errors import EnvironmentProblem
from desktop.services.caseload.importer import import_caseload
from desktop.services.caseload.profiles import Profile, builtin_names, load_profile
from desktop.services.caseload.report import ImportReport
from desktop.services.context import ServiceContext


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "import", parents=[common], help="import a caseload export (CSV or .xlsx)",
        description="Import a caseload export. The whole file imports or nothing does.",
        epilog="A mapping profile says which column is which, where the header is, which "
        "words mean an empty cell and how dates are written: see docs/mapping-profiles.md, "
        "'dipsample profiles list' and 'dipsample profiles draft FILE' (a starting mapping "
        "for a new export). Problems name the spreadsheet's own row numbers.")
    parser.add_argument("file", type=Path, metavar="FILE", help="the .csv or .xlsx export")
    parser.add_argument("--profile", default=None, metavar="NAME|PATH",
                        help=f"column mapping: {', '.join(builtin_names())} or a mapping "
                        ".json file (default: the built-in profile the columns fit)")
    parser.add_argument("--full", action="store_true",
                        help="the file is the whole caseload: close open cases it omits")
    parser.add_argument("--dry-run", action="store_true",
                        help="check the file and show what would change; write nothing")
    parser.add_argument("--sheet", default=None, metavar="NAME",
                        help="the worksheet of an .xlsx file (default: the first)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise EnvironmentProblem(f"{path}: no such file")
    # Load a named profile before opening the store: a typo should not create a database.
    profile: Profile | None = load_profile(args.profile) if args.profile is not None else None
    how = "as asked" if profile is not None else "chosen from the file's columns"
    opened = NewStore(args)
    store, written = opened.store, False
    try:
        ctx = ServiceContext(store=store, user_id=acting_user_id(store, args),
                             progress=progress_printer(args))
        report = import_caseload(ctx, path, profile, full=args.full, dry_run=args.dry_run,
                                 sheet=args.sheet)
        written = report.written
    finally:
        opened.close(keep=written)
    emit(args, report.as_json(), lambda: _text(report, how))
    return 1 if report.errors else 0


def _text(report: ImportReport, how: str) -> str:
    lines = [f"{report.file}: profile {report.profile} ({how})"]
    lines += [f"note: {note}" for note in report.notes]
    if report.not_known:
        lines.append(f"note: {report.not_known_text}")
    lines += [str(problem) for problem in report.errors]
    lines.append(report.summary())
    return "\n".join(lines)
