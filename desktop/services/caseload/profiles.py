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
``"flags": {"column": "Flags", "separator": ";", "values": {"NIS": "not_in_school"}}``.

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

#: Every field a profile may map, in the order problems are reported.
FIELDS = (
    "case_ref", "child_name", "forename", "surname", "initials", "date_of_birth",
    "service_area", "team", "worker_name", "worker_ref", "team_manager_name",
    "team_manager_ref", "cohort", "rag", "rag_set_on", "status", "opened_on", "closed_on",
    "last_f2f_visit", "last_f2f_visit_by", "last_virtual_visit", "last_oversight",
    "last_vtt_review", "last_risk_assessment", "last_audit",
)
REQUIRED_FIELDS = ("case_ref", "cohort", "rag")
DATE_FIELDS = (
    "date_of_birth", "rag_set_on", "opened_on", "closed_on", "last_f2f_visit",
    "last_virtual_visit", "last_oversight", "last_vtt_review", "last_risk_assessment",
    "last_audit",
)
#: The code vocabularies a value map may map onto.
CODES: dict[str, frozenset[str]] = {
    "rag": frozenset(Rag), "cohort": frozenset(Cohort), "status": frozenset(CaseStatus),
    "visit_by": frozenset(VisitBy), "flags": frozenset(CaseFlag),
}
DEFAULT_YES = ("y", "yes", "true", "1", "x")
DEFAULT_NO = ("n", "no", "false", "0")
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
    """

    columns: dict[str, str] = field(default_factory=dict)
    column: str | None = None
    separator: str = ";"
    words: dict[str, str] = field(default_factory=dict)
    yes: frozenset[str] = frozenset(DEFAULT_YES)
    no: frozenset[str] = frozenset(DEFAULT_NO)
    labels: tuple[str, ...] = ()


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
    """

    name: str
    columns: dict[str, str]
    description: str = ""
    optional: frozenset[str] = frozenset()
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    flags: FlagMapping | None = None
    origin: str = ""
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def required_columns(self) -> list[str]:
        """Columns a file must have for this profile, in the profile's order."""
        wanted = [c for f, c in self.columns.items() if f not in self.optional]
        if self.flags is not None:
            if self.flags.column is not None:
                wanted.append(self.flags.column)
            wanted.extend(self.flags.columns)
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
    unknown_keys = sorted(set(raw) - {"name", "description", "columns", "optional", "values",
                                      "flags", "kind"})
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
                        *((("flags", flags.column),) if flags and flags.column else ())]:
        if column.casefold() in used:
            raise fail(f"column '{column}' is mapped twice ({used[column.casefold()]} and "
                       f"{key})")
        used[column.casefold()] = key
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise fail("'description' must be text")
    return Profile(name=name.strip(), columns=columns, description=description,
                   optional=frozenset(optional), values=values, flags=flags, origin=origin,
                   labels=labels)


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
    if has_columns == has_column:
        raise fail("'flags' needs either 'columns' (one yes/no column per flag) or "
                   "'column' (one column of flag words)")
    unknown = sorted(set(raw) - {"columns", "column", "separator", "values", "yes", "no"})
    if unknown:
        raise fail(f"unknown key(s) in 'flags': {', '.join(unknown)}")
    yes = _words(raw.get("yes", list(DEFAULT_YES)), "yes", fail)
    no = _words(raw.get("no", list(DEFAULT_NO)), "no", fail)
    if yes & no:
        raise fail("flags 'yes' and 'no' share a value")
    if has_columns:
        columns = raw["columns"]
        if not isinstance(columns, dict) or not columns:
            raise fail("flags.columns must map column names to flag codes")
        for column, code in columns.items():
            if code not in CODES["flags"]:
                raise fail(f"flag column '{column}' maps to '{code}', which is not one of "
                           f"{', '.join(sorted(CODES['flags']))}")
        return FlagMapping(columns={c.strip(): v for c, v in columns.items()}, yes=yes, no=no)
    column, separator = raw["column"], raw.get("separator", ";")
    if not isinstance(column, str) or not column.strip():
        raise fail("flags.column must be a column name")
    if not isinstance(separator, str) or not separator:
        raise fail("flags.separator must be a non-empty text")
    words = raw.get("values", {})
    return FlagMapping(column=column.strip(), separator=separator,
                       words=_codes_map(words, "flags", fail), yes=yes, no=no,
                       labels=_labels(words) or tuple(sorted(CODES["flags"])))


def _words(raw: Any, what: str, fail: Any) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        raise fail(f"flags.{what} must be a list of texts")
    return frozenset(w.strip().casefold() for w in raw)


def detect_profile(headers: tuple[str, ...] | list[str]) -> Profile:
    """The one built-in profile whose required columns are all in ``headers``.

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
        raise ProfileProblem("no built-in profile fits this file's columns; choose one with "
                             f"--profile ({', '.join(builtin_names())}) or give a mapping file")
    if len(fits) > 1 and fits[0][0] == fits[1][0]:
        raise ProfileProblem(f"the columns fit profiles {fits[0][1].name} and "
                             f"{fits[1][1].name}; choose one with --profile")
    return fits[0][1]
