"""A starting mapping for an export no profile fits: ``dipsample profiles draft FILE``.

Why: a council's report names its columns its own way ("Child Ref", "Risk RAG"). The
draft matches each of the file's headers against every column name the built-in
profiles know, the common variants councils use ("Case Ref", "DOB") and the fields' own
names and labels (:mod:`headers`), ignoring case, spaces and punctuation, and takes the
flag columns of the profiles it matched. What it cannot match it leaves for a person: a
required field as an empty text (the mapping is refused, naming it, until it is filled
in), the file's unused columns listed in the description.

Value words are proposed from the file itself: the distinct words of its legal status,
RAG, case status, visitor and flag columns that :mod:`value_words` recognises ("Child in
Need" -> cin, "Looked After" -> cic), as the file spells them; the words it does not
recognise are listed for a person to map (quoted when on two rows or more, as an
import's problems are). The draft also names the practice standards the mapped columns
cannot compute (no "visit by" column, say): the import will show them as "not known".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.services.caseload.headers import header_key, match_headers
from desktop.services.caseload.profiles import (
    DEFAULT_BLANKS,
    FIELDS,
    KIND,
    REQUIRED_FIELDS,
    builtin_folder,
    builtin_names,
    header_rule,
)
from desktop.services.caseload.report import rows_text
from desktop.services.caseload.validate import cell_text
from desktop.services.caseload.value_words import (
    KIND_FIELDS,
    KIND_WORDS,
    FoundWord,
    Vocabulary,
    distinct_words,
)
from desktop.services.mapping_files import read_mapping_json
from desktop.services.standards.needs import Gap, gaps_of
from desktop.services.tabular import Table, read_table

_key = header_key


@dataclass(frozen=True)
class Draft:
    """The draft mapping, and what it could not match.

    Attributes:
        mapping: the JSON object to write (``columns`` has "" for each unmatched required
            field).
        unmatched_fields: required fields no header matched: a person fills these in.
        unused_columns: the file's headers the draft maps to nothing.
        header_row: the spreadsheet row the header was found on.
        unrecognised: value words of the mapped columns the draft could not map, as
            (kind, word) with the word's rows; a person adds them to ``values``.
        not_known: the practice standards the mapped columns cannot compute.
    """

    mapping: dict[str, Any]
    unmatched_fields: tuple[str, ...]
    unused_columns: tuple[str, ...]
    header_row: int
    unrecognised: tuple[tuple[str, FoundWord], ...] = ()
    not_known: tuple[Gap, ...] = ()

    def unrecognised_lines(self) -> list[str]:
        """One line per kind: "legal status: 2 words not recognised, on 12 rows (first
        rows 4, 9, 15) and on row 40 only: add them to values.cohort". The words are
        not quoted, as no problem quotes a cell: a name in the wrong column repeats too.
        """
        lines = []
        for kind in KIND_FIELDS:
            found = [w for k, w in self.unrecognised if k == kind]
            if not found:
                continue
            where = " and ".join(rows_text(w.rows, w.first_rows) for w in found[:5])
            more = f" and {len(found) - 5:,} more" if len(found) > 5 else ""
            target = "flags.values" if kind == "flags" else f"values.{kind}"
            lines.append(f"{KIND_WORDS[kind]}: {len(found):,} word{'s' * (len(found) != 1)} "
                         f"not recognised, {where}{more}: add them to {target}")
        return lines


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
    columns, used = match_headers(table.headers, builtins)
    flags, flag_profiles = _flags(builtins, by_key, set(columns.values()))
    used.update(flag_profiles)
    matched = [raw for raw in builtins if raw["name"] in used]
    vocabulary = Vocabulary(matched)
    unrecognised: list[tuple[str, FoundWord]] = []
    blanks = frozenset(b.casefold() for b in DEFAULT_BLANKS)
    if not flags:
        flags, missed = _flag_words(table, builtins, by_key, set(columns.values()),
                                    vocabulary, blanks)
        unrecognised += [("flags", w) for w in missed]
    mapping: dict[str, Any] = {"name": name or _key(path.stem) or "draft", "kind": KIND}
    unmatched = tuple(f for f in REQUIRED_FIELDS if f not in columns)
    mapped = (set(columns.values()) | set(flags.get("columns", {}))
              | ({flags["column"]} if "column" in flags else set()))
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
    values = _values(matched or builtins)
    for kind, field in KIND_FIELDS.items():
        if field not in columns:
            continue  # the profiles' words stay: a person may fill in the column
        proposed, missed = _words_of(table, columns[field], kind, vocabulary, blanks)
        values.pop(kind, None)
        if proposed:
            values[kind] = proposed
        unrecognised += [(kind, w) for w in missed]
    if values:
        mapping["values"] = values
    if flags:
        mapping["flags"] = flags
    return Draft(mapping, unmatched, unused, table.header_row, tuple(unrecognised),
                 tuple(gaps_of(columns)))


def _column(table: Table, header: str) -> list[tuple[int, str | None]]:
    position = table.position(header)
    if position is None:
        return []
    return [(row.number, cell_text(row.cells[position])) for row in table.rows]


def _words_of(table: Table, header: str, kind: str, words: Vocabulary,
              blanks: frozenset[str], separator: str | None = None
              ) -> tuple[dict[str, str], list[FoundWord]]:
    """The recognised words of a column as the file spells them, and the others."""
    proposed: dict[str, str] = {}
    missed: list[FoundWord] = []
    for found in distinct_words(_column(table, header), blanks, separator):
        code = words.recognise(kind, found.word)
        if code is None:
            missed.append(found)
        else:
            proposed[found.word] = code
    return proposed, missed


#: Headers of one column of separated flag words (besides the built-ins' own).
FLAG_COLUMNS = ("Flags", "Flag", "Case Flags", "Circumstances", "Risk Flags")
SEPARATORS = (";", "|", ",", "/")


def _flag_words(table: Table, builtins: list[dict[str, Any]], by_key: dict[str, str],
                taken: set[str], words: Vocabulary, blanks: frozenset[str]
                ) -> tuple[dict[str, Any], list[FoundWord]]:
    """A column of flag words ("NIS;CSE"), with the words it recognises."""
    names = [*FLAG_COLUMNS, *(str((raw.get("flags") or {}).get("column") or "")
                              for raw in builtins)]
    header = next((by_key[k] for n in names if (k := _key(n)) in by_key
                   and by_key[k] not in taken), None)
    if header is None:
        return {}, []
    cells = [c for _, c in _column(table, header) if c]
    separator = next((s for s in SEPARATORS if any(s in c for c in cells)), ";")
    proposed, missed = _words_of(table, header, "flags", words, blanks, separator)
    return {"column": header, "separator": separator, "values": proposed}, missed


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
