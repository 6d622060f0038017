"""``dipsample check``: is this store healthy? Integrity, schema version, key, and the
evidence of tampering: every event-log entry that does not fit its keyed chain, a chain
rebuilt after it was anchored by sync, and every audit that no longer matches its seal
(desktop/services/evidence.py), one line each, by number or id only. Then every
setting and where its value came from (the machine-wide policy file, the person's own
settings, the default), and the policy file's problems, one line each: IT checks a
laptop's configuration with the same command (desktop/services/policy.py)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from desktop.cli.support import db_path, emit, open_for, permitted_context
from desktop.errors import UserError
from desktop.services import policy
from desktop.services.auth.roles import Permission
from desktop.services.context import ServiceContext
from desktop.services.evidence import check_evidence
from desktop.services.standards.settings_form import SettingOrigin, setting_origins
from desktop.store import Store, keys
from desktop.store.backups import backup_hint

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
    #: The machine-wide policy file, whether it is there, and its problems (one line
    #: each, naming the file); a problem makes the check fail.
    policy_file: str = ""
    policy_found: bool = False
    policy_problems: list[str] = field(default_factory=list)
    #: Every setting, its value in force and where it came from.
    settings: list[SettingOrigin] = field(default_factory=list)


#: Width of a setting's name in the text output (the longest, dotted, fits).
NAME_WIDTH = 40


def own_settings(store: Store | None) -> tuple[list[SettingOrigin], list[str]]:
    """Every setting with its origin, and the lines for settings files that are broken.

    ``store``: None when it is damaged (the sync target it keeps is not read then). The
    idle minutes are the policy's, the environment's or the default: a value the window
    keeps in its own settings (Qt's) is not read here.
    """
    from desktop.sync.status import remembered_target

    in_force = policy.current_policy()
    problems = list(in_force.problems)
    target = in_force.sync_target or (remembered_target(store) if store else "")
    origins = [SettingOrigin(
        "sync.target", policy.describe_target(target) or "none",
        (policy.Source.POLICY if in_force.sync_target else policy.Source.STORE if target
         else policy.Source.NOT_SET).value)]
    folder = policy.templates_folder()
    own = in_force.templates_folder is None and any(folder.glob("*.toml"))
    origins.append(SettingOrigin("templates.folder", str(folder), (
        policy.Source.POLICY if in_force.templates_folder is not None and folder.is_dir()
        else policy.Source.USER if own else policy.Source.DEFAULT).value))
    if (missing := policy.templates_folder_problem()):
        problems.append(missing)
    minutes, source = policy.idle_minutes()
    origins.append(SettingOrigin("lock.idle_minutes", f"{minutes:g}", source.value))
    for section in policy.FILE_SECTIONS:
        try:
            origins += setting_origins(section)
        except UserError as problem:
            problems.append(problem.message)
    return origins, problems


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("check", parents=[common],
                                   help="check integrity, schema version and key")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from desktop.store.inspect import store_health

    path = db_path(args)
    store = open_for(args)
    try:
        permitted_context(store, args, Permission.CHECK_LOG)
        health = store_health(store)
        problems = health.integrity
        report = CheckReport(
            path=str(store.path), ok=not problems, integrity=problems or ["ok"],
            schema_revision=health.schema_revision, schema_head=health.schema_head,
            key_source=store.key_source, cipher_version=health.cipher_version,
            device_id=store.device_id, counts=health.counts,
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
        report.settings, report.policy_problems = own_settings(None if problems else store)
    finally:
        store.close()
    in_force = policy.current_policy()
    report.policy_file, report.policy_found = str(in_force.path), in_force.found
    report.ok = (report.ok and report.schema_revision == report.schema_head
                 and report.event_break is None and not report.tamper
                 and not report.policy_problems)
    report.advice = "" if not problems else (
        f"{store.path.name} is damaged; {backup_hint(store.path)}")
    if report.tamper:
        report.advice = ("the event log or sealed audits were changed outside DipSample; "
                         "keep this file as it is and tell your information governance "
                         "lead")
    elif report.policy_problems and not report.advice:
        report.advice = ("the policy file's problems are listed above; DipSample still "
                         "opens, without the settings they name")
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
        lines.append(f"policy:     {report.policy_file}" + (
            f" (sets {in_force.count} setting{'s' * (in_force.count != 1)})"
            if report.policy_found else " (none: no setting is locked)"))
        lines += [f"problem:    {line}" for line in report.policy_problems]
        lines.append("settings:   where each value comes from (policy file, user settings, "
                     "default)")
        lines += [f"  {o.name:<{NAME_WIDTH}} {o.value}  ({o.source})" for o in report.settings]
        lines.append("OK" if report.ok else "PROBLEMS FOUND"
                     + (f": {report.advice}" if report.advice else ""))
        return "\n".join(lines)

    emit(args, report, text)
    return 0 if report.ok else 1
