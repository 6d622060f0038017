"""``dipsample plan import|list``: improvement and inspection action plans (seed 004)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from desktop.cli.commands.audits import context, refused
from desktop.cli.support import emit, store_from
from desktop.services import plans
from desktop.services.audits.refused import ImportRefused


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("plan", parents=[common], help="improvement plans")
    sub = parser.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", parents=[common],
                         help="import a plan laid out like an inspection action plan")
    imp.add_argument("file", type=Path, metavar="FILE",
                     help="the plan as a spreadsheet (CSV or .xlsx) laid out as an "
                     "inspection action plan: columns Ofsted finding, Action taken/required, "
                     "Lead/s, By When and (optionally) Status, with section rows such as "
                     "'Areas for priority action'")
    imp.add_argument("--title", default=None, help="the plan's title (default: file name)")
    imp.add_argument("--issued", type=dt.date.fromisoformat, default=None,
                     metavar="YYYY-MM-DD", help="the day the plan was issued")
    imp.add_argument("--mapping", type=Path, default=None, metavar="PATH",
                     help="a mapping .json naming other columns, sections or statuses "
                     "(default: the shipped inspection action plan mapping)")
    imp.add_argument("--sheet", default=None, metavar="NAME",
                     help="the workbook's sheet to read (default: the first)")
    imp.set_defaults(handler=run_import)
    listing = sub.add_parser("list", parents=[common],
                             help="the plans, or one plan's findings and actions")
    listing.add_argument("--plan", default=None, metavar="ID",
                         help="one plan's findings and actions (its id or first characters)")
    listing.set_defaults(handler=run_list)


def run_import(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        try:
            result = plans.import_plan(context(store, args), args.file, title=args.title,
                                       issued_on=args.issued, mapping_path=args.mapping,
                                       sheet=args.sheet)
        except ImportRefused as problem:
            return refused(args, problem)
    emit(args, result, f"{result.file}: {result.findings} findings and {result.actions} "
         f"actions imported (plan {result.plan_id})")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = context(store, args)
        if args.plan:
            findings = plans.plan_findings(ctx, args.plan)
            emit(args, findings, lambda: "\n".join(
                f"[{f.category}] {f.number or ''} {f.text[:70]}\n" + "\n".join(
                    f"    {a.status:<12} {a.by_when_text or '-':<30} {a.lead[:30]:<30} "
                    f"{a.description[:50]}" for a in f.actions) for f in findings))
            return 0
        rows = plans.list_plans(ctx)
    emit(args, rows, lambda: "\n".join(
        f"{p.title}: {p.findings} findings, {p.actions_done}/{p.actions} actions done  {p.id}"
        for p in rows) or "no plans")
    return 0
