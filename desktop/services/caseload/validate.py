"""Check every row of an export against a profile, before anything is written.

Why a separate pass: the import is all or nothing, so every row must be known good
before the first write, and a dry run must run exactly the same checks. Problems are
collected, never raised, so the user gets the list in one go (the first fifty, and a
count of the rest: see :class:`~desktop.services.caseload.report.Problems`).

Problems name the row, the column and the kind of problem, with the values that would
be accepted; never the cell's value, which a shifted row may fill with a name.

The checker is "compiled" once per file (column positions, value maps, which checks
apply) so that the per-row loop stays small: 100,000 rows go through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from desktop.models.case import join_flags
from desktop.models.enums import Cohort
from desktop.services.caseload.profiles import DATE_FIELDS, Profile
from desktop.services.caseload.report import (
    Problems,
    RowProblem,
    Unknown,
    UnknownWords,
    date_reason,
    listing,
    one_of,
)
from desktop.services.dates import DateProblem, parse_date
from desktop.services.tabular import CONTROL_REASON, Table

#: An unborn child's expected date of birth may be this far ahead (about 10 months).
UNBORN_HORIZON = dt.timedelta(days=305)
#: Date fields that may lie ahead (up to :data:`UNBORN_HORIZON`): an unborn child's.
BIRTH_FIELDS = ("date_of_birth", "expected_delivery_date")
COUNT_REASON = "not a count; expected a whole number (0 or more)"
FUTURE_BIRTH = ("the date of birth is in the future; only an unborn child's may be (its "
                "expected date, with the legal status unborn)")
UNBORN = Cohort.UNBORN.value
#: Text lengths the store holds (see desktop/models/case.py and org.py).
MAX_LENGTH = {"case_ref": 40, "child_name": 120, "service_area": 120, "team": 120,
              "worker_name": 120, "worker_ref": 40, "team_manager_name": 120,
              "team_manager_ref": 40}
ORG_FIELDS = ("service_area", "team", "worker_name", "worker_ref", "team_manager_name",
              "team_manager_ref")
CODE_LABELS = (("cohort", "cohort", "legal status"), ("rag", "rag", "RAG rating"),
               ("status", "status", "case status"), ("last_f2f_visit_by", "visit_by", "visitor"))


@dataclass(slots=True)
class CaseRow:
    """A row that passed every check.

    Attributes:
        row: the spreadsheet row number.
        case_ref: the case reference, stripped.
        fields: Case column values for every field the profile maps (dates as dates,
            codes as codes, ``flags`` as canonical text); unmapped fields are absent, so
            an import never blanks what the file does not carry.
        org: service area, team, worker and team manager names/refs as text or None.
    """

    row: int
    case_ref: str
    fields: dict[str, Any]
    org: dict[str, str | None]


def cell_text(value: Any) -> str | None:
    """A cell as text: Excel's 12345.0 is "12345", dates are ISO, blank is None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


class RowChecker:
    """Checks rows of one table against one profile; see :meth:`check`."""

    def __init__(self, table: Table, profile: Profile, today: dt.date) -> None:
        self.table = table
        self.profile = profile
        self.today = today
        self.latest_birth = today + UNBORN_HORIZON
        self.oldest_age = profile.oldest_age
        self.earliest_birth = earliest_birth(today, profile.oldest_age)
        self.pos: dict[str, int] = {}
        self.header: dict[str, str] = {}
        for key, column in profile.columns.items():
            position = table.position(column)
            if position is not None:
                self.pos[key] = position
                self.header[key] = table.headers[position]
        flags = profile.flags
        self.flag_columns: list[tuple[int, str, str]] = []
        self.flag_words: tuple[int, str] | None = None
        if flags is not None:
            for column, code in flags.columns.items():
                position = table.position(column)
                if position is not None:
                    self.flag_columns.append((position, table.headers[position], code))
            if flags.column is not None and (position := table.position(flags.column)) is not None:
                self.flag_words = (position, table.headers[position])
        self.dates = [(k, self.pos[k], self.header[k]) for k in DATE_FIELDS if k in self.pos]
        self.codes = [(k, self.pos[k], self.header[k], profile.values[v],
                       self._unknown(v, label), v, label) for k, v, label in CODE_LABELS
                      if k in self.pos]
        #: Every column read, by position: a control character in any is a problem.
        self.columns_read = {p: table.headers[p] for p in self.pos.values()}
        self.columns_read.update((p, h) for p, h, _ in self.flag_columns)
        if self.flag_words is not None:
            self.columns_read[self.flag_words[0]] = self.flag_words[1]
        self.yes_no_reason = self.flag_reason = ""
        if flags is not None:
            words = flags.labels or sorted(set(flags.words.values()))
            self.yes_no_reason = (f"not yes or no; expected yes ({listing(sorted(flags.yes))})"
                                  f" or no ({listing(sorted(flags.no))})")
            self.flag_reason = (f"not a known flag; expected flags separated by "
                                f"'{flags.separator}', each {one_of(words)}")
        self.count_columns: list[tuple[int, str, str]] = []
        if flags is not None:
            for column, code in flags.counts.items():
                position = table.position(column)
                if position is not None:
                    self.count_columns.append((position, table.headers[position], code))
                    self.columns_read[position] = table.headers[position]
        self.texts = [(k, self.pos[k], self.header[k]) for k in ORG_FIELDS if k in self.pos]
        self.blanks = profile.blanks
        self.name: Callable[[tuple[Any, ...]], str | None] | None = self._name_reader()
        self.has_flags = flags is not None
        self._date_cache: dict[str, dict[Any, tuple[dt.date | None, str | None]]] = {
            key: {} for key, _, _ in self.dates}
        self._code_cache: dict[str, dict[Any, str | None]] = {c[0]: {} for c in self.codes}
        self._yes_no: dict[Any, str] = {}
        self._counts: dict[Any, bool | None] = {}
        self.date_lookups = [(k, p, h, self._date_cache[k]) for k, p, h in self.dates]
        self.code_lookups = [(*c, self._code_cache[c[0]]) for c in self.codes]
        self._texts: dict[Any, str | None] = {}

    def blank(self, value: Any) -> bool:
        """Whether a cell counts as empty: nothing, or one of the profile's blank markers
        ("-", "N/A", ...) in any letter case."""
        return value is None or (value.__class__ is str and value.casefold() in self.blanks)

    def text(self, value: Any) -> str | None:
        """A cell as text, None when blank or a blank marker (cached per raw value)."""
        try:
            return self._texts[value]
        except KeyError:
            text = None if self.blank(value) else cell_text(value)
            self._texts[value] = text
            return text

    def _unknown(self, kind: str, label: str) -> str:
        """The problem of a value ``kind``'s map lacks: the values it has, not the cell."""
        words = self.profile.labels.get(kind) or sorted(set(self.profile.values[kind].values()))
        return f"not a known {label}; expected {one_of(words)}"

    def _name_reader(self) -> Callable[[tuple[Any, ...]], str | None] | None:
        pos, blanks = self.pos, self.blanks

        def one(cells: tuple[Any, ...], p: int) -> str | None:
            value = cells[p]
            if value.__class__ is str:
                return None if value.casefold() in blanks else value
            return None if value is None else cell_text(value)

        if "child_name" in pos:
            p = pos["child_name"]
            return lambda cells: one(cells, p)
        if "initials" in pos:
            p = pos["initials"]
            return lambda cells: one(cells, p)
        if "forename" in pos and "surname" in pos:
            f, s = pos["forename"], pos["surname"]

            def joined(cells: tuple[Any, ...]) -> str | None:
                parts = [t for t in (one(cells, f), one(cells, s)) if t]
                return " ".join(parts) or None

            return joined
        return None

    def check(self) -> tuple[list[CaseRow], Problems]:
        """Every good row, and the problems of the bad rows (all counted).

        An unknown value word (a legal status, RAG, case status, visitor or flag) is one
        problem per distinct word, listed with its count and first rows, not one per row:
        a file with "Looked After" on 212 rows says so once (:class:`UnknownWords`).
        """
        good: list[CaseRow] = []
        problems = Problems()
        words = UnknownWords()
        seen: dict[str, tuple[int, str]] = {}
        fold = not self.profile.case_sensitive_refs
        ref_pos, ref_header = self.pos["case_ref"], self.header["case_ref"]
        for row in self.table.rows:
            cells, number = row.cells, row.number
            found: list[RowProblem] = []
            unknown: list[Unknown] = []
            if row.overflow:
                found.append(RowProblem(number, "", "more values than there are columns "
                                        "(a comma inside a value that is not in quotes?)"))
            ref = cell_text(cells[ref_pos])
            if ref is not None:
                ref = ref.strip() or None
            if ref is None:
                found.append(RowProblem(number, ref_header, "the case reference is blank"))
            elif len(ref) > MAX_LENGTH["case_ref"]:
                found.append(RowProblem(number, ref_header,
                                        "the case reference is longer than 40 characters"))
            else:
                key = ref.casefold() if fold else ref
                earlier = seen.get(key)
                if earlier is None:
                    seen[key] = (number, ref)
                else:
                    other = "" if earlier[1] == ref else " (in other capitals: a reference " \
                        "is the same whatever its capitals)"
                    found.append(RowProblem(number, ref_header, f"the same case reference "
                                            f"is on row {earlier[0]}{other}"))
            fields = self._fields(cells, number, found, unknown)
            org = self._org(cells, number, found)
            if row.controls:
                found = self._controls(row.controls, number, found)
                controlled = {p.column for p in found if p.reason == CONTROL_REASON}
                unknown = [u for u in unknown if u.column not in controlled]
            if unknown:
                for one in unknown:
                    words.add(one, number)
                problems.mark_bad(number)
            if found:
                problems.extend(found)
            elif not unknown:
                good.append(CaseRow(number, ref or "", fields, org))
        problems.extend(words.problems())
        return good, problems

    def _controls(self, positions: tuple[int, ...], number: int, found: list[RowProblem]
                  ) -> list[RowProblem]:
        """The row's problems with one per cell holding a control character: that one.

        Why replace: "not a known legal status" of a cell with a NUL in it sends the
        user looking for the wrong fault.
        """
        columns = {self.columns_read[p] for p in positions if p in self.columns_read}
        if not columns:
            return found
        kept = [p for p in found if p.column not in columns]
        return [RowProblem(number, c, CONTROL_REASON) for c in sorted(columns)] + kept

    def _date(self, key: str, value: Any) -> tuple[dt.date | None, str | None]:
        """A date cell checked for its field: (date, None) or (None, reason). Cached."""
        cache = self._date_cache[key]
        hit = cache.get(value)
        if hit is not None:
            return hit
        formats = self.profile.date_formats.get(key, ())
        try:
            day = None if self.blank(value) else (
                _formatted(value, formats) or parse_date(value))
        except DateProblem as problem:
            reason = date_reason(value, problem.reason)
            if formats:
                reason = f"{reason.split(';')[0]}; expected {' or '.join(formats)}"
            result: tuple[dt.date | None, str | None] = (None, reason)
        else:
            if key in BIRTH_FIELDS:
                what = "date of birth" if key == "date_of_birth" else "expected date"
                if day is not None and day < self.earliest_birth:
                    result = (None, f"the {what} is more than {self.oldest_age} years ago, "
                              f"older than the oldest age the service works with "
                              f"({self.oldest_age})")
                else:
                    result = (day, None) if day is None or day <= self.latest_birth else (
                        None, f"the {what} is more than 10 months ahead, even for an "
                        "unborn child")
            else:
                result = (day, None) if day is None or day <= self.today else (
                    None, "the date is in the future")
        cache[value] = result
        return result

    def _code(self, key: str, mapping: dict[str, str], value: Any) -> str | None:
        """The code a cell maps to, or None when unknown. Cached per raw value."""
        cache = self._code_cache[key]
        try:
            return cache[value]
        except KeyError:
            code = mapping.get((cell_text(value) or "").casefold())
            if code is None and self.blank(value):
                code = BLANK
            cache[value] = code
            return code

    def _fields(self, cells: tuple[Any, ...], number: int, found: list[RowProblem],
                unknown: list[Unknown]) -> dict[str, Any]:
        """The row's fields; its problems go to ``found``, its unknown value words to
        ``unknown``."""
        fields: dict[str, Any] = {}
        if self.name is not None:
            name = self.name(cells)
            if name is not None and len(name) > MAX_LENGTH["child_name"]:
                found.append(RowProblem(number, self.header.get("child_name")
                                        or self.header.get("initials")
                                        or self.header["surname"],
                                        "the name is longer than 120 characters"))
            fields["child_name"] = name or ""
        # Cached by raw value, looked up inline: this loop runs for every cell.
        for key, position, header, cache in self.date_lookups:
            value = cells[position]
            if value is None:
                fields[key] = None
                continue
            hit = cache.get(value)
            day, reason = hit if hit is not None else self._date(key, value)
            if reason is not None:
                found.append(RowProblem(number, header, reason))
            fields[key] = day
        for key, position, header, mapping, reason, kind, label, codes in self.code_lookups:
            value = cells[position]
            if value is None:
                code = None
            else:
                code = codes.get(value, MISSING)
                if code is MISSING:
                    code = self._code(key, mapping, value)
            if code is None or code is BLANK:
                if code is None and value is not None:
                    unknown.append(Unknown(header, kind, label, cell_text(value) or "",
                                           reason))
                elif key == "cohort":
                    found.append(RowProblem(number, header, "the legal status is blank"))
                fields[key] = None
                continue
            fields[key] = code
        born = fields.get("date_of_birth")
        if born is not None and born > self.today and fields.get("cohort") not in (
                UNBORN, None):
            found.append(RowProblem(number, self.header["date_of_birth"], FUTURE_BIRTH))
        if self.has_flags:
            fields["flags"] = self._flags(cells, number, found, unknown)
        opened, closed = fields.get("opened_on"), fields.get("closed_on")
        if opened is not None and closed is not None and closed < opened:
            found.append(RowProblem(number, self.header["closed_on"],
                                    "the case closes before it opens"))
        return fields

    def _flags(self, cells: tuple[Any, ...], number: int, found: list[RowProblem],
               unknown: list[Unknown]) -> str:
        flags = self.profile.flags
        assert flags is not None
        codes: list[str] = []
        answers = self._yes_no
        for position, header, code in self.flag_columns:
            value = cells[position]
            if value is None:
                continue
            answer = answers.get(value)
            if answer is None:
                word = (cell_text(value) or "").casefold()
                answer = "yes" if word in flags.yes else "no" if (
                    word in flags.no or self.blank(value)) else "?"
                answers[value] = answer
            if answer == "yes":
                codes.append(code)
            elif answer == "?":
                found.append(RowProblem(number, header, self.yes_no_reason))
        for position, header, code in self.count_columns:
            value = cells[position]
            if value is None:
                continue
            if value in self._counts:
                above = self._counts[value]
            else:
                above = self._counts[value] = _count_above_zero(value, self.blank(value))
            if above is None:
                found.append(RowProblem(number, header, COUNT_REASON))
            elif above:
                codes.append(code)
        if self.flag_words is not None:
            position, header = self.flag_words
            value = cells[position]
            if value is not None and not self.blank(value):
                for word in (w.strip() for w in str(value).split(flags.separator)):
                    if not word:
                        continue
                    flag = flags.words.get(word.casefold())
                    if flag is None:
                        unknown.append(Unknown(header, "flags", "flag", word,
                                               self.flag_reason))
                    else:
                        codes.append(flag)
        if not codes:
            return ""
        return codes[0] if len(codes) == 1 else join_flags(codes)

    def _org(self, cells: tuple[Any, ...], number: int, found: list[RowProblem]
             ) -> dict[str, str | None]:
        org: dict[str, str | None] = {}
        known = self._texts
        for key, position, header in self.texts:
            value = cells[position]
            text = known.get(value, MISSING)
            if text is MISSING:
                text = self.text(value)
            if text is not None and len(text) > MAX_LENGTH[key]:
                found.append(RowProblem(number, header,
                                        f"longer than {MAX_LENGTH[key]} characters"))
            org[key] = text
        return org


#: What :meth:`RowChecker._code` caches for a blank marker (distinct from unknown, None).
BLANK = "\x00blank"
class _Missing(Enum):
    MISSING = "missing"


#: Not in a cache yet (an enum member, so that ``is MISSING`` narrows the type).
MISSING = _Missing.MISSING


def _formatted(value: Any, formats: tuple[str, ...]) -> dt.date | None:
    """The date a text cell holds in one of a profile's own ``formats``, else None."""
    if not formats or value.__class__ is not str:
        return None
    for form in formats:
        try:
            return dt.datetime.strptime(value, form).date()
        except ValueError:
            continue
    return None


def _count_above_zero(value: Any, blank: bool) -> bool | None:
    """Whether a count cell is above zero; None when it is not a count at all."""
    if blank:
        return False
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = (cell_text(value) or "").replace(",", "")
        if not text.isdigit():
            return None
        number = float(text)
    if number < 0 or not number.is_integer():
        return None
    return number > 0


def earliest_birth(today: dt.date, oldest_age: int) -> dt.date:
    """The earliest date of birth of a child aged at most ``oldest_age`` today.

    A person born on that day turns ``oldest_age + 1`` tomorrow; one born a day earlier
    is already older than the service works with.
    """
    year = today.year - oldest_age - 1
    try:
        birthday = today.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        birthday = dt.date(year, 3, 1)
    return birthday + dt.timedelta(days=1)


def check_rows(table: Table, profile: Profile, today: dt.date
               ) -> tuple[list[CaseRow], Problems]:
    """Every good row and the problems (all counted); ``today`` bounds dates (ctx.today())."""
    table.require(profile.required_columns())
    return RowChecker(table, profile, today).check()
