"""``dipsample report case-tool|monthly|weekly|summary|plan``: the printed reports as PDF files.

``report case-tool AUDIT_ID -o FILE.pdf`` writes one audit's case tool (the id whole or
its first characters); ``report case-tool --week 2026-W47 -o FOLDER`` writes one per
audit of the week's sample (``--auditor`` for one auditor's), with a progress bar.
``report monthly --month 2026-10 -o FILE.pdf [--messages FILE]`` writes the monthly QA
report; ``report weekly --week 2026-W47 -o FILE.pdf`` the weekly report for senior
management; ``report summary EXERCISE_ID -o FILE.pdf`` one exercise's overall summary;
``report plan [--plan ID] -o FILE.pdf`` one improvement plan, or all of them.
Every case tool, summary and plan written is logged as an export by the acting user
(``--user``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.commands.audits import context
from desktop.cli.support import emit, store_from
from desktop.errors import InputProblem
from desktop.reports.case_tool import case_tool_pdf, resolve_audit, week_case_tools
from desktop.reports.monthly import monthly_pdf
from desktop.reports.plan import plan_pdf
from desktop.reports.summary import summary_pdf
from desktop.reports.weekly import weekly_pdf
from desktop.services.reporting.plan import resolve_plan
from desktop.services.reporting.summary import resolve_exercise
from desktop.services.users import resolve_user

#: Every PDF is written aside, logged as an export, then put under this name (0600).
OUTPUT_HELP = "the PDF file to write (readable by you only)"


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("report", parents=[common], help="write a report as PDF")
    sub = parser.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    tool = sub.add_parser("case-tool", parents=[common],
                          help="the case tool of one audit, or of every audit of a week")
    tool.add_argument("audit_id", nargs="?", metavar="AUDIT_ID",
                      help="the audit's id or its first characters")
    tool.add_argument("--week", metavar="YYYY-Www", help="every audit of this week's sample")
    tool.add_argument("--auditor", metavar="USERNAME", help="with --week: one auditor's")
    tool.add_argument("-o", "--output", type=Path, required=True, metavar="PATH",
                      help="the PDF file (one audit) or the folder (--week)")
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
    weekly.add_argument("--week", required=True, metavar="YYYY-Www",
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
    if args.auditor and not args.week:
        raise InputProblem("--auditor goes with --week")
    with store_from(args) as store:
        ctx = context(store, args)
        if args.audit_id is not None:
            audit_id = resolve_audit(ctx, args.audit_id)
            case_tool_pdf(ctx, audit_id, args.output)
            emit(args, {"audit_id": audit_id, "file": args.output},
                 f"case tool written to {args.output}")
            return 0
        auditor_id = None
        if args.auditor:
            with store.read() as session:
                auditor_id = resolve_user(session, args.auditor).id
        result = week_case_tools(ctx, auditor_id, args.week, args.output)
    emit(args, {"folder": result.folder, "files": list(result.files)},
         f"{len(result.files)} case tools written to {result.folder}")
    return 0


def run_monthly(args: argparse.Namespace) -> int:
    messages = args.messages.read_text(encoding="utf-8") if args.messages else ""
    with store_from(args) as store:
        data = monthly_pdf(context(store, args), args.month, args.output, messages)
    emit(args, {"file": args.output, "month": data.month, "audits": data.current.audits},
         f"monthly report for {data.month} ({data.current.audits} audits) written to "
         f"{args.output}")
    return 0


def run_weekly(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        data = weekly_pdf(context(store, args), args.week, args.output)
    emit(args, {"file": args.output, "week": data.week, "audits": data.total.audits},
         f"weekly report for {data.week} ({data.total.audits} audits) written to "
         f"{args.output}")
    return 0


def run_summary(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = context(store, args)
        data = summary_pdf(ctx, resolve_exercise(ctx, args.exercise_id), args.output)
    emit(args, {"file": args.output, "exercise_id": data.exercise_id,
                "audits": data.figures.audits},
         f"exercise summary ({data.figures.audits} audits) written to {args.output}")
    return 0


def run_plan(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = context(store, args)
        plan_id = resolve_plan(ctx, args.plan_id) if args.plan_id else None
        reports = plan_pdf(ctx, args.output, plan_id)
    emit(args, {"file": args.output, "plans": [r.plan.id for r in reports]},
         f"{len(reports)} improvement plans written to {args.output}")
    return 0
