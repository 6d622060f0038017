"""``dipsample finalise-due``: the 72-hour sweep, for a scheduled task or after a sync.

Finalises audits whose comment window has passed with no open query, and moves concerns
of significant harm past their deadline to the Head of Service. The app runs the same
sweep when it starts.
"""

from __future__ import annotations

import argparse

from desktop.cli.commands.audits import context
from desktop.cli.support import emit, store_from
from desktop.services.audits.finalise import sweep


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "finalise-due", parents=[common],
        help="finalise audits past their comment window; escalate late concerns")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        report = sweep(context(store, args))
    emit(args, report, lambda: (
        f"{len(report.finalised)} audits finalised, {len(report.held_by_query)} held by an "
        f"unanswered query, {len(report.escalated)} concerns escalated to the Head of "
        "Service"))
    return 0
