"""The case list: which cases match a filter, in which order, and their display rows.

Why ids first and rows later: a council's caseload is 100,000 cases; the window asks
for the ordered ids of the matching cases (one indexed query, a few hundred kB) and
then the rows of only the part a person scrolls to, a page at a time. Both are plain
dataclasses, so the window runs them on its worker thread and never sees SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from desktop.models import Case, Team, Worker
from desktop.models.enums import CaseStatus, Rag
from desktop.services.context import ServiceContext


class SortKey(StrEnum):
    CASE_REF = "case_ref"
    CHILD = "child"
    RAG = "rag"
    COHORT = "cohort"
    TEAM = "team"
    WORKER = "worker"
    LAST_VISIT = "last_visit"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One line of the case list."""

    id: str
    case_ref: str
    child_name: str
    rag: str | None
    cohort: str
    team: str
    worker: str
    last_visit: dt.date | None
    status: str


@dataclass(frozen=True)
class CaseQuery:
    """A filter and an order.

    Attributes:
        text: matches the start of a case reference, part of a team name, or a RAG
            ("red", "amber", "green") as a whole word.
        rag: only this RAG.
        open_only: leave out closed cases.
    """

    text: str = ""
    rag: str | None = None
    open_only: bool = False
    sort: SortKey = SortKey.CASE_REF
    descending: bool = False


@dataclass(frozen=True)
class CaseListing:
    """The matching case ids in order, and the counts the status bar shows.

    Attributes:
        total: every case in the store, matching or not.
        rag_counts: matching open cases by RAG.
        open_count: matching cases that are open.
    """

    ids: list[str]
    total: int
    open_count: int
    rag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def shown(self) -> int:
        return len(self.ids)


_RAG_RANK = {Rag.RED.value: 0, Rag.AMBER.value: 1, Rag.GREEN.value: 2}
#: The case column each sort key reads (team and worker sort by their names).
_SORT_COLUMNS = {
    SortKey.CASE_REF: Case.case_ref,
    SortKey.CHILD: Case.child_name,
    SortKey.RAG: Case.rag,
    SortKey.COHORT: Case.cohort,
    SortKey.TEAM: Case.team_id,
    SortKey.WORKER: Case.worker_id,
    SortKey.LAST_VISIT: Case.last_f2f_visit,
    SortKey.STATUS: Case.status,
}


class _Matcher:
    """The filter of a :class:`CaseQuery`, applied to one scanned row."""

    def __init__(self, query: CaseQuery, team_names: dict[str, str]) -> None:
        text = query.text.strip().lower()
        self.rag = query.rag
        self.open_only = query.open_only
        self.prefix = ""
        self.teams: frozenset[str] = frozenset()
        if text in {r.value for r in Rag}:
            if self.rag is None or self.rag == text:
                self.rag = text
            else:
                self.rag = "none"  # two different RAGs: nothing matches
        elif text:
            self.prefix = text
            self.teams = frozenset(i for i, name in team_names.items() if text in name.lower())

    def __call__(self, case_ref: str, rag: str | None, status: str, team_id: str | None
                 ) -> bool:
        if self.rag is not None and rag != self.rag:
            return False
        if self.open_only and status != CaseStatus.OPEN.value:
            return False
        if self.prefix:
            return case_ref.lower().startswith(self.prefix) or team_id in self.teams
        return True


def _sort_value(query: CaseQuery, value: Any, names: dict[str, str]) -> Any:
    if query.sort is SortKey.RAG:
        return _RAG_RANK.get(value) if value is not None else None
    if query.sort in (SortKey.TEAM, SortKey.WORKER):
        return names.get(value) if value is not None else None
    if isinstance(value, str):
        return value.lower()
    return value


def list_cases(ctx: ServiceContext, query: CaseQuery) -> CaseListing:
    """The ids of the cases matching ``query`` in its order, with counts.

    Why one scan filtered and sorted in Python: every query over an encrypted table
    decrypts all of its pages, so one pass that also yields the total and the counts
    is two to three times faster than separate filtered, ordered and counting queries;
    ordering by an index would be slower still (a random read per row).
    """
    with ctx.store.read() as session:
        conn = session.connection()
        ctx.report(0, 3, "finding cases")
        teams = dict(conn.execute(select(Team.id, Team.name)).all())
        names = teams
        if query.sort is SortKey.WORKER:
            names = dict(conn.execute(select(Worker.id, Worker.name)).all())
        rows = conn.execute(select(Case.id, Case.case_ref, Case.rag, Case.status, Case.team_id,
                                   _SORT_COLUMNS[query.sort])
                            .where(Case.deleted.is_(False))).all()
    ctx.report(1, 3, "filtering")
    matches = _Matcher(query, teams)
    rag_counts = {r.value: 0 for r in Rag}
    open_count = 0
    present: list[tuple[Any, str, str]] = []
    missing: list[tuple[str, str]] = []
    for case_id, case_ref, rag, status, team_id, key in rows:
        if not matches(case_ref, rag, status, team_id):
            continue
        if status == CaseStatus.OPEN.value:
            open_count += 1
            if rag in rag_counts:
                rag_counts[rag] += 1
        value = _sort_value(query, key, names)
        if value is None:
            missing.append((case_ref, case_id))
        else:
            present.append((value, case_ref, case_id))
    ctx.report(2, 3, "sorting")
    present.sort(reverse=query.descending)
    missing.sort(reverse=query.descending)
    ids = [r[2] for r in present] + [r[1] for r in missing]
    ctx.report(3, 3, "done")
    return CaseListing(ids=ids, total=len(rows), open_count=open_count, rag_counts=rag_counts)


def case_rows(ctx: ServiceContext, ids: Sequence[str]) -> list[CaseRow]:
    """The display rows of ``ids``, in the same order (missing ids are left out)."""
    worker = aliased(Worker)
    found: dict[str, CaseRow] = {}
    with ctx.store.read() as session:
        conn = session.connection()
        for start in range(0, len(ids), 500):
            stmt = (select(Case.id, Case.case_ref, Case.child_name, Case.rag, Case.cohort,
                           Team.name, worker.name, Case.last_f2f_visit, Case.status)
                    .outerjoin(Team, Team.id == Case.team_id)
                    .outerjoin(worker, worker.id == Case.worker_id)
                    .where(Case.id.in_(ids[start:start + 500])))
            for (case_id, ref, child, rag, cohort, team, worker_name, visit,
                 status) in conn.execute(stmt):
                found[case_id] = CaseRow(case_id, ref, child, rag, cohort, team or "",
                                         worker_name or "", visit, status)
    return [found[i] for i in ids if i in found]
