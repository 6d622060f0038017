"""Make one populated store with an earlier revision's own code, for the upgrade tests.

Run from an extracted copy of that revision (``git archive COMMIT | tar -x -C TREE``),
with this repository's interpreter and the copy first on the path::

    PYTHONPATH=TREE .venv/bin/python tests/data/upgrades/make_store.py REV COMMIT OUT

It builds the store through that version's services (the demo county where the version
has one, else its caseload import, sampling and audit workflow), draws a weekly sample,
comments on an audit, and where the version has sync, syncs through a folder with a
second store that edits the same field (a conflict, applied bundles, field histories,
the sync log). Where the version has them, it also imports an export whose mapping has
no "visit by" column (the import records the fields it carried) and makes two themed
exercises, one for a cohort (0013 moved both out of text). A store whose schema is older
than the code's newest revision is taken down to ``REV`` with that code's own Alembic
scripts. Beside ``dipsample.db`` and its ``.kdf`` it writes ``manifest.json``: the
passphrase, the row count of every table and every column of a few rows of the tables
people's work lives in, read back raw, which ``tests/unit/store/test_upgrades.py``
compares after today's code has upgraded a copy.

Why the demo keeps two teams per area with one caseholder each (patched sizes): every
table and index takes at least one 4 KB page, so even an empty store is about 450 KB;
with the demo's 40 teams and 400 workers a store was 1.4 MB. Every name is synthetic.
Why a generator and not only the files: a later revision's store can be made the same
way, and the code shows exactly what each store holds. (``.gitignore`` leaves out
``*.db``: add a new store with ``git add -f``.)
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import keyring
from keyring.backend import KeyringBackend

AS_OF = dt.date(2026, 11, 20)
#: The week sampled: four weeks after the demo's last audits, so its cases are eligible.
WEEK, MONDAY = "2026-W51", dt.date(2026, 12, 14)
CASES = 20
#: Tables whose rows' columns the manifest keeps (first two and last by id).
VALUED = ("cases", "users", "workers", "teams", "service_areas", "audits", "audit_answers",
          "actions", "samples", "sample_items", "claims", "rag_disagreements",
          "audit_comments", "escalations", "sync_conflicts", "sync_applied",
          "audit_templates", "template_questions")


class MemoryKeyring(KeyringBackend):
    """Keeps the organisation's sync key for this run only (the store's key is a
    passphrase's, so the store opens anywhere with its ``.kdf``)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _open(path: Path, passphrase: str) -> Any:
    from desktop.store import open_store

    try:
        return open_store(path, passphrase=passphrase, prompt=None, create=True)
    except TypeError:  # the oldest versions made a missing store without being asked
        return open_store(path, passphrase=passphrase, prompt=None)


def _user_ids(store: Any, role: str) -> list[str]:
    """The users holding ``role``, those covering the most service areas first."""
    from sqlalchemy import func, select

    from desktop.models import User, UserServiceArea

    with store.read() as session:
        return list(session.scalars(
            select(User.id).join(UserServiceArea, UserServiceArea.user_id == User.id)
            .where(User.roles.contains(role)).group_by(User.id)
            .order_by(func.count().desc(), User.username)))


def _ctx(store: Any, user_id: str | None, day: dt.date = AS_OF) -> Any:
    from desktop.services.context import ServiceContext

    noon = dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)
    return ServiceContext(store=store, user_id=user_id, clock=lambda: noon)


# --- the oldest versions: caseload import, sampling and the audit workflow -------------

MOSAIC = ["Person ID", "Forename", "Surname", "DOB", "Service Area", "Team", "Worker",
          "Worker ID", "Team Manager", "Legal Status", "VTT RAG", "RAG Date", "Last Visit",
          "Visit By", "Last Virtual Visit", "Last Management Oversight", "Last VTT Review",
          "Last Risk Assessment", "Last Audit", "Case Status", "Start Date", "End Date",
          "Not In School", "Missing Episodes", "Exploitation Risk", "Edge Of Care",
          "Placement At Risk", "Placement With Parents", "Reg 24",
          "Unsuitable Accommodation", "Stepped Down"]
SURNAMES = ("Amberley", "Birchwood", "Cedarholt", "Dunmere", "Elmsworth", "Fernleigh")
ANSWERS = {"ra_in_place": "met", "ra_quality": "partly_met",
           "ra_response_proportionate": "met", "vtt_completed": "not_met", "rag_agrees": "yes"}


def _caseload_file(folder: Path) -> Path:
    """A synthetic Mosaic export: two teams in North, three workers, ``CASES`` children."""
    path = folder / "caseload.csv"
    rags, statuses = ("Red", "Amber", "Green"), ("CP Plan", "CIN", "CLA")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(MOSAIC)
        for n in range(CASES):
            team = f"North Assessment {1 + n % 2}"
            worker = ("Testworker Quill", "Testworker Reed", "Testworker Sedge")[n % 3]
            out.writerow([300001 + n, "Testchild", SURNAMES[n % 6] + f"{n:02d}",
                          f"{1 + n % 27:02d}/0{1 + n % 9}/20{10 + n % 8}", "North", team,
                          worker, f"W{2001 + n % 3}", "Testmanager Frond", statuses[n % 3],
                          rags[n % 3], "02/10/2026", f"{1 + n % 28:02d}/10/2026", "SW", "",
                          "01/10/2026", "02/10/2026", "15/09/2026", "", "Open",
                          "01/06/2024", "", "N", "Y" if n % 5 == 0 else "N", "N", "N", "N",
                          "N", "N", "N", "N"])
    return path


def _services_world(store: Any, folder: Path) -> None:
    from sqlalchemy import select

    from desktop.models import ServiceArea, User, UserServiceArea, Worker, new_id
    from desktop.services.caseload.importer import import_caseload
    from desktop.services.sampling.weekly import draw_weekly

    report = import_caseload(_ctx(store, None), _caseload_file(folder), "mosaic")
    assert not report.errors, report.errors
    with store.transaction() as session:
        north = session.scalar(select(ServiceArea.id).where(ServiceArea.name == "North"))
        manager = session.scalar(select(Worker.id).where(Worker.name == "Testmanager Frond"))
        people = [("auditor1", "Testauditor One", "auditor", None),
                  ("auditor2", "Testauditor Two", "auditor", None),
                  ("qa1", "Testqa One", "qa,moderator", None),
                  ("tm1", "Testmanager Frond", "team_manager", manager)]
        for username, name, roles, worker in people:
            user = User(id=new_id(), username=username, name=name, roles=roles,
                        worker_id=worker)
            session.add(user)
            session.flush()
            session.add(UserServiceArea(user_id=user.id, service_area_id=north))
    _case_events(store)
    auditor = _user_ids(store, "auditor")[0]
    draw_weekly(_ctx(store, auditor, MONDAY), auditor, WEEK)
    _audit_sample(store, auditor)


def _case_events(store: Any) -> None:
    """Visits and reviews on six cases, one of them tombstoned later: the records that
    0004 turned into append-only facts (the oldest imports wrote none themselves)."""
    from sqlalchemy import select

    from desktop.models import Case, CaseEvent

    with store.transaction() as session:
        for n, case_id in enumerate(session.scalars(select(Case.id).order_by(Case.case_ref)
                                                    .limit(6))):
            for kind, day in (("visit_f2f", 3 + n), ("visit_f2f", 17 + n), ("vtt_review", 9)):
                session.add(CaseEvent(case_id=case_id, kind=kind, origin="manual",
                                      occurred_on=dt.date(2026, 10, day), by="social_worker"
                                      if kind == "visit_f2f" else None))
    with store.transaction() as session:
        event = session.scalars(select(CaseEvent).where(CaseEvent.kind == "vtt_review")
                                .order_by(CaseEvent.id)).first()
        assert event is not None
        event.deleted = True


def _audit_sample(store: Any, auditor: str) -> None:
    """Audit the auditor's sampled cases: three submitted (one disagreeing with the
    record's RAG), with an action each and a comment on the first; one left a draft."""
    from sqlalchemy import select

    from desktop.models import Case, Sample, SampleItem
    from desktop.services import actions
    from desktop.services.audits import comments, lifecycle

    ctx = _ctx(store, auditor, MONDAY)
    with store.read() as session:
        items = session.execute(
            select(SampleItem.id, SampleItem.case_id, Case.rag).join(Sample)
            .join(Case, Case.id == SampleItem.case_id)
            .where(Sample.auditor_id == auditor).order_by(SampleItem.position)).all()
    assert len(items) >= 4, items
    for n, (item_id, case_id, rag) in enumerate(items[:4]):
        audit_id = lifecycle.start_audit(ctx, case_id, "risk_assessment_rag",
                                         sample_item_id=item_id)
        for code, value in ANSWERS.items():
            lifecycle.save_answer(ctx, audit_id, code, value,
                                  note="Not updated since July." if value == "not_met" else None)
        lifecycle.save_answer(ctx, audit_id, "ra_date", dt.date(2026, 9, 15))
        lifecycle.save_details(ctx, audit_id, overview="Risks are understood.",
                               positive_practice="Clear analysis.", grade="good",
                               auditor_rag=("green" if rag == "red" else "red") if n == 1
                               else rag)
        if n == 3:
            continue  # one draft left in progress
        lifecycle.submit(ctx, audit_id, rag_rationale="Risks are higher than recorded."
                         if n == 1 else "")
        actions.add_action(ctx, actions.NewAction(
            description="Update the VTT after the next review.", audit_id=audit_id,
            question_code="vtt_completed", due_on=MONDAY + dt.timedelta(days=14)))
        if n == 0:
            comments.post_comment(ctx, audit_id, "Discussed with the team manager.")


# --- the versions with a demo county -------------------------------------------------

def _demo_world(store: Any) -> None:
    from desktop.services.demo_county import build as demo_build
    from desktop.services.demo_county import history, organisation
    from desktop.services.sampling.weekly import draw_weekly

    organisation._team_size = lambda _rng, _kind: 1  # type: ignore[attr-defined]
    organisation.TEAMS = {area: teams[:2] for area, teams in organisation.TEAMS.items()}
    history.WEEKS = 3  # type: ignore[attr-defined]
    demo_build.build_demo_county(_ctx(store, None), cases=CASES, seed=7, as_of=AS_OF)
    auditors = _user_ids(store, "auditor")[:2]
    for auditor in auditors:
        draw_weekly(_ctx(store, auditor, MONDAY), auditor, WEEK)
    _audit_sample(store, auditors[0])
    _exercises(store)


# --- later versions: an import that lacks a column, themed exercises -----------------

def _import_without_visit_by(store: Any, folder: Path) -> None:
    """Where the import records the fields its file carried (from 0012's code): one
    whose mapping has no "visit by" column, so the next revision finds it to carry."""
    import inspect

    from desktop.services.caseload import importer

    if not hasattr(importer, "carried_fields"):
        return
    raw = json.loads((Path(importer.__file__).resolve().parents[3] / "resources" / "mappings"
                      / "mosaic.json").read_text(encoding="utf-8"))
    del raw["columns"]["last_f2f_visit_by"]
    raw["name"] = "mosaic-no-visit-by"
    mapping = folder / "no-visit-by.json"
    mapping.write_text(json.dumps(raw), encoding="utf-8")
    extra = ({"exported_on": AS_OF} if "exported_on" in
             inspect.signature(importer.import_caseload).parameters else {})
    report = importer.import_caseload(_ctx(store, None), _caseload_file(folder), mapping,
                                      **extra)
    assert not report.errors, report.errors


def _exercises(store: Any) -> None:
    """Two themed exercises where exercises take a cohort (it was kept in the theme's
    text until 0013): one for a cohort, one for every cohort."""
    import dataclasses

    from desktop.services import exercises

    if "cohort" not in {f.name for f in dataclasses.fields(exercises.ExerciseInput)}:
        return
    ctx = _ctx(store, None)
    for title, theme, cohort in (("Neglect on plans", "Neglect", "cp"),
                                 ("Voice of the child", "Voice of the child", None)):
        exercises.create_exercise(ctx, exercises.ExerciseInput(
            title=title, theme=theme, cohort=cohort, period_from=dt.date(2026, 10, 1),
            period_to=dt.date(2026, 12, 31)))


# --- sync: a second laptop, a folder, one field edited on both ------------------------

def _edit_first_action(store: Any, text: str) -> None:
    from sqlalchemy import select

    from desktop.models import Action

    with store.transaction() as session:
        action = session.scalars(select(Action).order_by(Action.id)).first()
        assert action is not None
        action.description = text


def _sync_world(store: Any, folder: Path, passphrase: str) -> None:
    from desktop.sync import bundle
    from desktop.sync.status import sync_now

    bundle.organisation_key(create=True)
    shared = folder / "shared"
    shared.mkdir()
    spec = f"folder:{shared}"
    assert sync_now(store, spec).outcome == "ok"
    other = _open(folder / "other" / "dipsample.db", passphrase)
    try:
        assert sync_now(other, spec).outcome == "ok"
        _edit_first_action(other, "Update the VTT after the review (other laptop).")
        _edit_first_action(store, "Update the VTT after the review (this laptop).")
        assert sync_now(other, spec).outcome == "ok"
    finally:
        other.close()
    assert sync_now(store, spec).outcome == "ok"


# --- down to the revision asked for, and the manifest ---------------------------------

def _key(path: Path, passphrase: str) -> Any:
    from desktop.store import keys

    return keys.resolve_key(path, passphrase=passphrase, prompt=None)


def _downgrade(path: Path, passphrase: str, target: str) -> None:
    """``target`` by the code's own scripts, foreign keys off as SQLite's procedure
    for altering a table asks (a copied table replaces one that rows refer to)."""
    from alembic import command

    from desktop.store import migrate
    from desktop.store.database import make_engine

    engine = make_engine(path, _key(path, passphrase))
    try:
        with engine.connect() as conn:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
            with conn.begin():
                command.downgrade(migrate.alembic_config(conn), target)
                assert not conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    finally:
        engine.dispose()


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float | str) else str(value)


def manifest(path: Path, passphrase: str) -> dict[str, Any]:
    """Every table's row count and a few rows' raw columns, read with a bare connection."""
    import sqlcipher3.dbapi2 as sqlcipher

    conn = sqlcipher.connect(str(path))
    try:
        conn.execute(_key(path, passphrase).pragma())
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        rows: dict[str, dict[str, dict[str, Any]]] = {}
        row_keys: dict[str, str] = {}
        for table in VALUED:
            if table not in tables:
                continue
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            key = row_keys[table] = "id" if "id" in columns else columns[0]
            picked = conn.execute(f'SELECT * FROM "{table}" ORDER BY "{key}"').fetchall()
            rows[table] = {str(row[columns.index(key)]): {
                c: _plain(v) for c, v in zip(columns, row, strict=True)}
                for row in (picked[:2] + picked[-1:])}
        extra: dict[str, int] = {}
        if "case_events" in tables and "deleted" in [
                r[1] for r in conn.execute('PRAGMA table_info("case_events")')]:
            extra["live_case_events"] = conn.execute(
                "SELECT count(*) FROM case_events WHERE deleted = 0").fetchone()[0]
            extra["case_event_changes"] = conn.execute(
                "SELECT count(*) FROM change_log WHERE table_name = 'case_events'").fetchone()[0]
        if "event_log" in tables:
            # Where the last import recorded the fields it carried, the next revision
            # makes a synced record of them, logged as one more change.
            last = conn.execute("SELECT detail_json FROM event_log WHERE entity = "
                                "'caseload_import' ORDER BY seq DESC LIMIT 1").fetchone()
            extra["imports_with_fields"] = int(
                last is not None and '"fields"' in (last[0] or ""))
        if "exercise_summaries" in tables:
            # Themes that carry their cohort as a tail: 0013 splits them into two columns.
            extra["cohort_themes"] = conn.execute(
                "SELECT count(*) FROM exercise_summaries WHERE theme LIKE '%(cohort: %)'"
            ).fetchone()[0]
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()
    return {"revision": revision, "passphrase": passphrase, "counts": counts, "rows": rows,
            "row_keys": row_keys, **extra}


def make(revision: str, commit: str, out: Path) -> None:
    from desktop.store import migrate

    passphrase = f"upgrade-{revision}"
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        os.environ["DIPSAMPLE_HOME"] = str(work / "home")
        os.environ.pop("DIPSAMPLE_PASSPHRASE", None)
        has_sync = _has("desktop.sync.status")
        if has_sync:
            keyring.set_keyring(MemoryKeyring())
        else:  # these versions took the keyring first even when given a passphrase
            from keyring.backends import fail

            keyring.set_keyring(fail.Keyring())
        path = work / "store" / "dipsample.db"
        store = _open(path, passphrase)
        try:
            if _has("desktop.services.demo_county"):
                _demo_world(store)
                _import_without_visit_by(store, work)
            else:
                _services_world(store, work)
            if has_sync:
                _sync_world(store, work, passphrase)
        finally:
            store.close()
        if migrate.head_revision() != revision:
            _downgrade(path, passphrase, revision)
        out.mkdir(parents=True, exist_ok=True)
        for name in ("dipsample.db", "dipsample.db.kdf"):
            shutil.copyfile(path.with_name(name), out / name)
        found = manifest(out / "dipsample.db", passphrase)
        assert found["revision"] == revision, found["revision"]
        found["made_by"] = (f"tests/data/upgrades/make_store.py run on commit {commit} "
                            f"(schema head {migrate.head_revision()})")
        (out / "manifest.json").write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    make(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
