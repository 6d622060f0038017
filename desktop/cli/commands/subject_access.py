"""``dipsample subject-access CASE_REF -o FILE.json``: everything held about one child,
for a subject access request (the export is logged before the file takes its name; the
file is readable by you only: desktop/files.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.support import acting_user_id, emit, store_from
from desktop.services.context import ServiceContext
from desktop.services.subject_access import write_subject_access


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "subject-access", parents=[common],
        help="export everything held about one child (a subject access request)")
    parser.add_argument("case_ref", metavar="CASE_REF", help="the case reference")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.json",
                        help="the JSON file to write (readable by you only)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = ServiceContext(store=store, user_id=acting_user_id(store, args))
        export = write_subject_access(ctx, args.case_ref, args.output)
    counts = {name: len(rows) for name, rows in export.tables.items()}
    emit(args, {"file": str(args.output), "rows": counts}, lambda: (
        f"{args.output}: everything held about {export.case_ref}: "
        + ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items() if n)))
    return 0
