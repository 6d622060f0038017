"""A demo county in a store of its own, shared by the tests of one module.

Why a helper and not the function-scoped ``store`` fixture: building a county takes a
second or two, and the read-only tests of a module can share one; a module-scoped
fixture cannot use the function-scoped in-memory keyring, so it sets its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.services.context import ServiceContext
from desktop.services.demo_county import build_demo_county


@contextmanager
def demo_county(folder: Path, *, cases: int, seed: int, as_of: dt.date
                ) -> Iterator[ServiceContext]:
    """A context on a new store holding a demo county, its clock at noon on ``as_of``."""
    import keyring

    from desktop.store import open_store
    from tests.conftest import MemoryKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    store = open_store(folder / "county.db", prompt=None, create=True)
    noon = dt.datetime.combine(as_of, dt.time(12), tzinfo=dt.UTC)
    try:
        ctx = ServiceContext(store=store, clock=lambda: noon)
        build_demo_county(ctx, cases=cases, seed=seed, as_of=as_of)
        yield ctx
    finally:
        store.close()
        keyring.set_keyring(previous)
