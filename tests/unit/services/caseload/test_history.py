"""Re-imports: upsert by case reference, RAG and visit history, full imports close."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.services.caseload import import_caseload
from tests.data.make_caseload_examples import MOSAIC_HEADER, MOSAIC_ROWS
from tests.unit.services.caseload.helpers import TODAY, case, counts, events, fixed_ctx, write_csv

D = dt.date
RAG, RAG_DATE, LAST_VISIT, OVERSIGHT, STATUS, END = 10, 11, 12, 15, 19, 21


def changed(row: list[str], **at: str) -> list[str]:
    copy = list(row)
    for index, value in at.items():
        copy[int(index[1:])] = value
    return copy


def test_reimport_records_rag_change_and_later_dates(store, tmp_path: Path) -> None:
    ctx = fixed_ctx(store)
    import_caseload(ctx, write_csv(tmp_path / "a.csv", MOSAIC_HEADER, MOSAIC_ROWS))
    before = case(store, "100002")
    later = [changed(MOSAIC_ROWS[0]),
             changed(MOSAIC_ROWS[1], **{f"c{RAG}": "Red", f"c{RAG_DATE}": "01/11/2026",
                                        f"c{LAST_VISIT}": "05/11/2026",
                                        f"c{OVERSIGHT}": "01/09/2026"}),
             *MOSAIC_ROWS[2:]]
    report = import_caseload(ctx, write_csv(tmp_path / "b.csv", MOSAIC_HEADER, later))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    assert report.rag_changes == 1
    after = case(store, "100002")
    assert after.id == before.id
    assert (after.rag, after.rag_set_on) == ("red", D(2026, 11, 1))
    assert after.last_f2f_visit == D(2026, 11, 5)
    assert after.last_oversight == before.last_oversight == D(2026, 9, 20)  # never back
    kinds = {(e.kind, e.occurred_on, e.rag_from, e.rag_to, e.origin, e.by)
             for e in events(store, "100002")}
    assert kinds == {("rag_change", D(2026, 11, 1), "amber", "red", "import", None),
                     ("visit_f2f", D(2026, 11, 5), None, None, "import", "social_worker")}


def test_rag_change_without_a_date_is_dated_today(store, tmp_path: Path) -> None:
    ctx = fixed_ctx(store)
    import_caseload(ctx, write_csv(tmp_path / "a.csv", MOSAIC_HEADER, MOSAIC_ROWS[:1]))
    row = changed(MOSAIC_ROWS[0], **{f"c{RAG}": "Green", f"c{RAG_DATE}": ""})
    import_caseload(ctx, write_csv(tmp_path / "b.csv", MOSAIC_HEADER, [row]))
    assert case(store, "100001").rag_set_on == TODAY
    assert [(e.kind, e.occurred_on) for e in events(store, "100001")] == [
        ("rag_change", TODAY)]


def test_full_reimport_closes_missing_and_reopens_returning(store, tmp_path: Path) -> None:
    ctx = fixed_ctx(store)
    import_caseload(ctx, write_csv(tmp_path / "a.csv", MOSAIC_HEADER, MOSAIC_ROWS))
    partial = write_csv(tmp_path / "b.csv", MOSAIC_HEADER, MOSAIC_ROWS[1:])
    not_full = import_caseload(ctx, partial)
    assert not_full.closed == 0 and case(store, "100001").status == "open"
    total = counts(store)["cases"]
    report = import_caseload(ctx, partial, full=True)
    assert (report.closed, report.unchanged) == (1, 5)
    gone = case(store, "100001")
    assert (gone.status, gone.closed_on, gone.deleted) == ("closed", TODAY, False)
    assert counts(store)["cases"] == total  # closed, never deleted
    assert [e.kind for e in events(store, "100001")] == ["closed"]
    back = import_caseload(ctx, write_csv(tmp_path / "c.csv", MOSAIC_HEADER, MOSAIC_ROWS),
                           full=True)
    assert (back.reopened, back.updated, back.closed) == (1, 1, 0)
    returned = case(store, "100001")
    assert (returned.status, returned.closed_on) == ("open", None)
    assert [e.kind for e in events(store, "100001")] == ["closed", "opened"]
    # The Closed row in the file stays closed, and is not "reopened".
    assert case(store, "100006").status == "closed"


def test_status_column_closes_an_open_case(store, tmp_path: Path) -> None:
    ctx = fixed_ctx(store)
    import_caseload(ctx, write_csv(tmp_path / "a.csv", MOSAIC_HEADER, MOSAIC_ROWS[:1]))
    row = changed(MOSAIC_ROWS[0], **{f"c{STATUS}": "Closed", f"c{END}": "01/11/2026"})
    report = import_caseload(ctx, write_csv(tmp_path / "b.csv", MOSAIC_HEADER, [row]))
    assert (report.closed, report.updated) == (1, 1)
    closed = case(store, "100001")
    assert (closed.status, closed.closed_on) == ("closed", D(2026, 11, 1))


def test_dry_run_counts_but_writes_nothing(store, tmp_path: Path) -> None:
    ctx = fixed_ctx(store)
    import_caseload(ctx, write_csv(tmp_path / "a.csv", MOSAIC_HEADER, MOSAIC_ROWS))
    before = counts(store)
    later = [changed(MOSAIC_ROWS[0], **{f"c{RAG}": "Amber"}),
             ["100099", *MOSAIC_ROWS[1][1:]], *MOSAIC_ROWS[2:5]]
    report = import_caseload(ctx, write_csv(tmp_path / "b.csv", MOSAIC_HEADER, later),
                             full=True, dry_run=True)
    assert (report.created, report.updated, report.unchanged, report.closed,
            report.rag_changes) == (1, 1, 3, 1, 1)
    assert report.dry_run and not report.written
    assert counts(store) == before
    assert case(store, "100001").rag == "red"


def test_worker_moves_and_team_reorganisation(store, tmp_path: Path) -> None:
    ctx = fixed_ctx(store)
    import_caseload(ctx, write_csv(tmp_path / "a.csv", MOSAIC_HEADER, MOSAIC_ROWS[:2]))
    moved = [changed(r, c4="South", c6="Testworker Lupin", c7="W1003")
             for r in MOSAIC_ROWS[:2]]
    report = import_caseload(ctx, write_csv(tmp_path / "b.csv", MOSAIC_HEADER, moved))
    assert report.updated == 2 and report.errors == []
    first = case(store, "100001")
    assert first.service_area_id == case(store, "100002").service_area_id
    from desktop.models import ServiceArea, Team
    with store.read() as session:
        team = session.get(Team, first.team_id)
        assert team is not None and session.get(ServiceArea, team.service_area_id).name == "South"
