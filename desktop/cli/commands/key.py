"""``dipsample key rotate``: re-encrypt the store with a new key (docs/security.md, 'Keys').

Run it with DipSample closed: the re-encryption needs the file to itself. A keyring
store gets a new random key; a passphrase store asks for a new passphrase (twice), or
takes it from ``DIPSAMPLE_NEW_PASSPHRASE`` in scripts.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from desktop.cli.support import db_path, emit, permitted_context, store_from
from desktop.errors import KeyUnavailable
from desktop.services.auth.roles import Permission
from desktop.store.rotate import rotate_key

NEW_PASSPHRASE_ENV = "DIPSAMPLE_NEW_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("key", parents=[common],
                                   help="change the database key (rotate)")
    sub = parser.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    rotate = sub.add_parser(
        "rotate", parents=[common], help="re-encrypt the store with a new key",
        description="Make a backup, re-encrypt the store in place with a new key and only "
        "then replace the key in the keyring (or the passphrase file). A crash at any "
        "moment leaves a store that opens. Close every DipSample window first.")
    rotate.set_defaults(handler=run_rotate)


def _new_passphrase(question: str) -> str:
    given = os.environ.get(NEW_PASSPHRASE_ENV)
    if given:
        return given
    if not sys.stdin or not sys.stdin.isatty():
        raise KeyUnavailable(f"Set {NEW_PASSPHRASE_ENV} or run from a terminal to type the "
                             "new passphrase.")
    first = getpass.getpass(question)
    if getpass.getpass("Type the new passphrase again: ") != first:
        raise KeyUnavailable("The two passphrases differ; the key was not changed.")
    return first


def run_rotate(args: argparse.Namespace) -> int:
    from desktop.store.keys import tty_prompt

    with store_from(args) as store:
        permitted_context(store, args, Permission.KEYS)
    done = rotate_key(db_path(args), prompt=lambda q: (
        _new_passphrase(q) if q.startswith("New") else tty_prompt(q)))
    emit(args, done, lambda: (
        f"{done.path.name}: re-encrypted with a new key (kept in the {done.source}); "
        f"backup made first: {done.backup.name}; earlier backups re-encrypted: "
        f"{done.backups_rekeyed}"))
    return 0
