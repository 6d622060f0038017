"""Look at an export before importing it, and map its columns by hand.

Why here and not in the window: the import wizard shows a file's first rows and lets a
QA lead map an unfamiliar export's columns to the case fields; the mapping they make is
saved as the same JSON profile ``dipsample import --profile FILE`` reads, so that next
month's export imports from the command line (or a scheduled task) without the window.
Everything a saved mapping must satisfy is checked by :func:`parse_profile`, the
command line's own parser.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.services.caseload.profiles import (
    FIELDS,
    KIND,
    REQUIRED_FIELDS,
    Profile,
    ProfileProblem,
    builtin_folder,
    builtin_names,
    detect_profile,
    header_rule,
    load_profile,
    parse_profile,
)
from desktop.services.caseload.validate import cell_text
from desktop.services.mapping_files import read_mapping_json
from desktop.services.tabular import read_table

#: Rows of the file the preview shows.
PREVIEW_ROWS = 20
#: What each field means, as a person reads it beside its column choice.
FIELD_LABELS: dict[str, str] = {
    "case_ref": "Case reference", "child_name": "Child's full name",
    "forename": "Child's first name", "surname": "Child's surname",
    "initials": "Child's initials", "date_of_birth": "Date of birth",
    "expected_delivery_date": "Expected date of delivery (unborn)",
    "service_area": "Service area", "team": "Team", "worker_name": "Worker's name",
    "worker_ref": "Worker's staff reference", "team_manager_name": "Team manager's name",
    "team_manager_ref": "Team manager's staff reference", "cohort": "Legal status (cohort)",
    "rag": "RAG rating", "rag_set_on": "Date the RAG was set", "status": "Case status",
    "opened_on": "Date the case opened", "closed_on": "Date the case closed",
    "last_f2f_visit": "Last face-to-face visit", "last_f2f_visit_by": "Who made that visit",
    "last_virtual_visit": "Last virtual visit", "last_oversight": "Last management oversight",
    "last_vtt_review": "Last VTT review", "last_risk_assessment": "Last risk assessment",
    "last_audit": "Last audit",
}


@dataclass(frozen=True)
class FilePreview:
    """The first rows of an export, and which built-in profile fits its columns.

    Attributes:
        file: the file's name (not its folder).
        headers: the column names as the file spells them.
        rows: the first :data:`PREVIEW_ROWS` data rows as (spreadsheet row number,
            cells as text, blank as "").
        row_count: the data rows in the whole file.
        detected: the built-in profile whose columns the file has, or None.
        why_none: when none is detected, the sentence saying why.
        header_row: the spreadsheet row of the header (lines above it are not columns).
        notes: what was read past, e.g. "skipped 1 line above the header".
    """

    file: str
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    row_count: int
    detected: str | None
    why_none: str = ""
    header_row: int = 1
    notes: tuple[str, ...] = ()


def preview_file(path: Path | str, *, sheet: str | None = None,
                 rows: int = PREVIEW_ROWS) -> FilePreview:
    """Read the export as the import will, keeping only its first rows.

    Raises:
        InputProblem: the file cannot be read (the same sentence the import gives).
    """
    table = read_table(Path(path), sheet=sheet, header=header_rule(None))
    shown = tuple((row.number, tuple(cell_text(c) or "" for c in row.cells))
                  for row in table.rows[:rows])
    try:
        detected: str | None = detect_profile(table.headers).name
        why = ""
    except ProfileProblem as problem:
        detected, why = None, problem.message
    return FilePreview(file=table.source, headers=table.headers, rows=shown,
                       row_count=len(table.rows), detected=detected, why_none=why,
                       header_row=table.header_row, notes=tuple(table.notes))


def is_required(field: str) -> bool:
    return field in REQUIRED_FIELDS


def suggested_columns(base: str | None, headers: tuple[str, ...] | list[str]
                      ) -> dict[str, str]:
    """Field to column to start a hand mapping from: the base profile's columns the file
    has (as the file spells them), else every field whose name or label is a column."""
    by_fold = {h.casefold(): h for h in headers}
    if base is not None:
        profile = load_profile(base)
        return {f: by_fold[c.casefold()] for f, c in profile.columns.items()
                if c.casefold() in by_fold}
    found: dict[str, str] = {}
    for field in FIELDS:
        for name in (field, FIELD_LABELS[field]):
            if name.casefold() in by_fold:
                found[field] = by_fold[name.casefold()]
                break
    return found


def _base_mapping(base: str | None) -> dict[str, Any]:
    if base is None:
        return {}
    if base not in builtin_names():
        raise ProfileProblem(f"unknown profile '{base}'")
    raw = read_mapping_json(builtin_folder() / f"{base}.json", base, ProfileProblem)
    return raw if isinstance(raw, dict) else {}


def hand_mapping(name: str, columns: Mapping[str, str | None],
                 headers: tuple[str, ...] | list[str], *, base: str | None = None
                 ) -> dict[str, Any]:
    """The JSON mapping (as the command line reads it) for columns chosen by hand.

    Args:
        columns: field to the file's column, None (or "") for a field left unmapped.
        base: a built-in profile whose value words (e.g. "CP Plan" for cp) and flag
            columns are kept; its flags only when the file has every flag column.
    """
    raw: dict[str, Any] = {"name": name.strip(), "kind": KIND,
                           "description": "Mapped by hand in the import wizard."}
    chosen = {f: c for f in FIELDS if (c := columns.get(f))}
    raw["columns"] = chosen
    template = _base_mapping(base)
    if template.get("values"):
        raw["values"] = template["values"]
    present = {h.casefold() for h in headers}
    flags = template.get("flags")
    if isinstance(flags, dict):
        wanted = list(flags.get("columns", {})) or [flags.get("column", "")]
        if all(str(c).casefold() in present for c in wanted):
            raw["flags"] = flags
    optional = [f for f in template.get("optional", []) if f in chosen]
    if optional:
        raw["optional"] = optional
    return raw


def hand_profile(name: str, columns: Mapping[str, str | None],
                 headers: tuple[str, ...] | list[str], *, base: str | None = None
                 ) -> Profile:
    """The profile of a hand mapping, checked as the command line checks a file.

    Raises:
        ProfileProblem: the mapping is incomplete or maps a column twice (one sentence).
    """
    raw = hand_mapping(name or "by hand", columns, headers, base=base)
    return parse_profile(raw, origin="made by hand")


def save_profile(path: Path | str, name: str, columns: Mapping[str, str | None],
                 headers: tuple[str, ...] | list[str], *, base: str | None = None
                 ) -> Profile:
    """Write the hand mapping as a profile file, then read it back as the CLI would.

    Raises:
        ProfileProblem: the mapping is incomplete, or the file cannot be written.
    """
    path = Path(path)
    if path.suffix.lower() != ".json":
        path = path.with_name(path.name + ".json")
    raw = hand_mapping(name or path.stem, columns, headers, base=base)
    parse_profile(raw, origin=path.name)
    try:
        path.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    except OSError as exc:
        raise ProfileProblem(f"mapping file {path.name}: cannot be written "
                             f"({exc.strerror})") from None
    return load_profile(path)
