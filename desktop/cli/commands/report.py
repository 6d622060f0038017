"""``dipsample report case-tool|monthly|weekly|summary|plan``: the printed reports as PDF files.

``report case-tool AUDIT_ID -o FILE.pdf`` writes one audit's case tool (the id whole or
its first characters); ``report case-tool --week 2026-W47 -o FILE.pdf`` writes the
week's case tools as one PDF with a bookmark per case (``-o FOLDER``, or ``--separate``:
one file per case into the folder; ``--auditor`` for one auditor's; ``--drafts`` to
include audits not yet submitted; ``--findings-only`` for only the cases with actions or
noted good practice, as seed 002 says), with a progress bar.
``report monthly --month 2026-10 -o FILE.pdf [--messages FILE]`` writes the monthly QA
report; ``report weekly --week 2026-W47 -o FILE.pdf`` the weekly report for senior
management; ``report summary EXERCISE_ID -o FILE.pdf`` one exercise's overall summary;
``report plan [--plan ID] -o FILE.pdf`` one improvement plan, or all of them.
Every case tool, summary and plan written is logged as an export by the acting user
(``--user``). A week may be typed in either case (``2026-w48``). A bad output path (a
folder that does not exist, a folder given for a file) or a missing ``--messages`` file
is one line and exit code 2, before the store is opened.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.commands.audits import context
from desktop.cli.support import emit, store_from
from desktop.errors import InputProblem, UserError
from desktop.reports.case_tool import (
    case_tool_pdf,
    resolve_audit,
    week_case_tools,
    week_case_tools_pdf,
)
from desktop.reports.monthly import monthly_pdf
from desktop.reports.plan import plan_pdf
from desktop.reports.summary import summary_pdf
from desktop.reports.weekly import weekly_pdf
from desktop.services.reporting.case_tool import WeekChoice
from desktop.services.reporting.plan import resolve_plan
from desktop.services.reporting.summary import resolve_exercise
from desktop.services.users import resolve_user

#: Every PDF is written aside, logged as an export, then put under this name (0600).
OUTPUT_HELP = "the PDF file to write (readable by you only)"


def week_text(text: str) -> str:
    """An ISO week as typed, in either case: ``2026-w48`` is ``2026-W48``."""
    return text.strip().upper()


def output_file(path: Path) -> Path:
    """``path`` if a PDF can be written there; else one line (exit 2) before any work.

    Raises:
        UserError: ``path`` is a folder, or its folder does not exist.
    """
    if path.is_dir():
        raise UserError(f"{path} is a folder: give the file to write, such as "
                        f"{path / 'report.pdf'}")
    if not path.parent.is_dir():
        raise UserError(f"cannot write {path}: the folder {path.parent} does not exist")
    return path


def output_folder(path: Path) -> Path:
    """``path`` if a batch's files can go into it (it is made when missing).

    Raises:
        UserError: ``path`` is a file.
    """
    if path.exists() and not path.is_dir():
        raise UserError(f"{path} is a file: --separate writes one PDF per case into a "
                        "folder")
    return path


def read_messages(path: Path | None) -> str:
    """The key messages file's text ("" without one).

    Raises:
        UserError: the file is missing or unreadable.
    """
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"cannot read the key messages: {path} does not exist") from None
    except IsADirectoryError:
        raise UserError(f"cannot read the key messages: {path} is a folder") from None
    except UnicodeDecodeError:
        raise UserError(f"cannot read the key messages: {path} is not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"cannot read the key messages in {path}: "
                        f"{exc.strerror or exc}") from None


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("report", parents=[common], help="write a report as PDF")
    sub = parser.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    tool = sub.add_parser("case-tool", parents=[common],
                          help="the case tool of one audit, or of every audit of a week")
    tool.add_argument("audit_id", nargs="?", metavar="AUDIT_ID",
                      help="the audit's id or its first characters")
    tool.add_argument("--week", metavar="YYYY-Www", type=week_text,
                      help="every audit of this week's sample, as one PDF with a bookmark "
                           "per case")
    tool.add_argument("--auditor", metavar="USERNAME", help="with --week: one auditor's")
    tool.add_argument("--separate", action="store_true",
                      help="with --week: one PDF per case, into the folder -o names (what "
                           "an -o that is not a .pdf file means too)")
    tool.add_argument("--drafts", action="store_true",
                      help="with --week: include audits not yet submitted (marked DRAFT)")
    tool.add_argument("--findings-only", action="store_true",
                      help="with --week: only cases with actions or noted good practice "
                           "(the cases seed 002 says the case tool is for)")
    tool.add_argument("-o", "--output", type=Path, required=True, metavar="PATH",
                      help="the PDF file (one audit; a week as one PDF), or the folder "
                           "for a week's case tools one file each")
    tool.set_defaults(handler=run_case_tool)
    monthly = sub.add_parser("monthly", parents=[common],
                             help="the monthly QA report: key messages, weighted compliance")
    monthly.add_argument("--month", required=True, metavar="YYYY-MM",
                         help="the month the report covers")
    monthly.add_argument("--messages", type=Path, default=None, metavar="FILE",
                         help="a text file of the QA team's key messages for the month")
    monthly.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf",
                         help=OUTPUT_HELP)
    monthly.set_defaults(handler=run_monthly)
    weekly = sub.add_parser("weekly", parents=[common],
                            help="the weekly report for senior management: findings by "
                                 "team and worker, audits against quota")
    weekly.add_argument("--week", required=True, metavar="YYYY-Www", type=week_text,
                        help="the ISO week the report covers, e.g. 2026-W48")
    weekly.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf",
                        help=OUTPUT_HELP)
    weekly.set_defaults(handler=run_weekly)
    summary = sub.add_parser("summary", parents=[common],
                             help="the overall summary of one dip-sample exercise")
    summary.add_argument("exercise_id", metavar="EXERCISE_ID",
                         help="the exercise's id or its first characters")
    summary.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf",
                         help=OUTPUT_HELP)
    summary.set_defaults(handler=run_summary)
    plan = sub.add_parser("plan", parents=[common],
                          help="improvement plans: finding, action, lead, by when, status")
    plan.add_argument("--plan", dest="plan_id", metavar="ID",
                      help="one plan (its id or first characters); default every plan")
    plan.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf",
                      help=OUTPUT_HELP)
    plan.set_defaults(handler=run_plan)


def run_case_tool(args: argparse.Namespace) -> int:
    if (args.audit_id is None) == (args.week is None):
        raise InputProblem("give an audit id or --week, not both")
    for flag, given in (("--auditor", args.auditor), ("--separate", args.separate),
                        ("--drafts", args.drafts), ("--findings-only", args.findings_only)):
        if given and not args.week:
            raise InputProblem(f"{flag} goes with --week")
    # A week to a .pdf file is one document; to a folder, one file per case.
    separate = args.week is not None and (args.separate
                                          or args.output.suffix.lower() != ".pdf")
    out = output_folder(args.output) if separate else output_file(args.output)
    with store_from(args) as store:
        ctx = context(store, args)
        if args.audit_id is not None:
            audit_id = resolve_audit(ctx, args.audit_id)
            case_tool_pdf(ctx, audit_id, out)
            emit(args, {"audit_id": audit_id, "file": out},
                 f"case tool written to {out}")
            return 0
        auditor_id = None
        if args.auditor:
            with store.read() as session:
                auditor_id = resolve_user(session, args.auditor).id
        choice = WeekChoice(drafts=args.drafts, findings_only=args.findings_only)
        if separate:
            result = week_case_tools(ctx, auditor_id, args.week, out, choice)
            emit(args, {"folder": result.folder, "files": list(result.files)},
                 f"{len(result.files)} case tools written to {result.folder}")
            return 0
        bound = week_case_tools_pdf(ctx, auditor_id, args.week, out, choice)
    count = len(bound.audit_ids)
    emit(args, {"file": out, "audit_ids": list(bound.audit_ids)},
         f"{count} case tool{'' if count == 1 else 's'} of {args.week} written to {out}, "
         "one bookmark each")
    return 0


def run_monthly(args: argparse.Namespace) -> int:
    messages = read_messages(args.messages)
    output_file(args.output)
    with store_from(args) as store:
        data = monthly_pdf(context(store, args), args.month, args.output, messages)
    emit(args, {"file": args.output, "month": data.month, "audits": data.current.audits},
         f"monthly report for {data.month} ({data.current.audits} audits) written to "
         f"{args.output}")
    return 0


def run_weekly(args: argparse.Namespace) -> int:
    output_file(args.output)
    with store_from(args) as store:
        data = weekly_pdf(context(store, args), args.week, args.output)
    emit(args, {"file": args.output, "week": data.week, "audits": data.total.audits},
         f"weekly report for {data.week} ({data.total.audits} audits) written to "
         f"{args.output}")
    return 0


def run_summary(args: argparse.Namespace) -> int:
    output_file(args.output)
    with store_from(args) as store:
        ctx = context(store, args)
        data = summary_pdf(ctx, resolve_exercise(ctx, args.exercise_id), args.output)
    emit(args, {"file": args.output, "exercise_id": data.exercise_id,
                "audits": data.figures.audits},
         f"exercise summary ({data.figures.audits} audits) written to {args.output}")
    return 0


def run_plan(args: argparse.Namespace) -> int:
    output_file(args.output)
    with store_from(args) as store:
        ctx = context(store, args)
        plan_id = resolve_plan(ctx, args.plan_id) if args.plan_id else None
        reports = plan_pdf(ctx, args.output, plan_id)
    emit(args, {"file": args.output, "plans": [r.plan.id for r in reports]},
         f"{len(reports)} improvement plans written to {args.output}")
    return 0
