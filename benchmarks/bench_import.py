"""Importing a 100,000-row caseload CSV, against a raw executemany of the same rows.

Ours is the whole service: read and decode the CSV, check every row, resolve areas,
teams and workers, and write cases plus their change log in one transaction. The
baseline gets the same rows already parsed (csv module and the same date parser, not
timed) and times only a DB-API ``executemany`` of them into ``cases``, in one
transaction as ours, and the commit. Every run of either side imports into its own
fresh copy of one new, empty encrypted store (SQLCipher, the same pragmas), so no run
imports into cases an earlier run left.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from benchmarks.core import Benchmark, Side, Sides
from benchmarks.stores import StoreCopies, create_store
from desktop.models import Case
from desktop.models.base import new_id, utcnow
from desktop.services.caseload.importer import import_caseload
from desktop.services.caseload.profiles import load_profile
from desktop.services.caseload.report import ImportReport
from desktop.services.context import ServiceContext
from desktop.services.dates import parse_date
from desktop.store import Store

AS_OF = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
HEADER = [
    "Person ID", "Forename", "Surname", "DOB", "Service Area", "Team", "Worker", "Worker ID",
    "Team Manager", "Legal Status", "VTT RAG", "RAG Date", "Last Visit", "Visit By",
    "Last Virtual Visit", "Last Management Oversight", "Last VTT Review",
    "Last Risk Assessment", "Last Audit", "Case Status", "Start Date", "End Date",
    "Not In School", "Missing Episodes", "Exploitation Risk", "Edge Of Care",
    "Placement At Risk", "Placement With Parents", "Reg 24", "Unsuitable Accommodation",
    "Stepped Down",
]
AREAS = ["North", "Mid & East", "Exeter", "South", "Disabled Children's Service",
         "Corporate Parenting", "Fostering", "SGO"]
STATUSES = ["CIN"] * 5 + ["CP Plan", "LAC", "Care Leaver", "Unborn", "Disabled Children"]
SYLLABLES = ["Am", "ber", "Bri", "ley", "Cor", "wen", "Dal", "ton", "Esk", "ford", "Fen",
             "wick"]


def _day(rng: random.Random, back: int) -> str:
    return (AS_OF.date() - dt.timedelta(days=rng.randint(1, back))).strftime("%d/%m/%Y")


def _name(rng: random.Random) -> str:
    return "".join(rng.choices(SYLLABLES, k=3)).capitalize()


def write_caseload(path: Path, rows: int, seed: int = 7) -> None:
    """A synthetic Mosaic-shaped export (invented names only)."""
    rng = random.Random(seed)
    teams = [(f"{AREAS[t % len(AREAS)]} Team {t}", AREAS[t % len(AREAS)]) for t in range(40)]
    workers = [(f"Testworker {_name(rng)}", f"W{w:05d}", teams[w % len(teams)])
               for w in range(400)]
    managers = [f"Testmanager {_name(rng)}" for _ in teams]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            worker, ref, (team, area) = workers[rng.randrange(len(workers))]
            flags = ["Y" if rng.random() < 0.06 else "N" for _ in range(9)]
            writer.writerow([
                f"{1_000_000 + i}", "Testchild", _name(rng),
                (AS_OF.date() - dt.timedelta(days=rng.randint(30, 6500))).strftime("%d/%m/%Y"),
                area, team, worker, ref, managers[teams.index((team, area))],
                rng.choice(STATUSES), rng.choices(["Red", "Amber", "Green"], [15, 30, 55])[0],
                _day(rng, 200), _day(rng, 60), "SW", "" if rng.random() < 0.8 else
                _day(rng, 30), _day(rng, 40), _day(rng, 60), _day(rng, 60),
                "" if rng.random() < 0.8 else _day(rng, 300), "Open", _day(rng, 900), "",
                *flags,
            ])


def parsed_rows(path: Path) -> list[tuple[Any, ...]]:
    """The baseline's input: every case column, already parsed, in table order."""
    profile = load_profile("mosaic")
    cohort, rag = profile.values["cohort"], profile.values["rag"]
    now = utcnow().replace(tzinfo=None).isoformat(sep=" ")
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for r in reader:
            def day(i: int, r: list[str] = r) -> str | None:
                value = parse_date(r[i] or None)
                return value.isoformat() if value else None

            flags = ",".join(sorted(c for c, v in zip(
                profile.flags.columns.values() if profile.flags else (), r[22:31],
                strict=True) if v == "Y"))
            values = {
                "id": new_id(), "created_at": now, "updated_at": now, "hlc": "", "device_id": "",
                "deleted": 0, "case_ref": r[0], "child_name": f"{r[1]} {r[2]}",
                "date_of_birth": day(3), "expected_delivery_date": None,
                "service_area_id": None, "team_id": None,
                "worker_id": None, "team_manager_id": None, "cohort": cohort[r[9].casefold()],
                "flags": flags, "rag": rag[r[10].casefold()], "rag_set_on": day(11),
                "status": "open", "opened_on": day(20), "closed_on": None,
                "last_f2f_visit": day(12), "last_f2f_visit_by": "social_worker",
                "last_virtual_visit": day(14), "last_oversight": day(15),
                "last_vtt_review": day(16), "last_risk_assessment": day(17),
                "last_audit": day(18), "source": "import:mosaic",
                "exported_on": AS_OF.date().isoformat(),  # the file's date, as ours stores
            }
            out.append(tuple(values[c.name] for c in Case.__table__.columns))
    return out


def raw_executemany(store: Store, rows: list[tuple[Any, ...]]) -> None:
    """Why the explicit BEGIN: the store's connections leave transactions to their
    caller, so without it every row was its own synchronous commit (a baseline 15
    times slower than ours, which measured the disk, not the insert)."""
    sql = str(insert(Case.__table__).compile(dialect=store.engine.dialect))
    connection = store.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(sql, rows)
        cursor.execute("COMMIT")
    finally:
        connection.close()


@contextmanager
def setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    path = workdir / "caseload.csv"
    write_caseload(path, 20_000 if quick else 100_000)
    rows = parsed_rows(path)
    empty = workdir / "empty.db"
    create_store(empty).close()

    def check(report: ImportReport) -> None:
        assert report.created == len(rows), report

    with StoreCopies(empty, "ours") as ours, StoreCopies(empty, "baseline") as base:
        yield Sides(
            ours=Side(prepare=ours.fresh, check=check,
                      run=lambda: import_caseload(
                          ServiceContext(store=ours.store, clock=lambda: AS_OF), path,
                          "mosaic")),
            baseline=Side(prepare=base.fresh, run=lambda: raw_executemany(base.store, rows)))


BENCHMARKS = [Benchmark(
    name="import_caseload_100k", target=3.0, setup=setup,
    description="import a 100,000-row caseload CSV vs raw executemany of the parsed rows")]
