"""A big store opens at once, and is not much bigger than its rows as plain text.

``open_first_page_100k``: ours opens the 100,000-case demo store as the window does
(key, header and schema checks, migrations check, device id, clock) and reads the case
list's first 50 rows in case-reference order; the baseline opens the same SQLCipher
file with its raw key and runs one ``SELECT ... ORDER BY case_ref LIMIT 50`` with the
same joined columns. Neither side scans the file.

``store_size_vs_csv``: ours is the store's size on disk; the baseline is the size of
every row of every table written as plain CSV (what the same data needs with no
encryption, no indexes and no page structure).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from benchmarks.core import Amount, Benchmark, Side, Sides
from benchmarks.gui import application, wait_until
from benchmarks.stores import PASSPHRASE, copy_store, county_cases, demo_county
from desktop.models.base import Base
from desktop.services.case_list import CaseQuery, first_page
from desktop.services.context import ServiceContext
from desktop.store import open_store
from desktop.store.keys import DatabaseKey, resolve_key

ROWS = 50
BASELINE_SQL = (
    "SELECT c.id, c.case_ref, c.child_name, c.rag, c.cohort, t.name, w.name,"
    " c.last_f2f_visit, c.status FROM cases c LEFT JOIN teams t ON t.id = c.team_id"
    " LEFT JOIN workers w ON w.id = c.worker_id WHERE c.deleted = 0"
    " ORDER BY c.case_ref LIMIT 50")


@contextmanager
def _demo_store(workdir: Path, quick: bool) -> Iterator[Path]:
    """This benchmark's own copy of the run's demo county (:func:`demo_county`)."""
    yield copy_store(demo_county(county_cases(quick)), workdir / "county.db")


@contextmanager
def _raw(path: Path, key: DatabaseKey) -> Iterator[sqlcipher.Connection]:
    """The store's file opened with its key and nothing else: the baselines' side."""
    conn = sqlcipher.connect(str(path))
    try:
        conn.execute(key.pragma())
        yield conn
    finally:
        conn.close()


@contextmanager
def open_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    with _demo_store(workdir, quick) as path:
        key = resolve_key(path, passphrase=PASSPHRASE, prompt=None)  # untimed

        def ours() -> list[str]:
            store = open_store(path, passphrase=PASSPHRASE, prompt=None)
            try:
                rows = first_page(ServiceContext(store=store), CaseQuery(), limit=ROWS)
            finally:
                store.close()
            return [r.case_ref for r in rows]

        def baseline() -> list[str]:
            with _raw(path, key) as conn:
                return [r[1] for r in conn.execute(BASELINE_SQL).fetchall()]

        expected = baseline()

        def same_rows(result: list[str]) -> None:
            if result != expected:
                raise AssertionError("the first page differs from the baseline's rows")

        yield Sides(ours=Side(ours, check=same_rows), baseline=Side(baseline, check=same_rows))


def _csv_size(path: Path, target: Path) -> int:
    """Every row of every table of the store at ``path``, as plain CSV files."""
    total = 0
    with _raw(path, resolve_key(path, passphrase=PASSPHRASE, prompt=None)) as conn:
        for table in Base.metadata.sorted_tables:
            out = target / f"{table.name}.csv"
            cursor = conn.execute(f'SELECT * FROM "{table.name}"')
            with out.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow([d[0] for d in cursor.description])
                writer.writerows(cursor)
            total += out.stat().st_size
            out.unlink()
    return total


@contextmanager
def size_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    with _demo_store(workdir, quick) as path:
        def ours() -> Amount:
            return Amount(path.stat().st_size / 1e6)

        def baseline() -> Amount:
            return Amount(_csv_size(path, workdir) / 1e6)

        yield Sides(ours=Side(ours), baseline=Side(baseline))


BENCHMARKS = [
    Benchmark("open_first_page_100k", 2.0, open_setup,
              "open the store and show the first 50 cases, against one raw query"),
    Benchmark("store_size_vs_csv", 3.0, size_setup,
              "the store's size on disk, against the same rows as plain CSV", unit="MB"),
]


#: The longest the GUI thread may stall (the issue's figure), the baseline of the ratio.
STALL_BUDGET_MS = 100.0


def _open_window_once(path: Path) -> float:
    """Open the window on ``path`` as a person's start does; the longest GUI stall, in ms.

    Measured from the moment the window asks for the store until the list is complete
    and the background integrity check has reported.
    """
    from desktop.views.collector import install
    from desktop.views.window import MainWindow

    app = application()
    collector = install(app)  # as the app runs: garbage collected on the GUI thread only
    window = MainWindow(path)
    window.resize(1280, 760)
    window.show()
    app.processEvents()
    try:
        window.heartbeat.reset()
        window.open_database()
        cases = window.cases
        assert cases is not None
        wait_until(lambda: window.health is not None and cases.listing is not None,
                   "the window opening the store and listing its cases")
        return window.heartbeat.longest_ms
    finally:
        window.close()
        window.tasks._executor.shutdown(wait=True)  # untimed: the store closed first
        window.checks._executor.shutdown(wait=True)
        window.deleteLater()
        app.processEvents()
        collector.stop()


@contextmanager
def stall_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    with _demo_store(workdir, quick) as path:
        yield Sides(ours=Side(lambda: Amount(_open_window_once(path))),
                    baseline=Side(lambda: Amount(STALL_BUDGET_MS)))


BENCHMARKS.append(Benchmark(
    "gui_open_stall_100k", 1.0, stall_setup,
    "the longest GUI-thread stall while the window opens the store, against 100 ms",
    unit="ms"))
