"""What today's store would get wrong across devices, each fixed (issue 12, first list)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import Case, Change, ServiceArea, StandardsVersion, Team, Worker
from desktop.models.identity import answer_id, case_id, sample_item_id, weekly_sample_id
from desktop.services.caseload import import_caseload
from desktop.services.standards.settings import (
    StandardsSettings,
    current_standards_version,
    standards_version_id,
)
from desktop.store import open_store
from desktop.store.hlc import LARGEST, HybridClock, Timestamp, decode_number, encode_number
from tests.data.make_caseload_examples import MOSAIC_HEADER, MOSAIC_ROWS
from tests.unit.services.caseload.helpers import fixed_ctx, write_csv


def _ids(store) -> dict[str, set[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    with store.read() as session:
        return {
            "cases": set(session.execute(select(Case.case_ref, Case.id)).all()),
            "areas": set(session.execute(select(ServiceArea.name, ServiceArea.id)).all()),
            "teams": set(session.execute(select(Team.name, Team.id)).all()),
            "workers": set(session.execute(select(Worker.staff_ref, Worker.id)).all()),
        }


def test_two_stores_importing_one_export_hold_the_same_ids(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "week.csv", MOSAIC_HEADER, MOSAIC_ROWS)
    found = []
    for name in ("laptop-a", "laptop-b"):
        store = open_store(tmp_path / name / "d.db", prompt=None, create=True)
        try:
            import_caseload(fixed_ctx(store), export)
            found.append(_ids(store))
        finally:
            store.close()
    assert found[0] == found[1]
    assert found[0]["cases"] and found[0]["teams"] and found[0]["workers"]
    assert ("100002", case_id("100002")) in found[0]["cases"]


def test_an_older_export_after_a_newer_one_moves_nothing_backwards(store, tmp_path: Path
                                                                   ) -> None:
    ctx = fixed_ctx(store)
    newer = [list(r) for r in MOSAIC_ROWS]
    newer[1][10] = "Red"
    import_caseload(ctx, write_csv(tmp_path / "new.csv", MOSAIC_HEADER, newer),
                    exported_on=dt.date(2026, 11, 20))
    with pytest.raises(InputProblem, match="older than the caseload"):
        import_caseload(ctx, write_csv(tmp_path / "old.csv", MOSAIC_HEADER, MOSAIC_ROWS),
                        exported_on=dt.date(2026, 11, 13))
    with store.read() as session:
        moved = session.scalar(select(Case).where(Case.case_ref == "100002"))
        assert moved.rag == "red" and moved.exported_on == dt.date(2026, 11, 20)
    # The same date again, or a later one, still imports.
    report = import_caseload(ctx, write_csv(tmp_path / "same.csv", MOSAIC_HEADER, newer),
                             exported_on=dt.date(2026, 11, 20))
    assert report.written


def test_an_export_without_a_date_is_dated_by_the_file(store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", MOSAIC_HEADER, MOSAIC_ROWS)
    import_caseload(fixed_ctx(store), path)
    with store.read() as session:
        dates = set(session.scalars(select(Case.exported_on)))
    assert len(dates) == 1 and None not in dates


def test_standards_versions_have_content_ids_and_numbers_are_labels(store) -> None:
    ctx = fixed_ctx(store)
    version = current_standards_version(ctx)
    assert version.id == standards_version_id(StandardsSettings().checksum())
    # Another laptop's different settings labelled with the same number: both are kept.
    with store.transaction() as session:
        session.add(StandardsVersion(id=standards_version_id("elsewhere"),
                                     number=version.number, settings_json="{}",
                                     checksum="elsewhere", effective_from=ctx.now()))
    with store.read() as session:
        numbers = list(session.scalars(select(StandardsVersion.number)))
    assert numbers == [version.number, version.number]


def test_ids_made_in_the_app_from_their_place_are_stable() -> None:
    assert answer_id("a", "q") == answer_id("a", "q") != answer_id("a", "r")
    assert weekly_sample_id("u", "2026-W48", "weekly") != weekly_sample_id("u", "2026-W49",
                                                                            "weekly")
    assert sample_item_id("s", "c1") != sample_item_id("s", "c2")


def test_a_remote_change_keeps_its_version_and_device_and_is_not_logged(store) -> None:
    with store.transaction() as session:
        session.add(ServiceArea(name="North"))
    with store.read() as session:
        before = session.query(Change).count()
    remote_version = str(Timestamp(9_999_999_999_999, 3, "ffffffff"))
    with store.transaction() as session:
        area = session.scalar(select(ServiceArea))
        with store.recorder.applying_remote(session):
            area.name = "North (renamed elsewhere)"
            area.hlc = remote_version
            area.device_id = "ffffffff-remote"
            session.flush()
    with store.read() as session:
        area = session.scalar(select(ServiceArea))
        assert (area.hlc, area.device_id) == (remote_version, "ffffffff-remote")
        assert session.query(Change).count() == before  # nothing to echo back
    # The clock moved past the remote version, so the next local edit sorts after it.
    assert store.clock.tick() > remote_version
    with store.transaction() as session:
        session.scalar(select(ServiceArea)).name = "North"
    with store.read() as session:
        last = session.scalars(select(Change).order_by(Change.seq.desc())).first()
        assert last.device_id == store.device_id and last.version > remote_version
        assert json.loads(last.fields_json) == {"name": "North"}


NUMBERS = st.integers(min_value=0, max_value=LARGEST)


@given(NUMBERS, NUMBERS)
def test_number_text_sorts_as_the_numbers(a: int, b: int) -> None:
    assert (encode_number(a) < encode_number(b)) == (a < b)
    assert decode_number(encode_number(a)) == a


@given(st.tuples(NUMBERS, NUMBERS), st.tuples(NUMBERS, NUMBERS),
       st.sampled_from(["aaaaaaaa", "bbbbbbbb", "0f0f0f0f"]),
       st.sampled_from(["aaaaaaaa", "bbbbbbbb", "0f0f0f0f"]))
def test_timestamp_text_sorts_as_the_clock(x: tuple[int, int], y: tuple[int, int], n: str,
                                           m: str) -> None:
    a, b = Timestamp(x[0], x[1], n), Timestamp(y[0], y[1], m)
    assert (str(a) < str(b)) == (a < b)
    assert Timestamp.parse(str(a)) == a


def test_counter_past_99999_still_sorts() -> None:
    """The old five-digit form put counter 100,000 before 99,999."""
    clock = HybridClock("aaaaaaaa", now_ms=lambda: 1_000)
    versions = [clock.tick() for _ in range(100_002)]
    assert versions == sorted(versions)
    assert Timestamp.parse(versions[-1]).counter == 100_001


def test_old_text_form_still_parses_and_sorts_before_the_new() -> None:
    old = "1700000000000.00005.aaaaaaaa"
    assert Timestamp.parse(old) == Timestamp(1_700_000_000_000, 5, "aaaaaaaa")
    assert old < str(Timestamp(1_700_000_000_000, 0, "aaaaaaaa"))


def test_encoding_refuses_what_it_cannot_order() -> None:
    with pytest.raises(ValueError):
        encode_number(-1)
    with pytest.raises(ValueError):
        encode_number(LARGEST + 1)
