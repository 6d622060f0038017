"""Find or plan the service areas, teams and workers an export names.

Why plan instead of insert as we go: the import is all or nothing and a dry run must
report the same numbers, so resolution only decides ids and collects the records to
create; the importer writes them all in its one transaction.

Matching: service areas and teams by name (case-insensitive); workers by the case
system's staff reference, or by name when the export has no reference. A worker created
from a name alone gets a reference derived from a hash of the name, so that the next
import finds them again without the name itself becoming a key.

Ids: a new area, team or worker gets the id of its natural key (the area's or team's
name, the worker's staff reference; :mod:`desktop.models.identity`), so every store
importing the same export holds them under the same ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import ServiceArea, Team, Worker, identity
from desktop.models.base import Synced
from desktop.models.enums import WorkerRole
from desktop.services.caseload.report import Problems, RowProblem

Update = tuple[str, str, dict[str, Any]]


def derived_staff_ref(name: str) -> str:
    """A stable reference for a worker the export names without one."""
    return "name-" + hashlib.sha256(name.casefold().encode()).hexdigest()[:16]


@dataclass
class OrgPlan:
    """Records to create or change before the cases are written."""

    new: dict[type[Synced], list[dict[str, Any]]] = field(default_factory=dict)
    updates: dict[type[Synced], dict[str, Update]] = field(default_factory=dict)

    def add(self, model: type[Synced], row: dict[str, Any]) -> str:
        """Plan ``row`` (its ``id`` derived from its natural key by the caller)."""
        self.new.setdefault(model, []).append(row)
        return str(row["id"])

    def change(self, model: type[Synced], record_id: str, base: str, **fields: Any) -> None:
        current = self.updates.setdefault(model, {}).get(record_id)
        if current is None:
            self.updates[model][record_id] = (record_id, base, dict(fields))
        else:
            current[2].update(fields)

    def count(self) -> int:
        return sum(len(v) for v in self.new.values()) + sum(
            len(v) for v in self.updates.values())


@dataclass(slots=True)
class _Known:
    id: str
    hlc: str
    name: str
    extra: str | None = None  # a team's service area, a worker's team
    deleted: bool = False


class OrgResolver:
    """Resolves the organisation columns of each row to ids, planning what is missing."""

    def __init__(self, session: Session) -> None:
        self.plan = OrgPlan()
        self.areas = {r.name.casefold(): _Known(r.id, r.hlc, r.name, None, r.deleted)
                      for r in session.execute(select(ServiceArea.id, ServiceArea.hlc,
                                                      ServiceArea.name, ServiceArea.deleted))}
        self.teams = {r.name.casefold(): _Known(r.id, r.hlc, r.name, r.service_area_id,
                                                r.deleted)
                      for r in session.execute(select(Team.id, Team.hlc, Team.name,
                                                      Team.service_area_id, Team.deleted))}
        self.by_ref: dict[str, _Known] = {}
        self.by_name: dict[str, list[_Known]] = {}
        for r in session.execute(select(Worker.id, Worker.hlc, Worker.name, Worker.staff_ref,
                                        Worker.team_id, Worker.deleted)):
            known = _Known(r.id, r.hlc, r.name, r.staff_ref, r.deleted)
            self.by_ref[r.staff_ref] = known
            self.by_name.setdefault(r.name.casefold(), []).append(known)
        #: Where each team was put by this file, and on which row (to catch conflicts).
        self._team_area_row: dict[str, tuple[str, int]] = {}

    def _revive(self, model: type[Synced], known: _Known) -> None:
        if known.deleted:
            self.plan.change(model, known.id, known.hlc, deleted=False)
            known.deleted = False

    def area(self, name: str) -> str:
        known = self.areas.get(name.casefold())
        if known is None:
            area_id = self.plan.add(ServiceArea, {"id": identity.service_area_id(name),
                                                  "name": name})
            self.areas[name.casefold()] = _Known(area_id, "", name)
            return area_id
        self._revive(ServiceArea, known)
        return known.id

    def team(self, name: str | None, area_name: str | None, row: int, columns: dict[str, str],
             problems: Problems) -> tuple[str | None, str | None]:
        """(service area id, team id) for a row; a problem when they cannot be settled."""
        area_id = self.area(area_name) if area_name else None
        if name is None:
            return area_id, None
        key = name.casefold()
        known = self.teams.get(key)
        if known is None:
            if area_id is None:
                problems.append(RowProblem(row, columns.get("team", ""),
                                           "a new team needs its service area, which is blank"))
                return None, None
            team_id = self.plan.add(Team, {"id": identity.team_id(name), "name": name,
                                           "service_area_id": area_id})
            self.teams[key] = _Known(team_id, "", name, area_id)
            self._team_area_row[key] = (area_id, row)
            return area_id, team_id
        self._revive(Team, known)
        if area_id is None:
            return known.extra, known.id
        earlier = self._team_area_row.get(key)
        if earlier is not None and earlier[0] != area_id:
            problems.append(RowProblem(row, columns.get("service_area", ""),
                                       f"row {earlier[1]} puts this team in another service "
                                       "area"))
            return area_id, known.id
        self._team_area_row.setdefault(key, (area_id, row))
        if known.extra != area_id:  # the council moved the team (a reorganisation)
            if known.hlc:
                self.plan.change(Team, known.id, known.hlc, service_area_id=area_id)
            else:
                for planned in self.plan.new[Team]:
                    if planned["id"] == known.id:
                        planned["service_area_id"] = area_id
            known.extra = area_id
        return area_id, known.id

    def worker(self, name: str | None, ref: str | None, role: WorkerRole, team_id: str | None,
               row: int, column: str, problems: Problems) -> str | None:
        """The worker's id, planning a new worker when the export names someone new."""
        if ref is not None:
            known = self.by_ref.get(ref)
            if known is not None:
                self._revive(Worker, known)
                if name and name != known.name and known.hlc:
                    self.plan.change(Worker, known.id, known.hlc, name=name)
                    known.name = name
                return known.id
            if name is None:
                problems.append(RowProblem(row, column, "a worker reference not seen before "
                                           "needs the worker's name, which is blank"))
                return None
            return self._new_worker(name, ref, role, team_id)
        if name is None:
            return None
        matches = self.by_name.get(name.casefold(), [])
        if len(matches) > 1:
            problems.append(RowProblem(row, column, "more than one worker has this name; "
                                       "the export needs worker references"))
            return None
        if matches:
            self._revive(Worker, matches[0])
            return matches[0].id
        return self._new_worker(name, derived_staff_ref(name), role, team_id)

    def _new_worker(self, name: str, ref: str, role: WorkerRole, team_id: str | None) -> str:
        worker_id = self.plan.add(Worker, {"id": identity.worker_id(ref), "staff_ref": ref,
                                           "name": name, "role": role.value,
                                           "team_id": team_id, "email": None})
        known = _Known(worker_id, "", name, ref)
        self.by_ref[ref] = known
        self.by_name.setdefault(name.casefold(), []).append(known)
        return worker_id
