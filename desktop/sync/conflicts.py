"""Conflicts a person can settle, and claim collisions to see: what the Sync screen and
``dipsample sync conflicts`` / ``sync settle`` list and do.

Why groups and not rows: the merge keeps one :class:`SyncConflict` per field, but a
person thinks of the thing: an audit's answer, an action, a dropped sample item. One
edit on each side (a drop: its status, reason, note and time) is one clash, and
settling half of it would leave the record inconsistent. So the conflicts of one record
that share a side's version, or whose fields belong together (:data:`TOGETHER`), are
one :class:`ConflictGroup`, listed and settled as one.

Why settling goes through the ordinary services: "use the other value" is an edit, and
must be one the person could have made by hand. An action's status moves through the
action tracker's transitions (reviving an action QA cancelled is refused, as it is in
the tracker); an audit's answer or text through the audit's own rules (refused once the
audit is submitted or finalised); who may settle is who may make that edit, or QA.
Where no service edits the field, it is a plain field edit. Either way the value is
written with this store's clock, which has seen both versions, so it is later than both
and wins on every device; the conflicts are marked settled (that syncs too) and the
settling is in the event log.

Why reads go through ``ctx.read()``: the records a conflict is about are read held to
the acting person's scope, so a conflict about a record outside their reach is simply
not listed for them (and cannot be settled by its id). The conflict rows themselves are
sync's bookkeeping and are read from the store.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, PermissionRefused, RuleViolation
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    Case,
    Event,
    Sample,
    SyncConflict,
    TemplateQuestion,
    User,
)
from desktop.models.enums import ActionStatus, AuditStatus, EventAction, Role
from desktop.models.identity import APP, natural_id
from desktop.services import actions as action_service
from desktop.services.audits import lifecycle
from desktop.services.audits.access import roles_of
from desktop.services.audits.seal import resealing
from desktop.services.auth import Permission, guard
from desktop.services.auth.guard import actor_of, refuse
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_change
from desktop.sync.conflict_text import Words, field_label, version_time, when_text
from desktop.sync.engine import claim_collisions
from desktop.sync.merge import node_of, synced_models, value_from_json

OPEN = "open"
SETTLED = "settled"
KEEP = "keep"
OTHER = "other"
#: Reads of many ids at once are cut into slices (SQLite's bound-parameter limit).
SLICE = 500
#: Shortest id prefix a person may type (as desktop/services/people/ids.py).
MIN_PREFIX = 4
#: An edit is logged in its own transaction a moment after its version was ticked.
_SLACK = dt.timedelta(seconds=5)

#: Fields of one record that are settled together: one of them without the others
#: would leave the record inconsistent (a drop's status without its reason).
TOGETHER: dict[str, tuple[frozenset[str], ...]] = {
    "sample_items": (frozenset({"status", "drop_reason", "drop_note", "dropped_at"}),),
    "actions": (frozenset({"status", "cancel_reason", "completed_at", "confirmed_by_id",
                           "confirmed_at", "verified_by_id", "verified_at"}),
                frozenset({"progress", "evidence"})),
    "audit_answers": (frozenset({"value", "note", "deleted"}),),
    "audits": (frozenset({"status", "submitted_at", "comment_until", "finalised_at",
                          "reopened_at", "reopen_reason", "recorded_rag"}),),
    "claims": (frozenset({"released", "sample_item_id"}),),
}
#: The audit's own text and ratings, which its auditor edits while it is a draft.
AUDIT_CONTENT = frozenset({"overview", "positive_practice", "grade", "auditor_rag",
                           "significant_harm", "panels_json"})
#: What a person must hold to make an ordinary edit of a table's records.
PERMISSION: dict[str, Permission] = {
    "audits": Permission.AUDIT, "audit_answers": Permission.AUDIT,
    "actions": Permission.ACTIONS, "samples": Permission.SAMPLE,
    "sample_items": Permission.SAMPLE, "claims": Permission.SAMPLE,
    "audit_comments": Permission.COMMENT, "moderations": Permission.MODERATE,
    "rag_disagreements": Permission.CONCERNS, "escalations": Permission.CONCERNS,
    "escalation_steps": Permission.CONCERNS, "exercise_summaries": Permission.EXERCISES,
    "cases": Permission.IMPORT_CASELOAD, "users": Permission.USERS,
    "user_service_areas": Permission.USERS, "service_areas": Permission.USERS,
    "teams": Permission.USERS, "workers": Permission.USERS,
    "audit_templates": Permission.TEMPLATES, "template_questions": Permission.TEMPLATES,
    "standards_versions": Permission.TEMPLATES,
}
#: The event log's name of a record, and how to find the one its entries are about.
ENTITY: dict[str, tuple[str, str]] = {
    "audit_answers": ("audit", "audit_id"), "audits": ("audit", "id"),
    "actions": ("action", "id"), "sample_items": ("sample_item", "id"),
    "cases": ("case", "id"),
}
KINDS: dict[str, str] = {
    "audit_answers": "Audit answer", "audits": "Audit", "actions": "Action",
    "sample_items": "Sample item", "claims": "Claim", "cases": "Case",
    "samples": "Sample", "audit_comments": "Comment on an audit",
}


@dataclass(frozen=True)
class Side:
    """One side of a field's clash: the value in words, who wrote it, when (London)."""

    value: str
    by: str
    at: str


@dataclass(frozen=True)
class FieldConflict:
    conflict_id: str
    field: str
    label: str
    kept: Side
    other: Side


@dataclass(frozen=True)
class ConflictGroup:
    """One record's conflicts from one clash, listed and settled as one.

    Attributes:
        id: derived from its conflicts' ids (the same on every device that holds them).
        kind: what the record is, in words ("Audit answer", "Action").
        about: which one, in words: the case reference, the audit and its auditor and
            the question; the action's owner and text; the sample's auditor and week.
        kept, other: the values the merge kept and the other side's, in words (one
            field: its value; several: "Field: value; ...").
        kept_by, kept_at, other_by, other_at: who wrote each side and when.
    """

    id: str
    table: str
    record_id: str
    kind: str
    about: str
    case_ref: str
    kept: str
    other: str
    kept_by: str
    kept_at: str
    other_by: str
    other_at: str
    fields: tuple[FieldConflict, ...]

    @property
    def short_id(self) -> str:
        return self.id[:8]


@dataclass(frozen=True)
class Settled:
    group_id: str
    choice: str
    written: bool
    message: str


@dataclass(frozen=True)
class CollisionRow:
    case_ref: str
    iso_week: str
    auditors: tuple[str, ...]


@dataclass(frozen=True)
class _Raw:
    """One open conflict row, as stored."""

    id: str
    table: str
    record_id: str
    field: str
    winner_version: str
    winner_json: str
    loser_version: str
    loser_json: str


def group_id(conflict_ids: Iterable[str]) -> str:
    """The id of a group: every device holding the same conflicts names it alike."""
    return natural_id("sync_conflict_group", ":".join(sorted(conflict_ids)), APP)


def clashes(rows: Sequence[_Raw]) -> list[list[_Raw]]:
    """Open conflicts in groups: of one record, sharing a version on either side or
    holding fields that belong together (:data:`TOGETHER`)."""
    parent = list(range(len(rows)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    first: dict[tuple[str, ...], int] = {}
    for n, row in enumerate(rows):
        keys: list[tuple[str, ...]] = [("w", row.table, row.record_id, row.winner_version),
                                       ("l", row.table, row.record_id, row.loser_version)]
        keys += [("f", row.table, row.record_id, *sorted(fields))
                 for fields in TOGETHER.get(row.table, ()) if row.field in fields]
        for key in keys:
            if key in first:
                parent[root(n)] = root(first[key])
            else:
                first[key] = n
    groups: dict[int, list[_Raw]] = {}
    for n, row in enumerate(rows):
        groups.setdefault(root(n), []).append(row)
    return list(groups.values())


def _open_rows(ctx: ServiceContext) -> list[_Raw]:
    with ctx.store.read() as session:
        return [_Raw(c.id, c.table_name, c.record_id, c.field, c.winner_version,
                     c.winner_json, c.loser_version, c.loser_json)
                for c in session.scalars(select(SyncConflict).where(
                    SyncConflict.status == OPEN, SyncConflict.deleted.is_(False))
                    .order_by(SyncConflict.created_at, SyncConflict.id))]


def _reachable(session: Session, table: str, ids: set[str]) -> dict[str, Any]:
    """The records of ``table`` among ``ids`` that the session's person reaches."""
    model = synced_models().get(table)
    if model is None:
        return {}
    wanted = sorted(ids)
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), SLICE):
        found.update((r.id, r) for r in session.scalars(select(model).where(
            model.id.in_(wanted[start:start + SLICE]))))
    return found


def _everything(session: Session) -> bool:
    scope = session.info.get("scope")
    return scope is None or scope.everything


class _Describer:
    """Says what a group is about and who wrote each side, within one reading session."""

    def __init__(self, ctx: ServiceContext, session: Session) -> None:
        self.ctx = ctx
        self.session = session
        self.words = Words(session)
        self.node = ctx.store.device_id.replace("-", "")[:8]
        #: This computer's event-log entries (user, time) per record, newest first.
        self._logged: dict[tuple[str, str], list[tuple[str, dt.datetime]]] = {}

    def group(self, rows: list[_Raw], record: Any) -> ConflictGroup:
        rows = sorted(rows, key=lambda r: (r.field != "status", r.field))
        table, record_id = rows[0].table, rows[0].record_id
        kind = KINDS.get(table, field_label("", table).rstrip("s"))
        about, case_ref, author, answer_type = self._about(table, record)
        model = synced_models()[table]
        fields = []
        for row in rows:
            by_author = author if table != "audits" or row.field in AUDIT_CONTENT else None
            kept = Side(self.words.value(model, table, row.field, row.winner_json,
                                         answer_type),
                        self._who(row.winner_version, table, record, by_author),
                        when_text(row.winner_version))
            other = Side(self.words.value(model, table, row.field, row.loser_json,
                                          answer_type),
                         self._who(row.loser_version, table, record, by_author),
                         when_text(row.loser_version))
            fields.append(FieldConflict(row.id, row.field, field_label(table, row.field),
                                        kept, other))

        def summary(side: str) -> str:
            values = [(f.label, getattr(f, side).value) for f in fields]
            if len(values) == 1:
                return values[0][1]
            return "; ".join(f"{label}: {value}" for label, value in values)

        def joined(side: str, part: str) -> str:
            return " / ".join(dict.fromkeys(getattr(getattr(f, side), part)
                                            for f in fields))

        return ConflictGroup(
            group_id(r.id for r in rows), table, record_id, kind, about, case_ref,
            summary("kept"), summary("other"), joined("kept", "by"), joined("kept", "at"),
            joined("other", "by"), joined("other", "at"), tuple(fields))

    def _case_ref(self, case_id: str | None) -> str:
        return (self.words.name("cases", case_id) or "") if case_id else ""

    def _audit_words(self, audit: Audit | None) -> tuple[str, str, str | None]:
        """``"Case X, Y's audit of dd/mm/yyyy"``, the case reference, the auditor."""
        if audit is None:
            return "an audit not in this store", "", None
        ref = self._case_ref(audit.case_id)
        auditor = self.words.name("users", audit.auditor_id) or "an auditor"
        day = f" of {audit.audit_date:%d/%m/%Y}" if audit.audit_date else ""
        return f"Case {ref or '(not in reach)'}, {auditor}'s audit{day}", ref, \
            audit.auditor_id

    def _about(self, table: str, record: Any
               ) -> tuple[str, str, str | None, str | None]:
        """What the record is, its case reference, the one person who writes it (if
        only one may), and an answer's question type."""
        s = self.session
        if record is None:
            return "a record not in this store", "", None, None
        if table == "audit_answers":
            audit = s.get(Audit, record.audit_id)
            words, ref, auditor = self._audit_words(audit)
            question = s.get(TemplateQuestion, record.question_id)
            text = question.text if question is not None else "a question"
            return (f"{words}: {text}", ref, auditor,
                    question.answer_type if question is not None else None)
        if table == "audits":
            words, ref, auditor = self._audit_words(record)
            return words, ref, auditor, None
        if table == "actions":
            ref = self._case_ref(record.case_id)
            owner = (self.words.name("workers", record.owner_worker_id)
                     or self.words.name("users", record.owner_user_id)
                     or record.lead or "nobody named")
            head = f"Case {ref}, action" if ref else "Action"
            return f"{head} for {owner}: {record.description}", ref, None, None
        if table == "sample_items":
            ref = self._case_ref(record.case_id)
            sample = s.get(Sample, record.sample_id)
            if sample is None:
                return f"Case {ref} in a sample", ref, None, None
            auditor = self.words.name("users", sample.auditor_id) or "an auditor"
            return (f"Case {ref} in {auditor}'s sample for week {sample.iso_week}", ref,
                    None, None)
        if table == "claims":
            ref = self._case_ref(record.case_id)
            auditor = self.words.name("users", record.auditor_id) or "an auditor"
            return (f"Case {ref}, {auditor}'s claim for week {record.iso_week}", ref,
                    record.auditor_id, None)
        if table == "cases":
            return f"Case {record.case_ref}", record.case_ref, None, None
        case_id = getattr(record, "case_id", None)
        ref = self._case_ref(case_id)
        name = next((str(getattr(record, a)) for a in ("name", "username", "title",
                                                         "description", "code")
                     if getattr(record, a, None)), record.id[:8])
        return (f"Case {ref}: {name}" if ref else name), ref, None, None

    def _who(self, version: str, table: str, record: Any, author: str | None) -> str:
        """Who wrote ``version``: the person this computer's event log names for it, else
        the one person who writes such a field (an audit's auditor), and the device."""
        node = node_of(version)
        local = node == self.node
        device = "this computer" if local else f"device {node}"
        person = self._logged_user(version, table, record) if local else None
        if person is None and author is not None:
            person = self.words.name("users", author)
        return f"{person} ({device})" if person else device[:1].upper() + device[1:]

    def local_key(self, rows: list[_Raw], record: Any) -> tuple[str, str] | None:
        """The event log's name of the record, when this computer wrote one side."""
        table = rows[0].table
        if record is None or table not in ENTITY or not any(
                node_of(v) == self.node for r in rows
                for v in (r.winner_version, r.loser_version)):
            return None
        entity, column = ENTITY[table]
        return entity, getattr(record, column)

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """This computer's event-log entries for these records, read in a few queries
        (one per record made a long list of conflicts slow to show)."""
        wanted = sorted(set(keys) - set(self._logged))
        for key in wanted:
            self._logged[key] = []
        with self.ctx.store.read() as log:  # the event log: bookkeeping, read as such
            for start in range(0, len(wanted), SLICE):
                part = wanted[start:start + SLICE]
                for entity, entity_id, user_id, at in log.execute(
                        select(Event.entity, Event.entity_id, Event.user_id, Event.at).where(
                            Event.entity_id.in_({i for _, i in part}),
                            Event.entity.in_({e for e, _ in part}),
                            Event.device_id == self.ctx.store.device_id,
                            Event.user_id.is_not(None),
                            Event.action.in_([EventAction.CREATE.value,
                                              EventAction.CHANGE.value]))
                        .order_by(Event.seq.desc())):
                    found = self._logged.get((entity, entity_id))
                    if found is not None and user_id is not None:
                        found.append((user_id, at))

    def _logged_user(self, version: str, table: str, record: Any) -> str | None:
        if record is None or table not in ENTITY:
            return None
        entity, column = ENTITY[table]
        key = (entity, getattr(record, column))
        if key not in self._logged:
            self.prefetch([key])
        moment = version_time(version)
        chosen = next((u for u, at in self._logged[key]
                       if moment is None or at <= moment + _SLACK), None)
        return self.words.name("users", chosen) if chosen else None


def _groups(ctx: ServiceContext) -> list[tuple[ConflictGroup, list[_Raw]]]:
    rows = _open_rows(ctx)
    if not rows:
        return []
    grouped = clashes(rows)
    out: list[tuple[ConflictGroup, list[_Raw]]] = []
    with ctx.read() as session:
        everything = _everything(session)
        by_table: dict[str, set[str]] = {}
        for row in rows:
            by_table.setdefault(row.table, set()).add(row.record_id)
        records = {t: _reachable(session, t, ids) for t, ids in by_table.items()}
        describe = _Describer(ctx, session)
        describe.prefetch(key for members in grouped if (key := describe.local_key(
            members, records.get(members[0].table, {}).get(members[0].record_id)))
            is not None)
        for members in grouped:
            table, record_id = members[0].table, members[0].record_id
            if table not in synced_models():
                continue  # a table a newer DipSample made: not ours to settle
            record = records[table].get(record_id)
            if record is None and not everything:
                continue  # outside this person's reach (or not here at all)
            out.append((describe.group(members, record), members))
    return out


def open_conflicts(ctx: ServiceContext) -> list[ConflictGroup]:
    """The open conflicts the acting person reaches, one group per clash, in words."""
    return [group for group, _ in _groups(ctx)]


def find_group(ctx: ServiceContext, text: str) -> tuple[ConflictGroup, list[_Raw]]:
    """The one group ``text`` names: its whole id or its first characters (at least
    four), among the groups the acting person reaches.

    Raises:
        InputProblem: none, or more than one, begins so.
    """
    typed = text.strip().lower()
    found = [g for g in _groups(ctx) if g[0].id == typed
             or (len(typed) >= MIN_PREFIX and g[0].id.startswith(typed))]
    if len(found) > 1:
        raise InputProblem(f"'{text.strip()}' is the start of more than one conflict's "
                           "id; give more of it")
    if not found:
        raise InputProblem(f"no open conflict with the id '{text.strip()}' (perhaps it was "
                           "settled, here or on another laptop); list them again")
    return found[0]


def settle(ctx: ServiceContext, group: str, choice: str) -> Settled:
    """Settle a group: ``keep`` the merged values, or write the ``other`` side's back.

    Who may: the person who could make that edit normally (an audit's own auditor, an
    action's manager as the tracker says, the sample's auditor or a coordinator), or QA.
    "other" goes through the same rules as an ordinary edit; a field the record already
    holds with the other value (settled elsewhere the same way) is not written again.

    Raises:
        InputProblem: no such open group, or ``choice`` is neither keep nor other.
        PermissionRefused: the person may not edit the record (refusal logged).
        RuleViolation: the edit is one the ordinary path refuses (one sentence).
    """
    if choice not in (KEEP, OTHER):
        raise InputProblem(f"settle with '{KEEP}' or '{OTHER}', not '{choice}'")
    found, rows = find_group(ctx, group)
    _may_settle(ctx, found, rows)
    model = synced_models()[found.table]
    wanted: dict[str, Any] = {}
    if choice == OTHER:
        with ctx.read() as session:
            record = session.get(model, found.record_id)
            if record is None:
                raise InputProblem("The record of this conflict is not in this store, so "
                                   "the other value cannot be written; keep it instead.")
            for row in rows:
                value = value_from_json(model, row.field, json.loads(row.loser_json))
                if getattr(record, row.field) != value:
                    wanted[row.field] = value
    written = bool(wanted)
    if wanted:
        try:
            plain = _through_services(ctx, found, rows, wanted)
        except RuleViolation as exc:
            raise RuleViolation(f"The other value cannot be used: {_sentence(exc.message)}"
                                ) from None
        if plain:
            with ctx.store.transaction() as session:
                _write(session, ctx, found.table, found.record_id, plain)
                _mark(session, ctx, rows, choice)
            return _settled(found, choice, written)
    with ctx.store.transaction() as session:
        _mark(session, ctx, rows, choice)
    return _settled(found, choice, written)


def _settled(group: ConflictGroup, choice: str, written: bool) -> Settled:
    if choice == KEEP:
        text = f"Kept {group.kept} ({group.kind.lower()}, {group.about})."
    else:
        text = f"Now {group.other} ({group.kind.lower()}, {group.about})."
    return Settled(group.id, choice, written, text)


#: Status codes a refusal may name, as words ("open_for_comment": "open for comment").
_STATUS_CODES = sorted({s.value for s in (*ActionStatus, *AuditStatus) if "_" in s.value},
                       key=len, reverse=True)


def _sentence(message: str) -> str:
    """A service's refusal as the end of one sentence, status codes as words."""
    text = message.strip().rstrip(".")
    for code in _STATUS_CODES:
        text = text.replace(code, code.replace("_", " "))
    return text[:1].lower() + text[1:] + "."


def _is_qa(ctx: ServiceContext) -> bool:
    if ctx.user_id is None:
        return True
    with ctx.store.read() as session:
        return Role.QA.value in roles_of(session, ctx.user_id)


def _refused(ctx: ServiceContext, permission: Permission, entity: str, entity_id: str,
             sentence: str) -> PermissionRefused:
    refuse(ctx, actor_of(ctx), permission, entity, entity_id)
    return PermissionRefused(sentence)


def _may_settle(ctx: ServiceContext, group: ConflictGroup, rows: list[_Raw]) -> None:
    """Refuse (and log) a person who could not make this edit by hand, unless QA."""
    permission = PERMISSION.get(group.table, Permission.AUDIT)
    with ctx.read() as session:
        record: Any = session.get(synced_models()[group.table], group.record_id)
        audit_id = (record.audit_id if group.table == "audit_answers" and record is not None
                    else group.record_id if group.table == "audits" else None)
        owner: str | None = None
        coordinator = False
        if audit_id is not None:
            audit = session.get(Audit, audit_id)
            owner = audit.auditor_id if audit is not None else None
        elif group.table in ("sample_items", "claims") and record is not None:
            sample_id = record.sample_id if group.table == "sample_items" else None
            sample = session.get(Sample, sample_id) if sample_id else None
            owner = sample.auditor_id if sample is not None else getattr(
                record, "auditor_id", None)
            coordinator = Role.COORDINATOR.value in roles_of(session, ctx.user_id)
    guard(ctx, permission, audit_id=audit_id)
    if owner is None or ctx.user_id in (None, owner) or coordinator or _is_qa(ctx):
        return
    whose = "the audit's own auditor" if audit_id is not None else (
        "the sample's auditor, a coordinator")
    raise _refused(ctx, permission, group.table.rstrip("s"), group.record_id,
                   f"Only {whose} or QA can settle this conflict.")


def _through_services(ctx: ServiceContext, group: ConflictGroup, rows: list[_Raw],
                      wanted: dict[str, Any]) -> dict[str, Any]:
    """Write what an ordinary service writes, through it; what is left is written as a
    plain edit (returned), after the checks the ordinary edit would make."""
    if group.table == "actions":
        return _action(ctx, group.record_id, wanted)
    if group.table in ("audit_answers", "audits"):
        return _audit(ctx, group, wanted)
    return wanted


#: Fields the action tracker sets itself when the status moves.
_STATUS_STAMPS = ("completed_at", "confirmed_by_id", "confirmed_at", "verified_by_id",
                  "verified_at")


def _action(ctx: ServiceContext, action_id: str, wanted: dict[str, Any]) -> dict[str, Any]:
    rest = dict(wanted)
    with ctx.read() as session:
        action = session.get(Action, action_id)
        current_reason = action.cancel_reason if action is not None else ""
        status = action.status if action is not None else ""
    if "status" in rest:
        to = rest.pop("status")
        reason = rest.pop("cancel_reason", current_reason) or ""
        evidence = rest.pop("evidence", None)
        for stamp in _STATUS_STAMPS:
            rest.pop(stamp, None)
        action_service.set_status(ctx, [action_id], to, reason=reason, evidence=evidence)
        status = to
    if "progress" in rest or "evidence" in rest:
        action_service.record_progress(ctx, action_id, progress=rest.pop("progress", None),
                                       evidence=rest.pop("evidence", None))
    if rest and status in (action_service.S.VERIFIED.value,
                           action_service.S.CANCELLED.value):
        raise RuleViolation(f"the action is {status}; it can no longer change")
    return rest


def _audit(ctx: ServiceContext, group: ConflictGroup, wanted: dict[str, Any]
           ) -> dict[str, Any]:
    with ctx.read() as session:
        answer = session.get(AuditAnswer, group.record_id) \
            if group.table == "audit_answers" else None
        audit_id = answer.audit_id if answer is not None else group.record_id
        audit = lifecycle.load_audit(session, audit_id)
        auditor, status = audit.auditor_id, audit.status
        question = session.get(TemplateQuestion, answer.question_id) \
            if answer is not None else None
        current_value = answer.value if answer is not None else None
    lifecycle_fields = set(wanted) - AUDIT_CONTENT if group.table == "audits" else set()
    if lifecycle_fields:
        if not _is_qa(ctx):
            raise _refused(ctx, Permission.AUDIT, "audit", audit_id,
                           "Only QA can settle a conflict over an audit's submission, "
                           "finalisation or reopening.")
        return wanted
    if status not in lifecycle.EDITABLE:
        raise RuleViolation(f"the audit is {status}; only a draft or a reopened audit can "
                            "be edited")
    mine = ctx.user_id is not None and ctx.user_id == auditor
    if mine and question is not None and set(wanted) <= {"value", "note"}:
        lifecycle.save_answer(ctx, audit_id, question.code,
                              wanted.get("value", current_value), note=wanted.get("note"))
        return {}
    if mine and group.table == "audits" and set(wanted) <= AUDIT_CONTENT - {"panels_json"}:
        details: dict[str, Any] = {name: ("" if value is None else value)
                                   for name, value in wanted.items()}
        lifecycle.save_details(ctx, audit_id, **details)
        return {}
    return wanted


def _write(session: Session, ctx: ServiceContext, table: str, record_id: str,
           values: dict[str, Any]) -> None:
    """A plain field edit, in the caller's transaction, later than both sides."""
    model = synced_models()[table]
    record: Any = session.get(model, record_id)
    if record is None:
        raise InputProblem("The record of this conflict is not in this store.")
    audits = [getattr(record, "audit_id", None) or record.id] \
        if table in ("audits", "audit_answers") else []
    with resealing(session, ctx.user_id, audits, "settle"):
        for name, value in values.items():
            setattr(record, name, value)
    entity = ENTITY.get(table, (table.rstrip("s"), "id"))[0]
    log_change(session, ctx, EventAction.CHANGE, entity, getattr(record, ENTITY.get(
        table, ("", "id"))[1]), fields=sorted(values), settled=True)


def _mark(session: Session, ctx: ServiceContext, rows: list[_Raw], choice: str) -> None:
    """Every conflict of the group settled, and each settling in the event log."""
    for row in rows:
        conflict = session.get(SyncConflict, row.id)
        if conflict is None or conflict.status != OPEN:
            raise InputProblem("This conflict is settled already (perhaps on another "
                               "laptop); read the list again.")
        conflict.status = SETTLED
        conflict.settled_by_id = ctx.user_id
        log_change(session, ctx, EventAction.CHANGE, "sync_conflict", row.id,
                   settled=choice, table=row.table, record=row.record_id, field=row.field)


def collisions(ctx: ServiceContext) -> list[CollisionRow]:
    """Cases two auditors claimed for the same week, by case reference and names."""
    with ctx.read() as session:
        found = claim_collisions(session)
        if not found:
            return []
        refs = dict(session.execute(select(Case.id, Case.case_ref).where(
            Case.id.in_({c.case_id for c in found}))).all())
        names = dict(session.execute(select(User.id, User.name).where(
            User.id.in_({a for c in found for a in c.auditor_ids}))).all())
        return [CollisionRow(refs[c.case_id], c.iso_week,
                             tuple(names.get(a, a[:8]) for a in c.auditor_ids))
                for c in found if c.case_id in refs]


__all__ = ["KEEP", "OTHER", "CollisionRow", "ConflictGroup", "FieldConflict", "Settled",
           "Side", "collisions", "find_group", "open_conflicts", "settle"]
