"""``dipsample audits list|show|import``: the audits, one audit, earlier results imported.

``audits list --json`` is a contract councils' scripts rely on: a list of objects with
at least ``id``, ``case_ref``, ``auditor_id``, ``status`` and ``grade``. Showing an
audit is logged as a view by the acting user (``--user``). A refused import exits 1 and
lists every bad row (row, column, reason); nothing is written then.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from desktop.cli.support import acting_context, emit, store_from, to_json
from desktop.models import Audit
from desktop.models.enums import AuditStatus
from desktop.services.audits.historical import import_historical
from desktop.services.audits.refused import ImportRefused
from desktop.services.audits.views import AuditSummary, list_audits, show_audit
from desktop.services.context import ServiceContext
from desktop.services.people.ids import expand_id, short_id
from desktop.services.people.names import names_of
from desktop.services.users import resolve_user
from desktop.store import Store


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("audits", parents=[common], help="list, show or import audits")
    sub = parser.add_subparsers(dest="audits_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", parents=[common], help="list audits, newest first")
    listing.add_argument("--status", choices=[s.value for s in AuditStatus],
                         help="only audits with this status")
    listing.add_argument("--auditor", metavar="USERNAME|ID", help="one auditor's audits")
    listing.add_argument("--case", metavar="REF", help="one case's audits")
    listing.add_argument("--since", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                         help="only audits dated on or after this day")
    listing.set_defaults(handler=run_list)
    show = sub.add_parser("show", parents=[common], help="one audit with its answers")
    show.add_argument("audit_id", metavar="ID", help="the audit's id or its first characters")
    show.set_defaults(handler=run_show)
    imp = sub.add_parser("import", parents=[common],
                         help="import earlier dip-sample results (CSV or .xlsx), all or none")
    imp.add_argument("file", type=Path, metavar="FILE",
                     help="the online form's export, one row per audit (CSV or .xlsx), with "
                     "the columns the mapping names; the shipped one: Case reference, "
                     "Auditor username, Date of dip sample, RAG on VTT, Auditor RAG, "
                     "Overall grade, Overview of findings, Positive practice, and a column "
                     "per question (Risk assessment in place, Date of risk assessment, ...)")
    imp.add_argument("--mapping", type=Path, default=None, metavar="PATH",
                     help="column mapping .json (default: the shipped online-form mapping)")
    imp.add_argument("--sheet", default=None, metavar="NAME",
                     help="the workbook's sheet to read (default: the first)")
    imp.set_defaults(handler=run_import)


def context(store: Store, args: argparse.Namespace) -> ServiceContext:
    """A context for whoever acts (``--user``, ``$DIPSAMPLE_USER`` or ``--system``)."""
    return acting_context(store, args)


def refused(args: argparse.Namespace, problem: ImportRefused) -> int:
    """Every bad row, as JSON or one line each on stderr; exit 1."""
    if args.json:
        print(to_json({"error": problem.message, "exit_code": 1,
                       "errors": [{"row": p.row, "column": p.column, "reason": p.reason}
                                  for p in problem.problems]}))
    else:
        print(f"dipsample: {problem.message.split(':', 1)[0]}: nothing imported", file=sys.stderr)
        for p in problem.problems:
            print(f"  {p}", file=sys.stderr)
    return 1


def summary_json(a: AuditSummary) -> dict[str, Any]:
    return {"id": a.id, "case_ref": a.case_ref, "case_id": a.case_id,
            "auditor_id": a.auditor_id, "status": a.status, "grade": a.grade,
            "audit_date": a.audit_date, "template": a.template_code,
            "template_version": a.template_version, "recorded_rag": a.recorded_rag,
            "auditor_rag": a.auditor_rag, "origin": a.origin,
            "comment_until": a.comment_until, "significant_harm": a.significant_harm}


LIST_HEADER = (f"{'date':<10}  {'case':<14} {'auditor':<22} {'status':<16} {'grade':<22} "
               f"{'template':<10} id")


def run_list(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = context(store, args)
        auditor = None
        if args.auditor:
            with store.read() as session:
                auditor = resolve_user(session, args.auditor).id
        rows = list_audits(ctx, status=args.status, auditor_id=auditor, case_ref=args.case,
                           since=args.since)

    def text() -> str:
        if not rows:
            return "no audits"
        with store.read() as session:
            auditors = names_of(session, "user", [a.auditor_id for a in rows])
        return "\n".join([LIST_HEADER, *(
            f"{a.audit_date.isoformat() if a.audit_date else '-':<10}  {a.case_ref:<14} "
            f"{auditors.get(a.auditor_id, '-')[:22]:<22} {a.status:<16} "
            f"{a.grade or '-':<22} {a.template_code} v{a.template_version:<4} {short_id(a.id)}"
            for a in rows)])

    emit(args, [summary_json(a) for a in rows], text)
    return 0


def run_show(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        with store.read() as session:
            audit_id = expand_id(session, Audit, args.audit_id, "audit")
        view = show_audit(context(store, args), audit_id)
        with store.read() as session:
            auditor = names_of(session, "user", [view.summary.auditor_id]).get(
                view.summary.auditor_id, "-")
    data = {**summary_json(view.summary), "overview": view.overview,
            "positive_practice": view.positive_practice, "submitted_at": view.submitted_at,
            "finalised_at": view.finalised_at, "reopen_reason": view.reopen_reason,
            "standards_version_id": view.standards_version_id,
            "answers": [{"code": a.code, "section": a.section, "question": a.text,
                         "type": a.answer_type, "required": a.required,
                         "standard": a.standard_code, "value": a.value, "note": a.note}
                        for a in view.answers]}

    def text() -> str:
        s = view.summary
        lines = [f"audit {short_id(s.id)}: case {s.case_ref}, {s.template_code} "
                 f"v{s.template_version}, by {auditor}",
                 f"status {s.status}, grade {s.grade or '-'}, RAG recorded "
                 f"{s.recorded_rag or '-'} / auditor {s.auditor_rag or '-'}",
                 f"overview: {view.overview}"]
        section = None
        for a in view.answers:
            if a.section != section:
                section = a.section
                lines.append(f"[{section}]")
            lines.append(f"  {a.code}: {a.value or '-'}" + (f"  ({a.note})" if a.note else ""))
        return "\n".join(lines)

    emit(args, data, text)
    return 0


def run_import(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        try:
            result = import_historical(context(store, args), args.file, args.mapping,
                                       sheet=args.sheet)
        except ImportRefused as problem:
            return refused(args, problem)
    emit(args, {"file": result.file, "mapping": result.mapping, "rows": result.rows,
                "imported": result.imported, "skipped": result.skipped,
                "audit_ids": result.audit_ids},
         f"{result.file}: {result.imported} audits imported, {result.skipped} already there")
    return 0
