"""What each role may do: the permission table the README's "Roles" section shows.

Why one table and not checks scattered through the services: the table is what a
council's information governance officer signs off, so the code enforces exactly the
table (``tests/unit/security/test_roles_table.py`` checks the README against it).
A user holds several roles; what they may do is the union. QA officers manage users
as administrators do: the QA team keeps the list of auditors (seed 000), and the
People tab is theirs. Who a permission reaches
(every case, or only some) is the role's *scope*: see :mod:`desktop.services.auth.scope`.

The system (``ServiceContext.user_id`` None: a command-line sweep, a test, the
installer's self-test) may do everything: it is the laptop's own account, and anyone
who can run it already holds the database key. A person at the command line says who
they are with ``--user`` and their password, and is then held to their roles.
"""

from __future__ import annotations

from enum import StrEnum

from desktop.models.enums import Role


class Permission(StrEnum):
    VIEW_CASES = "cases.view"
    VIEW_AUDITS = "audits.view"
    AUDIT = "audits.do"
    COMMENT = "audits.comment"
    MODERATE = "audits.moderate"
    ACTIONS = "actions.manage"
    VERIFY_ACTIONS = "actions.verify"
    CONCERNS = "concerns.manage"
    SAMPLE = "sample.draw"
    REPORTS = "reports.run"
    EXPORT = "data.export"
    IMPORT_CASELOAD = "caseload.import"
    IMPORT_HISTORY = "history.import"
    EXERCISES = "exercises.manage"
    USERS = "users.manage"
    SETTINGS = "settings.manage"
    TEMPLATES = "templates.manage"
    RETENTION = "data.retention"
    SUBJECT_ACCESS = "data.subject_access"
    CHECK_LOG = "log.check"
    KEYS = "keys.manage"


P = Permission
_READER = {P.VIEW_CASES, P.VIEW_AUDITS, P.COMMENT}

#: Role -> what it may do. The README's table is made from this (``roles_table``).
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.AUDITOR: frozenset(_READER | {P.AUDIT, P.ACTIONS, P.CONCERNS, P.SAMPLE,
                                       P.REPORTS, P.EXPORT, P.EXERCISES}),
    Role.COORDINATOR: frozenset(_READER | {P.SAMPLE, P.REPORTS, P.EXPORT,
                                           P.IMPORT_CASELOAD}),
    Role.TEAM_MANAGER: frozenset(_READER | {P.ACTIONS, P.CONCERNS, P.REPORTS, P.EXPORT}),
    Role.SOCIAL_WORKER: frozenset({P.VIEW_AUDITS, P.COMMENT}),
    # The council's QA lead keeps the practice standards, quotas and templates (seed
    # 000: the QA team owns the audit tools), beside an administrator.
    Role.QA: frozenset(_READER | {P.AUDIT, P.MODERATE, P.ACTIONS, P.VERIFY_ACTIONS,
                                  P.CONCERNS, P.SAMPLE, P.REPORTS, P.EXPORT,
                                  P.IMPORT_CASELOAD, P.IMPORT_HISTORY, P.EXERCISES,
                                  P.USERS, P.SETTINGS, P.TEMPLATES, P.SUBJECT_ACCESS,
                                  P.CHECK_LOG}),
    Role.MODERATOR: frozenset(_READER | {P.MODERATE, P.REPORTS, P.EXPORT}),
    Role.HEAD_OF_SERVICE: frozenset(_READER | {P.ACTIONS, P.CONCERNS, P.REPORTS,
                                               P.EXPORT}),
    Role.ADMINISTRATOR: frozenset({P.USERS, P.SETTINGS, P.TEMPLATES, P.IMPORT_CASELOAD,
                                   P.RETENTION, P.SUBJECT_ACCESS, P.CHECK_LOG, P.KEYS}),
}

#: What each permission means, in the README's words.
MEANING: dict[Permission, str] = {
    P.VIEW_CASES: "see cases (list, detail, timeline)",
    P.VIEW_AUDITS: "read audits and their answers",
    P.AUDIT: "start, fill in, submit and reopen audits",
    P.COMMENT: "comment on an audit, answer a query",
    P.MODERATE: "moderate audits",
    P.ACTIONS: "add actions, record progress",
    P.VERIFY_ACTIONS: "verify an action done",
    P.CONCERNS: "disagreements and escalations",
    P.SAMPLE: "draw and change the weekly sample",
    P.REPORTS: "print reports and case tools",
    P.EXPORT: "export the audits they see, with answers and actions (XLSX, CSV)",
    P.IMPORT_CASELOAD: "import the caseload",
    P.IMPORT_HISTORY: "import historical audits and improvement plans",
    P.EXERCISES: "create and change audit exercises",
    P.USERS: "add, change and deactivate users, set passwords",
    P.SETTINGS: "change settings",
    P.TEMPLATES: "change audit templates and standards",
    P.RETENTION: "purge personal details past the retention period",
    P.SUBJECT_ACCESS: "export everything held about one child",
    P.CHECK_LOG: "verify the event log",
    P.KEYS: "rotate the database key, see or set the organisation sync key",
}

#: The issue's five roles first, then the roles the workflow added.
ROLE_ORDER = (Role.AUDITOR, Role.TEAM_MANAGER, Role.SOCIAL_WORKER, Role.QA,
              Role.ADMINISTRATOR, Role.COORDINATOR, Role.MODERATOR, Role.HEAD_OF_SERVICE)
ROLE_TITLES = {Role.AUDITOR: "auditor", Role.TEAM_MANAGER: "team manager",
               Role.SOCIAL_WORKER: "social worker", Role.QA: "QA officer",
               Role.ADMINISTRATOR: "administrator", Role.COORDINATOR: "coordinator",
               Role.MODERATOR: "moderator", Role.HEAD_OF_SERVICE: "head of service"}


class Reach(StrEnum):
    """Which records a role reaches (its scope), as the README's second table says."""

    EVERYTHING = "everything"
    AREAS = "areas"          # the cases of their service areas, and those cases' audits
    TEAM = "team"            # the cases of their team, and those cases' audits
    OWN_AUDITS = "own"       # the audits they did, and those audits' cases
    OWN_CASES = "own_cases"  # the audits of the cases they hold as a worker


#: Role -> what it reaches. :func:`desktop.services.auth.scope.scope_of` builds a
#: person's scope from this, and the roles test checks every read against it.
ROLE_REACH: dict[str, frozenset[Reach]] = {
    Role.AUDITOR: frozenset({Reach.AREAS, Reach.OWN_AUDITS}),
    Role.TEAM_MANAGER: frozenset({Reach.TEAM}),
    Role.SOCIAL_WORKER: frozenset({Reach.OWN_CASES}),
    Role.QA: frozenset({Reach.EVERYTHING}),
    Role.ADMINISTRATOR: frozenset(),
    Role.COORDINATOR: frozenset({Reach.AREAS}),
    Role.MODERATOR: frozenset({Reach.EVERYTHING}),
    Role.HEAD_OF_SERVICE: frozenset({Reach.AREAS}),
}

REACH_WORDS: dict[Reach, str] = {
    Reach.EVERYTHING: "every case, audit and action",
    Reach.AREAS: "the cases of their service areas, with their audits and actions",
    Reach.TEAM: "the cases of their team, with their audits and actions",
    Reach.OWN_AUDITS: "the audits they did, with those audits' cases and actions",
    Reach.OWN_CASES: "the audits of the cases they hold (to read and comment), and the "
                     "actions they own",
}


def reach_table() -> str:
    """What each role reaches, as Markdown (the README's second table)."""
    rows = ["| role | reaches |", "| --- | --- |"]
    for role in ROLE_ORDER:
        reach = ROLE_REACH[role]
        words = "; ".join(REACH_WORDS[r] for r in Reach if r in reach) or (
            "no case, audit or action")
        rows.append(f"| {ROLE_TITLES[role]} | {words} |")
    return "\n".join(rows)


def permissions_of(roles: frozenset[str]) -> frozenset[Permission]:
    found: set[Permission] = set()
    for role in roles:
        found |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(found)


def roles_table() -> str:
    """The permission table as Markdown, one row per permission, a column per role."""
    head = "| may | " + " | ".join(ROLE_TITLES[r] for r in ROLE_ORDER) + " |"
    rule = "| --- |" + " :-: |" * len(ROLE_ORDER)
    rows = [f"| {MEANING[p]} | " + " | ".join("yes" if p in ROLE_PERMISSIONS[r] else ""
                                             for r in ROLE_ORDER) + " |"
            for p in Permission]
    return "\n".join([head, rule, *rows])
