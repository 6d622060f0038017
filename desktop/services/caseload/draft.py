"""A starting mapping for an export no profile fits: ``dipsample profiles draft FILE``.

Why: a council's report names its columns its own way ("Child Ref", "Risk RAG"). The
draft matches each of the file's headers against every column name the built-in
profiles know (and the fields' own names and labels), ignoring case, spaces and
punctuation, and takes the value words and flag columns of the profiles it matched. What
it cannot match it leaves for a person: a required field as an empty text (the mapping
is refused, naming it, until it is filled in), the file's unused columns listed in the
description. Nothing is guessed from the rows' values.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.services.caseload.hand_mapping import FIELD_LABELS
from desktop.services.caseload.profiles import (
    FIELDS,
    KIND,
    REQUIRED_FIELDS,
    builtin_folder,
    builtin_names,
    header_rule,
)
from desktop.services.mapping_files import read_mapping_json
from desktop.services.tabular import read_table

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", text.casefold())


@dataclass(frozen=True)
class Draft:
    """The draft mapping, and what it could not match.

    Attributes:
        mapping: the JSON object to write (``columns`` has "" for each unmatched required
            field).
        unmatched_fields: required fields no header matched: a person fills these in.
        unused_columns: the file's headers the draft maps to nothing.
        header_row: the spreadsheet row the header was found on.
    """

    mapping: dict[str, Any]
    unmatched_fields: tuple[str, ...]
    unused_columns: tuple[str, ...]
    header_row: int


def _builtins() -> list[dict[str, Any]]:
    raws = []
    for name in builtin_names():
        raw = read_mapping_json(builtin_folder() / f"{name}.json", name)
        if isinstance(raw, dict):
            raws.append(raw)
    return raws


def draft_mapping(path: Path | str, *, name: str | None = None, sheet: str | None = None
                  ) -> Draft:
    """Draft a mapping for the export at ``path`` (see the module docstring).

    Raises:
        InputProblem: the file cannot be read (the sentence the import gives).
    """
    path = Path(path)
    table = read_table(path, sheet=sheet, header=header_rule(None))
    by_key = {_key(h): h for h in table.headers if h}
    builtins = _builtins()
    known: dict[str, list[tuple[str, str]]] = {}  # header key -> [(field, profile)]
    for raw in builtins:
        for field, column in raw.get("columns", {}).items():
            known.setdefault(_key(column), []).append((field, raw["name"]))
    for field in FIELDS:
        for words in (field, FIELD_LABELS.get(field, "")):
            known.setdefault(_key(words), []).append((field, ""))
    columns: dict[str, str] = {}
    used: Counter[str] = Counter()
    for key, header in by_key.items():
        for field, profile in known.get(key, []):
            if field not in columns:
                columns[field] = header
                if profile:
                    used[profile] += 1
                break
    _one_name_field(columns)
    flags, flag_profiles = _flags(builtins, by_key, set(columns.values()))
    used.update(flag_profiles)
    mapping: dict[str, Any] = {"name": name or _key(path.stem) or "draft", "kind": KIND}
    unmatched = tuple(f for f in REQUIRED_FIELDS if f not in columns)
    mapped = set(columns.values()) | set(flags.get("columns", {}))
    unused = tuple(h for h in table.headers if h and h not in mapped)
    mapping["description"] = (
        f"Drafted from {path.name} by 'dipsample profiles draft'. "
        + (f"Fill in the column of: {', '.join(unmatched)}. " if unmatched else "")
        + (f"Columns not mapped: {', '.join(unused)}." if unused else "Every column mapped."))
    if table.header_row != 1:
        mapping["header_row"] = table.header_row
    mapping["columns"] = {f: columns.get(f, "") for f in FIELDS
                          if f in columns or f in unmatched}
    optional = sorted({f for raw in builtins for f in raw.get("optional", [])
                       if f in columns})
    if optional:
        mapping["optional"] = optional
    values = _values([raw for raw in builtins if raw["name"] in used] or builtins)
    if values:
        mapping["values"] = values
    if flags:
        mapping["flags"] = flags
    return Draft(mapping, unmatched, unused, table.header_row)


def _one_name_field(columns: dict[str, str]) -> None:
    """Keep one way of naming the child, as a profile must (full name, or both parts)."""
    if "forename" in columns and "surname" in columns:
        columns.pop("child_name", None)
        columns.pop("initials", None)
    else:
        columns.pop("forename", None)
        columns.pop("surname", None)
        if "child_name" in columns:
            columns.pop("initials", None)


def _flags(builtins: list[dict[str, Any]], by_key: dict[str, str], taken: set[str]
           ) -> tuple[dict[str, Any], list[str]]:
    """Yes/no flag columns of the built-ins that the file has, with their yes/no words."""
    columns: dict[str, str] = {}
    yes: list[str] = []
    no: list[str] = []
    profiles: list[str] = []
    for raw in builtins:
        flags = raw.get("flags") or {}
        for column, code in (flags.get("columns") or {}).items():
            header = by_key.get(_key(column))
            if header is not None and header not in taken and header not in columns:
                columns[header] = code
                yes += [w for w in flags.get("yes", []) if w not in yes]
                no += [w for w in flags.get("no", []) if w not in no]
                profiles.append(raw["name"])
    if not columns:
        return {}, []
    return {"columns": columns, "yes": yes or ["Y"], "no": no or ["N"]}, profiles


def _values(builtins: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """The value words of the matched profiles; a word two profiles map differently is
    left out (a person adds it)."""
    merged: dict[str, dict[str, str]] = {}
    clashes: set[tuple[str, str]] = set()
    for raw in builtins:
        for kind, words in (raw.get("values") or {}).items():
            target = merged.setdefault(kind, {})
            for word, code in words.items():
                folded = word.casefold()
                existing = next((c for w, c in target.items() if w.casefold() == folded), None)
                if existing is not None and existing != code:
                    clashes.add((kind, folded))
                elif existing is None:
                    target[word] = code
    for kind, folded in clashes:
        merged[kind] = {w: c for w, c in merged[kind].items() if w.casefold() != folded}
    return {k: v for k, v in merged.items() if v}
