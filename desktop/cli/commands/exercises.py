"""``dipsample exercises list|add|attach|detach|show``: themed dip-sample exercises.

Why a command of its own: an exercise (seed 002: a theme, a cohort, a period, the
audits in it) is what ``report summary`` prints, and until it can be made and filled
there is nothing to print. ``attach --matching`` attaches the audits of the exercise's
period, area and cohort that the acting person reaches; ids may be given by their first
characters, as listings print them. ``--json`` prints the services' dataclasses.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from desktop.cli.support import acting_context, emit, store_from
from desktop.errors import UserError
from desktop.services import exercises
from desktop.services.exercises import ExerciseAudit, ExerciseInput, ExerciseRow, ExerciseView
from desktop.services.people.ids import short_id
from desktop.words import plural

COHORTS = ", ".join(f"{code} ({words})" for code, words in exercises.COHORT_WORDS.items())


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("exercises", parents=[common],
                                   help="themed dip-sample exercises and their audits")
    sub = parser.add_subparsers(dest="exercises_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", parents=[common],
                             help="the exercises you reach, latest period first, with "
                             "their progress")
    listing.set_defaults(handler=run_list)

    add = sub.add_parser("add", parents=[common], help="make a new exercise; you lead it")
    add.add_argument("--title", required=True, help="what the exercise is called")
    add.add_argument("--theme", default="",
                     help="the theme or topic looked at (for example: neglect)")
    add.add_argument("--area", default=None, metavar="NAME",
                     help="one service area by name (default: every area)")
    add.add_argument("--from", dest="period_from", default=None, metavar="DATE",
                     help="the first day of its period (dd/mm/yyyy or yyyy-mm-dd)")
    add.add_argument("--to", dest="period_to", default=None, metavar="DATE",
                     help="the last day of its period (dd/mm/yyyy or yyyy-mm-dd)")
    add.add_argument("--cohort", "--legal-status", dest="cohort", default=None,
                     metavar="CODE",
                     help=f"one cohort or legal status (default: every one): {COHORTS}")
    add.set_defaults(handler=run_add)

    attach = sub.add_parser("attach", parents=[common],
                            help="make audits part of an exercise: by id, or every audit "
                            "that matches its period, area and cohort")
    attach.add_argument("exercise_id", metavar="EXERCISE_ID",
                        help="the exercise's id or its first characters")
    attach.add_argument("audit_ids", nargs="*", metavar="AUDIT_ID",
                        help="audits by id or their first characters")
    attach.add_argument("--matching", action="store_true",
                        help="attach the audits of its period, area and cohort that you "
                        "reach and no other exercise holds")
    attach.set_defaults(handler=run_attach)

    detach = sub.add_parser("detach", parents=[common],
                            help="take audits out of an exercise (the audits stay)")
    detach.add_argument("exercise_id", metavar="EXERCISE_ID",
                        help="the exercise's id or its first characters")
    detach.add_argument("audit_ids", nargs="+", metavar="AUDIT_ID",
                        help="audits by id or their first characters")
    detach.set_defaults(handler=run_detach)

    show = sub.add_parser("show", parents=[common],
                          help="one exercise: its details, progress and audits")
    show.add_argument("exercise_id", metavar="EXERCISE_ID",
                      help="the exercise's id or its first characters")
    show.set_defaults(handler=run_show)


# -- words ------------------------------------------------------------------------------
def period_words(row: ExerciseRow) -> str:
    if row.period_from is None and row.period_to is None:
        return "no period"
    start = f"{row.period_from:%d/%m/%Y}" if row.period_from else "open"
    end = f"{row.period_to:%d/%m/%Y}" if row.period_to else "open"
    return f"{start} to {end}"


def about_words(row: ExerciseRow) -> str:
    """Theme, cohort and area in a few words."""
    parts = [row.theme or "no theme",
             exercises.COHORT_WORDS.get(row.cohort or "", "every cohort"),
             row.area or "every area"]
    return "; ".join(parts)


def progress_words(row: ExerciseRow) -> str:
    p = row.progress
    return (f"{plural(p.attached, 'audit')} ({p.submitted} submitted, {p.finalised} "
            f"finalised), {plural(p.cases_seen, 'case')} seen")


def list_text(rows: list[ExerciseRow]) -> str:
    if not rows:
        return "no exercises"
    return "\n".join(f"{short_id(r.id)}  {period_words(r):<24}  {r.title}  "
                     f"[{about_words(r)}]  {progress_words(r)}" for r in rows)


def audit_line(a: ExerciseAudit) -> str:
    day = f"{a.audit_date:%d/%m/%Y}" if a.audit_date else "-"
    return (f"  {short_id(a.id)}  {day:<10}  {a.case_ref:<14} {a.status:<16} "
            f"{a.grade or 'not graded':<22} {a.auditor}")


def show_text(view: ExerciseView) -> str:
    e = view.exercise
    lines = [f"{e.title}  ({e.id})", f"  theme, cohort, area: {about_words(e)}",
             f"  period: {period_words(e)}", f"  lead: {e.lead or 'the system'}",
             f"  progress: {progress_words(e)}",
             f"  judgement: {e.judgement or 'not recorded'}"]
    if view.findings:
        lines.append(f"  findings: {view.findings}")
    lines.append("audits:" if view.audits else "no audits yet")
    lines += [audit_line(a) for a in view.audits]
    return "\n".join(lines)


# -- handlers ---------------------------------------------------------------------------
def run_list(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        rows = exercises.list_exercises(acting_context(store, args))
    emit(args, rows, lambda: list_text(rows))
    return 0


def run_add(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = acting_context(store, args)
        data = ExerciseInput(
            title=args.title, theme=args.theme,
            period_from=exercises.period_day(args.period_from, "start"),
            period_to=exercises.period_day(args.period_to, "end"),
            service_area_id=exercises.area_id_named(ctx, args.area) if args.area else None,
            cohort=exercises.cohort_code(args.cohort) if args.cohort else None)
        exercise_id = exercises.create_exercise(ctx, data)
        row = exercises.show_exercise(ctx, exercise_id, log=False).exercise
    emit(args, row, lambda: f"exercise {short_id(row.id)} added: {row.title} "
         f"[{about_words(row)}], {period_words(row)}")
    return 0


def run_attach(args: argparse.Namespace) -> int:
    if args.matching == bool(args.audit_ids):
        raise UserError("give audit ids or --matching, one of the two")
    with store_from(args) as store:
        ctx = acting_context(store, args)
        exercise_id = exercises.exercise_id_of(ctx, args.exercise_id)
        if args.matching:
            result = exercises.attach_matching(ctx, exercise_id)
        else:
            count = exercises.attach_audits(ctx, exercise_id,
                                            exercises.audit_ids_of(ctx, args.audit_ids))
            result = exercises.AttachResult(count, 0, 0)
        row = exercises.show_exercise(ctx, exercise_id, log=False).exercise
    out: dict[str, Any] = {"exercise_id": exercise_id, **dataclasses.asdict(result),
                           "progress": row.progress}
    emit(args, out, lambda: f"{plural(result.attached, 'audit')} attached to {row.title}"
         + (f"; {result.already} were already in it" if result.already else "")
         + (f"; {result.elsewhere} left in other exercises" if result.elsewhere else "")
         + f". Now {progress_words(row)}.")
    return 0


def run_detach(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = acting_context(store, args)
        exercise_id = exercises.exercise_id_of(ctx, args.exercise_id)
        count = exercises.detach_audits(ctx, exercise_id,
                                        exercises.audit_ids_of(ctx, args.audit_ids))
        row = exercises.show_exercise(ctx, exercise_id, log=False).exercise
    emit(args, {"exercise_id": exercise_id, "detached": count, "progress": row.progress},
         lambda: f"{plural(count, 'audit')} taken out of {row.title}. "
         f"Now {progress_words(row)}.")
    return 0


def run_show(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = acting_context(store, args)
        view = exercises.show_exercise(ctx, exercises.exercise_id_of(ctx, args.exercise_id))
    emit(args, view, lambda: show_text(view))
    return 0
