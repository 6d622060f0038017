"""Synthetic caseloads for sampling, standards and statistics tests (no real names)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.models import Case, ServiceArea, Team, User, UserServiceArea, Worker, new_id
from desktop.store import Store


class Caseload:
    """Builds areas, teams, auditors and cases in a store, returning their ids."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.areas: dict[str, str] = {}
        self.teams: dict[str, str] = {}
        self.users: dict[str, str] = {}
        self.cases: dict[str, str] = {}
        self.workers: dict[str, str] = {}
        self._n = 0

    def area(self, name: str) -> str:
        if name not in self.areas:
            with self.store.transaction() as session:
                area = ServiceArea(id=new_id(), name=name)
                team = Team(id=new_id(), name=f"{name} team", service_area_id=area.id)
                worker = Worker(id=new_id(), staff_ref=f"W-{name}", name="Synthetic Worker",
                                team_id=team.id)
                session.add(area)
                session.flush()
                session.add_all([team])
                session.flush()
                session.add(worker)
            self.areas[name] = area.id
            self.teams[name] = team.id
            self.workers[name] = worker.id
        return self.areas[name]

    def auditor(self, username: str, *areas: str, roles: str = "auditor") -> str:
        area_ids = [self.area(a) for a in areas]
        with self.store.transaction() as session:
            user = User(id=new_id(), username=username, name=f"Auditor {username}", roles=roles)
            session.add(user)
            session.flush()
            session.add_all([UserServiceArea(user_id=user.id, service_area_id=a)
                             for a in area_ids])
        self.users[username] = user.id
        return user.id

    def cases_of(self, count: int, rag: str, area: str = "North", **fields: Any) -> list[str]:
        area_id = self.area(area)
        ids = []
        with self.store.transaction() as session:
            for _ in range(count):
                self._n += 1
                ref = f"SYN-{self._n:05d}"
                values: dict[str, Any] = {"rag": rag, "service_area_id": area_id,
                                          "team_id": self.teams[area],
                                          "worker_id": self.workers[area],
                                          "opened_on": dt.date(2026, 1, 5)}
                values.update(fields)
                case = Case(id=new_id(), case_ref=ref, **values)
                session.add(case)
                self.cases[ref] = case.id
                ids.append(case.id)
        return ids
