"""Rotate a store's key again and again until killed (the crash test's child process).

Usage: python -m tests.unit.security.rotate_child DB KEYRING_FILE
"""

from __future__ import annotations

import sys
from pathlib import Path

import keyring

from tests.unit.security.file_keyring import FileKeyring


def main() -> None:
    keyring.set_keyring(FileKeyring(Path(sys.argv[2])))
    from desktop.store.rotate import rotate_key

    print("ready", flush=True)
    while True:
        rotate_key(Path(sys.argv[1]))
        print("rotated", flush=True)


if __name__ == "__main__":
    main()
