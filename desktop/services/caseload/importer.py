"""Import a caseload export: an upsert by case reference that keeps the history.

All or nothing: every row is checked (and every organisation name resolved) first;
with any problem nothing is written and the report lists them (the first fifty, and
counts of all). Otherwise one
transaction writes the new service areas, teams, workers, cases, the changed cases and
their case events, through the store's bulk recorder, which writes the change log too.

History: a changed RAG becomes a ``rag_change`` event, a later visit, oversight, VTT
review or risk assessment date becomes the matching event, so the standards engine can
tell what was in force when. A full import closes the cases it no longer lists (status
"closed", never deleted) and reopens closed cases that come back.

Ids and dates for sync (docs/sync.md): a new case's id derives from its reference
(:mod:`desktop.models.identity`), so every store that imports the same export holds the
same child under one id. Each case keeps the date of the export that last wrote it
(``exported_on``): an export older than that leaves the case as it is, so a laptop
importing last week's file after this week's arrived by sync moves nothing backwards.
"""


from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem
from desktop.models import Case, CaseEvent, ServiceArea, Team, Worker, identity
from desktop.models.base import new_id
from desktop.models.enums import CaseEventKind, CaseStatus, EventAction, WorkerRole
from desktop.services.auth import Permission, guard
from desktop.services.caseload.profiles import (
    Profile,
    detect_profile,
    header_rule,
    load_profile,
)
from desktop.services.caseload.report import ImportReport, Problems
from desktop.services.caseload.resolve import OrgResolver
from desktop.services.caseload.validate import CaseRow, check_rows
from desktop.services.context import ServiceContext
from desktop.services.gc_pause import free_gradually, paused_gc
from desktop.services.standards.needs import (
    FIELDS_KEY,
    IMPORT_ENTITY,
    gaps_of,
    record_carried,
)
from desktop.services.tabular import Table, read_table
from desktop.store.changes import insert_facts
from desktop.store.events import record_event

CHUNK = 5_000
ORIGIN = "import"
#: Case columns an import compares and may write (the rest belong to the app).
CASE_FIELDS = (
    "child_name", "date_of_birth", "expected_delivery_date", "service_area_id", "team_id",
    "worker_id", "team_manager_id", "cohort", "flags", "rag", "rag_set_on", "status", "opened_on",
    "closed_on", "last_f2f_visit", "last_f2f_visit_by", "last_virtual_visit",
    "last_oversight", "last_vtt_review", "last_risk_assessment", "last_audit",
)
#: "Last ..." dates that only ever move forward; a later one is also a case event.
DATED_EVENTS = {
    "last_f2f_visit": CaseEventKind.VISIT_FACE_TO_FACE.value,
    "last_virtual_visit": CaseEventKind.VISIT_VIRTUAL.value,
    "last_oversight": CaseEventKind.MANAGEMENT_OVERSIGHT.value,
    "last_vtt_review": CaseEventKind.VTT_REVIEW.value,
    "last_risk_assessment": CaseEventKind.RISK_ASSESSMENT.value,
}
FORWARD_ONLY = (*DATED_EVENTS, "last_audit")
#: Fields a blank cell leaves as they are.
NEVER_ERASED = frozenset({"rag", "rag_set_on", "date_of_birth", "expected_delivery_date"})
NEW_CASE_DEFAULTS: dict[str, Any] = {
    "child_name": "", "date_of_birth": None, "expected_delivery_date": None,
    "service_area_id": None, "team_id": None,
    "worker_id": None, "team_manager_id": None, "flags": "", "rag": None, "rag_set_on": None,
    "status": CaseStatus.OPEN.value, "opened_on": None, "closed_on": None,
    "last_f2f_visit": None, "last_f2f_visit_by": None, "last_virtual_visit": None,
    "last_oversight": None, "last_vtt_review": None, "last_risk_assessment": None,
    "last_audit": None, "deleted": False,
}


class _Plan:
    """Everything one import would write, and the counts it implies."""

    def __init__(self) -> None:
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[tuple[str, str, dict[str, Any]]] = []
        self.events: list[dict[str, Any]] = []
        self.unchanged = 0
        #: Cases this export is older than (a newer export already wrote them).
        self.older = 0
        self.closed = 0
        self.reopened = 0
        self.rag_changes = 0
        #: Cases closed because a full import no longer lists them (not rows of the file).
        self.closed_missing = 0

    def event(self, case_id: str, kind: str, on: dt.date, **extra: Any) -> None:
        row = {"case_id": case_id, "kind": kind, "occurred_on": on, "by": None,
               "worker_id": None, "rag_from": None, "rag_to": None, "origin": ORIGIN,
               "note": ""}
        row.update(extra)
        self.events.append(row)


def import_caseload(ctx: ServiceContext, path: Path | str,
                    profile: Profile | str | Path | None = None, *, full: bool = False,
                    dry_run: bool = False, sheet: str | None = None,
                    exported_on: dt.date | None = None) -> ImportReport:
    """Import (or, with ``dry_run``, rehearse importing) one caseload export.

    Args:
        profile: a Profile, a built-in profile name or a mapping file path; None picks
            the built-in profile whose columns the file has.
        full: the file is the whole caseload: cases it does not list are closed.
        exported_on: the date the case system produced the file; None takes the date
            the file was last modified (a copy keeps it), and never later than today.

    Returns:
        The report; ``errors`` lists the bad rows' problems (the first fifty; all are
        counted), in which case nothing was written.

    Raises:
        InputProblem: the file as a whole is unreadable, empty, too big or lacks columns.
        ProfileProblem: the profile is unknown or malformed (or none fits).
        Cancelled: the user cancelled; nothing was written.
    """
    guard(ctx, Permission.IMPORT_CASELOAD)
    # A 100,000-row export holds millions of live objects until the end; the cyclic
    # collector's full passes over them held the GIL for 100 ms and more, freezing the
    # window (gui_stall_import_100k). Reference counting still frees everything.
    bulky: list[list[Any]] = []
    with paused_gc():
        try:
            return _import(ctx, Path(path), profile, bulky, full=full, dry_run=dry_run,
                           sheet=sheet, exported_on=exported_on)
        finally:
            free_gradually(*bulky)


def _import(ctx: ServiceContext, path: Path, profile: Profile | str | Path | None,
            bulky: list[list[Any]], *, full: bool, dry_run: bool, sheet: str | None,
            exported_on: dt.date | None) -> ImportReport:
    """:func:`import_caseload`; every big list it makes is put in ``bulky`` too."""
    ctx.report(0, 1, "reading the file")
    given = profile if isinstance(profile, Profile) or profile is None else load_profile(
        profile)
    table = read_table(path, sheet=sheet, header=header_rule(given))
    chosen = given if given is not None else detect_profile(table.headers)
    table.require(chosen.required_columns())
    table.drop_trailing_summary(chosen.required_columns())
    bulky.append(table.rows)
    if not table.rows:
        raise InputProblem(f"{path.name}: there are no case rows under the header")
    carried = carried_fields(chosen, table)
    report = ImportReport(file=path.name, profile=chosen.name, dry_run=dry_run,
                          rows=len(table.rows), notes=list(table.notes),
                          not_known=gaps_of(carried))
    total = len(table.rows)
    ctx.report(0, total, "checking rows")
    good, problems = check_rows(table, chosen, ctx.today())
    bulky.append(good)
    ctx.report(total, total, "checking rows")
    store = ctx.store
    with store.read() if dry_run else store.transaction() as session:
        resolver = OrgResolver(session)
        ids = _resolve_rows(resolver, chosen, good, problems)
        bulky.append(ids)
        if problems:
            report.refuse(problems)
            return report
        dated = exported_on or export_date(path, ctx.today())
        _refuse_older(session, path, dated)
        plan = _plan(session, ctx, chosen, good, ids, full, dated)
        bulky.extend((plan.inserts, plan.updates, plan.events))
        report.created = len(plan.inserts)
        report.updated = len(plan.updates) - plan.closed_missing
        report.unchanged = plan.unchanged
        report.closed, report.reopened = plan.closed, plan.reopened
        report.rag_changes, report.events = plan.rag_changes, len(plan.events)
        if dry_run:
            session.rollback()
            return report
        _write(session, ctx, resolver, plan, total)
        # What the file carried, for every laptop's standards (synced; needs.py).
        record_carried(session, carried, imported_at=ctx.now(), exported_on=dated,
                       profile=chosen.name, rows=report.rows, full=full)
        _log(session, ctx, report, chosen, path, full, carried)
    report.written = True
    ctx.report(total, total, "done")
    return report


def carried_fields(profile: Profile, table: Table) -> list[str]:
    """The case fields the file carries: mapped, with the column present (an optional
    column may be missing from one month's file)."""
    return [f for f, column in profile.columns.items() if table.has(column)]


def _resolve_rows(resolver: OrgResolver, profile: Profile, rows: list[CaseRow],
                  problems: Problems) -> list[dict[str, str | None]]:
    """The organisation ids of each good row, in order; problems are appended."""
    columns = profile.columns
    mapped = set(columns)
    headers = {k: columns[k] for k in columns}
    area_or_team = bool(mapped & {"service_area", "team"})
    worker = bool(mapped & {"worker_name", "worker_ref"})
    manager = bool(mapped & {"team_manager_name", "team_manager_ref"})
    worker_col = headers.get("worker_ref") or headers.get("worker_name", "")
    manager_col = headers.get("team_manager_ref") or headers.get("team_manager_name", "")
    out: list[dict[str, str | None]] = []
    for row in rows:
        org = row.org
        ids: dict[str, str | None] = {}
        if area_or_team:
            area_id, team_id = resolver.team(org.get("team"), org.get("service_area"), row.row,
                                             headers, problems)
            ids["service_area_id"] = area_id
            if "team" in mapped:
                ids["team_id"] = team_id
        team = ids.get("team_id")
        if worker:
            ids["worker_id"] = resolver.worker(org.get("worker_name"), org.get("worker_ref"),
                                               WorkerRole.SOCIAL_WORKER, team, row.row,
                                               worker_col, problems)
        if manager:
            ids["team_manager_id"] = resolver.worker(
                org.get("team_manager_name"), org.get("team_manager_ref"),
                WorkerRole.TEAM_MANAGER, team, row.row, manager_col, problems)
        out.append(ids)
    return out


def export_date(path: Path, today: dt.date) -> dt.date:
    """The date of an export when none is given: its modification day (UTC), at most today."""
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()
    return min(modified, today)


def _refuse_older(session: Session, path: Path, exported_on: dt.date) -> None:
    """Refuse an export older than the newest one this store holds (perhaps by sync)."""
    newest = session.scalar(select(func.max(Case.exported_on)))
    if newest is not None and exported_on < newest:
        raise InputProblem(
            f"{path.name} is an export of {exported_on.isoformat()}, older than the caseload "
            f"this store already holds (exported {newest.isoformat()}); nothing was imported")


def _existing(session: Session, fold: bool) -> dict[str, tuple[Any, ...]]:
    """The stored cases by reference; with ``fold``, by reference without its capitals
    too (the exact spelling wins when a store already holds two)."""
    columns = [getattr(Case, f) for f in CASE_FIELDS]
    rows = session.execute(select(Case.case_ref, Case.id, Case.hlc, Case.deleted, *columns,
                                  Case.exported_on))
    found = {r[0]: tuple(r) for r in rows}
    if fold:
        for ref, row in list(found.items()):
            found.setdefault(ref.casefold(), row)
    return found


#: Where a case's ``exported_on`` sits in the rows of :func:`_existing`.
EXPORTED_AT = 4 + len(CASE_FIELDS)


def _plan(session: Session, ctx: ServiceContext, profile: Profile, rows: list[CaseRow],
          ids: list[dict[str, str | None]], full: bool, exported_on: dt.date) -> _Plan:
    plan = _Plan()
    fold = not profile.case_sensitive_refs
    existing = _existing(session, fold)
    listed: set[str] = set()
    today = ctx.today()
    source = f"import:{profile.name}"[:40]
    status_mapped = "status" in profile.columns
    index = {f: i + 4 for i, f in enumerate(CASE_FIELDS)}
    for number, (row, org_ids) in enumerate(zip(rows, ids, strict=True), start=1):
        if number % CHUNK == 0:
            ctx.report(number, len(rows), "comparing with the store")
        fields = row.fields
        fields.update(org_ids)
        status = fields.get("status") if status_mapped else None
        if status is None:
            status = (CaseStatus.CLOSED.value if fields.get("closed_on") is not None
                      else CaseStatus.OPEN.value)
        fields["status"] = status
        if status == CaseStatus.OPEN.value and "closed_on" in fields:
            fields["closed_on"] = None
        if fields.get("rag") is not None and fields.get("rag_set_on") is None:
            fields.pop("rag_set_on", None)
        old = existing.get(row.case_ref)
        if old is None and fold:
            old = existing.get(row.case_ref.casefold())
        if old is not None:
            listed.add(old[0])
        if old is None:
            new = NEW_CASE_DEFAULTS.copy()
            new.update({k: v for k, v in fields.items() if v is not None or k not in new})
            if new["status"] == CaseStatus.CLOSED.value and new["closed_on"] is None:
                new["closed_on"] = today
            new.update(id=identity.case_id(row.case_ref), case_ref=row.case_ref,
                       source=source, exported_on=exported_on)
            plan.inserts.append(new)
            continue
        if _newer_than(old, exported_on):
            plan.older += 1
            plan.unchanged += 1
            continue
        _plan_update(plan, old, index, fields, today, exported_on)
    if full:
        status_at = index["status"]
        for ref, old in existing.items():
            if ref != old[0]:
                continue  # the same case again, under its reference without capitals
            if (ref not in listed and not old[3] and old[status_at] == CaseStatus.OPEN.value
                    and not _newer_than(old, exported_on)):
                plan.updates.append((old[1], old[2], {"status": CaseStatus.CLOSED.value,
                                                      "closed_on": today}))
                plan.event(old[1], CaseEventKind.CLOSED.value, today)
                plan.closed += 1
                plan.closed_missing += 1
    return plan


def _newer_than(old: tuple[Any, ...], exported_on: dt.date) -> bool:
    """Whether the stored case came from an export later than ``exported_on``."""
    stored = old[EXPORTED_AT]
    return stored is not None and stored > exported_on


def _plan_update(plan: _Plan, old: tuple[Any, ...], index: dict[str, int],
                 fields: dict[str, Any], today: dt.date, exported_on: dt.date) -> None:
    case_id, base = old[1], old[2]
    changed: dict[str, Any] = {}
    if old[3]:
        changed["deleted"] = False
    for key, value in fields.items():
        before = old[index[key]]
        if key in FORWARD_ONLY:
            if value is None or (before is not None and value <= before):
                continue
            kind = DATED_EVENTS.get(key)
            if kind is not None:
                extra: dict[str, Any] = {}
                if kind == CaseEventKind.VISIT_FACE_TO_FACE.value:
                    extra = {"by": fields.get("last_f2f_visit_by") or old[
                        index["last_f2f_visit_by"]], "worker_id": fields.get(
                        "worker_id", old[index["worker_id"]])}
                plan.event(case_id, kind, value, **extra)
        elif key in NEVER_ERASED and value is None:
            continue  # a blank never erases a rating or a date of birth
        if value != before:
            changed[key] = value
    rag, old_rag = changed.get("rag"), old[index["rag"]]
    if rag is not None and rag != old_rag:
        on = fields.get("rag_set_on") or today
        changed["rag_set_on"] = on
        if on == old[index["rag_set_on"]]:
            del changed["rag_set_on"]
        plan.event(case_id, CaseEventKind.RAG_CHANGE.value, on, rag_from=old_rag, rag_to=rag)
        plan.rag_changes += 1
    old_status, status = old[index["status"]], changed.get("status")
    if status == CaseStatus.CLOSED.value and old_status != status:
        closed_on = fields.get("closed_on") or today
        changed["closed_on"] = closed_on
        plan.event(case_id, CaseEventKind.CLOSED.value, closed_on)
        plan.closed += 1
    elif status == CaseStatus.OPEN.value and old_status == CaseStatus.CLOSED.value:
        changed["closed_on"] = None
        plan.event(case_id, CaseEventKind.OPENED.value, today)
        plan.reopened += 1
    if changed:
        if old[EXPORTED_AT] != exported_on:
            changed["exported_on"] = exported_on
        plan.updates.append((case_id, base, changed))
    else:
        plan.unchanged += 1

#: The order the organisation's new records must be inserted in (foreign keys).
PARENTS_FIRST = (ServiceArea, Team, Worker)


def _write(session: Session, ctx: ServiceContext, resolver: OrgResolver, plan: _Plan,
           total: int) -> None:
    recorder = ctx.store.recorder
    org = resolver.plan
    # Parents before children: rows may plan a team before the new area it belongs to.
    for model in PARENTS_FIRST:
        if model in org.new:
            recorder.bulk_insert(session, model, org.new[model])
    for model in PARENTS_FIRST:
        if model in org.updates:
            recorder.bulk_update(session, model, list(org.updates[model].values()))
    done = 0
    for start in range(0, len(plan.inserts), CHUNK):
        chunk = plan.inserts[start:start + CHUNK]
        recorder.bulk_insert(session, Case, chunk)
        done += len(chunk)
        ctx.report(done, total, "writing cases")
    for start in range(0, len(plan.updates), CHUNK):
        chunk_updates = plan.updates[start:start + CHUNK]
        recorder.bulk_update(session, Case, chunk_updates)
        done += len(chunk_updates)
        ctx.report(min(done, total), total, "writing cases")
    for start in range(0, len(plan.events), CHUNK):
        insert_facts(session, CaseEvent, plan.events[start:start + CHUNK])
        ctx.report(min(done, total), total, "writing case events")


def _log(session: Session, ctx: ServiceContext, report: ImportReport, profile: Profile,
         path: Path, full: bool, carried: list[str]) -> None:
    """The import's event: what this computer did. Its ``fields`` repeat what the synced
    import record holds (the standards engine reads that one; standards/needs.py)."""
    with path.open("rb") as handle:  # a chunk at a time: the file may be 100 MB
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    action = EventAction.CREATE if report.updated + report.unchanged == 0 else EventAction.CHANGE
    record_event(session, user_id=ctx.user_id, action=action.value, entity=IMPORT_ENTITY,
                 entity_id=new_id(), detail={
                     "profile": profile.name, "full": full, "sha256": digest,
                     "rows": report.rows, "created": report.created, "updated": report.updated,
                     "unchanged": report.unchanged, "closed": report.closed,
                     "reopened": report.reopened, "rag_changes": report.rag_changes,
                     FIELDS_KEY: carried,
                 })

