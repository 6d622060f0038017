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
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.services.caseload.headers import match_headers
from desktop.services.caseload.profiles import (
    DEFAULT_BLANKS,
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
from desktop.services.caseload.value_words import FoundWord, split_words
from desktop.services.mapping_files import read_mapping_json
from desktop.services.tabular import Table, read_table

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
        values: for each column with at most :data:`MAX_WORDS` distinct values in the
            whole file, those values with their counts, most frequent first: what a
            person maps to the app's words (a legal status, RAG or flags column).
    """

    file: str
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    row_count: int
    detected: str | None
    why_none: str = ""
    header_row: int = 1
    notes: tuple[str, ...] = ()
    values: dict[str, tuple[FoundWord, ...]] = field(default_factory=dict)

    def words(self, column: str, separator: str | None = None) -> list[FoundWord]:
        """The distinct words of ``column`` (each cell split at ``separator`` for a
        column of flag words); empty when the column has too many values to list."""
        found = self.values.get(column, ())
        return split_words(found, separator) if separator else list(found)


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
        detected: str | None = detect_profile(table.headers, window=True).name
        why = ""
    except ProfileProblem as problem:
        detected, why = None, problem.message
    return FilePreview(file=table.source, headers=table.headers, rows=shown,
                       row_count=len(table.rows), detected=detected, why_none=why,
                       header_row=table.header_row, notes=tuple(table.notes),
                       values=column_values(table))


#: A column with more distinct values than this holds no value words (names, dates).
MAX_WORDS = 200
#: Rows looked at first: a column with more distinct values in them is dropped at once.
LOOK_AHEAD = 2_000


def column_values(table: Table) -> dict[str, tuple[FoundWord, ...]]:
    """Each column's distinct values (blank markers left out) with their counts, for the
    columns with at most :data:`MAX_WORDS` of them.

    Counted a column at a time in C (``Counter``), after a look at the first rows drops
    the columns of names, references and dates: 100,000 rows of 31 columns in a few
    tenths of a second. The first rows of each word are not kept (the screen shows
    counts)."""
    blanks = frozenset(b.casefold() for b in DEFAULT_BLANKS)
    rows = table.rows
    out: dict[str, tuple[FoundWord, ...]] = {}
    for position, header in enumerate(table.headers):
        if not header:
            continue
        counts = Counter(row.cells[position] for row in rows[:LOOK_AHEAD])
        if len(counts) > MAX_WORDS + len(blanks) + 1:
            continue
        if len(rows) > LOOK_AHEAD:
            counts = Counter(row.cells[position] for row in rows)
        words: dict[str, FoundWord] = {}
        for value, count in counts.items():
            text = cell_text(value)
            if text is None or text.casefold() in blanks:
                continue
            found = words.get(text.casefold())
            if found is None:
                words[text.casefold()] = FoundWord(text, count, [])
            else:
                found.rows += count
        if 0 < len(words) <= MAX_WORDS:
            out[header] = tuple(sorted(words.values(),
                                       key=lambda w: (-w.rows, w.word.casefold())))
    return out


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
    for name, header in matched.items():
        if name not in found and header not in taken:
            found[name] = header
            taken.add(header)
    return found


def _base_mapping(base: str | None) -> dict[str, Any]:
    if base is None:
        return {}
    if base not in builtin_names():
        raise ProfileProblem(f"unknown profile '{base}'")
    raw = read_mapping_json(builtin_folder() / f"{base}.json", base, ProfileProblem)
    return raw if isinstance(raw, dict) else {}


@dataclass(frozen=True)
class HandValues:
    """The value words a person mapped by hand, and their column of flag words.

    Attributes:
        words: kind (cohort, rag, status, visit_by, flags) to the file's word to a code.
        flags_column: the column of flag words ("NIS;CSE"), or None.
        separator: what separates the flag words in that column.
    """

    words: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    flags_column: str | None = None
    separator: str = ";"


def hand_mapping(name: str, columns: Mapping[str, str | None],
                 headers: tuple[str, ...] | list[str], *, base: str | None = None,
                 values: HandValues | None = None) -> dict[str, Any]:
    """The JSON mapping (as the command line reads it) for columns chosen by hand.

    Args:
        columns: field to the file's column, None (or "") for a field left unmapped.
        base: a built-in profile whose value words (e.g. "CP Plan" for cp) and flag
            columns are kept; its flags only when the file has every flag column.
        values: the value words mapped by hand (they win over the base's) and the
            column of flag words (it wins over the base's flags).
    """
    raw: dict[str, Any] = {"name": name.strip(), "kind": KIND,
                           "description": "Mapped by hand in the import wizard."}
    chosen = {f: c for f in FIELDS if (c := columns.get(f))}
    raw["columns"] = chosen
    template = _base_mapping(base)
    words: dict[str, dict[str, str]] = {
        kind: dict(given) for kind, given in (template.get("values") or {}).items()}
    hand = values or HandValues()
    for kind, given in hand.words.items():
        if kind != "flags" and given:
            words.setdefault(kind, {}).update(given)
    if words:
        raw["values"] = words
    present = {h.casefold() for h in headers}
    flags = template.get("flags")
    if hand.flags_column:
        raw["flags"] = {"column": hand.flags_column, "separator": hand.separator or ";",
                        "values": dict(hand.words.get("flags", {}))}
    elif isinstance(flags, dict):
        wanted = list(flags.get("columns", {})) or [flags.get("column", "")]
        if all(str(c).casefold() in present for c in wanted):
            raw["flags"] = flags
    optional = [f for f in template.get("optional", []) if f in chosen]
    if optional:
        raw["optional"] = optional
    return raw


def hand_profile(name: str, columns: Mapping[str, str | None],
                 headers: tuple[str, ...] | list[str], *, base: str | None = None,
                 values: HandValues | None = None) -> Profile:
    """The profile of a hand mapping, checked as the command line checks a file.

    Raises:
        ProfileProblem: the mapping is incomplete or maps a column twice (one sentence).
    """
    raw = hand_mapping(name or "by hand", columns, headers, base=base, values=values)
    return parse_profile(raw, origin="made by hand")


def save_profile(path: Path | str, name: str, columns: Mapping[str, str | None],
                 headers: tuple[str, ...] | list[str], *, base: str | None = None,
                 values: HandValues | None = None) -> Profile:
    """Write the hand mapping as a profile file, then read it back as the CLI would.

    Raises:
        ProfileProblem: the mapping is incomplete, or the file cannot be written.
    """
    path = Path(path)
    if path.suffix.lower() != ".json":
        path = path.with_name(path.name + ".json")
    raw = hand_mapping(name or path.stem, columns, headers, base=base, values=values)
    parse_profile(raw, origin=path.name)
    try:
        path.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    except OSError as exc:
        raise ProfileProblem(f"mapping file {path.name}: cannot be written "
                             f"({exc.strerror})") from None
    return load_profile(path)
