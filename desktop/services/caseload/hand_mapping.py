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

from desktop.services.caseload.headers import match_headers
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
    has (as the file spells them), then every field a header names in the words councils
    use ("Case Ref", "DOB", "Legal Status": :func:`headers.match_headers`)."""
    by_fold = {h.casefold(): h for h in headers}
    found: dict[str, str] = {}
    if base is not None:
        profile = load_profile(base)
        found = {f: by_fold[c.casefold()] for f, c in profile.columns.items()
                 if c.casefold() in by_fold}
    matched, _used = match_headers(headers, [_base_mapping(b) for b in builtin_names()])
    taken = set(found.values())
    for field, header in matched.items():
        if field not in found and header not in taken:
            found[field] = header
            taken.add(header)
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
