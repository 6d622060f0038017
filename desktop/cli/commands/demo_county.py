"""``dipsample demo``: build the synthetic demo county, and optionally open the window on it.

Why ``--open`` also works on a database that already holds cases: the README's first
command installs and opens the app, and must work when run a second time.
"""

from __future__ import annotations

import argparse
import datetime as dt

from desktop.cli.support import db_path, emit, open_for, progress_printer
from desktop.errors import EnvironmentProblem
from desktop.services.context import ServiceContext
from desktop.services.demo_county import MAX_CASES, DemoSummary, build_demo_county, existing_cases


def _case_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= MAX_CASES:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_CASES:,}")
    return value


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "demo", parents=[common], help="build a synthetic demo county (seeded, reproducible)",
        description="Build a synthetic local authority into an empty database: seed 000's "
                    "service areas, about 40 teams, 400 workers, 18 auditors, N cases with "
                    "visits, oversight and some weeks of audits and actions.")
    parser.add_argument("--cases", type=_case_count, default=6_000,
                        help=f"number of cases, 1 to {MAX_CASES:,} (default 6,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--as-of", type=_iso_date, default=None, dest="as_of",
                        help="the day the county is built around (default: today)")
    parser.add_argument("--open", action="store_true",
                        help="open the window on the database afterwards (or at once if it "
                             "already holds cases)")
    parser.set_defaults(handler=run)


def _text(summary: DemoSummary) -> str:
    rag = summary.rag
    return "\n".join([
        f"Demo county (seed {summary.seed}, as of {summary.as_of.isoformat()}):",
        f"  {summary.service_areas} service areas, {summary.teams} teams, "
        f"{summary.workers} workers, {summary.users} users ({summary.auditors} auditors)",
        f"  {summary.cases:,} cases ({summary.open_cases:,} open: Red {rag.get('red', 0):,}, "
        f"Amber {rag.get('amber', 0):,}, Green {rag.get('green', 0):,}), "
        f"{summary.case_events:,} case events",
        f"  {summary.audits:,} past audits, {summary.actions:,} actions, "
        f"{summary.disagreements:,} RAG disagreements"
        + (f" (template '{summary.template}')" if summary.template else ""),
    ])


def run(args: argparse.Namespace) -> int:
    path = db_path(args)
    store = open_for(args, create=True)
    try:
        ctx = ServiceContext(store=store, progress=progress_printer(args))
        held = existing_cases(ctx)
        if held and not args.open:
            raise EnvironmentProblem(
                f"{path} already holds {held:,} cases; add --open to open it, or give "
                "another --db")
        if not held:
            as_of = args.as_of or ctx.today()
            summary = build_demo_county(ctx, cases=args.cases, seed=args.seed, as_of=as_of)
            emit(args, summary, lambda: _text(summary))
    except BaseException:
        store.close()
        raise
    if not args.open:
        store.close()
        return 0
    from desktop.views.app import run_gui

    return run_gui(path, store=store)
