"""A small synthetic council for audit-workflow tests: no real names anywhere."""

from __future__ import annotations

import datetime as dt

from desktop.models import Case, ServiceArea, Team, User, UserServiceArea, Worker, new_id
from desktop.services.context import ServiceContext
from desktop.store import Store

#: Monday 2 November 2026, 10:00 UTC (10:00 in London: GMT in November).
START = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class World:
    """One area with a team, a worker, the team manager (also a user), an auditor, QA,
    a moderator and a Head of Service; cases are added on demand."""

    def __init__(self, store: Store, clock: FakeClock) -> None:
        self.store = store
        self.clock = clock
        self._cases = 0
        with store.transaction() as session:
            self.area = ServiceArea(id=new_id(), name="Synthetic North")
            session.add(self.area)
            session.flush()
            self.team = Team(id=new_id(), name="Synthetic Team A",
                             service_area_id=self.area.id)
            session.add(self.team)
            session.flush()
            self.worker = Worker(id=new_id(), staff_ref="SW-001", name="Worker One",
                                 team_id=self.team.id)
            self.manager = Worker(id=new_id(), staff_ref="TM-001", name="Manager One",
                                  role="team_manager", team_id=self.team.id)
            session.add_all([self.worker, self.manager])
            session.flush()
            self.auditor = self._user(session, "auditor1", "auditor")
            self.auditor2 = self._user(session, "auditor2", "auditor")
            self.qa = self._user(session, "qa1", "qa,moderator")
            self.tm_user = self._user(session, "tm1", "team_manager",
                                      worker_id=self.manager.id)
            self.hos = self._user(session, "hos1", "head_of_service")
            # Roles reach the cases of their own service areas (desktop/services/auth).
            for user_id in (self.hos, self.auditor, self.auditor2):
                session.add(UserServiceArea(user_id=user_id, service_area_id=self.area.id))

    def _user(self, session, username: str, roles: str,  # type: ignore[no-untyped-def]
              worker_id: str | None = None) -> str:
        user = User(id=new_id(), username=username, name=f"User {username}", roles=roles,
                    worker_id=worker_id)
        session.add(user)
        session.flush()
        return user.id

    def case(self, rag: str = "amber", **fields: object) -> str:
        self._cases += 1
        with self.store.transaction() as session:
            case = Case(id=new_id(), case_ref=f"SYN-{self._cases:04d}", rag=rag,
                        service_area_id=self.area.id, team_id=self.team.id,
                        worker_id=self.worker.id, opened_on=dt.date(2026, 1, 5), **fields)
            session.add(case)
            return case.id

    def as_user(self, user_id: str | None) -> ServiceContext:
        return ServiceContext(store=self.store, user_id=user_id, clock=self.clock)


def make_world(store: Store, now: dt.datetime = START) -> World:
    return World(store, FakeClock(now))


