"""Rotate a store's key once (the kill test's child process, stopped at a pause point).

Usage: python -m tests.unit.security.rotate_child DB KEYRING_FILE
       python -m tests.unit.security.rotate_child DB - NEW_PASSPHRASE
(the second form: a passphrase store, its passphrase in DIPSAMPLE_PASSPHRASE).
"""

from __future__ import annotations

import sys
from pathlib import Path

import keyring
from keyring.backends import fail

from tests.unit.security.file_keyring import FileKeyring


def main() -> None:
    new_passphrase = None
    if sys.argv[2] == "-":
        keyring.set_keyring(fail.Keyring())
        new_passphrase = sys.argv[3]
    else:
        keyring.set_keyring(FileKeyring(Path(sys.argv[2])))
    from desktop.store.rotate import rotate_key

    rotate_key(Path(sys.argv[1]), new_passphrase=new_passphrase, prompt=None)
    print("rotated", flush=True)


if __name__ == "__main__":
    main()
