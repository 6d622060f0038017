"""Improvement and inspection action plans (seed 004): findings, their actions, leads, dates.

Importing a plan reads a table shaped like seed 004's: columns for the finding, the
action taken or required, the lead(s) and "by when"; section rows ("Area for priority
action", "Areas for development") set the category of the findings below them; a
repeated header row (a table continued on the next page) is skipped; a row with no
finding adds another action to the finding above. A row whose text starts in lower
case continues the row above (a cell broken across a page): its cells are appended to
the previous finding and action. "By when" is kept as written ("Commencing Sept 2010");
a plain date also fills the due date, and "Completed ..." marks the action done.
Imported deadlines may lie in the past (the plan is a record), so the tracker's
"not in the past" rule is not applied to them. Problems name the row, column and kind
of problem, never a cell's value; a mapping file that cannot be used is a
:class:`MappingProblem` (exit 2), as for the other imports.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from desktop import paths
from desktop.errors import InputProblem
from desktop.models import Action, ImprovementPlan, PlanFinding
from desktop.models.enums import ActionStatus, EventAction, FindingCategory
from desktop.services.actions import NewAction, add_action_in
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.caseload.report import Problems, RowProblem, one_of
from desktop.services.context import ServiceContext
from desktop.services.dates import try_parse_date
from desktop.services.event_log import log_change
from desktop.services.mapping_files import MappingProblem, mapping_texts, read_mapping_object
from desktop.services.records import get_live
from desktop.services.tabular import CONTROL_REASON, Row, Table, has_control, read_table
from desktop.services.workflow_settings import load_workflow_settings

FIELDS = ("finding", "action", "lead", "by_when", "status")
_NUMBERED = re.compile(r"^(\d{1,3})[.)]\s+(.+)$", re.DOTALL)
CATEGORIES = tuple(c.value for c in FindingCategory)
STATUSES = tuple(s.value for s in ActionStatus)


@dataclass(frozen=True)
class PlanMapping:
    name: str
    columns: dict[str, str]
    required: tuple[str, ...]
    sections: dict[str, str]
    statuses: dict[str, str]
    completed_prefix: str


@dataclass
class _Action:
    row: int
    text: str
    lead: str
    by_when: str
    status: str | None


@dataclass
class _Finding:
    row: int
    category: str
    number: int | None
    text: str
    actions: list[_Action] = field(default_factory=list)


@dataclass(frozen=True)
class PlanImport:
    plan_id: str
    file: str
    findings: int
    actions: int


@dataclass(frozen=True)
class PlanActionView:
    id: str
    description: str
    lead: str
    by_when_text: str
    due_on: dt.date | None
    status: str


@dataclass(frozen=True)
class FindingView:
    id: str
    category: str
    number: int | None
    text: str
    actions: tuple[PlanActionView, ...]


@dataclass(frozen=True)
class PlanSummary:
    id: str
    title: str
    source: str
    issued_on: dt.date | None
    findings: int
    actions: int
    actions_done: int


def default_mapping_path() -> Path:
    return paths.resource("mappings", "plan_ofsted.json")


def load_mapping(path: Path | None = None) -> PlanMapping:
    """The mapping at ``path`` (default: the shipped inspection-plan mapping).

    Raises:
        MappingProblem: the file is missing, not JSON, or not shaped like a mapping.
    """
    path = path or default_mapping_path()
    data, where = read_mapping_object(path)
    columns = mapping_texts(data, "columns", where)
    if set(columns) - set(FIELDS) or not {"finding", "action"} <= set(columns):
        raise MappingProblem(f"{where}: 'columns' maps finding, action (and lead, by_when, "
                             "status) to column names")
    sections = {k.casefold(): v for k, v in mapping_texts(data, "sections", where).items()}
    statuses = {k.casefold(): v for k, v in mapping_texts(data, "statuses", where).items()}
    if set(sections.values()) - set(CATEGORIES) or set(statuses.values()) - set(STATUSES):
        raise MappingProblem(f"{where}: 'sections' map to {', '.join(CATEGORIES)} and "
                             f"'statuses' to {', '.join(STATUSES)}")
    required = data.get("required", ["finding", "action"])
    if not isinstance(required, list) or not all(
            isinstance(f, str) and f in columns for f in required):
        raise MappingProblem(f"{where}: 'required' must list fields mapped in 'columns'")
    prefix = data.get("completed_prefix", "completed")
    if not isinstance(prefix, str):
        raise MappingProblem(f"{where}: 'completed_prefix' must be text")
    return PlanMapping(str(data.get("name", path.stem)), columns, tuple(required), sections,
                       statuses, prefix.casefold())


def _starts_lower(text: str) -> bool:
    return bool(text) and text[0].islower()


def _join(before: str, more: str) -> str:
    return f"{before} {more}".strip() if more else before


class _Parser:
    def __init__(self, table: Table, mapping: PlanMapping) -> None:
        self.table, self.mapping = table, mapping
        self.findings: list[_Finding] = []
        self.problems = Problems()
        self.category: str | None = None

    def cell(self, row: Row, name: str) -> str:
        column = self.mapping.columns.get(name)
        pos = self.table.position(column) if column else None
        value = row.cells[pos] if pos is not None else None
        if isinstance(value, dt.datetime | dt.date):
            return (value.date() if isinstance(value, dt.datetime) else value).strftime(
                "%d/%m/%Y")
        return "" if value is None else " ".join(str(value).split())

    def fail(self, row: Row, name: str, reason: str) -> None:
        column = self.table.header_name(self.mapping.columns[name]) if name else ""
        self.problems.append(RowProblem(row.number, column, reason))

    def is_header(self, cells: dict[str, str]) -> bool:
        return bool(cells["finding"]) and all(
            cells[f].casefold() == self.mapping.columns[f].casefold()
            for f in ("finding", "action") if cells[f])

    def status(self, row: Row, cells: dict[str, str]) -> str | None:
        if cells["status"]:
            status = self.mapping.statuses.get(cells["status"].casefold())
            if status is None:
                self.fail(row, "status", "not a status this mapping knows; expected "
                          f"{one_of(self.mapping.statuses)}")
            return status
        if cells["by_when"].casefold().startswith(self.mapping.completed_prefix):
            return ActionStatus.DONE.value
        return None

    def row(self, row: Row) -> None:
        cells = {f: self.cell(row, f) for f in FIELDS}
        finding, action = cells["finding"], cells["action"]
        rest = any(cells[f] for f in ("action", "lead", "by_when", "status"))
        if not rest and finding.casefold() in self.mapping.sections:
            self.category = self.mapping.sections[finding.casefold()]
            return
        if self.is_header(cells):
            return
        last = self.findings[-1] if self.findings else None
        if ((_starts_lower(finding) or _starts_lower(action))
                and (not finding or _starts_lower(finding))
                and (not action or _starts_lower(action)) and last is not None):
            last.text = _join(last.text, finding)
            if last.actions:
                previous = last.actions[-1]
                previous.text = _join(previous.text, action)
                previous.lead = _join(previous.lead, cells["lead"])
                previous.by_when = _join(previous.by_when, cells["by_when"])
            elif action:
                last.actions.append(_Action(row.number, action, cells["lead"],
                                            cells["by_when"], self.status(row, cells)))
            return
        if finding:
            if self.category is None:
                self.fail(row, "finding", "no section row ('Area for priority action' or "
                          "'Areas for development') above this finding")
                return
            numbered = _NUMBERED.match(finding)
            last = _Finding(row.number, self.category, int(numbered.group(1)) if numbered
                            else None, numbered.group(2) if numbered else finding)
            self.findings.append(last)
        elif last is None:
            self.fail(row, "action" if action else "lead", "no finding above this row")
            return
        if action:
            last.actions.append(_Action(row.number, action, cells["lead"], cells["by_when"],
                                        self.status(row, cells)))
        elif cells["lead"] or cells["by_when"]:
            self.fail(row, "action", "a lead or date with no action")

    def controlled(self, row: Row) -> bool:
        """Whether the row has a control character (a line break, as Word tables have,
        is none); each such cell is a problem and the row is not parsed further, since
        its structure (finding, continuation, section) cannot be trusted."""
        found = False
        for name, column in self.mapping.columns.items():
            pos = self.table.position(column)
            if pos in row.controls and has_control(row.cells[pos], line_breaks=True):
                self.fail(row, name, CONTROL_REASON)
                found = True
        return found

    def parse(self) -> list[_Finding]:
        for row in self.table.rows:
            if row.overflow:
                self.problems.append(RowProblem(row.number, "", "values beyond the last "
                                                "column (an unquoted comma?)"))
                continue
            if row.controls and self.controlled(row):
                continue
            self.row(row)
        for finding in self.findings:
            if not finding.actions:
                self.problems.append(RowProblem(finding.row, self.table.header_name(
                    self.mapping.columns["action"]), "the finding has no action"))
        return self.findings


def import_plan(ctx: ServiceContext, path: Path, *, title: str | None = None,
                issued_on: dt.date | None = None, mapping_path: Path | None = None,
                sheet: str | None = None) -> PlanImport:
    """Import a whole plan, or nothing.

    Raises:
        ImportRefused: bad rows (the first fifty listed, all counted); nothing was written.
        MappingProblem: the mapping cannot be used (exit 2).
    """
    guard(ctx, P.IMPORT_HISTORY)
    mapping = load_mapping(mapping_path)
    table = read_table(path, sheet=sheet,
                       required=[mapping.columns[f] for f in mapping.required])
    parser = _Parser(table, mapping)
    findings = parser.parse()
    if parser.problems:
        raise parser.problems.refusal(table.source)
    if not findings:
        raise InputProblem(f"{table.source}: no findings found")
    settings = load_workflow_settings()
    count = 0
    with ctx.store.transaction() as session:
        plan = ImprovementPlan(title=(title or Path(path).stem).strip()[:200],
                               source=table.source, issued_on=issued_on)
        session.add(plan)
        session.flush()
        log_change(session, ctx, EventAction.CREATE, "plan", plan.id, origin="import")
        for position, item in enumerate(findings, 1):
            ctx.report(position - 1, len(findings), "importing the plan")
            finding = PlanFinding(plan_id=plan.id, category=item.category, number=item.number,
                                  position=position, text=item.text)
            session.add(finding)
            session.flush()
            for act in item.actions:
                due, _ = try_parse_date(act.by_when) if act.by_when else (None, None)
                action = add_action_in(session, ctx, NewAction(
                    description=act.text, due_on=due, finding_id=finding.id, lead=act.lead,
                    by_when_text=act.by_when), settings, check_dates=False)
                if act.status and act.status != action.status:
                    action.status = act.status
                count += 1
    return PlanImport(plan.id, table.source, len(findings), count)


def list_plans(ctx: ServiceContext) -> list[PlanSummary]:
    guard(ctx, P.VIEW_AUDITS)
    with ctx.read() as session:
        plans = list(session.scalars(select(ImprovementPlan).where(
            ImprovementPlan.deleted.is_(False)).order_by(ImprovementPlan.created_at)))
        findings = dict(session.execute(
            select(PlanFinding.plan_id, func.count()).where(PlanFinding.deleted.is_(False))
            .group_by(PlanFinding.plan_id)).all())
        actions: dict[str, list[str]] = {}
        for plan_id, status in session.execute(
                select(PlanFinding.plan_id, Action.status)
                .join(Action, Action.finding_id == PlanFinding.id)
                .where(Action.deleted.is_(False), PlanFinding.deleted.is_(False))):
            actions.setdefault(plan_id, []).append(status)
    done = (ActionStatus.DONE.value, ActionStatus.VERIFIED.value)
    return [PlanSummary(p.id, p.title, p.source, p.issued_on, findings.get(p.id, 0),
                        len(actions.get(p.id, [])),
                        sum(s in done for s in actions.get(p.id, []))) for p in plans]


def plan_findings(ctx: ServiceContext, plan_id: str) -> list[FindingView]:
    """The plan's findings in order, priority actions first, each with its actions."""
    guard(ctx, P.VIEW_AUDITS)
    with ctx.read() as session:
        get_live(session, ImprovementPlan, plan_id, "improvement plan")
        rows = list(session.scalars(select(PlanFinding).where(
            PlanFinding.plan_id == plan_id, PlanFinding.deleted.is_(False))))
        acts: dict[str, list[Any]] = {}
        for a in session.scalars(select(Action).where(
                Action.finding_id.in_([r.id for r in rows]), Action.deleted.is_(False))
                .order_by(Action.position, Action.id)):
            acts.setdefault(a.finding_id or "", []).append(
                PlanActionView(a.id, a.description, a.lead, a.by_when_text, a.due_on, a.status))
    rows.sort(key=lambda r: (CATEGORIES.index(r.category) if r.category in CATEGORIES else 9,
                             r.position))
    return [FindingView(r.id, r.category, r.number, r.text, tuple(acts.get(r.id, ())))
            for r in rows]
