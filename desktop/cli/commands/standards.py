"""``dipsample standards``: every open case's practice standards on a date.

``--json`` prints a list with one object per case: ``case_ref``, ``rag``,
``complex_green``, ``team_id``, ``worker_id`` and ``standards``, which maps each
standard code to ``due``, ``last_met``, ``status`` and ``overdue_days``. With
``--by worker|team|service_area`` it prints roll-ups instead: ``level``, ``key``,
``cases``, ``cases_overdue`` and per standard the counts and ``compliance``.

A standard the last import's file has no column for (no "visit by" column, say) is
``not_known`` for every case it applies to ("not known" in the table), counted apart
and never in a share; the text names it and the column it needs once, under the table.

A standard with nothing on record since the case opened (a blank cell in the export)
is late, but reads "no record (open Nd)", N the days since the case opened, never a
bare "late Nd" counted from the opening; ``--json`` gives ``no_record_since`` (the
opening date) and roll-ups count such cases in ``no_record`` (part of ``overdue``).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from desktop.cli.support import acting_context, emit, store_from
from desktop.errors import InputProblem
from desktop.services.people.names import (
    find_service_area,
    find_team,
    names_of,
    service_area_names,
)
from desktop.services.standards.caseload import CaseloadStandards, caseload_standards
from desktop.services.standards.engine import CaseStandards, Standard
from desktop.services.standards.rollups import Level, Rollup, rollup
from desktop.store import Store

SHORT = {"met": "ok", "due_soon": "soon", "not_applicable": "-", "not_known": "not known"}


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-23") from None


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("standards", parents=[common],
                                   help="practice standards of every open case")
    parser.add_argument("--as-of", type=iso_date, default=None,
                        help="the date to check on (default: today)")
    parser.add_argument("--team", default=None, help="only this team (by name)")
    parser.add_argument("--area", default=None, help="only this service area (by name)")
    parser.add_argument("--overdue", action="store_true",
                        help="only cases with at least one overdue standard")
    parser.add_argument("--by", choices=[level.value for level in Level], default=None,
                        help="roll up per worker, team or service area instead of per case")
    parser.set_defaults(handler=run)


def case_json(case: CaseStandards) -> dict[str, Any]:
    return {"case_ref": case.case_ref, "rag": case.rag, "complex_green": case.complex_green,
            "team_id": case.team_id, "worker_id": case.worker_id,
            "standards": {r.standard: {"due": r.due, "last_met": r.last_met, "status": r.status,
                                       "overdue_days": r.overdue_days,
                                       "no_record_since": r.no_record_since}
                          for r in case.results}}


def rollup_json(group: Rollup) -> dict[str, Any]:
    return {"level": group.level, "key": group.key, "cases": group.cases,
            "cases_overdue": group.cases_overdue,
            "by_standard": {code: {"met": c.met, "due_soon": c.due_soon, "overdue": c.overdue,
                                   "no_record": c.no_record,
                                   "not_applicable": c.not_applicable,
                                   "not_known": c.not_known,
                                   "compliance": c.compliance}
                            for code, c in group.by_standard.items()}}


#: The names a roll-up's keys (ids) are shown by, per level.
NAME_KIND = {"worker": "worker", "team": "team", "service_area": "service_area"}


def rollup_text(groups: list[Rollup], names: dict[str, str] | None = None,
                level: str = "") -> str:
    """One line per group, by name (ids are for --json); ``names``: id to name."""
    names = names or {}
    codes = [s.value for s in Standard]
    title = level.replace("_", " ") or "key"
    lines = [f"{title:<38}{'cases':>7}{'overdue':>9}  " + "".join(f"{c:<21}" for c in codes)]
    for g in groups:
        cells = []
        for code in codes:
            counts = g.by_standard.get(code)
            share = counts.compliance if counts is not None else None
            if share is not None:
                cell = f"{100 * share:.0f}%"
            else:
                cell = "not known" if counts is not None and counts.not_known else "-"
            cells.append(f"{cell:<21}")
        label = names.get(g.key, g.key) if g.key else "(not allocated)"
        lines.append(f"{label[:37]:<38}{g.cases:>7}{g.cases_overdue:>9}  " + "".join(cells))
    return "\n".join(lines)


#: The width of a standard's column in the per-case table.
CELL = 23


def _cell(case: CaseStandards, standard: str, as_of: dt.date) -> str:
    result = case.result(standard)
    if result.no_record and result.no_record_since is not None:
        return f"no record (open {(as_of - result.no_record_since).days}d)"
    if result.status == "overdue":
        return f"late {result.overdue_days}d" if result.overdue_days is not None else "no rec"
    return SHORT[result.status]


def _known(store: Store, args: argparse.Namespace) -> None:
    """Refuse a --team or --area that names nothing (it used to list no cases, exit 0)."""
    with store.read() as session:
        if args.area is not None and find_service_area(session, args.area) is None:
            known = "; ".join(service_area_names(session)) or "none yet"
            raise InputProblem(f"no service area '{args.area.strip()}'; the service areas "
                               f"are: {known}")
        if args.team is not None and find_team(session, args.team) is None:
            raise InputProblem(f"no team '{args.team.strip()}' ('dipsample standards --by "
                               "team' lists them)")


def not_known_lines(report: CaseloadStandards) -> list[str]:
    """Under the table: the standards the export could not compute, and why."""
    return [f"not known from this export: {gap.words}" for gap in report.not_known]


def run(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = acting_context(store, args)
        _known(store, args)
        report = caseload_standards(ctx, args.as_of, team=args.team, area=args.area,
                                    overdue_only=args.overdue)
        names: dict[str, str] = {}
        if args.by is not None and not args.json:
            groups = rollup(report.cases, Level(args.by))
            with store.read() as session:
                names = names_of(session, NAME_KIND[Level(args.by).value],
                                 [g.key for g in groups])

    def text() -> str:
        codes = [s.value for s in Standard]
        header = f"{'case':<14}{'rag':<7}" + "".join(f"{c:<{CELL}}" for c in codes)
        lines = [f"standards on {report.as_of.isoformat()}", header]
        lines += [f"{c.case_ref:<14}{c.rag or '?':<7}"
                  + "".join(f"{_cell(c, code, report.as_of):<{CELL}}" for code in codes)
                  for c in report.cases]
        overdue = sum(c.overdue for c in report.cases)
        lines.append(f"{len(report.cases)} cases, {overdue} with an overdue standard")
        if any(r.no_record for c in report.cases for r in c.results):
            lines.append("no record (open Nd): nothing on record for the standard in the N "
                         "days since the case opened (a blank cell); counted as late")
        return "\n".join(lines + not_known_lines(report))

    if args.by is not None:
        groups = rollup(report.cases, Level(args.by))
        emit(args, [rollup_json(g) for g in groups],
             lambda: "\n".join([rollup_text(groups, names, Level(args.by).value),
                                *not_known_lines(report)]))
        return 0
    emit(args, [case_json(c) for c in report.cases], text)
    return 0
