"""Coordinator mode for 18 auditors over 100,000 cases, against reading the same rows.

Ours is the whole draw: reading the eligible cases, the week's claims and recent
audits, the matching for 18 auditors, and saving 450 items and 450 claims with their
change-log rows. The baseline is a plain select of the same case columns, claims and
audits from the same encrypted database, on warm connections.

A draw saves its samples, and a second draw of the same week only shows them; so every
run, ours and the baseline's alike, gets a fresh copy of the store built once, warmed by
one untimed read.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from benchmarks.bench_standards import build_caseload
from benchmarks.core import Benchmark, Side, Sides
from benchmarks.stores import StoreCopies
from desktop.models import Audit, Case, Claim, User, new_id
from desktop.services.context import ServiceContext
from desktop.services.sampling.population import CANDIDATE_COLUMNS
from desktop.services.sampling.settings import RAGS, SamplingSettings
from desktop.services.sampling.weekly import AreaDraw, draw_area
from desktop.store import Store

WEEK = "2026-W48"


def add_claims(store: Store, count: int, seed: int = 2) -> None:
    """Claims already made this week (say, by a targeted sample), to be excluded."""
    rng = random.Random(seed)
    with store.read() as session:
        case_ids = list(session.scalars(select(Case.id)))
        user_id = session.scalars(select(User.id)).first()
    rows = [{"id": new_id(), "case_id": case_id, "auditor_id": user_id, "iso_week": WEEK,
             "sample_item_id": None, "claimed_at": dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
             "released": False} for case_id in rng.sample(case_ids, min(count, len(case_ids)))]
    with store.transaction() as session:
        store.recorder.bulk_insert(session, Claim, rows)


def read_same_rows(store: Store) -> int:
    with store.read() as session:
        cases = session.execute(select(*CANDIDATE_COLUMNS).where(
            Case.deleted.is_(False), Case.status == "open", Case.rag.in_(RAGS))).all()
        claims = session.execute(select(Claim.case_id).where(
            Claim.iso_week == WEEK, Claim.deleted.is_(False), Claim.released.is_(False))).all()
        audits = session.execute(select(Audit.case_id).where(Audit.deleted.is_(False))).all()
    return len(cases) + len(claims) + len(audits)


def check_drawn(draw: AreaDraw) -> None:
    """Every auditor got a new sample (not one saved by an earlier run)."""
    assert len(draw.samples) == 18, len(draw.samples)
    assert all(s.saved and not s.existing for s in draw.samples), "a sample was not drawn"


def sampling_store(workdir: Path, quick: bool) -> Path:
    """The closed store every draw starts from: the caseload and this week's claims."""
    pristine = workdir / "sampling.db"
    store = build_caseload(pristine, 20_000 if quick else 100_000)
    try:
        add_claims(store, 100 if quick else 1_000)
    finally:
        store.close()
    return pristine


@contextmanager
def setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    pristine = sampling_store(workdir, quick)
    settings = SamplingSettings()
    with (StoreCopies(pristine, "ours", warm=read_same_rows) as ours,
          StoreCopies(pristine, "baseline", warm=read_same_rows) as base):
        yield Sides(
            ours=Side(prepare=ours.fresh, check=check_drawn,
                      run=lambda: draw_area(ServiceContext(store=ours.store), "Area 0", WEEK,
                                            seed=1, settings=settings)),
            baseline=Side(prepare=base.fresh, run=lambda: read_same_rows(base.store)))


BENCHMARKS = [Benchmark(
    name="coordinator_18_auditors_100k", target=3.0, setup=setup,
    description="coordinator mode, 18 auditors over 100,000 cases, vs reading the same rows")]
