"""The council's users: a staff list imported all or nothing, and one person at a time.

Why: after importing its own caseload a council could not draw a sample ("service area
'North' has no active auditors"), because only the demo county made users. Seed 000
names who dip-samples: Area Managers, Senior Managers, Locality Directors, Heads of
Service, QA officers; each in their own service areas. A staff list (CSV or .xlsx) holds
one person a line: name, username, roles, service areas, teams, and optionally a job
title and staff reference. A Roles cell and a job title are read by the same table of
council words (:mod:`desktop.services.people.titles`); when the roles cell is empty the
job title decides. The command line (``dipsample users``) and the Settings screen
both call this module.

All or nothing, as the caseload: every row is checked first; any problem and nothing is
written, every bad row listed by its spreadsheet row, never with its values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, RuleViolation
from desktop.models import ServiceArea, Team, User, UserServiceArea, Worker, identity
from desktop.models.enums import Role, WorkerRole
from desktop.services.audits.refused import ImportRefused
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.roles import ROLE_TITLES
from desktop.services.caseload.report import ImportReport, Problems, RowProblem
from desktop.services.caseload.resolve import derived_staff_ref
from desktop.services.context import ServiceContext
from desktop.services.people.names import service_area_names
from desktop.services.people.titles import TitleTable, load_titles
from desktop.services.tabular import CONTROL_REASON, HeaderRule, Table, read_table

#: Column names a staff list may use, per field, the first found winning (matched in any
#: letter case, punctuation and spacing ignored: "Employee No." is "employee no"). Why so
#: many: an HR system writes its own headers ("Employee Name", "Network Login", "Payroll
#: No"), and a council should not have to rename them to import its staff (issue 25).
#: An e-mail address is the username only when no login column is there.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "staff name", "employee name", "employee full name",
             "display name", "person name", "worker name"),
    "username": ("username", "user name", "login", "network login", "login name",
                 "login id", "user id", "userid", "network id", "network username",
                 "account name", "email", "email address", "e mail", "work email"),
    "roles": ("roles", "role", "dipsample roles", "dipsample role"),
    "areas": ("service areas", "service area", "areas", "area", "localities", "locality",
              "service", "services"),
    "teams": ("teams", "team", "team name"),
    "job_title": ("job title", "title", "post", "post title", "position", "job"),
    "staff_ref": ("staff ref", "staff reference", "staff id", "staff no", "staff number",
                  "employee no", "employee number", "employee id", "employee ref",
                  "payroll no", "payroll number", "payroll id", "worker id", "worker ref",
                  "worker no"),
}
EMAIL_HEADERS = frozenset({"email", "email address", "e mail", "work email"})
#: The words a note and a refusal use for each field.
FIELD_WORDS: dict[str, str] = {"name": "Name", "username": "Username", "roles": "Roles",
                               "areas": "Service areas", "teams": "Teams",
                               "job_title": "Job title", "staff_ref": "Staff ref"}
REQUIRED = ("name", "username", "areas")
#: What separates several roles, areas or teams in one cell.
SEPARATORS = re.compile(r"\s*[;|/]\s*|\s*,\s*")
#: A roles or areas cell meaning "every service area".
EVERY_AREA = frozenset({"all", "all areas", "every area", "*"})
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,79}")
LENGTHS = {"name": 120, "job_title": 120, "staff_ref": 40}
#: Each role in the words a listing shows (the codes are for files and the command line):
#: the README's role names, with a capital.
ROLE_NAMES: dict[str, str] = {role: title[:1].upper() + title[1:]
                              for role, title in ROLE_TITLES.items()}
#: The fields of one person, in a form's order, with the column names add_user reports.
FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Name"), ("username", "Username"), ("roles", "Roles"),
    ("areas", "Service areas"), ("teams", "Teams"), ("job_title", "Job title"),
    ("staff_ref", "Staff ref"))


def roles_in_words(roles: tuple[str, ...]) -> str:
    """A person's roles as a listing shows them ("Auditor, QA officer"), in :class:`Role`'s
    order."""
    order = list(Role)
    known = sorted((Role(r) for r in roles if r in ROLE_NAMES), key=order.index)
    return ", ".join([ROLE_NAMES[r] for r in known] + [r for r in roles if r not in ROLE_NAMES])


class PersonRefused(InputProblem):
    """One person not added, and why, field by field.

    Why fields and not only the sentence: the window's dialog shows each reason beside
    the field it is about (``reasons`` maps a key of :data:`FIELDS` to its first reason).
    """

    def __init__(self, reasons: dict[str, str], message: str) -> None:
        super().__init__(message)
        self.reasons = reasons


class StaffRefused(ImportRefused):
    """A staff list refused whole; ``report`` holds the listed rows and every count,
    for the window's table of bad rows (the same one the caseload import shows)."""

    def __init__(self, source: str, problems: Problems) -> None:
        refusal = problems.refusal(source)
        super().__init__(source, problems.listed())
        self.problems = refusal.problems
        self.message = refusal.message
        self.args = (refusal.message,)
        self.report = ImportReport(file=source, profile="staff list")
        self.report.refuse(problems)


@dataclass(frozen=True)
class StaffMember:
    """One user as a listing shows them (names, not ids)."""

    id: str
    username: str
    name: str
    job_title: str
    roles: tuple[str, ...]
    areas: tuple[str, ...]
    active: bool


@dataclass
class StaffImport:
    """What an import did (or, refused, would have done): counts and the areas it made."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_areas: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Person:
    row: int
    name: str
    username: str
    roles: tuple[str, ...]
    areas: tuple[str, ...] | None  # None: every area
    teams: tuple[str, ...]
    job_title: str
    staff_ref: str | None


def parse_roles(text: str | None, job_title: str = "", titles: TitleTable | None = None
                ) -> tuple[str, ...] | None:
    """Role codes from a roles cell and the job title together, both read by the one table
    of council words (:mod:`desktop.services.people.titles`); None when a word of the
    roles cell is not a known title or role, () when neither says any.

    Why both (issue 25): a "QA Officer" whose title is "Practice Lead" is a QA officer who
    also dip-samples; reading only the Roles column dropped the auditor role the title
    gives, and with it the person's weekly sample. A title the table does not know adds
    nothing when the Roles cell says what the person does.
    """
    titles = titles or load_titles()
    from_title = titles.roles_of(job_title) or () if job_title else ()
    if text and text.strip():
        from_cell = titles.roles_of_cell(text)
        if from_cell is None:
            return None
        return tuple(sorted(set(from_cell) | set(from_title)))
    return tuple(from_title)


#: Titles a refusal names before "and N more".
TITLES_SHOWN = 12


def known_titles(titles: TitleTable) -> str:
    """"Head of Service, Service Manager, ... and 9 more": the titles that work."""
    known = titles.known()
    shown = ", ".join(known[:TITLES_SHOWN])
    return f"{shown} and {len(known) - TITLES_SHOWN} more" if len(known) > TITLES_SHOWN \
        else shown


def unknown_title(titles: TitleTable) -> str:
    """The reason a Roles cell or job title is refused, naming the titles that work."""
    return f"not a known job title; known titles are {known_titles(titles)}"


def header_key(text: str) -> str:
    """A header as matched: words only, any case ("Employee No." -> "employee no")."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def _columns(table: Table) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, header in enumerate(table.headers):
        if header:
            index.setdefault(header_key(header), position)
    found: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for name in names:
            at = index.get(name)
            if at is not None and at not in found.values():
                found[key] = at
                break
    missing = [FIELD_WORDS[k] for k in REQUIRED if k not in found]
    if missing:
        listed = ", ".join(f"'{m}'" for m in missing)
        accepted = "; ".join(f"{FIELD_WORDS[k]}: " + ", ".join(
            f"'{n.title()}'" for n in COLUMNS[k][:4]) for k in REQUIRED if k not in found)
        raise InputProblem(f"{table.source}: missing column(s) {listed} (a staff list has "
                           "Name, Username, Roles, Service areas and Teams; headers "
                           f"accepted include {accepted})")
    login = header_key(table.headers[found["username"]])
    if login in EMAIL_HEADERS:
        table.notes.append(f"usernames are the addresses in '{table.headers[found['username']]}'"
                           " (the list has no login column)")
    unused = [h for p, h in enumerate(table.headers) if h and p not in found.values()]
    if unused:
        table.notes.append("not used: " + ", ".join(f"'{h}'" for h in unused)
                           + " (a staff list's columns are Name, Username, Roles, Service "
                           "areas, Teams, Job title and Staff ref)")
    return found


def _text(cells: tuple[Any, ...], position: int | None) -> str | None:
    if position is None:
        return None
    value = cells[position]
    return None if value is None else (str(value).strip() or None)


def _header_fits(texts: frozenset[str]) -> bool:
    keys = {header_key(t) for t in texts}
    return all(any(n in keys for n in COLUMNS[k]) for k in REQUIRED)


def read_staff(path: Path | str, *, sheet: str | None = None
               ) -> tuple[Table, list[_Person], Problems]:
    """Every row of a staff list checked; the people of the good rows, and the problems."""
    table = read_table(Path(path), sheet=sheet, header=HeaderRule(fits=_header_fits,
                                                                  guess=True))
    where = _columns(table)
    table.drop_trailing_summary([table.headers[where[k]] for k in REQUIRED])
    problems = Problems()
    people: list[_Person] = []
    seen: dict[str, int] = {}
    titles = load_titles()
    for row in table.rows:
        person = _check_row(table, where, row.number, row.cells, row.controls, seen, problems,
                            titles)
        if person is not None:
            people.append(person)
    if not table.rows:
        raise InputProblem(f"{table.source}: there are no people under the header")
    return table, people, problems


def _check_row(table: Table, where: dict[str, int], number: int, cells: tuple[Any, ...],
               controls: tuple[int, ...], seen: dict[str, int], problems: Problems,
               titles: TitleTable) -> _Person | None:
    header = {k: table.headers[p] for k, p in where.items()}
    found: list[RowProblem] = [RowProblem(number, table.headers[p], CONTROL_REASON)
                               for p in controls if p in where.values()]
    values = {k: _text(cells, where.get(k)) for k in COLUMNS}
    name, username = values["name"], values["username"]
    if name is None:
        found.append(RowProblem(number, header["name"], "the name is blank"))
    if username is None:
        found.append(RowProblem(number, header["username"], "the username is blank"))
    elif not USERNAME.fullmatch(username):
        found.append(RowProblem(number, header["username"], "a username is letters, digits "
                                "and . _ @ - (at most 80), starting with a letter or digit"))
    elif username.casefold() in seen:
        found.append(RowProblem(number, header["username"],
                                f"the same username is on row {seen[username.casefold()]}"))
    else:
        seen[username.casefold()] = number
    for key, limit in LENGTHS.items():
        if (values[key] or "") and len(values[key] or "") > limit and key in header:
            found.append(RowProblem(number, header[key], f"longer than {limit} characters"))
    title = values["job_title"] or ""
    roles = parse_roles(values["roles"], title, titles)
    roles_column = header.get("roles", header.get("job_title", header["name"]))
    if roles is None:
        found.append(RowProblem(number, roles_column, unknown_title(titles)))
    elif not roles and title:
        found.append(RowProblem(number, header.get("job_title", roles_column),
                                f"no roles, and the job title is {unknown_title(titles)}: "
                                "fill in Roles"))
    elif not roles:
        found.append(RowProblem(number, roles_column, "no roles and no job title: fill in "
                                f"Roles, or a job title; known titles are "
                                f"{known_titles(titles)}"))
    areas_text = values["areas"]
    if areas_text is None:
        found.append(RowProblem(number, header["areas"], "no service area"))
    problems.extend(found)
    if found:
        return None
    words = [w for w in SEPARATORS.split(areas_text or "") if w]
    areas = None if len(words) == 1 and words[0].casefold() in EVERY_AREA else tuple(words)
    teams = tuple(w for w in re.split(r"\s*[;|]\s*", values["teams"] or "") if w)
    return _Person(number, name or "", username or "", roles or (), areas, teams, title,
                   values["staff_ref"])


def import_staff(ctx: ServiceContext, path: Path | str, *, sheet: str | None = None,
                 dry_run: bool = False) -> StaffImport:
    """Import (or rehearse) a staff list: users matched by username, created or updated,
    their service areas set to the list's; unknown service areas and teams created.

    Raises:
        InputProblem: the file cannot be read or lacks a column.
        StaffRefused: bad rows (every one listed); nothing was written.
    """
    guard(ctx, P.USERS)
    ctx.report(0, 1, "reading the staff list")
    table, people, problems = read_staff(path, sheet=sheet)
    result = StaffImport(file=table.source, rows=len(table.rows), notes=list(table.notes))
    if problems:
        raise StaffRefused(table.source, problems)
    store = ctx.store
    with store.read() if dry_run else store.transaction() as session:
        org = _Org(session)
        for number, person in enumerate(people, start=1):
            _apply(session, org, person, result)
            ctx.report(number, len(people), "writing users")
        problems.extend(org.problems)
        if problems:
            session.rollback()
            raise StaffRefused(table.source, problems)
        result.new_areas, result.new_teams = org.new_areas, org.new_teams
        if dry_run:
            session.rollback()
    return result


class _Org:
    """Service areas and teams by name, made on first mention (as the caseload does)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.areas = {a.name.casefold(): a for a in session.scalars(
            select(ServiceArea).where(ServiceArea.deleted.is_(False)))}
        self.teams = {t.name.casefold(): t for t in session.scalars(
            select(Team).where(Team.deleted.is_(False)))}
        self.new_areas: list[str] = []
        self.new_teams: list[str] = []
        self.problems: list[RowProblem] = []

    def area(self, name: str) -> ServiceArea:
        found = self.areas.get(name.casefold())
        if found is None:
            found = ServiceArea(name=name[:120])
            self.session.add(found)
            self.session.flush()
            self.areas[name.casefold()] = found
            self.new_areas.append(name)
        return found

    def team(self, name: str, area: ServiceArea | None, row: int, column: str) -> Team | None:
        found = self.teams.get(name.casefold())
        if found is None:
            if area is None:
                self.problems.append(RowProblem(row, column, "a new team needs one service "
                                                "area on the row to belong to"))
                return None
            found = Team(name=name[:120], service_area_id=area.id)
            self.session.add(found)
            self.session.flush()
            self.teams[name.casefold()] = found
            self.new_teams.append(name)
        return found


def _apply(session: Session, org: _Org, person: _Person, result: StaffImport) -> None:
    names = person.areas
    areas = [org.area(n) for n in names] if names is not None else list(org.areas.values())
    user = session.scalar(select(User).where(func.lower(User.username)
                                             == person.username.lower()))
    roles = ",".join(person.roles)
    worker_id = _team_worker(session, org, person, areas)
    if user is None:
        user = User(username=person.username, name=person.name, job_title=person.job_title,
                    roles=roles, worker_id=worker_id, active=True)
        session.add(user)
        session.flush()
        result.created += 1
        _set_areas(session, user.id, {a.id for a in areas})
        return
    wanted = {"name": person.name, "job_title": person.job_title, "roles": roles,
              "active": True, "deleted": False}
    if worker_id is not None:
        wanted["worker_id"] = worker_id
    changed = any(getattr(user, k) != v for k, v in wanted.items())
    for key, value in wanted.items():
        if getattr(user, key) != value:
            setattr(user, key, value)
    changed = _set_areas(session, user.id, {a.id for a in areas}) or changed
    if changed:
        result.updated += 1
    else:
        result.unchanged += 1


def _team_worker(session: Session, org: _Org, person: _Person, areas: list[ServiceArea]
                 ) -> str | None:
    """The worker a social worker or team manager is, found by staff reference or made,
    to link the user to: a social worker reads the audits of their own cases, and
    escalations and action confirmations go to the case's team manager.

    A worker made here gets the id the caseload import derives from the same staff
    reference, so a later import of the caseload finds this worker rather than making a
    second one (desktop/services/caseload/resolve.py).
    """
    social = Role.SOCIAL_WORKER.value in person.roles
    manager = Role.TEAM_MANAGER.value in person.roles
    if not (social or manager) or (not person.staff_ref and not (manager and person.teams)):
        return None
    ref = person.staff_ref or derived_staff_ref(person.name)
    worker = session.scalar(select(Worker).where(Worker.staff_ref == ref,
                                                 Worker.deleted.is_(False)))
    if worker is not None:
        return worker.id
    team_id = None
    if person.teams:
        only = areas[0] if len(areas) == 1 else None
        team = org.team(person.teams[0], only, person.row, "Teams")
        team_id = team.id if team is not None else None
    role = WorkerRole.TEAM_MANAGER if manager else WorkerRole.SOCIAL_WORKER
    worker = Worker(id=identity.worker_id(ref), staff_ref=ref, name=person.name,
                    role=role.value, team_id=team_id)
    session.add(worker)
    session.flush()
    return worker.id


def _set_areas(session: Session, user_id: str, wanted: set[str]) -> bool:
    """Make the user's live service-area links exactly ``wanted``; whether any changed."""
    links = session.scalars(select(UserServiceArea).where(
        UserServiceArea.user_id == user_id)).all()
    live = {link.service_area_id: link for link in links if not link.deleted}
    dead = {link.service_area_id: link for link in links if link.deleted}
    changed = False
    for area_id, link in live.items():
        if area_id not in wanted:
            link.deleted = True
            changed = True
    for area_id in wanted - set(live):
        if area_id in dead:
            dead[area_id].deleted = False
        else:
            session.add(UserServiceArea(user_id=user_id, service_area_id=area_id))
        changed = True
    return changed


def add_user(ctx: ServiceContext, *, username: str, name: str, roles: str,
             areas: str, teams: str = "", job_title: str = "",
             staff_ref: str | None = None) -> StaffMember:
    """Add one user (the same checks as a staff list's row).

    Raises:
        PersonRefused: a value is missing or malformed, or the username is taken.
    """
    guard(ctx, P.USERS)
    problems = Problems()
    cells = (name, username, roles, areas, teams, job_title, staff_ref)
    fake = Table(source="add", headers=tuple(header for _key, header in FIELDS))
    where = {key: i for i, (key, _header) in enumerate(FIELDS)}
    person = _check_row(fake, where, 1, tuple(c or None for c in cells), (), {}, problems,
                        load_titles())
    if person is None:
        first = problems.listed()[0]
        raise PersonRefused(_reasons(problems.listed()), f"{first.column}: {first.reason}")
    with ctx.store.transaction() as session:
        if session.scalar(select(User.id).where(func.lower(User.username)
                                                == username.strip().lower())):
            raise PersonRefused({"username": "the username is taken"},
                                f"the username '{username.strip()}' is taken")
        org = _Org(session)
        _apply(session, org, person, StaffImport(file="add"))
        if org.problems:
            raise PersonRefused(_reasons(org.problems), org.problems[0].reason)
    return _member(ctx, username)


def _reasons(problems: list[RowProblem]) -> dict[str, str]:
    """Each field's first reason, by the key of :data:`FIELDS` its column names."""
    keys = {header: key for key, header in FIELDS}
    reasons: dict[str, str] = {}
    for problem in problems:
        reasons.setdefault(keys.get(problem.column, "name"), problem.reason)
    return reasons


def service_area_choices(ctx: ServiceContext) -> list[str]:
    """Every live service area's name, sorted: the areas a new person may be given."""
    with ctx.store.read() as session:
        return service_area_names(session)


def list_users(ctx: ServiceContext, *, include_inactive: bool = False,
               area: str | None = None) -> list[StaffMember]:
    """The users by name, with their service areas' names (active ones by default)."""
    with ctx.store.read() as session:
        query = select(User).where(User.deleted.is_(False))
        if not include_inactive:
            query = query.where(User.active.is_(True))
        users = session.scalars(query.order_by(func.lower(User.name), User.username)).all()
        area_names = {a.id: a.name for a in session.scalars(select(ServiceArea))}
        links: dict[str, list[str]] = {}
        for link in session.scalars(select(UserServiceArea).where(
                UserServiceArea.deleted.is_(False))):
            links.setdefault(link.user_id, []).append(area_names.get(link.service_area_id, ""))
        members = [StaffMember(u.id, u.username, u.name, u.job_title,
                               tuple(sorted(u.role_set)),
                               tuple(sorted(links.get(u.id, []), key=str.casefold)), u.active)
                   for u in users]
    if area is not None:
        members = [m for m in members if area.casefold() in {a.casefold() for a in m.areas}]
    return members


def _member(ctx: ServiceContext, username: str) -> StaffMember:
    wanted = username.strip().casefold()
    return next(m for m in list_users(ctx, include_inactive=True)
                if m.username.casefold() == wanted)


def set_active(ctx: ServiceContext, who: str, active: bool) -> StaffMember:
    """Deactivate (or reactivate) a user: they keep their history but are no longer
    offered to sign in or drawn a sample.

    Raises:
        InputProblem: no such user.
        RuleViolation: the acting user deactivates themselves.
    """
    guard(ctx, P.USERS)
    from desktop.services.users import resolve_user

    with ctx.store.transaction() as session:
        user = resolve_user(session, who, option="USER")
        if not active and user.id == ctx.user_id:
            raise RuleViolation("you cannot deactivate yourself")
        if user.active != active:
            user.active = active
        username = user.username
    return _member(ctx, username)
