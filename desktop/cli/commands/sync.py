"""``dipsample sync``: sync with a shared folder or the central database; status; keys.

``dipsample sync --folder PATH`` or ``--database URL`` (never a password in the URL: it
comes from the keyring, where ``dipsample sync password --database URL`` puts it),
``dipsample sync`` (the target last used), ``dipsample sync status [--json]``,
``dipsample sync key --new|--show|--set`` (the organisation key; ``--set`` and the
password read standard input, so a secret never sits on a command line),
``dipsample sync snapshot`` (every record, for new laptops to start from).
"""

from __future__ import annotations

import argparse
import base64
import sys

from desktop.cli.commands import sync_conflicts
from desktop.cli.support import (
    acting_context,
    db_path,
    emit,
    permitted_context,
    store_from,
)
from desktop.errors import EnvironmentProblem, InputProblem
from desktop.services.auth.roles import Permission
from desktop.sync import bundle
from desktop.sync.central import store_password
from desktop.sync.status import (
    DATABASE,
    FOLDER,
    set_aside,
    snapshot_now,
    sync_now,
    sync_status,
)


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("sync", parents=[common],
                                   help="sync with a shared folder or the central database")
    parser.add_argument("what", nargs="?", choices=["status", "key", "password", "snapshot",
                                                    "ignore", *sync_conflicts.CHOICES],
                        help="status: how syncing stands; key: the organisation key; "
                        "password: store the --database password (read from standard input) "
                        "in the keyring; snapshot: write a snapshot new laptops start from; "
                        "conflicts: list those to settle; settle ID keep|other: settle one; "
                        "ignore BUNDLE: set aside a rejected bundle (no longer retried)")
    sync_conflicts.add_arguments(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--folder", metavar="PATH", help="a shared network folder")
    where.add_argument("--database", metavar="URL",
                       help="postgresql://user@host/db (the password is in the keyring)")
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument("--new", action="store_true", help="make a new organisation key")
    keys.add_argument("--show", action="store_true", help="print the organisation key")
    keys.add_argument("--set", action="store_true",
                      help="store the organisation key read from standard input")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.what in sync_conflicts.CHOICES:
        return sync_conflicts.run(args)
    if args.what == "key":
        return _key(args)
    if args.what == "password":
        if not args.database:
            raise InputProblem("say which database: sync password --database URL")
        store_password(args.database, sys.stdin.readline().rstrip("\n"))
        print("database password stored in the keyring")
        return 0
    with store_from(args) as store:
        acting_context(store, args)
        if args.what == "status":
            status = sync_status(store)
            emit(args, status, lambda: "\n".join([
                f"target:            {status.target or 'none chosen'}",
                f"pending changes:   {status.pending}",
                *[f"pending for {t.label}: {t.pending}"
                  + (" (new beside another target: every record goes)" if t.whole else "")
                  for t in status.targets],
                "last success:      " + (status.last_success.isoformat(timespec="seconds")
                                         if status.last_success else "never"),
                f"last outcome:      {status.last_outcome}"
                + (f" ({status.last_message})" if status.last_message else ""),
                f"open conflicts:    {status.open_conflicts}",
                f"claim collisions:  {status.claim_collisions}",
                *[f"rejected bundle:   {r.bundle_id} from device {r.device} ({r.reason}; "
                  f"since {r.first_at.isoformat(timespec='seconds')}; 'dipsample sync "
                  "ignore' sets it aside)" for r in status.rejected]]))
            return 0
        if args.what == "ignore":
            words = list(getattr(args, "words", None) or [])
            if len(words) != 1:
                raise InputProblem("say which bundle: sync ignore BUNDLE (as 'sync status' "
                                   "names it)")
            aside = set_aside(store, words[0])
            emit(args, aside, f"set aside: {aside.bundle_id} from device {aside.device}; "
                 "it is no longer fetched or reported")
            return 0
        if args.what == "snapshot":
            written = snapshot_now(store)
            emit(args, {"snapshot": written}, f"snapshot written: {written}")
            return 0
        spec = None
        if args.folder:
            spec = FOLDER + args.folder
        elif args.database:
            spec = DATABASE + args.database
        report = sync_now(store, spec)
    emit(args, report, lambda: f"busy: {report.message}" if report.outcome == "busy" else (
        f"{report.outcome}: sent {report.pushed}, received {report.pulled} "
        f"from {report.bundles} bundle(s), {report.conflicts} new conflict(s), "
        f"{report.pending} pending"
        + (f"; rejected: {', '.join(report.rejected)}" if report.rejected else "")
        + (f"; {report.message}" if report.message else "")))
    return 0 if report.outcome == "ok" else 1


def _key(args: argparse.Namespace) -> int:
    """The organisation key: seeing it, replacing it or making it is IT's (the keys
    permission) wherever there is a database. On a laptop with no database yet it asks
    nobody: a new laptop needs the key before its first sync, and whoever runs this
    there holds the keyring it lives in anyway.
    """
    if db_path(args).exists():
        with store_from(args) as store:
            permitted_context(store, args, Permission.KEYS)
    if args.new:
        if _has_key():
            print("there is an organisation key in the keyring already; it was kept")
            return 1
        bundle.organisation_key(create=True)
        print("organisation key made and stored in the keyring; 'dipsample sync key "
              "--show' prints it for the other laptops")
        return 0
    if args.set:
        bundle.set_organisation_key(sys.stdin.readline())
        print("organisation key stored in the keyring")
        return 0
    if args.show:
        print(base64.urlsafe_b64encode(bundle.organisation_key()).decode())
        return 0
    raise InputProblem("say what to do with the key: --new, --show or --set")


def _has_key() -> bool:
    try:
        bundle.organisation_key()
    except EnvironmentProblem:
        return False
    return True
