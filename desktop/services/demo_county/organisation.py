"""The demo council's structure: seed 000's service areas, their teams, staff and users.

Why this shape: seed 000 names the eight service areas and the eighteen roles that
dip-sample each week; the sampler draws from an auditor's own areas, escalations go to
the Head of Service of the case's area and to the team manager. So every area has a Head
of Service user, every team one team manager (a worker, and a user linked to it), and
each auditor the areas that their title covers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from desktop.models import ServiceArea, Team, User, UserServiceArea, Worker
from desktop.models.enums import Role, WorkerRole
from desktop.services.demo_county.names import full_name, new_uuid, username
from desktop.services.demo_county.rows import model_row

NORTH, MID_EAST, EXETER, SOUTH = "North", "Mid & East", "Exeter", "South"
DCS, CORPORATE, FOSTERING, SGO = ("Disabled Children's Service", "Corporate Parenting",
                                  "Fostering", "SGO")
LOCALITIES = (NORTH, MID_EAST, EXETER, SOUTH)
#: Seed 000's service areas, in its order.
AREAS = (*LOCALITIES, DCS, CORPORATE, FOSTERING, SGO)

#: Teams of each area: (name, kind). The kind steers which cases a team holds.
_LOCALITY_TEAMS = (("Assessment", "assessment"), ("Child Protection 1", "cp"),
                   ("Child Protection 2", "cp"), ("Children in Need", "cin"),
                   ("Family Support", "cin"), ("Court and Proceedings", "cp"))
TEAMS: dict[str, tuple[tuple[str, str], ...]] = {
    NORTH: _LOCALITY_TEAMS,
    MID_EAST: _LOCALITY_TEAMS,
    EXETER: _LOCALITY_TEAMS[:5],
    SOUTH: _LOCALITY_TEAMS,
    DCS: (("Disabled Children East", "disabled"), ("Disabled Children West", "disabled"),
          ("Short Breaks", "disabled"), ("Preparing for Adulthood", "disabled")),
    CORPORATE: (("Children in Care 1", "cic"), ("Children in Care 2", "cic"),
                ("Children in Care 3", "cic"), ("Leaving Care 1", "leaving_care"),
                ("Leaving Care 2", "leaving_care"), ("Unaccompanied Children", "cic")),
    FOSTERING: (("Fostering Assessment", "fostering"), ("Fostering Support 1", "fostering"),
                ("Fostering Support 2", "fostering"), ("Kinship Fostering", "fostering")),
    SGO: (("SGO Assessment", "sgo"), ("SGO Support 1", "sgo"), ("SGO Support 2", "sgo")),
}

#: Seed 000's eighteen dip-sampling roles and the areas each covers (None: every area).
AUDITOR_TITLES: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("Locality Director (North)", (NORTH,)),
    ("Area Manager (North)", (NORTH,)),
    ("Locality Director (Mid & East)", (MID_EAST,)),
    ("Area Manager (Mid & East)", (MID_EAST,)),
    ("Locality Director (Exeter)", (EXETER,)),
    ("Area Manager (Exeter)", (EXETER,)),
    ("Locality Director (South)", (SOUTH,)),
    ("Area Manager (South)", (SOUTH,)),
    ("Senior Manager (Disabled Children's Service)", (DCS,)),
    ("Area Manager (Disabled Children's Service)", (DCS,)),
    ("Senior Manager (Corporate Parenting)", (CORPORATE,)),
    ("Area Manager (Corporate Parenting)", (CORPORATE,)),
    ("Area Manager (Fostering)", (FOSTERING,)),
    ("Area Manager (SGO)", (SGO,)),
    ("Senior Manager (Workforce Development)", LOCALITIES),
    ("Improvement Lead", None),
    ("Improvement Director", None),
    ("Head of Service", None),
)
#: Seed 000's note: these do targeted sampling and other QA activity.
QA_TITLES = ("Senior Manager (Safeguarding and QA)", "Senior Lead (QARSS)",
             "Senior Lead (QARSS)")


@dataclass
class TeamPlan:
    id: str
    name: str
    kind: str
    area_id: str
    manager_id: str = ""
    worker_ids: list[str] = field(default_factory=list)


@dataclass
class Organisation:
    """Ids of everything made, and the rows to insert.

    Attributes:
        area_ids: area name to id.
        teams: every team with its manager and caseholding workers.
        auditors: (user id, area ids) of the eighteen auditors.
        rows: model to row dicts, in foreign-key order.
    """

    area_ids: dict[str, str]
    teams: list[TeamPlan]
    auditors: list[tuple[str, tuple[str, ...]]]
    qa_user_ids: list[str]
    #: A team manager's worker id to their user id (they confirm actions are done).
    manager_users: dict[str, str]
    rows: list[tuple[type[Any], list[dict[str, Any]]]]

    def teams_of(self, area: str) -> list[TeamPlan]:
        area_id = self.area_ids[area]
        return [t for t in self.teams if t.area_id == area_id]


def _team_size(rng: random.Random, kind: str) -> int:
    """Caseholders per team: about nine, fewer in the small specialist teams."""
    low, high = (6, 9) if kind in ("fostering", "sgo") else (8, 11)
    return rng.randint(low, high)


def build_organisation(rng: random.Random) -> Organisation:
    area_rows = [model_row(ServiceArea, new_uuid(rng), name=name) for name in AREAS]
    area_ids = {r["name"]: r["id"] for r in area_rows}
    team_rows: list[dict[str, Any]] = []
    worker_rows: list[dict[str, Any]] = []
    user_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    teams: list[TeamPlan] = []
    manager_users: dict[str, str] = {}
    taken: set[str] = set()
    staff_numbers = iter(rng.sample(range(10_000, 99_999), 2_000))

    def add_user(title: str, roles: tuple[str, ...], areas: tuple[str, ...],
                 worker_id: str | None = None, name: str | None = None) -> str:
        person = name or full_name(rng)
        user_id = new_uuid(rng)
        user_rows.append(model_row(User, user_id, username=username(person, taken), name=person,
                                   job_title=title, roles=",".join(roles), worker_id=worker_id,
                                   active=True))
        link_rows.extend(model_row(UserServiceArea, new_uuid(rng), user_id=user_id,
                                   service_area_id=area_id) for area_id in areas)
        return user_id

    def add_worker(team: TeamPlan, role: str) -> tuple[str, str]:
        person = full_name(rng)
        worker_id = new_uuid(rng)
        ref = f"W{next(staff_numbers)}"
        worker_rows.append(model_row(Worker, worker_id, staff_ref=ref, name=person, role=role,
                                     team_id=team.id,
                                     email=f"{ref.lower()}@demo-county.example"))
        return worker_id, person

    for area in AREAS:
        for name, kind in TEAMS[area]:
            team_name = name if area in (DCS, CORPORATE, FOSTERING, SGO) else f"{area} {name}"
            team = TeamPlan(new_uuid(rng), f"{team_name} Team", kind, area_ids[area])
            team_rows.append(model_row(Team, team.id, name=team.name,
                                       service_area_id=team.area_id))
            team.manager_id, manager_name = add_worker(team, WorkerRole.TEAM_MANAGER.value)
            caseholder = (WorkerRole.PERSONAL_ADVISER.value if kind == "leaving_care"
                          else WorkerRole.SOCIAL_WORKER.value)
            team.worker_ids = [add_worker(team, caseholder)[0]
                               for _ in range(_team_size(rng, kind))]
            manager_users[team.manager_id] = add_user(
                f"Team Manager ({team.name})", (Role.TEAM_MANAGER.value,), (team.area_id,),
                worker_id=team.manager_id, name=manager_name)
            teams.append(team)

    every = tuple(area_ids[a] for a in AREAS)
    auditors = []
    for title, covers in AUDITOR_TITLES:
        areas = every if covers is None else tuple(area_ids[a] for a in covers)
        auditors.append((add_user(title, (Role.AUDITOR.value,), areas), areas))
    qa_ids = [add_user(title, (Role.QA.value, Role.MODERATOR.value), every)
              for title in QA_TITLES]
    for area in AREAS:
        add_user(f"Head of Service ({area})", (Role.HEAD_OF_SERVICE.value,), (area_ids[area],))
    return Organisation(
        area_ids=area_ids, teams=teams, auditors=auditors, qa_user_ids=qa_ids,
        manager_users=manager_users,
        rows=[(ServiceArea, area_rows), (Team, team_rows), (Worker, worker_rows),
              (User, user_rows), (UserServiceArea, link_rows)],
    )
