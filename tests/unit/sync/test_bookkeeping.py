"""Bookkeeping fields merge without a conflict, and one auditor's claims of a case in a
week are one claim on every device (issue 21, items 5 and 9)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from sqlalchemy import func, select

from desktop.models import Claim, Sample, StandardsVersion, SyncConflict
from desktop.services.context import ServiceContext
from desktop.services.sampling.my_week import draw_my_week
from desktop.services.sampling.records import add_claims, claim_row
from desktop.services.sampling.replacement import replace_item
from desktop.services.standards.settings import current_standards_version
from desktop.store import Store
from desktop.sync.engine import claim_collisions
from desktop.sync.merge import BOOKKEEPING
from desktop.sync.status import sync_status
from tests.unit.services.sampling.caseload import Caseload
from tests.unit.sync.helpers import device, folder_sync, records, until_quiet

WEEK = "2026-W48"


def _count(store: Store, model: type, *where: object) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(
            *where)) or 0  # type: ignore[arg-type]


def _two_laptops_with_a_caseload(tmp_path: Path, share: Path) -> tuple[Store, Store, str]:
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    load = Caseload(a)
    for rag in ("red", "amber", "green"):
        load.cases_of(12, rag, "North", child_name="Synthetic Child-Example")
    auditor = load.auditor("am-north", "North")
    until_quiet([a, b], share)
    return a, b, auditor


def test_the_same_week_and_settings_on_two_laptops_merge_without_a_conflict(
        tmp_path: Path, share: Path) -> None:
    a, b, auditor = _two_laptops_with_a_caseload(tmp_path, share)
    try:
        for store, hour in ((a, 9), (b, 15)):  # apart in time, offline from each other
            when = dt.datetime(2026, 11, 23, hour, tzinfo=dt.UTC)
            ctx = ServiceContext(store=store, user_id=auditor, clock=lambda when=when: when)
            current_standards_version(ServiceContext(store=store, clock=ctx.clock))
            drawn = draw_my_week(ctx, WEEK)
            assert len(drawn.cases) > 5
        until_quiet([a, b], share)
        assert records(a) == records(b)
        for store in (a, b):
            assert _count(store, SyncConflict) == 0
            assert _count(store, Sample) == 1 and _count(store, StandardsVersion) == 1
    finally:
        a.close()
        b.close()


def test_concurrent_bookkeeping_edits_converge_in_any_order_with_no_conflict(
        tmp_path: Path, share: Path) -> None:
    """Three laptops each restamp one sample's draw offline; every order of syncing
    ends with the same values everywhere and no conflict, while a field a person
    cares about, edited the same way, is still kept as a conflict."""
    assert ("samples", "drawn_at") in BOOKKEEPING
    assert ("samples", "drawn_by_id") not in BOOKKEEPING
    for order in itertools.permutations(range(3)):
        root = tmp_path / "".join(map(str, order))
        folder = root / "share"
        folder.mkdir(parents=True)
        stores = [device(root, f"d{n}") for n in range(3)]
        try:
            load = Caseload(stores[0])
            auditor = load.auditor("am-north", "North")
            other = load.auditor("am-south", "North")
            with stores[0].transaction() as session:
                session.add(Sample(id="s-1", auditor_id=auditor, iso_week=WEEK,
                                   drawn_at=dt.datetime(2026, 11, 23, tzinfo=dt.UTC)))
            until_quiet(stores, folder)
            for n, store in enumerate(stores):
                with store.transaction() as session:
                    sample = session.get(Sample, "s-1")
                    assert sample is not None
                    sample.drawn_at = dt.datetime(2026, 11, 24, n, tzinfo=dt.UTC)
                    sample.seed = n + 1
                    if n:
                        sample.drawn_by_id = [auditor, other][n - 1]
            for n in order:
                folder_sync(stores[n], folder)
            until_quiet(stores, folder)
            first = records(stores[0])
            assert all(records(s) == first for s in stores[1:])
            with stores[0].read() as session:
                fields = sorted(session.scalars(select(SyncConflict.field)))
            assert fields and set(fields) == {"drawn_by_id"}
        finally:
            for store in stores:
                store.close()


def test_one_auditor_drawing_a_week_on_two_laptops_holds_one_claim_per_case(
        tmp_path: Path, share: Path) -> None:
    """Item 9: the same week drawn on two laptops merged into one sample but left a
    duplicate claim per case; now a claim is its auditor's, case's and week's, one
    record everywhere, and claim collisions count different auditors only."""
    a, b, auditor = _two_laptops_with_a_caseload(tmp_path, share)
    try:
        for store in (a, b):
            drawn = draw_my_week(ServiceContext(store=store, user_id=auditor), WEEK)
        until_quiet([a, b], share)
        assert records(a) == records(b)
        for store in (a, b):
            with store.read() as session:
                claims = session.execute(select(Claim.case_id, func.count()).where(
                    Claim.deleted.is_(False)).group_by(Claim.case_id)).all()
                assert claim_collisions(session) == []
            assert len(claims) == len(drawn.cases)
            assert all(n == 1 for _, n in claims)
            assert sync_status(store).claim_collisions == 0
        # Dropping a case releases the one claim; the replacement is claimed once.
        me = ServiceContext(store=a, user_id=auditor)
        replace_item(me, drawn.cases[0].item_id, "closed_since_draw")
        until_quiet([a, b], share)
        assert records(a) == records(b)
        with b.read() as session:
            live = session.scalar(select(func.count()).select_from(Claim).where(
                Claim.released.is_(False), Claim.deleted.is_(False)))
        assert live == len(drawn.cases)
    finally:
        a.close()
        b.close()


def test_claiming_a_released_case_again_that_week_takes_the_claim_up_again(
        tmp_path: Path, share: Path) -> None:
    a, b, auditor = _two_laptops_with_a_caseload(tmp_path, share)
    try:
        me = ServiceContext(store=a, user_id=auditor)
        first = draw_my_week(me, WEEK).cases[0]
        replace_item(me, first.item_id, "closed_since_draw")
        with a.transaction() as session:
            add_claims(session, [claim_row(first.case_id, auditor, WEEK, first.item_id,
                                           dt.datetime(2026, 11, 25, tzinfo=dt.UTC))])
        with a.read() as session:
            [claim] = session.scalars(select(Claim).where(Claim.case_id == first.case_id))
        assert not claim.released and claim.sample_item_id == first.item_id
    finally:
        a.close()
        b.close()
