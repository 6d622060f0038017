"""Hold SQLite's lock on a DipSample store from another process, until stdin closes.

Run by the window tests as ``python -m tests.unit.views.lock_holder PATH MODE``, with the
passphrase in ``DIPSAMPLE_PASSPHRASE``. MODE ``write`` holds the write lock (as another
DipSample importing would); ``exclusive`` holds the whole file (readers wait too, as
when a backup or ``dipsample check`` repair has it). Prints ``locked`` once it holds it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.store import open_store


def main(path: Path, mode: str) -> None:
    store = open_store(path, prompt=None)
    raw = store.engine.raw_connection()
    cursor = raw.cursor()
    if mode == "exclusive":
        cursor.execute("PRAGMA locking_mode = EXCLUSIVE")
    cursor.execute("BEGIN IMMEDIATE")
    cursor.execute("UPDATE store_meta SET value = value WHERE key = 'device_id'")
    print("locked", flush=True)
    sys.stdin.read()
    cursor.execute("ROLLBACK")
    raw.close()
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
