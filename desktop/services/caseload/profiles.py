"""Column-mapping profiles: how one case system's export maps onto a case.

Why JSON files and not code: every council's Mosaic or LCS report is configured a little
differently, so a council adapts a copy of a built-in profile (``--profile my.json``)
without waiting for a release. Built-in profiles live in ``resources/mappings/``.

Shape of a profile (every key but ``name`` and ``columns`` optional)::

    {"name": "mosaic", "kind": "caseload", "description": "...",
     "columns": {"case_ref": "Person ID", "forename": "Forename", ...},
     "optional": ["last_audit"],
     "values": {"rag": {"R": "red"}, "cohort": {"CP": "cp"},
                "status": {"Open": "open"}, "visit_by": {"SW": "social_worker"}},
     "flags": {"columns": {"Not In School": "not_in_school"},
               "yes": ["Y"], "no": ["N"]}}

or, for one column of separated flag words,
``"flags": {"column": "Flags", "separator": ";", "values": {"NIS": "not_in_school"}}``;
``"flags": {"counts": {"Missing Episodes": "missing"}}`` sets a flag when a column's
count is above zero (with either shape, or alone).

How councils deliver exports: ``"header_row": 3`` says where the header is (default:
the first of the first 20 rows that holds every required column); ``"blank_values"``
lists what counts as an empty cell (default :data:`DEFAULT_BLANKS`); ``"date_formats"``
gives a date column (or ``"*"``, every date column) its own formats, tried before the
usual guesses. docs/mapping-profiles.md describes every key.

Every mapped column must be in the file unless its field is listed in ``optional``:
a renamed column would otherwise import silently as blank. Value maps are matched
case-insensitively, and the canonical codes themselves are always accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop import paths
from desktop.models.enums import CaseFlag, CaseStatus, Cohort, Rag, VisitBy
from desktop.services.mapping_files import MappingProblem, read_mapping_json
from desktop.services.tabular import HeaderRule, holding

#: Every field a profile may map, in the order problems are reported.
FIELDS = (
    "case_ref", "child_name", "forename", "surname", "initials", "date_of_birth",
    "expected_delivery_date", "service_area", "team", "worker_name", "worker_ref",
    "team_manager_name", "team_manager_ref", "cohort", "rag", "rag_set_on", "status",
    "opened_on", "closed_on", "last_f2f_visit", "last_f2f_visit_by", "last_virtual_visit",
    "last_oversight", "last_vtt_review", "last_risk_assessment", "last_audit",
)
REQUIRED_FIELDS = ("case_ref", "cohort", "rag")
DATE_FIELDS = (
    "date_of_birth", "expected_delivery_date", "rag_set_on", "opened_on", "closed_on",
    "last_f2f_visit", "last_virtual_visit", "last_oversight", "last_vtt_review",
    "last_risk_assessment", "last_audit",
)
#: The code vocabularies a value map may map onto.
CODES: dict[str, frozenset[str]] = {
    "rag": frozenset(Rag), "cohort": frozenset(Cohort), "status": frozenset(CaseStatus),
    "visit_by": frozenset(VisitBy), "flags": frozenset(CaseFlag),
}
DEFAULT_YES = ("y", "yes", "true", "1", "x")
DEFAULT_NO = ("n", "no", "false", "0")
#: What counts as an empty cell unless a profile says otherwise (casefolded on use).
DEFAULT_BLANKS = ("-", "N/A", "n/a", "NULL", "Not recorded")
#: Keys a profile may have.
PROFILE_KEYS = frozenset({"name", "description", "columns", "optional", "values", "flags",
                          "kind", "header_row", "blank_values", "date_formats",
                          "case_sensitive_refs", "oldest_age"})
#: The oldest a child the service works with may be: care leavers up to 25 (a profile's
#: ``oldest_age`` changes it); an older date of birth is a mistake in the export.
OLDEST_AGE = 25
#: The header row a profile may name at most (a title block is a few lines).
MAX_HEADER_ROW = 1_000
MAPPINGS_FOLDER = "mappings"
KIND = "caseload"


class ProfileProblem(MappingProblem):
    """A mapping profile that cannot be used: unknown name, unreadable or malformed file.

    Exit code 2 (a :class:`MappingProblem`): it is a usage problem, not bad rows in the
    export, as for the historical-audit and plan imports' mapping files.
    """


@dataclass(frozen=True)
class FlagMapping:
    """How flags are exported: one yes/no column per flag, or one column of words.

    Attributes:
        columns: yes/no column name to flag code (the first shape).
        column: the column holding separated flag words (the second shape).
        separator: what separates flag words in ``column``.
        words: flag word (casefolded) to flag code.
        yes, no: casefolded values meaning set and not set (blank is "not set").
        labels: the flag words as the mapping spells them, for messages.
        counts: column of a count to flag code: the flag is set when the count is above 0.
    """

    columns: dict[str, str] = field(default_factory=dict)
    column: str | None = None
    separator: str = ";"
    words: dict[str, str] = field(default_factory=dict)
    yes: frozenset[str] = frozenset(DEFAULT_YES)
    no: frozenset[str] = frozenset(DEFAULT_NO)
    labels: tuple[str, ...] = ()
    counts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    """A validated mapping profile.

    Attributes:
        columns: field name to the source column's header.
        optional: fields whose column may be absent from a file.
        values: for rag/cohort/status/visit_by, casefolded source value to code (the
            codes themselves included).
        flags: the flag mapping, or None when the export has no flags.
        origin: the built-in name or the file the profile came from (for messages).
        labels: for rag/cohort/status/visit_by, the values the mapping accepts as it
            spells them (the codes when it maps none): what a problem says is expected.
        header_row: the spreadsheet row of the header, or None to find it.
        blanks: casefolded cell texts that count as empty (besides an empty cell).
        date_formats: date field to ``strptime`` formats tried before the usual guesses.
        case_sensitive_refs: whether "BC1" and "bc1" are two children (a case system
            that tells them apart); by default they are one, and a file holding both is
            refused.
        oldest_age: a date of birth making a child older than this is refused.
    """

    name: str
    columns: dict[str, str]
    description: str = ""
    optional: frozenset[str] = frozenset()
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    flags: FlagMapping | None = None
    origin: str = ""
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    header_row: int | None = None
    blanks: frozenset[str] = frozenset(b.casefold() for b in DEFAULT_BLANKS)
    date_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    case_sensitive_refs: bool = False
    oldest_age: int = OLDEST_AGE

    def required_columns(self) -> list[str]:
        """Columns a file must have for this profile, in the profile's order."""
        wanted = [c for f, c in self.columns.items() if f not in self.optional]
        if self.flags is not None:
            if self.flags.column is not None:
                wanted.append(self.flags.column)
            wanted.extend(self.flags.columns)
            wanted.extend(self.flags.counts)
        return wanted

    def all_columns(self) -> list[str]:
        extra = [c for f, c in self.columns.items() if f in self.optional]
        return self.required_columns() + extra


def builtin_folder() -> Path:
    return paths.resource(MAPPINGS_FOLDER)


def builtin_names() -> list[str]:
    """Built-in caseload profiles: the mapping files marked ``"kind": "caseload"``.

    The folder also holds mappings of other imports (historical audits, plans).
    """
    names = []
    for path in builtin_folder().glob("*.json"):
        try:
            kind = json.loads(path.read_text(encoding="utf-8-sig")).get("kind")
        except (OSError, ValueError, AttributeError):
            continue
        if kind == KIND:
            names.append(path.stem)
    return sorted(names)


def load_profile(name_or_path: str | Path) -> Profile:
    """A built-in profile by name, or a user's mapping file by path.

    Raises:
        ProfileProblem: unknown name, unreadable file, or a malformed mapping.
    """
    text = str(name_or_path)
    builtin = builtin_folder() / f"{text}.json"
    if "/" not in text and "\\" not in text and not text.endswith(".json"):
        if text not in builtin_names():
            known = ", ".join(builtin_names())
            raise ProfileProblem(f"unknown profile '{text}' (built-in: {known}; "
                                 "or give the path of a mapping .json file)")
        return _load_file(builtin, origin=text)
    path = Path(text)
    if not path.is_file():
        raise ProfileProblem(f"mapping file {path.name}: no such file")
    return _load_file(path, origin=path.name)


def builtin_profiles() -> list[Profile]:
    return [load_profile(name) for name in builtin_names()]


def _load_file(path: Path, origin: str) -> Profile:
    return parse_profile(read_mapping_json(path, origin, ProfileProblem), origin=origin)


def parse_profile(raw: Any, origin: str = "profile") -> Profile:
    """Check a decoded mapping and build a :class:`Profile`, naming the first problem."""

    def fail(message: str) -> ProfileProblem:
        return ProfileProblem(f"mapping file {origin}: {message}")

    if not isinstance(raw, dict):
        raise fail("must be a JSON object")
    unknown_keys = sorted(set(raw) - PROFILE_KEYS)
    if unknown_keys:
        raise fail(f"unknown key(s) {', '.join(unknown_keys)}")
    if raw.get("kind", KIND) != KIND:
        raise fail(f"this is a mapping for '{raw.get('kind')}', not for a caseload")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("'name' must be a non-empty text")
    columns = raw.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise fail("'columns' must be an object mapping fields to column names")
    for key, column in columns.items():
        if key not in FIELDS:
            raise fail(f"unknown field '{key}' in 'columns' (fields: {', '.join(FIELDS)})")
        if not isinstance(column, str) or not column.strip():
            raise fail(f"the column for '{key}' must be a non-empty text")
    columns = {k: v.strip() for k, v in columns.items()}
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise fail(f"'columns' must map {', '.join(missing)}")
    names = [f for f in ("child_name", "forename", "initials") if f in columns]
    if len(names) > 1:
        raise fail("map only one of child_name, forename (with surname) and initials")
    if ("forename" in columns) != ("surname" in columns):
        raise fail("forename and surname must be mapped together")
    optional = raw.get("optional", [])
    if not isinstance(optional, list) or any(f not in columns for f in optional):
        raise fail("'optional' must be a list of mapped fields")
    if set(optional) & set(REQUIRED_FIELDS):
        raise fail(f"{', '.join(REQUIRED_FIELDS)} cannot be optional")
    values, labels = _value_maps(raw.get("values", {}), fail)
    flags = _flag_mapping(raw["flags"], fail) if raw.get("flags") is not None else None
    used: dict[str, str] = {}
    for key, column in [*columns.items(),
                        *(((f"flag {c}", c) for c in flags.columns) if flags else ()),
                        *(((f"count {c}", c) for c in flags.counts) if flags else ()),
                        *((("flags", flags.column),) if flags and flags.column else ())]:
        if column.casefold() in used:
            raise fail(f"column '{column}' is mapped twice ({mapped_words(used[column.casefold()])}"
                       f" and {mapped_words(key)})")
        used[column.casefold()] = key
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise fail("'description' must be text")
    return Profile(name=name.strip(), columns=columns, description=description,
                   optional=frozenset(optional), values=values, flags=flags, origin=origin,
                   labels=labels, header_row=_header_row(raw.get("header_row"), fail),
                   blanks=_blanks(raw.get("blank_values", list(DEFAULT_BLANKS)), fail),
                   date_formats=_date_formats(raw.get("date_formats", {}), columns, fail),
                   case_sensitive_refs=_flag(raw.get("case_sensitive_refs", False),
                                             "case_sensitive_refs", fail),
                   oldest_age=_oldest_age(raw.get("oldest_age", OLDEST_AGE), fail))


def _header_row(raw: Any, fail: Any) -> int | None:
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= MAX_HEADER_ROW:
        raise fail(f"'header_row' must be a row number from 1 to {MAX_HEADER_ROW:,}")
    return raw


def _flag(raw: Any, key: str, fail: Any) -> bool:
    if not isinstance(raw, bool):
        raise fail(f"'{key}' must be true or false")
    return raw


def _oldest_age(raw: Any, fail: Any) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= 120:
        raise fail("'oldest_age' must be a whole number of years from 1 to 120")
    return raw


def _blanks(raw: Any, fail: Any) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        raise fail("'blank_values' must be a list of texts")
    return frozenset(w.strip().casefold() for w in raw if w.strip())


#: A format must name a day, a month and a year, or it cannot make a date.
_FORMAT_PARTS = (("%d",), ("%m", "%b", "%B"), ("%Y", "%y"))


def _date_formats(raw: Any, columns: dict[str, str], fail: Any
                  ) -> dict[str, tuple[str, ...]]:
    """Date field to its formats; ``"*"`` gives every mapped date field the same ones."""
    if not isinstance(raw, dict):
        raise fail("'date_formats' must be an object of date field to format(s)")
    out: dict[str, tuple[str, ...]] = {}
    for key, given in raw.items():
        if key != "*" and key not in DATE_FIELDS:
            raise fail(f"date_formats: '{key}' is not a date field (date fields: "
                       f"{', '.join(DATE_FIELDS)}, or * for all)")
        formats = [given] if isinstance(given, str) else given
        if not isinstance(formats, list) or not formats or not all(
                isinstance(f, str) and f.strip() for f in formats):
            raise fail(f"date_formats.{key} must be a format such as \"%d.%m.%Y\" or a "
                       "list of them")
        for form in formats:
            if not all(any(p in form for p in parts) for parts in _FORMAT_PARTS):
                raise fail(f"date_formats.{key}: the format '{form}' needs a day (%d), a "
                           "month (%m or %b) and a year (%Y or %y)")
        out[key] = tuple(f.strip() for f in formats)
    every = out.pop("*", ())
    return {f: out.get(f, ()) + tuple(x for x in every if x not in out.get(f, ()))
            for f in DATE_FIELDS if f in columns and (f in out or every)}


def _value_maps(raw: Any, fail: Any
                ) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, ...]]]:
    """The value maps, and the words each accepts as spelt (codes when none are given)."""
    if not isinstance(raw, dict):
        raise fail("'values' must be an object")
    maps: dict[str, dict[str, str]] = {}
    labels: dict[str, tuple[str, ...]] = {}
    for kind in ("rag", "cohort", "status", "visit_by"):
        given = raw.get(kind, {})
        maps[kind] = _codes_map(given, kind, fail)
        labels[kind] = _labels(given) or tuple(sorted(CODES[kind]))
    unknown = sorted(set(raw) - set(maps))
    if unknown:
        raise fail(f"unknown value map(s) {', '.join(unknown)} "
                   "(rag, cohort, status, visit_by; flag words go under 'flags')")
    return maps, labels


def _labels(given: dict[Any, Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(source).strip() for source in given))


def _codes_map(given: Any, kind: str, fail: Any) -> dict[str, str]:
    if not isinstance(given, dict):
        raise fail(f"values.{kind} must be an object of source value to code")
    codes = CODES[kind]
    mapped = {code.casefold(): code for code in codes}
    for source, code in given.items():
        if code not in codes:
            raise fail(f"{kind} value '{source}' maps to '{code}', which is not one of "
                       f"{', '.join(sorted(codes))}")
        mapped[str(source).strip().casefold()] = code
    return mapped


def _flag_mapping(raw: Any, fail: Any) -> FlagMapping:
    if not isinstance(raw, dict):
        raise fail("'flags' must be an object")
    has_columns, has_column = "columns" in raw, "column" in raw
    if has_columns and has_column:
        raise fail("'flags' needs either 'columns' (one yes/no column per flag) or "
                   "'column' (one column of flag words), not both")
    if not (has_columns or has_column or "counts" in raw):
        raise fail("'flags' needs 'columns' (one yes/no column per flag), 'column' (one "
                   "column of flag words) or 'counts' (a count column per flag)")
    unknown = sorted(set(raw) - {"columns", "column", "separator", "values", "yes", "no",
                                 "counts"})
    if unknown:
        raise fail(f"unknown key(s) in 'flags': {', '.join(unknown)}")
    yes = _words(raw.get("yes", list(DEFAULT_YES)), "yes", fail)
    no = _words(raw.get("no", list(DEFAULT_NO)), "no", fail)
    if yes & no:
        raise fail("flags 'yes' and 'no' share a value")
    counts = _flag_columns(raw.get("counts", {}), "counts", fail, empty_ok="counts" not in raw)
    if not (has_columns or has_column):
        return FlagMapping(counts=counts, yes=yes, no=no)
    if has_columns:
        columns = _flag_columns(raw["columns"], "columns", fail)
        return FlagMapping(columns=columns, yes=yes, no=no, counts=counts)
    column, separator = raw["column"], raw.get("separator", ";")
    if not isinstance(column, str) or not column.strip():
        raise fail("flags.column must be a column name")
    if not isinstance(separator, str) or not separator:
        raise fail("flags.separator must be a non-empty text")
    words = raw.get("values", {})
    return FlagMapping(column=column.strip(), separator=separator,
                       words=_codes_map(words, "flags", fail), yes=yes, no=no,
                       labels=_labels(words) or tuple(sorted(CODES["flags"])), counts=counts)


def _flag_columns(raw: Any, key: str, fail: Any, *, empty_ok: bool = False) -> dict[str, str]:
    """flags.columns or flags.counts: column name to flag code."""
    if not isinstance(raw, dict) or not (raw or empty_ok):
        raise fail(f"flags.{key} must map column names to flag codes")
    for column, code in raw.items():
        if not isinstance(column, str) or not column.strip():
            raise fail(f"flags.{key}: a column name is empty")
        if code not in CODES["flags"]:
            raise fail(f"flag column '{column}' maps to '{code}', which is not one of "
                       f"{', '.join(sorted(CODES['flags']))}")
    return {c.strip(): v for c, v in raw.items()}


def _words(raw: Any, what: str, fail: Any) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        raise fail(f"flags.{what} must be a list of texts")
    return frozenset(w.strip().casefold() for w in raw)


def mapped_words(key: str) -> str:
    """What a column is mapped to, in words: "last face-to-face visit", "the flag column
    'NIS'", never a field's code (tester's item 14: a person reads this in the window)."""
    from desktop.services.caseload.headers import FIELD_LABELS

    kind, _, column = key.partition(" ")
    if kind == "flag" and column:
        return f"the flag '{column}'"
    if kind == "count" and column:
        return f"the count '{column}'"
    if key == "flags":
        return "the column of flag words"
    label = FIELD_LABELS.get(key, key.replace("_", " "))
    return label[:1].lower() + label[1:] if not label[:3].isupper() else label


def detect_profile(headers: tuple[str, ...] | list[str], *, window: bool = False) -> Profile:
    """The one built-in profile whose required columns are all in ``headers``.

    ``window``: the person asking is at the Import screen, where there is no
    ``--profile`` to type; the refusal then says only what fits, and the screen adds what
    to do there (map the columns by hand).

    Raises:
        ProfileProblem: none fits, or more than one fits equally well.
    """
    present = {h.casefold() for h in headers}
    fits: list[tuple[int, Profile]] = []
    for profile in builtin_profiles():
        if all(c.casefold() in present for c in profile.required_columns()):
            score = sum(c.casefold() in present for c in profile.all_columns())
            fits.append((score, profile))
    fits.sort(key=lambda f: -f[0])
    if not fits:
        if window:
            raise ProfileProblem("no built-in profile fits this file's columns ("
                                 + ", ".join(builtin_names()) + ")")
        raise ProfileProblem("no built-in profile fits this file's columns; choose one with "
                             f"--profile ({', '.join(builtin_names())}) or give a mapping file")
    if len(fits) > 1 and fits[0][0] == fits[1][0]:
        both = f"the columns fit profiles {fits[0][1].name} and {fits[1][1].name} equally"
        raise ProfileProblem(both if window else f"{both}; choose one with --profile")
    return fits[0][1]


def header_rule(profile: Profile | None) -> HeaderRule:
    """Where to look for the header of a file read with ``profile`` (None: any built-in).

    The profile's ``header_row`` when it names one; otherwise the first row that holds
    every required column of the profile (of any built-in profile, when none is chosen),
    or, failing that, the first row that looks like a header, so that a file no profile
    fits is described by its real column names.
    """
    if profile is not None:
        if profile.header_row is not None:
            return HeaderRule(row=profile.header_row)
        return HeaderRule(fits=holding(profile.required_columns()), guess=True)
    tests = [holding(p.required_columns()) for p in builtin_profiles()]
    return HeaderRule(fits=lambda texts: any(fits(texts) for fits in tests), guess=True)
