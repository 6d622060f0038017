"""``dipsample export --format xlsx|csv``: audits, answers and actions for a spreadsheet.

XLSX holds a sheet per table (all three unless ``--what`` names some); CSV holds one
table (``--what``, default audits). No cell can run as a formula (see
``desktop/reports/exports.py``). Statuses, grades and scored answers are words, their
codes in the column after them; times are Europe/London local time, as each time
column's heading says; an XLSX text longer than a cell continues on the sheet
"Continued". Each exported record is logged as an export.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from desktop.cli.commands.audits import context
from desktop.cli.support import emit, store_from
from desktop.errors import InputProblem
from desktop.reports.exports import FORMATS, export
from desktop.services.reporting.exports import KINDS, Period


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("export", parents=[common],
                                   help="audits, answers and actions as XLSX or CSV")
    parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt",
                        help="xlsx: a workbook with a sheet per table; csv: one table")
    parser.add_argument("--what", choices=KINDS, action="append", default=None,
                        help="a table to export (repeatable; CSV takes one)")
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, default=None,
                        metavar="YYYY-MM-DD", help="audits dated on or after")
    parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, default=None,
                        metavar="YYYY-MM-DD", help="audits dated on or before")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                        help="the file to write (readable by you only)")
    parser.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    kinds = tuple(dict.fromkeys(args.what or (("audits",) if args.fmt == "csv" else KINDS)))
    if args.fmt == "csv" and len(kinds) != 1:
        raise InputProblem("a CSV file holds one table: give one --what")
    with store_from(args) as store:
        tables = export(context(store, args), args.fmt, args.output, kinds=kinds,
                        period=Period(args.start, args.end))
    emit(args, {"file": args.output, "tables": {t.name: len(t.rows) for t in tables}},
         f"{args.output}: " + ", ".join(f"{len(t.rows)} {t.name.lower()}" for t in tables))
    return 0
