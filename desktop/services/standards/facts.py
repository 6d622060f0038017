"""What the standards engine needs to know about each case, read in a few set queries.

Why set queries: 100,000 cases must be evaluated in about the time it takes to read
them, so the loader reads the case columns once, the latest event of each kind per
case with one grouped query, and the RAG history with one more; nothing per case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from desktop.models import Case, CaseEvent
from desktop.models.enums import CaseEventKind
from desktop.services.auth.visibility import core_case_reach
from desktop.services.standards.needs import export_gaps


@dataclass(frozen=True, slots=True)
class RagChange:
    on: dt.date
    rag_from: str | None
    rag_to: str


@dataclass(slots=True)
class CaseFacts:
    """One open case as of a date.

    Attributes:
        rag: the RAG in force on the date (from the history when the date is past).
        last_f2f: the last face-to-face visit by anyone, on or before the date.
        last_f2f_by: the last face-to-face visit per visitor code (for the
            "by a social worker" rule).
        rag_changes: every RAG change on or before the date, oldest first.
        gaps: the case fields the export the case came from does not carry: the
            standards computed from them are not known (standards/needs.py).
    """

    case_id: str
    case_ref: str
    rag: str | None
    cohort: str
    flags: frozenset[str]
    service_area_id: str | None
    team_id: str | None
    worker_id: str | None
    opened_on: dt.date | None
    last_f2f: dt.date | None
    last_f2f_by: dict[str, dt.date]
    last_oversight: dt.date | None
    last_vtt_review: dt.date | None
    last_risk_assessment: dt.date | None
    rag_changes: tuple[RagChange, ...] = ()
    gaps: frozenset[str] = frozenset()


_LATEST_KINDS = (CaseEventKind.VISIT_FACE_TO_FACE.value, CaseEventKind.MANAGEMENT_OVERSIGHT.value,
                 CaseEventKind.VTT_REVIEW.value, CaseEventKind.RISK_ASSESSMENT.value)

CASE_COLUMNS = (Case.id, Case.case_ref, Case.rag, Case.rag_set_on, Case.cohort, Case.flags,
                Case.service_area_id, Case.team_id, Case.worker_id, Case.opened_on,
                Case.last_f2f_visit, Case.last_f2f_visit_by, Case.last_oversight,
                Case.last_vtt_review, Case.last_risk_assessment)


def open_on(as_of: dt.date) -> ColumnElement[bool]:
    """Cases open on ``as_of``: opened by then and not closed by then."""
    return and_(
        Case.deleted.is_(False),
        or_(Case.opened_on.is_(None), Case.opened_on <= as_of),
        or_(Case.status == "open", and_(Case.closed_on.is_not(None), Case.closed_on > as_of)),
    )


def _latest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if a >= b else b


def rag_on(current: str | None, set_on: dt.date | None, history: list[RagChange],
           as_of: dt.date) -> str | None:
    """The RAG in force on ``as_of``: the current one unless it was set later."""
    if (set_on is None or set_on <= as_of) and (not history or history[-1].on <= as_of):
        return current
    before = [c for c in history if c.on <= as_of]
    if before:
        return before[-1].rag_to
    later = [c for c in history if c.on > as_of]
    return later[0].rag_from if later else None


def load_facts(session: Session, as_of: dt.date, where: Iterable[ColumnElement[bool]] = (),
               *, open_only: bool = True) -> list[CaseFacts]:
    """Facts for every case open on ``as_of`` matching ``where``, ordered by case_ref.

    Each carries the fields the last caseload import's file lacked (``gaps``), so every
    reader of the engine (case list, case detail, ``standards``) says "not known" alike.
    ``open_only=False`` reads closed (undeleted) cases too: a closed case's detail shows
    when each standard was last met, as its timeline does (trial item 10).
    """
    # Core statements do not pass through the session's scope: it is added here.
    scope = open_on(as_of) if open_only else Case.deleted.is_(False)
    conditions = [scope, *where, *core_case_reach(session)]
    # Core rows straight from the connection: the ORM's row processing is not needed.
    conn = session.connection()
    latest: dict[str, dict[tuple[str, str | None], dt.date]] = {}
    rows = conn.execute(
        select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.by, func.max(CaseEvent.occurred_on))
        .where(CaseEvent.kind.in_(_LATEST_KINDS), CaseEvent.occurred_on <= as_of)
        .group_by(CaseEvent.case_id, CaseEvent.kind, CaseEvent.by))
    for case_id, kind, by, day in rows:
        latest.setdefault(case_id, {})[(kind, by)] = day
    history: dict[str, list[RagChange]] = {}
    rag_rows = conn.execute(
        select(CaseEvent.case_id, CaseEvent.occurred_on, CaseEvent.rag_from, CaseEvent.rag_to)
        .where(CaseEvent.kind == CaseEventKind.RAG_CHANGE.value, CaseEvent.rag_to.is_not(None))
        .order_by(CaseEvent.case_id, CaseEvent.occurred_on, CaseEvent.seq))
    for case_id, on, rag_from, rag_to in rag_rows:
        assert rag_to is not None  # the query keeps changes to a rating only
        history.setdefault(case_id, []).append(RagChange(on, rag_from, rag_to))

    gaps = export_gaps(session)
    f2f, oversight, vtt, risk = _LATEST_KINDS
    empty: dict[tuple[str, str | None], dt.date] = {}
    no_changes: list[RagChange] = []
    flag_sets: dict[str, frozenset[str]] = {}
    facts: list[CaseFacts] = []
    # Sorted here, not by SQL: ordering by the case_ref index makes SQLite visit the
    # table in index order, a random read per row.
    query = select(*CASE_COLUMNS).where(*conditions)
    for (case_id, ref, rag, rag_set_on, cohort, flags, area, team, worker, opened, last_f2f,
         last_f2f_by, last_oversight, last_vtt, last_risk) in conn.execute(query).all():
        events = latest.get(case_id, empty)
        changes = history.get(case_id, no_changes)
        flag_set = flag_sets.get(flags or "")
        if flag_set is None:
            flag_set = flag_sets[flags or ""] = frozenset(
                f for f in (flags or "").split(",") if f)
        by_visitor: dict[str, dt.date] = {}
        any_f2f = last_f2f if last_f2f is not None and last_f2f <= as_of else None
        if any_f2f is not None and last_f2f_by:
            by_visitor[last_f2f_by] = any_f2f
        last_o = last_oversight if last_oversight is not None and last_oversight <= as_of \
            else None
        last_v = last_vtt if last_vtt is not None and last_vtt <= as_of else None
        last_r = last_risk if last_risk is not None and last_risk <= as_of else None
        for (kind, by), day in events.items():
            if kind == f2f:
                any_f2f = _latest(any_f2f, day)
                if by:
                    by_visitor[by] = _latest(by_visitor.get(by), day)  # type: ignore[assignment]
            elif kind == oversight:
                last_o = _latest(last_o, day)
            elif kind == vtt:
                last_v = _latest(last_v, day)
            elif kind == risk:
                last_r = _latest(last_r, day)
        if changes:
            rag = rag_on(rag, rag_set_on, changes, as_of)
            past = tuple(c for c in changes if c.on <= as_of)
        else:
            if rag_set_on is not None and rag_set_on > as_of:
                rag = None  # rated after the date, with no history of before
            past = ()
        facts.append(CaseFacts(case_id, ref, rag, cohort, flag_set, area, team, worker, opened,
                               any_f2f, by_visitor, last_o, last_v, last_r, past, gaps))
    facts.sort(key=lambda f: f.case_ref)
    return facts
