"""``dipsample users import|add|list|deactivate|activate|set-password``: the council's
own people.

A staff list (CSV or .xlsx: Name, Username, Roles, Service areas, Teams, and optionally
Job title and Staff ref) imports all or nothing, as the caseload does: exit 1 and every
bad row listed when any row is bad. Roles may be left empty when the job title says
them: a Roles cell and a job title are read by the same table of council words
(``users titles`` prints it and says where a council keeps its own).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from desktop.cli.commands.audits import refused
from desktop.cli.support import (
    acting_context,
    acting_user_id,
    emit,
    progress_printer,
    store_from,
)
from desktop.errors import EnvironmentProblem, InputProblem, PermissionRefused
from desktop.services.audits.refused import ImportRefused
from desktop.services.context import ServiceContext
from desktop.services.people.ids import short_id
from desktop.services.people.staff import (
    StaffImport,
    StaffMember,
    add_user,
    import_staff,
    list_users,
    set_active,
)
from desktop.services.people.titles import council_file, load_titles


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("users", parents=[common],
                                   help="import a staff list; add, list or deactivate users")
    sub = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    imp = sub.add_parser(
        "import", parents=[common], help="import a staff list (CSV or .xlsx), all or none",
        description="Import a staff list: one person a row with Name, Username, Roles, "
        "Service areas and Teams (several separated by ';'), optionally Job title and "
        "Staff ref. Users are matched by username; their service areas become the "
        "list's. Service areas and teams not seen before are created.")
    imp.add_argument("file", type=Path, metavar="FILE",
                     help="the staff list (CSV or .xlsx): Name, Username, Job title, Roles, "
                     "Service areas, Teams, Staff ref (headers as your HR system writes "
                     "them; roles may be left to the job title)")
    imp.add_argument("--sheet", default=None, metavar="NAME",
                     help="the workbook's sheet to read (default: the first)")
    imp.add_argument("--dry-run", action="store_true", help="check the list; write nothing")
    imp.set_defaults(handler=run_import)
    add = sub.add_parser("add", parents=[common], help="add one user")
    add.add_argument("username", help="the name the person signs in with")
    add.add_argument("--name", required=True, help="the person's full name")
    add.add_argument("--roles", default="", help="e.g. 'auditor', 'qa;moderator' or a "
                     "council title such as 'Area Manager' (default: from --title; see "
                     "'dipsample users titles')")
    add.add_argument("--areas", required=True,
                     help="service areas separated by ';', or 'all'")
    add.add_argument("--teams", default="", help="a team manager's team")
    add.add_argument("--title", default="", help="job title, e.g. 'Area Manager (North)'")
    add.add_argument("--staff-ref", default=None, help="their staff reference")
    add.set_defaults(handler=run_add)
    listing = sub.add_parser("list", parents=[common], help="the users, by name")
    listing.add_argument("--all", dest="everyone", action="store_true",
                         help="include deactivated users")
    listing.add_argument("--area", default=None, help="only users of this service area")
    listing.set_defaults(handler=run_list)
    for name, active, words in (("deactivate", False, "no longer signs in or samples"),
                                ("activate", True, "signs in and samples again")):
        one = sub.add_parser(name, parents=[common], help=f"the user {words}")
        one.add_argument("who", metavar="USER", help="username, user id or its first "
                         "characters, or staff reference")
        one.set_defaults(handler=run_active, active=active)
    titles = sub.add_parser(
        "titles", parents=[common], help="the job titles and the roles each gives",
        description="Print the table of council words for roles and job titles: the "
        "roles a Roles cell or a job title holding each gives, and the file it is read "
        "from. A council edits its own copy (job_titles.csv in the settings folder), "
        "which replaces the built-in table whole.")
    titles.set_defaults(handler=run_titles)
    pw = sub.add_parser(
        "set-password", parents=[common], help="set a user's password (asked twice)",
        description="Set the password USER signs in with. An administrator (--user) may "
        "set anyone's, which also lifts a lock-out; a person may change their own (their "
        "current password first). The password is typed at the terminal, or read from "
        "standard input with --stdin; never given as an argument.")
    pw.add_argument("who", metavar="USER", help="username, user id or staff reference")
    pw.add_argument("--stdin", action="store_true",
                    help="read the new password (and, for your own, the current one on "
                    "the line before it) from standard input")
    pw.set_defaults(handler=run_set_password)


def run_import(args: argparse.Namespace) -> int:
    """Into an existing store only, as every command but ``demo`` and ``import``: a
    mistyped ``--db`` must not start a second, empty store beside the council's (the
    README: only ``demo``, ``import``, the window and a new laptop's first pull make
    one)."""
    path: Path = args.file
    if not path.is_file():
        raise EnvironmentProblem(f"{path}: no such file")
    with store_from(args) as store:
        ctx = ServiceContext(store=store, user_id=acting_user_id(store, args),
                             progress=progress_printer(args))
        try:
            result = import_staff(ctx, path, sheet=args.sheet, dry_run=args.dry_run)
        except ImportRefused as problem:
            return refused(args, problem)
    emit(args, result, lambda: _import_text(result, args.dry_run))
    return 0


def _import_text(result: StaffImport, dry_run: bool) -> str:
    lines = [f"note: {n}" for n in result.notes]
    if result.new_areas:
        lines.append("new service areas: " + ", ".join(result.new_areas))
    if result.new_teams:
        lines.append("new teams: " + ", ".join(result.new_teams))
    lines.append(f"{result.file}: {result.rows} people: {result.created} created, "
                 f"{result.updated} updated, {result.unchanged} unchanged"
                 + (" (dry run: nothing was written)" if dry_run else ""))
    return "\n".join(lines)


def run_titles(args: argparse.Namespace) -> int:
    """No store is opened: the table is a file of the council's settings."""
    table = load_titles()
    own = council_file()
    rows = [{"words": t.words, "roles": sorted(t.roles)} for t in table.titles]
    where = (f"read from {table.source}" if table.source == own else
             f"the built-in table; to change it, copy {table.source} to {own} and edit "
             "the copy")
    emit(args, {"file": str(table.source), "council_file": str(own), "titles": rows},
         lambda: "\n".join([f"{'words':<40} roles",
                            *(f"{r['words']:<40} {', '.join(r['roles'])}" for r in rows),
                            where]))
    return 0


def run_add(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = ServiceContext(store=store, user_id=acting_user_id(store, args))
        member = add_user(ctx, username=args.username, name=args.name, roles=args.roles,
                          areas=args.areas, teams=args.teams, job_title=args.title,
                          staff_ref=args.staff_ref)
    emit(args, member, lambda: "added " + member_line(member))
    return 0


HEADER = f"{'username':<20} {'name':<28} {'roles':<26} {'service areas':<30} id"


def member_line(m: StaffMember) -> str:
    state = "" if m.active else "  (deactivated)"
    return (f"{m.username:<20} {m.name[:28]:<28} {','.join(m.roles)[:26]:<26} "
            f"{'; '.join(m.areas)[:30]:<30} {short_id(m.id)}{state}")


def run_list(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        members = list_users(acting_context(store, args), include_inactive=args.everyone,
                             area=args.area)
    emit(args, members, lambda: "\n".join([HEADER, *map(member_line, members)])
         if members else "no users")
    return 0


def run_active(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = ServiceContext(store=store, user_id=acting_user_id(store, args))
        member = set_active(ctx, args.who, args.active)
    emit(args, member, lambda: ("activated " if args.active else "deactivated ")
         + member_line(member))
    return 0


def _typed_passwords(args: argparse.Namespace, own_with_old: bool) -> tuple[str | None, str]:
    """(current, new): from standard input with ``--stdin``, else typed twice."""
    if args.stdin:
        lines = sys.stdin.read().splitlines()
        wanted = 2 if own_with_old else 1
        if len(lines) < wanted:
            raise InputProblem("standard input holds no password")
        return (lines[0] if own_with_old else None), lines[wanted - 1]
    if not sys.stdin.isatty():
        raise InputProblem("type the password at a terminal, or give it with --stdin")
    old = getpass.getpass("Current password: ") if own_with_old else None
    new = getpass.getpass("New password: ")
    if getpass.getpass("Type the new password again: ") != new:
        raise InputProblem("The two passwords differ; nothing was changed.")
    return old, new


def run_set_password(args: argparse.Namespace) -> int:
    from desktop.services.auth.acting import needs_password
    from desktop.services.auth.signin import has_password, set_password
    from desktop.services.users import resolve_user

    with store_from(args) as store:
        # A person with no password yet may act here to set their own first one.
        ctx = ServiceContext(store=store, user_id=acting_user_id(store, args,
                                                                 first_password=True))
        with store.read() as session:
            target = resolve_user(session, args.who, option="USER")
            target_id, username = target.id, target.username
        own = ctx.user_id == target_id
        if ctx.user_id is not None and not own and needs_password(store, ctx.user_id):
            raise PermissionRefused("Set your own password first; then you may act for "
                                    "others as your roles allow.")
        old, new = _typed_passwords(args, own and has_password(ctx, target_id))
        set_password(ctx, target_id, new, old=old)
    emit(args, {"user": target_id, "password_set": True},
         f"the password of {username} is set")
    return 0
