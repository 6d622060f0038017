"""The case list: which cases match a filter, in which order, and their display rows.

Why three calls: a council's caseload is 100,000 cases. :func:`first_page` gives the
first screenful in order straight from an index (milliseconds), so the list paints at
once; :func:`list_cases` then gives the ordered ids of every matching case and the
counts (one scan, about a second), so the scroll bar is right; :func:`case_rows` gives
the rows of only the part a person scrolls to. All return plain dataclasses, so the
window runs them on its worker thread and never sees SQL.

The order, one definition for both paths: cases whose sort value is known come first,
by that value and then by case reference (unique); cases without one (no RAG, never
visited) follow, by case reference; descending reverses each part, and the unknown
part stays last. Text is compared with ASCII letters folded to lower case, as SQLite's
``lower()`` does, so an index on ``lower(child_name)`` gives the same order.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from desktop.models import Case, Team, Worker
from desktop.models.enums import CaseStatus, Rag
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.scope import Scope, case_condition
from desktop.services.case_filters import overdue_case_ids, recently_audited_ids
from desktop.services.context import ServiceContext
from desktop.services.gc_pause import paused_gc


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
        team_id, worker_id, cohort: only cases of this team, worker or cohort code.
        overdue: only cases open today with this standard overdue (a
            :class:`~desktop.services.standards.engine.Standard` code, or ``"any"``).
        not_audited: only cases with no audit beyond a draft in the last 28 days.
    """

    text: str = ""
    rag: str | None = None
    open_only: bool = False
    sort: SortKey = SortKey.CASE_REF
    descending: bool = False
    team_id: str | None = None
    worker_id: str | None = None
    cohort: str | None = None
    overdue: str | None = None
    not_audited: bool = False

    @property
    def evaluated(self) -> bool:
        """Whether a filter needs the standards engine or the audits (seconds, not
        milliseconds, on 100,000 cases): :func:`first_page` then costs a full listing."""
        return self.overdue is not None or self.not_audited


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
_RAG_ORDER = (Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value)
#: The first screenful the window paints before the full listing arrives.
FIRST_PAGE = 60
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """ASCII letters to lower case, nothing else: the same as SQLite's ``lower()``."""
    return text.translate(_ASCII_LOWER)
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
    if query.sort is SortKey.CHILD:
        return fold(value) if value else None
    return value


def list_cases(ctx: ServiceContext, query: CaseQuery) -> CaseListing:
    """The ids of the cases matching ``query`` in its order, with counts.

    Why one scan filtered and sorted in Python: every query over an encrypted table
    decrypts all of its pages, so one pass that also yields the total and the counts
    is two to three times faster than separate filtered, ordered and counting queries;
    ordering by an index would be slower still (a random read per row).
    """
    scope = guard(ctx, P.VIEW_CASES).scope
    with paused_gc():  # a gen-2 collection over these rows froze the window for 90 ms
        return _list_cases(ctx, query, _scoped(scope))


def _scoped(scope: Scope) -> list[ColumnElement[bool]]:
    """The acting user's reach as a condition on cases (none for QA and the system)."""
    return [] if scope.everything else [case_condition(scope)]


def _column_filters(query: CaseQuery) -> list[ColumnElement[bool]]:
    """The filters on plain case columns (team, worker, cohort)."""
    where: list[ColumnElement[bool]] = []
    if query.team_id is not None:
        where.append(Case.team_id == query.team_id)
    if query.worker_id is not None:
        where.append(Case.worker_id == query.worker_id)
    if query.cohort is not None:
        where.append(Case.cohort == query.cohort)
    return where


def _evaluated_filter(ctx: ServiceContext, query: CaseQuery
                      ) -> tuple[frozenset[str] | None, set[str]]:
    """The ids an evaluated filter keeps (None: no such filter) and those it drops."""
    keep = (overdue_case_ids(ctx, query.overdue, where=_column_filters(query))
            if query.overdue is not None else None)
    drop = recently_audited_ids(ctx) if query.not_audited else set()
    return keep, drop


def _list_cases(ctx: ServiceContext, query: CaseQuery,
                reach: list[ColumnElement[bool]]) -> CaseListing:
    keep, drop = _evaluated_filter(ctx, query) if query.evaluated else (None, set())
    columns = _column_filters(query)
    with ctx.read() as session:
        conn = session.connection()
        ctx.report(0, 3, "finding cases")
        teams = dict(conn.execute(select(Team.id, Team.name)).all())
        names = teams
        if query.sort is SortKey.WORKER:
            names = dict(conn.execute(select(Worker.id, Worker.name)).all())
        # The column filters as one extra SQL-evaluated column, so that the total still
        # counts every case and the default query reads no more than before.
        wanted = (and_(*columns).label("wanted"),) if columns else ()
        result = conn.execute(select(Case.id, Case.case_ref, Case.rag, Case.status,
                                     Case.team_id, _SORT_COLUMNS[query.sort], *wanted)
                              .where(Case.deleted.is_(False), *reach))
        # In slices, not .all(): building 100,000 rows is one C loop that holds the GIL
        # long enough to freeze the window (see _sorted).
        rows = [tuple(row) for part in result.partitions(2_000) for row in part]
    total = len(rows)
    ctx.report(1, 3, "filtering")
    if columns:
        rows = [row[:6] for row in rows if row[6]]
    if keep is not None or drop:
        rows = [row for row in rows
                if (keep is None or row[0] in keep) and row[0] not in drop]
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
        if value is None or query.sort is SortKey.CASE_REF:
            missing.append((case_ref, case_id))
        else:
            present.append((value, case_ref, case_id))
    ctx.report(2, 3, "sorting")
    ids = [r[2] for r in _sorted(present, query.descending)]
    ids += [r[1] for r in _sorted(missing, query.descending)]
    ctx.report(3, 3, "done")
    return CaseListing(ids=ids, total=total, open_count=open_count, rag_counts=rag_counts)


#: Rows sorted by one call of ``list.sort``; see :func:`_sorted`.
SORT_RUN = 8_000


def _sorted(items: list[tuple[Any, ...]], descending: bool) -> Iterator[tuple[Any, ...]]:
    """``items`` in order, sorted in runs and merged.

    Why not one ``list.sort()``: it is one C call that holds Python's GIL for as long as
    it takes (about 100 ms for 100,000 cases), and the window's GUI thread cannot run
    meanwhile: the window froze while the list filled in behind it. Runs of a few
    thousand and a merge in Python let the GUI thread in every few milliseconds.
    """
    runs = [sorted(items[i:i + SORT_RUN], reverse=descending)
            for i in range(0, len(items), SORT_RUN)]
    return heapq.merge(*runs, reverse=descending)


@functools.cache
def _row_select() -> tuple[Select[Any], type[Worker]]:
    """The display row's columns and joins (built once: statements are immutable)."""
    worker = aliased(Worker)
    stmt = (select(Case.id, Case.case_ref, Case.child_name, Case.rag, Case.cohort,
                   Team.name, worker.name, Case.last_f2f_visit, Case.status)
            .outerjoin(Team, Team.id == Case.team_id)
            .outerjoin(worker, worker.id == Case.worker_id))
    return stmt, worker  # type: ignore[return-value]


def _case_row(values: Sequence[Any]) -> CaseRow:
    case_id, ref, child, rag, cohort, team, worker_name, visit, status = values
    return CaseRow(case_id, ref, child, rag, cohort, team or "", worker_name or "", visit,
                   status)


def case_rows(ctx: ServiceContext, ids: Sequence[str]) -> list[CaseRow]:
    """The display rows of ``ids``, in the same order (missing ids, and cases outside
    the acting user's reach, are left out)."""
    reach = _scoped(guard(ctx, P.VIEW_CASES).scope)
    found: dict[str, CaseRow] = {}
    base, _worker = _row_select()
    if reach:
        base = base.where(*reach)
    with ctx.store.reading() as conn:
        for start in range(0, len(ids), 500):
            for values in conn.execute(base.where(Case.id.in_(ids[start:start + 500]))):
                found[values[0]] = _case_row(values)
    return [found[i] for i in ids if i in found]


def _filters(query: CaseQuery, conn: Any) -> list[ColumnElement[bool]]:
    """The SQL form of :class:`_Matcher` (same matches, ASCII case folded)."""
    where: list[ColumnElement[bool]] = [Case.deleted.is_(False)]
    text = query.text.strip().lower()
    rag = query.rag
    if text in {r.value for r in Rag}:
        rag = text if rag in (None, text) else "none"
        text = ""
    if rag is not None:
        where.append(Case.rag == rag)
    if query.open_only:
        where.append(Case.status == CaseStatus.OPEN.value)
    where += _column_filters(query)
    if text:
        teams = [i for i, name in conn.execute(select(Team.id, Team.name))
                 if text in name.lower()]
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        prefix = Case.case_ref.like(f"{escaped}%", escape="\\")
        where.append(or_(prefix, Case.team_id.in_(teams)) if teams else prefix)
    return where


def first_page(ctx: ServiceContext, query: CaseQuery, limit: int = FIRST_PAGE
               ) -> list[CaseRow]:
    """The first ``limit`` rows of :func:`list_cases`'s order, read from an index.

    Why: the window paints these before the full listing (a scan) is ready, so a person
    sees their cases at once on a 100,000-case store. Each sort has an index that
    yields cases in this order (migration 0004), so SQLite stops after ``limit`` rows.
    An evaluated filter (:attr:`CaseQuery.evaluated`) has no index: its first page is
    the head of the full listing.
    """
    if query.evaluated:
        return case_rows(ctx, list_cases(ctx, query).ids[:limit])
    reach = _scoped(guard(ctx, P.VIEW_CASES).scope)
    with ctx.store.reading() as conn:
        # Statements without typed text depend on nothing in the store, so they are
        # built once (building one cost as much as running it, on the way to a new
        # window's first screenful).
        statements = (_page_statements(query, limit)
                      if not query.text.strip() and not reach else
                      _build_page_statements(query, limit, _filters(query, conn) + reach))
        rows: list[CaseRow] = []
        for stmt in statements:
            wanted = limit - len(rows)
            if wanted <= 0:
                break
            rows.extend(map(_case_row, conn.execute(stmt).fetchall()[:wanted]))
    return rows


@functools.lru_cache(maxsize=64)
def _page_statements(query: CaseQuery, limit: int) -> tuple[Select[Any], ...]:
    return _build_page_statements(query, limit, _filters(query, None))


def _build_page_statements(query: CaseQuery, limit: int, where: list[ColumnElement[bool]]
                           ) -> tuple[Select[Any], ...]:
    """The statements whose rows, in turn, are the listing's order (each from an index)."""
    base, worker = _row_select()
    desc = query.descending
    ref_order = Case.case_ref.desc() if desc else Case.case_ref.asc()
    if query.sort is SortKey.RAG:
        parts = [[Case.rag == rag] for rag in (reversed(_RAG_ORDER) if desc else _RAG_ORDER)]
        parts.append([or_(Case.rag.is_(None), Case.rag.not_in(_RAG_ORDER))])
        orders: list[list[Any]] = [[ref_order]] * len(parts)
    elif query.sort is SortKey.CASE_REF:
        parts, orders = [[]], [[ref_order]]
    else:
        key = {SortKey.CHILD: func.lower(Case.child_name), SortKey.COHORT: Case.cohort,
               SortKey.TEAM: Team.name, SortKey.WORKER: worker.name,
               SortKey.LAST_VISIT: Case.last_f2f_visit, SortKey.STATUS: Case.status,
               }[query.sort]
        known = key.is_not(None) if query.sort is not SortKey.CHILD else \
            Case.child_name != ""
        unknown = key.is_(None) if query.sort is not SortKey.CHILD else \
            Case.child_name == ""
        parts = [[known], [unknown]]
        orders = [[key.desc() if desc else key.asc(), ref_order], [ref_order]]
    return tuple(base.where(*where, *extra).order_by(*order).limit(limit)
                 for extra, order in zip(parts, orders, strict=True))
