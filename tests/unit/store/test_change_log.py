"""Every change to a synced record appends to the change log in the same transaction."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from desktop.errors import RuleViolation
from desktop.models import Case, CaseEvent, Change, ServiceArea, Team, User
from desktop.models.enums import CaseStatus
from desktop.store.changes import RECORD_ITSELF, insert_facts
from desktop.store.hlc import HybridClock, Timestamp


def _changes(store) -> list[Change]:
    with store.read() as session:
        return list(session.scalars(select(Change).order_by(Change.seq)))


def test_insert_is_stamped_and_logged_as_the_record_itself(store) -> None:
    """An insert's log row refers to the record (never deleted) instead of copying it."""
    with store.transaction() as session:
        case = Case(case_ref="SYN-1", rag="red", rag_set_on=dt.date(2026, 11, 2))
        session.add(case)
    assert case.id and case.hlc and case.device_id == store.device_id
    assert case.created_at.tzinfo is not None
    [change] = _changes(store)
    assert (change.table_name, change.record_id, change.op) == ("cases", case.id, "insert")
    assert change.base_version == "" and change.version == case.hlc
    assert change.fields_json == RECORD_ITSELF == ""
    assert case.status == "open"  # a column default is set on the record, not left implicit


def test_update_logs_only_changed_fields_and_the_base_version(store) -> None:
    with store.transaction() as session:
        case = Case(case_ref="SYN-2", rag="green")
        session.add(case)
    first = case.hlc
    with store.transaction() as session:
        loaded = session.get(Case, case.id)
        loaded.rag = "amber"
        loaded.child_name = loaded.child_name  # unchanged value: not a change
    changes = _changes(store)
    assert [c.op for c in changes] == ["insert", "update"]
    assert json.loads(changes[1].fields_json) == {"rag": "amber"}
    assert changes[1].base_version == first
    assert changes[1].version > first
    assert loaded.hlc == changes[1].version


def test_no_change_no_log(store) -> None:
    with store.transaction() as session:
        session.add(Case(case_ref="SYN-3"))
    with store.transaction() as session:
        case = session.scalars(select(Case)).one()
        case.rag = case.rag
    assert len(_changes(store)) == 1


def test_tombstone_not_hard_delete(store) -> None:
    with store.transaction() as session:
        area = ServiceArea(name="North")
        session.add(area)
    with store.transaction() as session:
        session.get(ServiceArea, area.id).deleted = True
    assert _changes(store)[-1].op == "delete"
    with pytest.raises(RuleViolation, match="never deleted"), store.transaction() as session:
        session.delete(session.get(ServiceArea, area.id))
    with store.read() as session:
        assert session.get(ServiceArea, area.id) is not None


def test_a_failed_transaction_leaves_neither_record_nor_log(store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as session:
        session.add(ServiceArea(name="South"))
        session.flush()
        raise RuntimeError("boom")
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(ServiceArea)) == 0
        assert session.scalar(select(func.count()).select_from(Change)) == 0


def test_bulk_paths_log_like_the_orm(store) -> None:
    with store.transaction() as session:
        area = ServiceArea(name="Exeter")
        session.add(area)
    rows = [{"name": f"Team {i}", "service_area_id": area.id} for i in range(3)]
    with store.transaction() as session:
        store.recorder.bulk_insert(session, Team, rows)
    with store.transaction() as session:
        teams = list(session.scalars(select(Team).order_by(Team.name)))
        store.recorder.bulk_update(session, Team, [(teams[0].id, teams[0].hlc,
                                                    {"name": "Team renamed"})])
    changes = _changes(store)
    assert [c.op for c in changes] == ["insert"] * 4 + ["update"]
    assert json.loads(changes[-1].fields_json) == {"name": "Team renamed"}
    assert changes[-1].base_version == teams[0].hlc
    with store.read() as session:
        renamed = session.get(Team, teams[0].id)
        assert renamed.name == "Team renamed" and renamed.hlc == changes[-1].version
    versions = [c.version for c in changes]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


def test_bulk_insert_stores_what_the_core_path_stores(store) -> None:
    """Values the bulk path converts itself (dates, times, booleans, text enum members,
    NULL through ``nullif``) are stored with the same type and text as SQLAlchemy's own
    insert."""
    stamp = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    values = {"child_name": "", "date_of_birth": dt.date(2019, 4, 5), "flags": "",
              "rag": None, "rag_set_on": None, "status": CaseStatus.OPEN,
              "opened_on": dt.date(2025, 1, 2), "closed_on": None,
              "last_f2f_visit": dt.date(2026, 10, 30), "source": "12", "cohort": "cin",
              "deleted": True}
    rows = [{**values, "case_ref": f"BULK-{i}", "id": f"bulk-{i}"} for i in range(3)]
    with store.transaction() as session:
        store.recorder.bulk_insert(session, Case, rows)
        session.execute(Case.__table__.insert(), [{
            **values, "case_ref": "CORE-0", "id": "core-0", "created_at": rows[1]["created_at"],
            "updated_at": rows[1]["updated_at"], "hlc": rows[1]["hlc"],
            "device_id": store.device_id}])
        session.execute(Change.__table__.insert(), [{
            "table_name": "x", "record_id": "core", "op": "insert", "base_version": "",
            "version": "v", "device_id": "d", "fields_json": "", "at": stamp}])
    columns = [c.name for c in Case.__table__.columns if c.name not in ("id", "case_ref")]
    typed = ", ".join(f"typeof({c}), {c}" for c in columns)
    with store.read() as session:
        conn = session.connection()
        stored = {r[0]: tuple(r[1:]) for r in conn.exec_driver_sql(
            f"SELECT id, {typed} FROM cases WHERE id IN ('bulk-1', 'core-0')")}
        logged = conn.exec_driver_sql(
            "SELECT typeof(at), typeof(pushed_at), pushed_at FROM change_log "
            "ORDER BY seq").fetchall()
    assert stored["bulk-1"] == stored["core-0"]
    assert stored["bulk-1"][columns.index("closed_on") * 2:][:2] == ("null", None)
    assert {tuple(r) for r in logged} == {("text", "null", None)}


def test_a_whole_second_is_stored_as_the_core_path_stores_it(store) -> None:
    """A time with no fraction of a second (what a synced record often holds) keeps the
    same text on the bulk path as on SQLAlchemy's own insert: SQL compares the text, so
    '12:00:00' and '12:00:00.000000' would be two different times."""
    from desktop.store.changes import insert_table_rows

    whole = dt.datetime(2026, 11, 23, 12, 0, 0, tzinfo=dt.UTC)
    row = {"created_at": whole, "updated_at": whole, "hlc": "", "device_id": "",
           "deleted": False}
    with store.transaction() as session:
        insert_table_rows(session, ServiceArea.__table__, [{**row, "id": "bulk",
                                                             "name": "Bulk"}])
        session.execute(ServiceArea.__table__.insert().values(**row, id="core", name="Core"))
    with store.reading() as conn:
        stored = dict(conn.exec_driver_sql("SELECT id, created_at FROM service_areas"
                                           " WHERE id IN ('bulk', 'core')").fetchall())
    assert stored["bulk"] == stored["core"] == "2026-11-23 12:00:00.000000"


def test_facts_are_numbered_in_clustered_key_order_keeping_ties_in_order(store) -> None:
    """``insert_facts`` writes (and numbers) rows in the table's key order; equal keys
    (two RAG changes of a case on one day) keep the order they were given in."""
    with store.transaction() as session:
        first, second = Case(case_ref="SYN-F1"), Case(case_ref="SYN-F2")
        session.add_all([first, second])
    low, high = sorted([first.id, second.id])
    day, later = dt.date(2026, 11, 2), dt.date(2026, 11, 9)

    def event(case_id: str, kind: str, on: dt.date, rag_to: str | None = None) -> dict:
        return {"case_id": case_id, "kind": kind, "occurred_on": on, "by": None,
                "worker_id": None, "rag_from": None, "rag_to": rag_to, "origin": "import",
                "note": ""}

    rows = [event(high, "visit_f2f", day), event(low, "visit_f2f", later),
            event(low, "rag_change", day, "amber"), event(low, "rag_change", day, "red"),
            event(low, "visit_f2f", day)]
    with store.transaction() as session:
        insert_facts(session, CaseEvent, rows)
    with store.read() as session:
        stored = session.execute(select(CaseEvent.case_id, CaseEvent.kind,
                                        CaseEvent.occurred_on, CaseEvent.rag_to)
                                 .order_by(CaseEvent.seq)).all()
    assert [tuple(r) for r in stored] == [
        (low, "rag_change", day, "amber"), (low, "rag_change", day, "red"),
        (low, "visit_f2f", day, None), (low, "visit_f2f", later, None),
        (high, "visit_f2f", day, None)]


def test_clock_survives_restart_and_wall_clock_going_back(db_path) -> None:
    from desktop.store import open_store

    store = open_store(db_path, prompt=None, create=True)
    with store.transaction() as session:
        session.add(ServiceArea(name="Mid & East"))
    last = _changes(store)[-1].version
    store.close()
    reopened = open_store(db_path, prompt=None, create=True)
    reopened.clock._now_ms = lambda: 0  # the laptop's clock was reset to 1970
    with reopened.transaction() as session:
        session.add(ServiceArea(name="SGO"))
    assert _changes(reopened)[-1].version > last
    reopened.close()


def test_hlc_merges_remote_time() -> None:
    clock = HybridClock("aaaaaaaa-0000", now_ms=lambda: 1000)
    local = clock.tick()
    clock.observe(str(Timestamp(5000, 3, "bbbbbbbb")))
    after = Timestamp.parse(clock.tick())
    assert after > Timestamp.parse(local)
    assert (after.wall_ms, after.counter) == (5000, 4)


def test_bulk_insert_fills_a_left_out_column_with_its_default(store) -> None:
    """Rows made before a migration added a column (users' password hash and count of
    failed sign-ins) are inserted with the column's default, as the ORM would."""
    rows = [{"username": f"user{i}", "name": f"User {i}", "roles": "auditor"}
            for i in range(3)]
    with store.transaction() as session:
        store.recorder.bulk_insert(session, User, rows)
    with store.read() as session:
        stored = session.execute(select(User.password_hash, User.failed_signins)).all()
    assert stored == [("", 0)] * 3
