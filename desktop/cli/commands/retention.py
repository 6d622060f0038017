"""``dipsample retention purge``: blank the personal details of cases closed longer ago
than the retention period (docs/security.md, 'Retention and subject access')."""

from __future__ import annotations

import argparse

from desktop.cli.support import acting_user_id, emit, progress_printer, store_from
from desktop.services.context import ServiceContext
from desktop.services.retention import DEFAULT_YEARS, YEARS_ENV, RetentionResult, purge_closed


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("retention", parents=[common],
                                   help="purge personal details past the retention period")
    sub = parser.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    purge = sub.add_parser(
        "purge", parents=[common], help="blank the details of cases closed long ago",
        description="Blank the child's name, date of birth and every written text about "
        "each case closed more than YEARS ago; audits keep their grades and answers.")
    purge.add_argument("--years", type=float, default=None,
                       help=f"the retention period (default ${YEARS_ENV}, else "
                       f"{DEFAULT_YEARS})")
    purge.add_argument("--dry-run", action="store_true", help="count; change nothing")
    purge.set_defaults(handler=run_purge)


def _text(result: RetentionResult) -> str:
    verb = "would purge" if result.dry_run else "purged"
    text = (f"cases closed on or before {result.cutoff:%d/%m/%Y}: {verb} {result.cases} "
            f"(with {result.audits} audits, whose figures stay)")
    if result.older_backups:
        # The store's own copies are scrubbed; a backup is a whole older store, so only
        # deleting it removes the purged details from it.
        hold = "will still hold" if result.dry_run else "still hold"
        text += (f"\nthese backups, made before the purge, {hold} the purged details; "
                 "delete them once they are no longer needed:\n  "
                 + "\n  ".join(result.older_backups))
    return text


def run_purge(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = ServiceContext(store=store, user_id=acting_user_id(store, args),
                             progress=progress_printer(args))
        result = purge_closed(ctx, years=args.years, dry_run=args.dry_run)
    emit(args, result, lambda: _text(result))
    return 0
