"""The standards of 100,000 open cases, against reading the same rows.

The baseline is a plain select of the same case columns and the same event rows from
the same encrypted database; ours is the whole service (three set queries plus the
engine for every case). Both run on warm connections after one untimed read. Neither
side writes, so both repeat on the one store built for them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks.core import Benchmark, Side, Sides
from benchmarks.stores import create_store
from desktop.models import Case, CaseEvent, ServiceArea, Team, User, UserServiceArea, Worker
from desktop.models.base import new_id
from desktop.services.context import ServiceContext
from desktop.services.standards.caseload import CaseloadStandards, caseload_standards
from desktop.services.standards.facts import CASE_COLUMNS, open_on
from desktop.services.standards.settings import StandardsSettings
from desktop.store import Store
from desktop.store.changes import insert_facts

AS_OF = dt.date(2026, 11, 23)
AREAS = 6
FLAGS = ["", "", "", "", "not_in_school", "missing", "exploitation,missing"]
COHORTS = ["cin"] * 5 + ["cp", "cic", "care_leaver", "unborn", "disabled"]


def _recent(rng: random.Random, days: int) -> dt.date | None:
    return None if rng.random() < 0.03 else AS_OF - dt.timedelta(days=rng.randint(0, days))


def case_row(rng: random.Random, i: int, area: str, team: str, worker: str) -> dict[str, Any]:
    rag = rng.choices(["red", "amber", "green"], weights=[15, 30, 55])[0]
    return {
        "id": new_id(), "case_ref": f"SYN-{i:07d}", "child_name": "", "date_of_birth": None,
        "service_area_id": area, "team_id": team, "worker_id": worker, "team_manager_id": None,
        "cohort": rng.choice(COHORTS), "flags": rng.choice(FLAGS), "rag": rag,
        "rag_set_on": _recent(rng, 200), "status": "open" if rng.random() < 0.97 else "closed",
        "opened_on": AS_OF - dt.timedelta(days=rng.randint(30, 900)), "closed_on": None,
        "last_f2f_visit": _recent(rng, 60), "last_f2f_visit_by": rng.choice(
            ["social_worker", "social_worker", "partner_agency"]),
        "last_virtual_visit": None, "last_oversight": _recent(rng, 40),
        "last_vtt_review": _recent(rng, 60), "last_risk_assessment": _recent(rng, 60),
        "last_audit": _recent(rng, 200) if rng.random() < 0.2 else None, "source": "bench",
    }


def event_row(rng: random.Random, case_id: str, kind: str) -> dict[str, Any]:
    rag_from, rag_to = (rng.sample(["red", "amber", "green"], 2) if kind == "rag_change"
                        else (None, None))
    return {"case_id": case_id, "kind": kind,
            "occurred_on": AS_OF - dt.timedelta(days=rng.randint(0, 120)),
            "by": "social_worker" if kind == "visit_f2f" else None, "worker_id": None,
            "rag_from": rag_from, "rag_to": rag_to, "origin": "import", "note": ""}


def build_caseload(path: Path, cases: int, auditors: int = 18, seed: int = 1) -> Store:
    """A synthetic encrypted store: areas, teams, workers, cases, events, auditors."""
    store = create_store(path)
    rng = random.Random(seed)
    recorder = store.recorder
    with store.transaction() as session:
        areas = [{"id": new_id(), "name": f"Area {a}"} for a in range(AREAS)]
        teams = [{"id": new_id(), "name": f"Team {a}-{t}", "service_area_id": area["id"]}
                 for a, area in enumerate(areas) for t in range(4)]
        workers: list[dict[str, Any]] = [
            {"id": new_id(), "staff_ref": f"W{w:05d}", "name": "Synthetic Worker",
             "role": "social_worker", "team_id": teams[w % len(teams)]["id"],
             "email": None} for w in range(len(teams) * 10)]
        recorder.bulk_insert(session, ServiceArea, areas)
        recorder.bulk_insert(session, Team, teams)
        recorder.bulk_insert(session, Worker, workers)
        users = [{"id": new_id(), "username": f"auditor{u:02d}", "name": "Synthetic Auditor",
                  "job_title": "Area Manager", "roles": "auditor", "worker_id": None,
                  "active": True} for u in range(auditors)]
        recorder.bulk_insert(session, User, users)
        links = []
        for u, user in enumerate(users):
            # Everyone covers Area 0 (the coordinator's area) and one or two others.
            covered = {0, 1 + u % (AREAS - 1), 1 + (u * 7) % (AREAS - 1)}
            links += [{"user_id": user["id"], "service_area_id": areas[a]["id"]}
                      for a in sorted(covered)]
        recorder.bulk_insert(session, UserServiceArea, links)
    chunk = 20_000
    for start in range(0, cases, chunk):
        with store.transaction() as session:
            rows = []
            for i in range(start, min(cases, start + chunk)):
                worker = workers[i % len(workers)]
                team = next(t for t in teams if t["id"] == worker["team_id"])
                rows.append(case_row(rng, i, team["service_area_id"], team["id"],
                                     worker["id"]))
            recorder.bulk_insert(session, Case, rows)
            events = [event_row(rng, r["id"], kind) for r in rows
                      for kind, share in (("rag_change", 0.15), ("visit_f2f", 0.3),
                                          ("oversight", 0.1))
                      if rng.random() < share]
            insert_facts(session, CaseEvent, events)
    return store


def read_same_rows(store: Store) -> int:
    """The baseline: the same case columns and event rows, a plain select each."""
    with store.read() as session:
        cases = session.execute(select(*CASE_COLUMNS).where(open_on(AS_OF))).all()
        events = session.execute(select(
            CaseEvent.case_id, CaseEvent.kind, CaseEvent.by, CaseEvent.occurred_on,
            CaseEvent.rag_from, CaseEvent.rag_to)).all()
    return len(cases) + len(events)


@contextmanager
def setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    store = build_caseload(workdir / "standards.db", 20_000 if quick else 100_000)
    try:
        ctx = ServiceContext(store=store)
        settings = StandardsSettings()
        read_same_rows(store)  # warm connections and the page cache, untimed

        def check(result: CaseloadStandards) -> None:
            assert result.cases, "no case was evaluated"

        yield Sides(
            ours=Side(run=lambda: caseload_standards(ctx, AS_OF, settings=settings),
                      check=check),
            baseline=Side(run=lambda: read_same_rows(store)))
    finally:
        store.close()


BENCHMARKS = [Benchmark(
    name="standards_100k_cases", target=3.0, setup=setup,
    description="every standard of 100,000 open cases vs reading the same rows")]
