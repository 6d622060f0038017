"""A small synthetic organisation with one person per role, for the security tests.

Built on tests/unit/services/audits/world.py (one area, one team, a worker, a team
manager, two auditors, QA, a head of service) plus a social worker (the case's own
worker), an administrator, and a second area with its own team, worker and case that
nobody of the first area may see.
"""

from __future__ import annotations

import datetime as dt

from desktop.models import Case, ServiceArea, Team, User, Worker, new_id
from desktop.services.audits import lifecycle
from desktop.services.context import ServiceContext
from desktop.store import Store
from tests.unit.services.audits.world import World, make_world

TEMPLATE = "risk_assessment_rag"
MET = {"ra_in_place": "met", "ra_quality": "met", "ra_response_proportionate": "met",
       "vtt_completed": "met", "rag_agrees": "yes"}


class Org(World):
    """The world, plus a social worker, an administrator and a second area."""

    def __init__(self, store: Store) -> None:
        base = make_world(store)
        self.__dict__.update(base.__dict__)
        with store.transaction() as session:
            self.sw = self._user(session, "sw1", "social_worker", worker_id=self.worker.id)
            self.admin = self._user(session, "admin1", "administrator")
            self.nobody = self._user(session, "idle1", "")
            south = ServiceArea(id=new_id(), name="Synthetic South")
            session.add(south)
            session.flush()
            team = Team(id=new_id(), name="Synthetic Team S", service_area_id=south.id)
            session.add(team)
            session.flush()
            worker = Worker(id=new_id(), staff_ref="SW-900", name="Worker South",
                            team_id=team.id)
            session.add(worker)
            session.flush()
            case = Case(id=new_id(), case_ref="SYN-S001", rag="amber",
                        service_area_id=south.id, team_id=team.id, worker_id=worker.id,
                        opened_on=dt.date(2026, 1, 5))
            session.add(case)
            self.south_case = case.id

    def as_user(self, user_id: str | None) -> ServiceContext:
        return ServiceContext(store=self.store, user_id=user_id, clock=self.clock)

    def submitted_audit(self) -> str:
        """An audit by the first auditor of a case of the first area, submitted."""
        ctx = self.as_user(self.auditor)
        audit_id = lifecycle.start_audit(ctx, self.case(), TEMPLATE)
        for code, value in MET.items():
            lifecycle.save_answer(ctx, audit_id, code, value)
        lifecycle.save_details(ctx, audit_id, overview="Synthetic overview.",
                               grade="good", auditor_rag="amber")
        lifecycle.submit(ctx, audit_id)
        return audit_id

    def south_audit(self) -> str:
        """An audit of the second area's case, made by the system (nobody's own)."""
        with self.store.transaction() as session:
            auditor = User(id=new_id(), username="aud-south", name="Auditor South",
                           roles="auditor")
            session.add(auditor)
            session.flush()
            auditor_id = auditor.id
        with self.store.transaction() as session:
            from desktop.models import UserServiceArea

            area = session.get(Case, self.south_case).service_area_id  # type: ignore[union-attr]
            session.add(UserServiceArea(user_id=auditor_id, service_area_id=area))
        return lifecycle.start_audit(self.as_user(auditor_id), self.south_case, TEMPLATE)
