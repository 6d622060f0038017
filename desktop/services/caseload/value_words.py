"""The words councils' exports use for a legal status, a RAG, a case status, a visitor and
a flag, and the app's own words for each code.

Why a table: "Child in Need", "CP Plan", "Looked After", "Child with Disability" are the
everyday words of case systems, and a person mapping an export by hand (the import
screen) or drafting a mapping (``dipsample profiles draft``) should not have to type the
code for each. A word is recognised in any letter case and with any punctuation or
spacing ("child-in-care" is "Child in Care"); what is not recognised is left for a
person, never guessed. Numeric codes ("1" for child in need in one Eclipse report) are
recognised only from a built-in profile the file matched, never from this table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from desktop.models.enums import CaseFlag, CaseStatus, Cohort, Rag, VisitBy
from desktop.services.case_filters import COHORT_NAMES
from desktop.services.standards.settings_form import FLAG_WORDS, RAG_WORDS, VISITOR_WORDS

#: The value kinds a mapping holds words for, and the case field each is read from
#: (flags: the one column of flag words).
KIND_FIELDS: dict[str, str] = {"cohort": "cohort", "rag": "rag", "status": "status",
                               "visit_by": "last_f2f_visit_by", "flags": "flags"}
#: Each kind as a person reads it.
KIND_WORDS: dict[str, str] = {"cohort": "legal status", "rag": "RAG rating",
                              "status": "case status", "visit_by": "who visited",
                              "flags": "flag"}
#: The app's words for each code, per kind (what a person picks in the import screen).
APP_WORDS: dict[str, dict[str, str]] = {
    "cohort": dict(COHORT_NAMES),
    "rag": dict(RAG_WORDS),
    "status": {CaseStatus.OPEN.value: "Open", CaseStatus.CLOSED.value: "Closed"},
    "visit_by": dict(VISITOR_WORDS),
    "flags": dict(FLAG_WORDS),
}

_C, _F = Cohort, CaseFlag
#: Councils' everyday words, per kind, to the code (besides the codes and APP_WORDS).
COMMON: dict[str, dict[str, str]] = {
    "cohort": {
        **dict.fromkeys(("CIN", "Child in Need", "Children in Need", "Child in Need Plan",
                         "CIN Plan", "Section 17", "S17"), _C.CHILD_IN_NEED.value),
        **dict.fromkeys(("CP", "CPP", "CP Plan", "Child Protection",
                         "Child Protection Plan", "Subject to a CP Plan"),
                        _C.CHILD_PROTECTION.value),
        **dict.fromkeys(("CIC", "LAC", "CLA", "Child in Care", "Children in Care",
                         "Looked After", "Looked After Child", "Looked After Children",
                         "Child Looked After", "Children Looked After", "In Care"),
                        _C.CHILD_IN_CARE.value),
        **dict.fromkeys(("Care Leaver", "Care Leavers", "Leaving Care"),
                        _C.CARE_LEAVER.value),
        **dict.fromkeys(("Unborn", "Unborn Baby", "Unborn Child", "Pre-birth", "Prebirth"),
                        _C.UNBORN.value),
        **dict.fromkeys(("Disabled", "Disabled Child", "Disabled Children", "CWD",
                         "Child with Disability", "Child with a Disability",
                         "Children with Disabilities", "Disabled Children's Service"),
                        _C.DISABLED.value),
        **dict.fromkeys(("Fostering", "Foster Care"), _C.FOSTERING.value),
        **dict.fromkeys(("SGO", "Special Guardianship", "Special Guardianship Order"),
                        _C.SGO.value),
    },
    "rag": {
        **dict.fromkeys(("Red", "R"), Rag.RED.value),
        **dict.fromkeys(("Amber", "A"), Rag.AMBER.value),
        **dict.fromkeys(("Green", "G"), Rag.GREEN.value),
    },
    "status": {
        **dict.fromkeys(("Open", "Active", "Current", "Allocated"), CaseStatus.OPEN.value),
        **dict.fromkeys(("Closed", "Ended", "Inactive"), CaseStatus.CLOSED.value),
    },
    "visit_by": {
        **dict.fromkeys(("SW", "Social Worker"), VisitBy.SOCIAL_WORKER.value),
        **dict.fromkeys(("PA", "Personal Adviser", "Personal Advisor"),
                        VisitBy.PERSONAL_ADVISER.value),
        **dict.fromkeys(("SCP", "Social Care Professional", "Family Practitioner"),
                        VisitBy.SOCIAL_CARE_PROFESSIONAL.value),
        **dict.fromkeys(("Partner", "Partner Agency"), VisitBy.PARTNER_AGENCY.value),
    },
    "flags": {
        **dict.fromkeys(("NIS", "Not in School", "Not in Education"), _F.NOT_IN_SCHOOL.value),
        **dict.fromkeys(("MISS", "Missing", "Missing Episodes", "Missing from Home"),
                        _F.MISSING.value),
        **dict.fromkeys(("CSE", "CCE", "Exploitation", "Child Sexual Exploitation",
                         "Child Criminal Exploitation"), _F.EXPLOITATION.value),
        **dict.fromkeys(("EOC", "Edge of Care"), _F.EDGE_OF_CARE.value),
        **dict.fromkeys(("EOS", "Edge of Safeguarding"), _F.EDGE_OF_SAFEGUARDING.value),
        **dict.fromkeys(("PAR", "Placement at Risk", "Placement Stability Concern"),
                        _F.PLACEMENT_AT_RISK.value),
        **dict.fromkeys(("PWP", "Placement with Parents"), _F.PLACEMENT_WITH_PARENTS.value),
        **dict.fromkeys(("R24", "Reg 24", "Regulation 24"), _F.REG_24.value),
        **dict.fromkeys(("UA", "Unsuitable Accommodation"),
                        _F.UNSUITABLE_ACCOMMODATION.value),
        **dict.fromkeys(("RT", "Risk Taking", "Risk Taking Behaviour"), _F.RISK_TAKING.value),
        **dict.fromkeys(("SD", "Stepped Down", "Recently Stepped Down"),
                        _F.STEPPED_DOWN.value),
    },
}

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def word_key(word: str) -> str:
    """A word as it is compared: letter case, punctuation and spacing ignored."""
    return _NOT_ALNUM.sub(" ", word.casefold()).strip()


class Vocabulary:
    """The words recognised for each kind: :data:`COMMON`, the app's words and codes,
    and the value words of the profiles given (a word they map two ways is dropped)."""

    def __init__(self, profiles: Iterable[Mapping[str, object]] = ()) -> None:
        self._words: dict[str, dict[str, str]] = {}
        clashes: set[tuple[str, str]] = set()
        for kind in KIND_FIELDS:
            words = self._words.setdefault(kind, {})
            for code, app in APP_WORDS[kind].items():
                words[word_key(code)] = code
                words[word_key(app)] = code
            for word, code in COMMON[kind].items():
                words[word_key(word)] = code
        for raw in profiles:
            for kind, given in _profile_words(raw).items():
                words = self._words[kind]
                for word, code in given.items():
                    key = word_key(word)
                    if words.setdefault(key, code) != code:
                        clashes.add((kind, key))
        for kind, key in clashes:
            self._words[kind].pop(key, None)

    def recognise(self, kind: str, word: str) -> str | None:
        """The code ``word`` means for ``kind``, or None when it is not recognised."""
        return self._words.get(kind, {}).get(word_key(word))


def _profile_words(raw: Mapping[str, object]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    values = raw.get("values")
    if isinstance(values, dict):
        for kind, words in values.items():
            if kind in KIND_FIELDS and isinstance(words, dict):
                out[kind] = {str(w): str(c) for w, c in words.items()}
    flags = raw.get("flags")
    if isinstance(flags, dict) and isinstance(flags.get("values"), dict):
        out["flags"] = {str(w): str(c) for w, c in flags["values"].items()}
    return out


@dataclass
class FoundWord:
    """A distinct value of a column: as the file first spells it, on how many rows, and
    the first of those rows (spreadsheet numbers)."""

    word: str
    rows: int
    first_rows: list[int]


#: First rows kept per word.
FIRST_ROWS = 3


def distinct_words(cells: Iterable[tuple[int, str | None]], blanks: frozenset[str],
                   separator: str | None = None) -> list[FoundWord]:
    """The distinct words of a column's (row number, cell) pairs, most frequent first
    (blank markers and empty cells left out; letter case ignored). With ``separator``
    each cell is a list of words (a flags column)."""
    found: dict[str, FoundWord] = {}
    for number, cell in cells:
        if cell is None:
            continue
        parts = cell.split(separator) if separator else [cell]
        for part in parts:
            word = part.strip()
            if not word or word.casefold() in blanks:
                continue
            key = word.casefold()
            entry = found.get(key)
            if entry is None:
                found[key] = FoundWord(word, 1, [number])
            else:
                entry.rows += 1
                if len(entry.first_rows) < FIRST_ROWS:
                    entry.first_rows.append(number)
    return sorted(found.values(), key=lambda w: (-w.rows, w.word.casefold()))


def split_words(found: Iterable[FoundWord], separator: str) -> list[FoundWord]:
    """The words of a column of separated words ("NIS;CSE"), from its distinct cells."""
    merged: dict[str, FoundWord] = {}
    for cell in found:
        for part in cell.word.split(separator):
            word = part.strip()
            if not word:
                continue
            entry = merged.get(word.casefold())
            if entry is None:
                merged[word.casefold()] = FoundWord(word, cell.rows, list(cell.first_rows))
            else:
                entry.rows += cell.rows
                entry.first_rows = sorted({*entry.first_rows, *cell.first_rows})[:FIRST_ROWS]
    return sorted(merged.values(), key=lambda w: (-w.rows, w.word.casefold()))
