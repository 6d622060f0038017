"""Who sees what, checked against the roles tables for a person of each role.

One demo county (two of its areas matter here: North and Exeter), a person of every
role, each with a password, and every command-line read and every screen's service read
run as each of them. What each should reach is worked out here in plain Python from the
raw rows and ``ROLE_REACH``/``ROLE_PERMISSIONS`` (the tables the README shows), not by
the SQL the app uses, and every answer must be exactly that: nothing outside the scope,
nothing missing inside it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import pytest
from sqlalchemy import select

from desktop.cli.main import main
from desktop.errors import PermissionRefused
from desktop.models import (
    Action,
    Audit,
    Case,
    RagDisagreement,
    ServiceArea,
    User,
    UserServiceArea,
    Worker,
)
from desktop.services import disagreements, escalations
from desktop.services.auth.roles import ROLE_PERMISSIONS, ROLE_REACH, Permission, Reach
from desktop.services.auth.signin import PASSWORD_ENV, set_password
from desktop.services.case_list import CaseQuery, list_cases
from desktop.services.context import ServiceContext
from desktop.services.demo_county.build import build_demo_county
from desktop.services.exercises import ExerciseInput, attach_audits, create_exercise
from desktop.services.people.staff import add_user, set_active
from desktop.services.reporting.choices import report_choices
from desktop.services.reporting.week_list import week_case_tool_list
from desktop.services.sampling.weeks import week_of
from desktop.store import open_store
from desktop.sync.bundle import organisation_key
from tests.conftest import MemoryKeyring

PASSWORD = "three synthetic words"
AS_OF = dt.date(2026, 11, 27)
NORTH, EXETER = "North", "Exeter"


@dataclass
class Person:
    username: str
    user_id: str
    roles: frozenset[str]
    areas: frozenset[str]
    worker_id: str | None

    @property
    def permissions(self) -> frozenset[Permission]:
        found: set[Permission] = set()
        for role in self.roles:
            found |= ROLE_PERMISSIONS.get(role, frozenset())
        return frozenset(found)

    @property
    def reach(self) -> frozenset[Reach]:
        found: set[Reach] = set()
        for role in self.roles:
            found |= ROLE_REACH.get(role, frozenset())
        return frozenset(found)


@dataclass
class County:
    path: Path
    secrets: dict[tuple[str, str], str]
    people: dict[str, Person]
    cases: dict[str, dict[str, str | None]]
    audits: dict[str, dict[str, object]]
    actions: dict[str, dict[str, str | None]]
    team_of_worker: dict[str, str | None]
    exercises: dict[str, str] = field(default_factory=dict)  # area name -> exercise id
    week: str = ""
    area_ids: dict[str, str] = field(default_factory=dict)


def _first_user(session, title_start: str) -> User:  # type: ignore[no-untyped-def]
    return session.scalars(select(User).where(User.job_title.startswith(title_start))
                           .order_by(User.username)).first()


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[County]:
    folder = tmp_path_factory.mktemp("county")
    backend, previous = MemoryKeyring(), keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield _build(folder / "county.db", backend)
    finally:
        keyring.set_keyring(previous)


def _build(path: Path, backend: MemoryKeyring) -> County:
    store = open_store(path, prompt=None, create=True)
    system = ServiceContext(store=store)
    try:
        build_demo_county(system, cases=500, seed=3, as_of=AS_OF)
        with store.read() as session:
            areas = {a.name: a.id for a in session.scalars(select(ServiceArea))}
            north_worker = session.scalars(
                select(Worker).join(Case, Case.worker_id == Worker.id)
                .where(Case.service_area_id == areas[NORTH], Worker.role == "social_worker")
                .order_by(Worker.staff_ref)).first()
            picked = {
                "north_auditor": _first_user(session, "Area Manager (North)"),
                "exeter_auditor": _first_user(session, "Area Manager (Exeter)"),
                "north_hos": _first_user(session, "Head of Service (North)"),
                "qa": _first_user(session, "Senior Lead (QARSS)"),
            }
            tm = session.scalars(
                select(User).join(Worker, Worker.id == User.worker_id)
                .join(UserServiceArea, UserServiceArea.user_id == User.id)
                .where(User.roles == "team_manager",
                       UserServiceArea.service_area_id == areas[NORTH])
                .order_by(User.username)).first()
            picked["north_team_manager"] = tm
            names = {k: v.username for k, v in picked.items()}
            staff_ref = north_worker.staff_ref
        added = {
            "north_social_worker": add_user(system, username="sw.north", name="Sw North",
                                            roles="social_worker", areas=NORTH,
                                            job_title="Social Worker",
                                            staff_ref=staff_ref),
            "north_coordinator": add_user(system, username="co.north", name="Co North",
                                          roles="coordinator", areas=NORTH,
                                          job_title="Business Support", staff_ref=None),
            "administrator": add_user(system, username="admin.it", name="Admin It",
                                      roles="administrator", areas=NORTH,
                                      job_title="IT", staff_ref=None),
            "moderator": add_user(system, username="mod.only", name="Mod Only",
                                  roles="moderator", areas=NORTH,
                                  job_title="Practice Lead", staff_ref=None),
            "deactivated": add_user(system, username="gone.auditor", name="Gone Auditor",
                                    roles="auditor", areas=NORTH,
                                    job_title="Area Manager", staff_ref=None),
        }
        set_active(system, "gone.auditor", False)
        names.update({k: v.username for k, v in added.items()})
        with store.read() as session:
            people: dict[str, Person] = {}
            for key, username in names.items():
                user = session.scalar(select(User).where(User.username == username))
                links = frozenset(session.scalars(select(UserServiceArea.service_area_id)
                                  .where(UserServiceArea.user_id == user.id,
                                         UserServiceArea.deleted.is_(False))))
                people[key] = Person(username, user.id, user.role_set if user.active
                                     else frozenset(), links, user.worker_id)
        for person in people.values():
            set_password(system, person.user_id, PASSWORD)
        organisation_key(create=True)
        # Two exercises, one per area, each with that area's audits of the week.
        week = week_of(AS_OF - dt.timedelta(days=7))
        with store.read() as session:
            audit_rows = session.execute(select(Audit.id, Audit.case_id, Audit.auditor_id,
                                                Audit.audit_date)).all()
            case_rows = session.execute(select(Case.id, Case.case_ref, Case.service_area_id,
                                               Case.team_id, Case.worker_id, Case.status)
                                        ).all()
            action_rows = session.execute(select(
                Action.id, Action.case_id, Action.audit_id, Action.owner_user_id,
                Action.owner_worker_id, Action.finding_id, Action.exercise_id)
                .where(Action.deleted.is_(False))).all()
            team_of_worker = dict(session.execute(select(Worker.id, Worker.team_id)).all())
        cases = {r.id: {"ref": r.case_ref, "area": r.service_area_id, "team": r.team_id,
                        "worker": r.worker_id, "status": r.status} for r in case_rows}
        exercises: dict[str, str] = {}
        for name in (NORTH, EXETER):
            exercise_id = create_exercise(system, ExerciseInput(
                title=f"Themed dip sample {name}", service_area_id=areas[name]))
            attach_audits(system, exercise_id, [a.id for a in audit_rows
                                                if cases[a.case_id]["area"] == areas[name]][:3])
            exercises[name] = exercise_id
        # A concern of significant harm on a North case and on an Exeter case.
        for name in (NORTH, EXETER):
            case_id = next(i for i, c in cases.items() if c["area"] == areas[name]
                           and c["status"] == "open")
            escalations.raise_concern(system, case_id, "A synthetic concern.")
    finally:
        store.close()
    audits = {a.id: {"case": a.case_id, "auditor": a.auditor_id, "date": a.audit_date}
              for a in audit_rows}
    actions = {a.id: {"case": a.case_id, "audit": a.audit_id, "owner_user": a.owner_user_id,
                      "owner_worker": a.owner_worker_id, "finding": a.finding_id,
                      "exercise": a.exercise_id} for a in action_rows}
    return County(path, dict(backend.secrets), people, cases, audits, actions,
                  team_of_worker, exercises, week, areas)


# --- what each person should reach, from the tables, in plain Python ---------------

def reached_cases(c: County, p: Person) -> set[str]:
    """Cases whose records the person reaches (for their audits' and actions' sake)."""
    reach, found = p.reach, set()
    if Reach.EVERYTHING in reach:
        return set(c.cases)
    for case_id, case in c.cases.items():
        if Reach.AREAS in reach and case["area"] in p.areas:
            found.add(case_id)
        if Reach.TEAM in reach and p.worker_id and case["team"] == c.team_of_worker.get(
                p.worker_id):
            found.add(case_id)
        if Reach.OWN_CASES in reach and p.worker_id and case["worker"] == p.worker_id:
            found.add(case_id)
    if Reach.OWN_AUDITS in reach:
        found |= {a["case"] for a in c.audits.values() if a["auditor"] == p.user_id}
    return found


def seen_cases(c: County, p: Person) -> set[str]:
    """The cases a person may list (the "see cases" permission and their reach)."""
    return reached_cases(c, p) if Permission.VIEW_CASES in p.permissions else set()


def reached_audits(c: County, p: Person) -> set[str]:
    reach = p.reach
    if Reach.EVERYTHING in reach:
        return set(c.audits)
    found = set()
    for audit_id, audit in c.audits.items():
        case = c.cases[str(audit["case"])]
        if Reach.OWN_AUDITS in reach and audit["auditor"] == p.user_id:
            found.add(audit_id)
        if Reach.AREAS in reach and case["area"] in p.areas:
            found.add(audit_id)
        if Reach.TEAM in reach and p.worker_id and case["team"] == c.team_of_worker.get(
                p.worker_id):
            found.add(audit_id)
        if Reach.OWN_CASES in reach and p.worker_id and case["worker"] == p.worker_id:
            found.add(audit_id)
    return found


def reached_actions(c: County, p: Person) -> set[str]:
    if Reach.EVERYTHING in p.reach:
        return set(c.actions)
    cases, audits = reached_cases(c, p), reached_audits(c, p)
    found = set()
    for action_id, a in c.actions.items():
        if (a["case"] in cases or a["audit"] in audits or a["owner_user"] == p.user_id
                or (Reach.OWN_CASES in p.reach and p.worker_id
                    and a["owner_worker"] == p.worker_id)
                or (a["case"] is None and a["audit"] is None and a["finding"] is not None)):
            found.add(action_id)
    return found


def week_audits(c: County) -> set[str]:
    from desktop.services.sampling.weeks import week_start

    first = week_start(c.week)
    return {i for i, a in c.audits.items()
            if a["date"] is not None and first <= a["date"] <= first + dt.timedelta(days=6)}


# --- running the command line as a person ------------------------------------------

@pytest.fixture
def world(county: County, memory_keyring: MemoryKeyring,
          monkeypatch: pytest.MonkeyPatch) -> County:
    memory_keyring.secrets.update(county.secrets)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return county


def cli(capsys: pytest.CaptureFixture[str], c: County, who: str | None,
        *argv: str) -> tuple[int, str]:
    acting = ["--system"] if who is None else ["--user", c.people[who].username]
    code = main([*argv, "--db", str(c.path), *acting])
    out, err = capsys.readouterr()
    return code, out if code == 0 else err + out


PEOPLE = ["north_auditor", "exeter_auditor", "north_team_manager", "north_social_worker",
          "qa", "administrator", "north_coordinator", "moderator", "north_hos",
          "deactivated"]


def _refused(code: int, text: str) -> bool:
    return code == 1 and text.count("\n") <= 1 and "Traceback" not in text


@pytest.mark.parametrize("who", PEOPLE)
def test_audits_list_and_show(world: County, who: str,
                              capsys: pytest.CaptureFixture[str]) -> None:
    person = world.people[who]
    code, out = cli(capsys, world, who, "audits", "list", "--json")
    if Permission.VIEW_AUDITS not in person.permissions:
        assert _refused(code, out)
        return
    assert code == 0, out
    listed = {row["id"] for row in json.loads(out)}
    assert listed == reached_audits(world, person)
    outside = sorted(set(world.audits) - listed)
    if outside:
        code, text = cli(capsys, world, who, "audits", "show", outside[0], "--json")
        assert _refused(code, text)
    if listed:
        code, text = cli(capsys, world, who, "audits", "show", sorted(listed)[0], "--json")
        assert code == 0, text


@pytest.mark.parametrize("who", PEOPLE)
def test_actions(world: County, who: str, capsys: pytest.CaptureFixture[str]) -> None:
    person = world.people[who]
    code, out = cli(capsys, world, who, "actions", "--json")
    if Permission.VIEW_AUDITS not in person.permissions:
        assert _refused(code, out)
        return
    assert code == 0, out
    assert {row["id"] for row in json.loads(out)} == reached_actions(world, person)


@pytest.mark.parametrize("who", PEOPLE)
def test_standards_and_stats(world: County, who: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    person = world.people[who]
    code, out = cli(capsys, world, who, "standards", "--json", "--as-of", AS_OF.isoformat())
    if Permission.VIEW_CASES not in person.permissions:
        assert _refused(code, out)
    else:
        assert code == 0, out
        _, every = cli(capsys, world, None, "standards", "--json", "--as-of",
                       AS_OF.isoformat())
        expected = {row["case_ref"] for row in json.loads(every)} & {
            world.cases[i]["ref"] for i in seen_cases(world, person)}
        assert {row["case_ref"] for row in json.loads(out)} == expected and expected
    code, out = cli(capsys, world, who, "stats", "--json", "--to", AS_OF.isoformat())
    assert (code == 0) == (Permission.REPORTS in person.permissions), out


@pytest.mark.parametrize("who", PEOPLE)
def test_case_tools_of_a_week_and_one_outside(world: County, who: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    person = world.people[who]
    folder = tmp_path / "week"
    code, out = cli(capsys, world, who, "report", "case-tool", "--week", world.week,
                    "-o", str(folder), "--json")
    if Permission.REPORTS not in person.permissions:
        assert _refused(code, out) and not folder.exists()
        return
    assert code == 0, out
    expected = week_audits(world) & reached_audits(world, person)
    assert len(json.loads(out)["files"]) == len(expected)
    outside = sorted(set(world.audits) - reached_audits(world, person))
    if outside:
        single = tmp_path / "one.pdf"
        code, text = cli(capsys, world, who, "report", "case-tool", outside[0],
                         "-o", str(single))
        assert _refused(code, text) and not single.exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_weekly_report_and_export(world: County, who: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    person = world.people[who]
    pdf = tmp_path / "weekly.pdf"
    code, out = cli(capsys, world, who, "report", "weekly", "--week", world.week,
                    "-o", str(pdf), "--json")
    if Permission.REPORTS not in person.permissions:
        assert _refused(code, out) and not pdf.exists()
    else:
        assert code == 0, out
        submitted_or_not = week_audits(world) & reached_audits(world, person)
        assert json.loads(out)["audits"] <= len(submitted_or_not)
    sheet = tmp_path / "audits.csv"
    code, out = cli(capsys, world, who, "export", "--format", "csv", "--what", "audits",
                    "-o", str(sheet))
    if Permission.EXPORT not in person.permissions:
        assert _refused(code, out) and not sheet.exists()
        return
    assert code == 0, out
    with sheet.open(encoding="utf-8-sig") as handle:
        ids = {row["Audit id"] for row in csv.DictReader(handle)}
    assert ids == reached_audits(world, person)


@pytest.mark.parametrize("who", PEOPLE)
def test_exercise_summaries(world: County, who: str, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    person = world.people[who]
    for area, exercise_id in world.exercises.items():
        pdf = tmp_path / f"{area}.pdf"
        code, out = cli(capsys, world, who, "report", "summary", exercise_id, "-o", str(pdf))
        visible = Permission.REPORTS in person.permissions and (
            Reach.EVERYTHING in person.reach or (world.area_ids[area] in person.areas
            and Reach.AREAS in person.reach))
        assert (code == 0) == visible, (area, out)
        assert pdf.exists() == visible


@pytest.mark.parametrize("who", PEOPLE)
def test_samples_for_others(world: County, who: str,
                            capsys: pytest.CaptureFixture[str]) -> None:
    """Drawing for an area is a coordinator's for their own area, or QA's."""
    person = world.people[who]
    for area in (NORTH, EXETER):
        code, out = cli(capsys, world, who, "sample", "--area", area, "--week", "2026-W50",
                        "--dry-run", "--json")
        allowed = Permission.SAMPLE in person.permissions and (
            Reach.EVERYTHING in person.reach
            or ("coordinator" in person.roles and world.area_ids[area] in person.areas))
        # A drawn area exits 1 when a stratum falls short (500 cases): still drawn.
        drawn = code in (0, 1) and '"samples"' in out
        assert drawn == allowed, (area, out)
        if not allowed:
            assert _refused(code, out)


@pytest.mark.parametrize("who", PEOPLE)
def test_keys_and_the_log_check(world: County, who: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    person = world.people[who]
    code, out = cli(capsys, world, who, "sync", "key", "--show")
    assert (code == 0) == (Permission.KEYS in person.permissions), out
    code, out = cli(capsys, world, who, "check", "--json")
    assert (code == 0) == (Permission.CHECK_LOG in person.permissions), out
    code, out = cli(capsys, world, who, "subject-access", "SYN-NONE", "-o", "/nonexistent")
    if Permission.SUBJECT_ACCESS not in person.permissions:
        assert _refused(code, out)


@pytest.mark.parametrize("who", PEOPLE)
def test_the_screens_reads(world: County, who: str) -> None:
    """What the Cases, Reports, Actions and Disagreements screens read, as each person."""
    person = world.people[who]
    store = open_store(world.path, prompt=None)
    ctx = ServiceContext(store=store, user_id=person.user_id)
    try:
        allowed = Permission.VIEW_CASES in person.permissions
        if allowed:
            listed = set(list_cases(ctx, CaseQuery(open_only=False)).ids)
            assert listed == seen_cases(world, person)
        else:
            with pytest.raises(PermissionRefused):
                list_cases(ctx, CaseQuery(open_only=False))
        if Permission.REPORTS in person.permissions:
            rows = week_case_tool_list(ctx, world.week)
            assert {r.audit_id for r in rows} == week_audits(world) & reached_audits(
                world, person)
            choices = report_choices(ctx)
            shown = {e.id for e in choices.exercises}
            assert shown == {i for a, i in world.exercises.items()
                             if Reach.EVERYTHING in person.reach
                             or (Reach.AREAS in person.reach
                                 and world.area_ids[a] in person.areas)
                             }
        if Permission.CONCERNS in person.permissions:
            cases = reached_cases(world, person)
            rows = disagreements.list_disagreements(ctx)
            assert {r.case_id for r in rows} <= cases
            with store.read() as session:
                expected = {d.id for d in session.scalars(select(RagDisagreement))
                            if d.case_id in cases}
            assert {r.id for r in rows} == expected
            assert {r.case_id for r in escalations.list_escalations(ctx)} <= cases
    finally:
        store.close()


def test_a_command_that_names_nobody_is_refused_once_passwords_exist(
        world: County, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["audits", "list", "--db", str(world.path)])
    err = capsys.readouterr().err
    assert code == 2 and "--system" in err and "--user" in err
    code = main(["users", "list", "--db", str(world.path), "--user", "nobody.here"])
    assert code == 1 and "no user" in capsys.readouterr().err


def test_the_system_is_logged_when_it_acts(world: County,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = cli(capsys, world, None, "audits", "list", "--json")
    assert code == 0
    store = open_store(world.path, prompt=None)
    try:
        from desktop.models.log import Event

        with store.read() as session:
            last = session.scalars(select(Event).where(Event.action == "system")
                                   .order_by(Event.seq.desc())).first()
        assert last is not None and last.user_id is None
        assert json.loads(last.detail_json)["command"].startswith("audits")
    finally:
        store.close()


def test_a_social_worker_added_by_staff_reference_reads_their_cases_audits(
        world: County) -> None:
    person = world.people["north_social_worker"]
    assert person.worker_id is not None
    assert reached_audits(world, person), "the demo worker holds audited cases"


def test_writes_by_id_outside_the_reach_are_refused_and_logged(world: County) -> None:
    """An Exeter auditor cannot move a North action, discuss a North disagreement or
    put a North audit in an exercise by typing its id."""
    from desktop.services import actions
    from desktop.services.event_log import events_for

    person = world.people["exeter_auditor"]
    north = world.area_ids[NORTH]
    north_action = next(i for i, a in world.actions.items() if a["case"] is not None
                        and world.cases[str(a["case"])]["area"] == north)
    north_audit = next(i for i, a in world.audits.items()
                       if world.cases[str(a["case"])]["area"] == north)
    store = open_store(world.path, prompt=None)
    ctx = ServiceContext(store=store, user_id=person.user_id)
    try:
        with store.read() as session:
            north_disagreement = session.scalars(select(RagDisagreement.id).where(
                RagDisagreement.case_id.in_([i for i, c in world.cases.items()
                                             if c["area"] == north]))).first()
        assert north_disagreement is not None
        with pytest.raises(PermissionRefused, match="outside"):
            actions.set_status(ctx, [north_action], "cancelled", reason="not mine")
        with pytest.raises(PermissionRefused, match="outside"):
            actions.record_progress(ctx, north_action, progress="typed by id")
        with pytest.raises(PermissionRefused, match="outside"):
            disagreements.record_discussion(
                ctx, north_disagreement, discussed_at=dt.datetime.now(dt.UTC),
                participants=[disagreements.Participant("auditor", person.user_id)],
                next_steps="none")
        with pytest.raises(PermissionRefused, match="outside"):
            attach_audits(ctx, world.exercises[EXETER], [north_audit])
        system = ServiceContext(store=store)
        assert "refuse" in [e.action for e in events_for(system, "action", north_action)]
        with store.read() as session:
            assert session.get(Action, north_action).status != "cancelled"  # type: ignore
    finally:
        store.close()


#: The other commands, each held to one permission of the table as a whole: refused
#: ("You may not ...") exactly for the people whose roles lack it.
WHOLE_COMMANDS = [
    (Permission.REPORTS, ["report", "monthly", "--month", "2026-11", "-o", "{tmp}/m.pdf"]),
    (Permission.REPORTS, ["report", "plan", "-o", "{tmp}/p.pdf"]),
    (Permission.EXPORT, ["export", "--format", "xlsx", "-o", "{tmp}/all.xlsx"]),
    (Permission.VIEW_AUDITS, ["plan", "list", "--json"]),
    (Permission.RETENTION, ["retention", "purge", "--dry-run", "--json"]),
    (Permission.SUBJECT_ACCESS, ["subject-access", "NO-SUCH-REF", "-o", "{tmp}/sa.json"]),
    (Permission.USERS, ["users", "deactivate", "no.such.person"]),
    (Permission.KEYS, ["key", "rotate"]),
    (Permission.CHECK_LOG, ["check", "--json"]),
]


@pytest.mark.parametrize("who", PEOPLE)
def test_every_other_command_is_held_to_its_permission(
        world: County, who: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    person = world.people[who]
    for n, (permission, argv) in enumerate(WHOLE_COMMANDS):
        allowed = permission in person.permissions
        if permission is Permission.KEYS and allowed:
            continue  # a real rotation would re-key the shared county
        folder = tmp_path / f"out{n}"
        folder.mkdir()
        args = [a.replace("{tmp}", str(folder)) for a in argv]
        code, out = cli(capsys, world, who, *args)
        refused = any(words in out for words in ("You may not", "holds no role",
                                                 "cannot sign in"))
        assert refused == (not allowed), (argv, out)
        if refused:
            assert _refused(code, out)
            assert not any(folder.iterdir()), f"refused {argv[0]} wrote a file"
