"""``dipsample check``: is this store healthy? Integrity, schema version, key, and the
evidence of tampering: every event-log entry that does not fit its keyed chain, a chain
rebuilt after it was anchored by sync, and every audit that no longer matches its seal
(desktop/services/evidence.py), one line each, by number or id only."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from desktop.cli.support import db_path, emit, open_for, permitted_context
from desktop.services.auth.roles import Permission
from desktop.services.context import ServiceContext
from desktop.services.evidence import check_evidence
from desktop.store import keys, migrate
from desktop.store.backups import backup_hint
from desktop.store.database import integrity_problems

#: Integrity problems printed as text (all of them are in --json).
SHOWN = 3


@dataclass
class CheckReport:
    path: str
    ok: bool
    integrity: list[str]
    schema_revision: str
    schema_head: str
    key_source: str
    cipher_version: str
    device_id: str
    counts: dict[str, int]
    upgraded_from: str | None = None
    backup: str | None = None
    #: What to do about problems found (the latest backup), or "".
    advice: str = ""
    #: Entries of the event log read, and the number of the first that breaks the chain.
    event_entries: int = 0
    event_break: int | None = None
    event_break_reason: str = ""
    #: Entries chained under an earlier database key (before ``key rotate``): their
    #: links are checked, their contents cannot be.
    event_unverifiable: int = 0
    #: Every sign of tampering found, one line each (entries, devices, audits by id).
    tamper: list[str] = field(default_factory=list)


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("check", parents=[common],
                                   help="check integrity, schema version and key")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from desktop.store.inspect import cipher_version, table_counts

    path = db_path(args)
    store = open_for(args)
    try:
        permitted_context(store, args, Permission.CHECK_LOG)
        problems = integrity_problems(store.engine, full=True)
        report = CheckReport(
            path=str(store.path), ok=not problems, integrity=problems or ["ok"],
            schema_revision=migrate.current_revision(store.engine) or "",
            schema_head=migrate.head_revision(), key_source=store.key_source,
            cipher_version=cipher_version(store.engine), device_id=store.device_id,
            counts={} if problems else table_counts(store.engine),
            upgraded_from=store.upgraded_from,
            backup=str(store.backup_path) if store.backup_path else None,
        )
        if not problems:
            evidence = check_evidence(ServiceContext(store=store))
            chain = evidence.chain
            report.event_entries = chain.entries
            report.event_break, report.event_break_reason = chain.first_break, chain.reason
            report.event_unverifiable = chain.unverifiable
            report.tamper = evidence.lines()
    finally:
        store.close()
    report.ok = (report.ok and report.schema_revision == report.schema_head
                 and report.event_break is None and not report.tamper)
    report.advice = "" if not problems else (
        f"{store.path.name} is damaged; {backup_hint(store.path)}")
    if report.tamper:
        report.advice = ("the event log or sealed audits were changed outside DipSample; "
                         "keep this file as it is and tell your information governance "
                         "lead")
    present = keys.key_present(path)

    def text() -> str:
        shown = report.integrity[:SHOWN]
        more = len(report.integrity) - len(shown)
        lines = [
            f"database:   {report.path}",
            f"integrity:  {'; '.join(shown)}" + (f" ... and {more} more" if more else ""),
            f"schema:     {report.schema_revision} (head {report.schema_head})",
            f"encryption: SQLCipher {report.cipher_version}, key from {report.key_source}"
            + ("" if present else " (not stored: asked for each time)"),
        ]
        if report.upgraded_from is not None:
            lines.append(f"upgraded:   schema {report.upgraded_from or 'none'} -> "
                         f"{report.schema_revision}; a backup was made first: {report.backup}")
        if report.event_break is not None:
            lines.append(f"event log:  {report.event_entries:,} entries, hash chain BROKEN")
        elif not problems:
            lines.append(f"event log:  {report.event_entries:,} entries, hash chain unbroken"
                         + (f" ({report.event_unverifiable:,} written under an earlier key: "
                            "their links checked)" if report.event_unverifiable else ""))
        lines += [f"tampered:   {line}" for line in report.tamper]
        lines += [f"  {name:<22} {count:>9,}" for name, count in report.counts.items()]
        lines.append("OK" if report.ok else "PROBLEMS FOUND"
                     + (f": {report.advice}" if report.advice else ""))
        return "\n".join(lines)

    emit(args, report, text)
    return 0 if report.ok else 1
