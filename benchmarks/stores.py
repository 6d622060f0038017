"""Benchmark stores: keyed by a passphrase, built once, copied fresh for each run.

Why copies: building 100,000 cases takes longer than the runs being timed, and a run
that writes (an import, a draw that saves its sample) leaves the store changed; the
next run on it would measure something else (an import into a filled store, a draw
that only shows the sample saved before). A byte copy of the closed store is the same
starting point every time, and making it is not timed.

Why a passphrase and not the keyring: a keyring entry belongs to one path, so a copy
under a new name would have no key; and a benchmark must not leave entries in a
developer's keyring.

Why the environment is set here, whatever it held: a window opens its own store and
takes the passphrase from ``DIPSAMPLE_PASSPHRASE``. The runner used to set it only when
unset, so on a machine where it held the person's own passphrase every GUI benchmark's
window met a wrong key. :func:`benchmark_environment` sets the passphrase every store
here is made with, and a home of the benchmark's own (which moves the window's
settings too), and puts back what was there.

Why the demo county is built once per run (:func:`demo_county`): seven benchmarks read
the same 100,000-case county (the open, the size, the case list, the stalls, the
launches), and building it took longer than all their runs. The first that asks builds
it into a folder of the runner's own (removed when the runner ends); each benchmark
gets its own byte copy in its work folder, so one that writes (a sign-in is logged)
never changes what the next one measures.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from desktop.store import Store, open_store
from desktop.store.keys import kdf_path

#: The demo county's size in a full run and in a ``--quick`` one.
COUNTY_CASES, QUICK_COUNTY_CASES = 100_000, 20_000
#: The day the demo county is built around (its deadlines and audits are relative to it).
COUNTY_AS_OF = dt.date(2026, 11, 20)

PASSPHRASE = "benchmark-passphrase"
#: What SQLite may leave beside a database file (empty after a clean close).
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
#: The variables a benchmark runs under, whatever the person's environment holds.
_PINNED = ("DIPSAMPLE_PASSPHRASE", "DIPSAMPLE_HOME")


@contextlib.contextmanager
def benchmark_environment(home: Path) -> Iterator[None]:
    """Run with :data:`PASSPHRASE` and ``home`` as ``DIPSAMPLE_HOME``; restored after."""
    before = {name: os.environ.get(name) for name in _PINNED}
    os.environ["DIPSAMPLE_PASSPHRASE"] = PASSPHRASE
    os.environ["DIPSAMPLE_HOME"] = str(home)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def create_store(path: Path) -> Store:
    """A new encrypted store at ``path``, its key derived from :data:`PASSPHRASE`."""
    return open_store(path, passphrase=PASSPHRASE, prompt=None, create=True)


def county_cases(quick: bool) -> int:
    return QUICK_COUNTY_CASES if quick else COUNTY_CASES


#: The closed demo counties built by this process, by number of cases.
_COUNTIES: dict[int, Path] = {}


def demo_county(cases: int) -> Path:
    """A closed demo county of ``cases`` cases (seed 1, as of :data:`COUNTY_AS_OF`),
    built the first time it is asked for in this process; copy it before opening it
    (:func:`copy_store`): it is shared."""
    built = _COUNTIES.get(cases)
    if built is not None and built.exists():
        return built
    from desktop.services.context import ServiceContext
    from desktop.services.demo_county import build_demo_county

    folder = Path(tempfile.mkdtemp(prefix="bench-counties-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / f"county-{cases}.db"
    store = create_store(path)
    try:
        build_demo_county(ServiceContext(store=store), cases=cases, seed=1,
                          as_of=COUNTY_AS_OF)
    finally:
        store.close()
    _COUNTIES[cases] = path
    return path


def _files(path: Path) -> list[Path]:
    return [path, kdf_path(path), *(path.with_name(path.name + s) for s in _SQLITE_SIDE_FILES)]


def copy_store(source: Path, target: Path) -> Path:
    """A byte copy of the closed store ``source`` (and its key file) at ``target``.

    For runs that open the copy themselves (a window opens its own store)."""
    for original, copy in zip(_files(source), _files(target), strict=True):
        if original.exists():
            shutil.copyfile(original, copy)
    return target


def remove_store(path: Path) -> None:
    for file in _files(path):
        with contextlib.suppress(FileNotFoundError):
            file.unlink()


class StoreCopies:
    """Fresh copies of one closed store, one open at a time.

    Attributes:
        store: the copy opened by the latest :meth:`fresh`.
    """

    def __init__(self, pristine: Path, label: str,
                 warm: Callable[[Store], object] | None = None) -> None:
        """``pristine`` must be closed; ``warm`` reads a new copy once (untimed) so a
        timed run starts on warm connections, as it would on a store in use."""
        self._pristine = pristine
        self._label = label
        self._warm = warm
        self._count = 0
        self._current: Store | None = None

    @property
    def store(self) -> Store:
        if self._current is None:
            raise RuntimeError("no copy yet: call fresh() first")
        return self._current

    def fresh(self) -> Store:
        """Drop the previous copy and open a new one of the pristine store."""
        self.close()
        self._count += 1
        target = self._pristine.with_name(f"{self._label}-{self._count}.db")
        for source, copy in zip(_files(self._pristine), _files(target), strict=True):
            if source.exists():
                shutil.copyfile(source, copy)
        self._current = open_store(target, passphrase=PASSPHRASE, prompt=None)
        if self._warm is not None:
            self._warm(self._current)
        return self._current

    def close(self) -> None:
        """Close the current copy and delete its files (100,000 cases fill a disk)."""
        if self._current is None:
            return
        self._current.close()
        for path in _files(self._current.path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self._current = None

    def __enter__(self) -> StoreCopies:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
