"""``dipsample sync``: sync with a shared folder or the central database; status; keys.

``dipsample sync --folder PATH`` or ``--database URL`` (never a password in the URL: it
comes from the keyring, where ``dipsample sync password --database URL`` puts it),
``dipsample sync`` (the target last used), ``dipsample sync status [--json]``,
``dipsample sync key --new|--show|--set`` (the organisation key; ``--set`` and the
password read standard input, so a secret never sits on a command line),
``dipsample sync snapshot`` (every record, for new laptops to start from).

A new laptop from the command line is ``dipsample sync --folder PATH --db NEW`` (or
``--database URL``): the store is made and pulls. Why not a separate ``init``: IT's
script is then the same command every later sync runs, and the store is made only
when a target is named, so a bare ``sync`` with a mistyped ``--db`` still refuses.
"""

from __future__ import annotations

import argparse
import base64
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from desktop.cli.commands import sync_conflicts
from desktop.cli.support import (
    NewStore,
    acting_context,
    db_path,
    emit,
    permitted_context,
    store_from,
)
from desktop.errors import EnvironmentProblem, InputProblem
from desktop.services.auth.roles import Permission
from desktop.store import Store, keys
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
    # A new laptop from the command line: 'sync --folder PATH --db NEW' makes the store
    # and pulls (IT scripts it; DIPSAMPLE_PASSPHRASE where there is no keyring). Only
    # when a target is named, so a mistyped --db with a bare 'sync' still says so.
    made = (args.what is None and bool(args.folder or args.database)
            and not db_path(args).expanduser().exists())
    with _opened(args, make=made) as store:
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
                *([f"clock:             {status.clock_skew}"] if status.clock_skew else []),
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
        report = sync_now(store, spec, make_key=not made)
        if made:
            report.message = "; ".join(m for m in (
                f"a new database was made at {store.path}", report.message) if m)
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

    Where there is no keyring (or only a plaintext one), the key is kept inside a
    database keyed by a passphrase (``--db``); ``--new`` and ``--set`` make that database
    when it does not exist yet, so IT can prepare a new laptop from a script.
    """
    if db_path(args).exists():
        with store_from(args) as store:
            permitted_context(store, args, Permission.KEYS)
            return _key_in(args, store)
    if (args.new or args.set) and not keys.keyring_available():
        with _opened(args, make=True) as store:
            return _key_in(args, store)
    return _key_in(args, None)


def _key_in(args: argparse.Namespace, store: Store | None) -> int:
    if args.new:
        if _has_key(store):
            print("there is an organisation key here already; it was kept")
            return 1
        bundle.organisation_key(create=True, store=store)
        print(f"organisation key made and kept {_where(store)}; 'dipsample sync key "
              "--show' prints it for the other laptops")
        return 0
    if args.set:
        where = bundle.set_organisation_key(sys.stdin.readline(), store)
        print("organisation key stored in the keyring" if where == "keyring" else
              "organisation key kept inside the database (no keyring here)")
        return 0
    if args.show:
        print(base64.urlsafe_b64encode(bundle.organisation_key(store=store)).decode())
        return 0
    raise InputProblem("say what to do with the key: --new, --show or --set")


def _where(store: Store | None) -> str:
    if keys.keyring_available():
        return "in the keyring"
    return "inside the database (no keyring here)"


def _has_key(store: Store | None) -> bool:
    try:
        bundle.organisation_key(store=store)
    except EnvironmentProblem:
        return False
    return True


@contextmanager
def _opened(args: argparse.Namespace, *, make: bool) -> Iterator[Store]:
    """The store ``--db`` names; with ``make``, made when it does not exist, and removed
    again when what the command does with it fails (a retry then starts clean)."""
    if not make or db_path(args).expanduser().exists():
        with store_from(args) as store:
            yield store
        return
    new = NewStore(args)
    keep = False
    try:
        yield new.store
        keep = True
    finally:
        new.close(keep=keep)
