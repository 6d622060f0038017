"""``dipsample actions``: the action tracker, most overdue first.

Overdue is counted in working days (England's bank holidays): "3d"; an action past its
due date with no working day gone since (due Friday, seen on Sunday) shows "<1d". Its
``--json`` rows carry ``overdue`` (true or false) beside ``overdue_working_days``.
``--owner`` takes a worker's staff reference or id, or a user's username or id.
"""

from __future__ import annotations

import argparse

from desktop.cli.commands.audits import context
from desktop.cli.support import emit, store_from
from desktop.models.enums import ActionStatus
from desktop.services.actions import ActionRow, list_actions
from desktop.services.people.ids import short_id
from desktop.services.users import action_owner_id


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("actions", parents=[common],
                                   help="actions from audits, exercises and plans")
    parser.add_argument("--overdue", action="store_true", help="only open, overdue actions")
    parser.add_argument("--owner", metavar="ID", help="a worker (staff ref or id) or user")
    parser.add_argument("--status", choices=[s.value for s in ActionStatus],
                        help="only actions with this status")
    parser.set_defaults(handler=run)


HEADER = (f"{'due':<12} {'status':<12} {'case':<14} {'owner':<24} {'overdue':<9} "
          "action (id)")


def overdue_cell(row: ActionRow) -> str:
    """Working days overdue ("3d"), "<1d" for one past its due date with no working day
    gone since (due Friday, seen on Sunday), "" when not overdue."""
    if row.overdue_working_days:
        return f"{row.overdue_working_days}d"
    return "<1d" if row.overdue else ""


def run(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = context(store, args)
        owner = action_owner_id(ctx, args.owner) if args.owner else None
        rows = list_actions(ctx, overdue=args.overdue, owner=owner, status=args.status)

    def text() -> str:
        if not rows:
            return "no actions"
        return "\n".join([HEADER, *(
            f"{str(r.due_on or r.by_when_text or '-')[:12]:<12} {r.status:<12} "
            f"{r.case_ref or '-':<14} {r.owner_name[:24] or '-':<24} "
            f"{overdue_cell(r):<9} "
            f"{r.description[:60]}  ({short_id(r.id)})" for r in rows)])

    emit(args, rows, text)
    return 0
