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
from typing import Any

from desktop.models.case import join_flags
from desktop.services.caseload.profiles import DATE_FIELDS, Profile
from desktop.services.caseload.report import (
    Problems,
    RowProblem,
    date_reason,
    listing,
    one_of,
)
from desktop.services.dates import DateProblem, parse_date
from desktop.services.tabular import CONTROL_REASON, Table

#: An unborn child's expected date of birth may be this far ahead (about 10 months).
UNBORN_HORIZON = dt.timedelta(days=305)
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
                       self._unknown(v, label)) for k, v, label in CODE_LABELS if k in self.pos]
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
        self.texts = [(k, self.pos[k], self.header[k]) for k in ORG_FIELDS if k in self.pos]
        self.name: Callable[[tuple[Any, ...]], str | None] | None = self._name_reader()
        self.has_flags = flags is not None
        self._date_cache: dict[Any, tuple[dt.date | None, str | None]] = {}
        self._dob_cache: dict[Any, tuple[dt.date | None, str | None]] = {}
        self._code_cache: dict[str, dict[Any, str | None]] = {c[0]: {} for c in self.codes}
        self._yes_no: dict[Any, str] = {}

    def _unknown(self, kind: str, label: str) -> str:
        """The problem of a value ``kind``'s map lacks: the values it has, not the cell."""
        words = self.profile.labels.get(kind) or sorted(set(self.profile.values[kind].values()))
        return f"not a known {label}; expected {one_of(words)}"

    def _name_reader(self) -> Callable[[tuple[Any, ...]], str | None] | None:
        pos = self.pos
        if "child_name" in pos:
            p = pos["child_name"]
            return lambda cells: cell_text(cells[p])
        if "initials" in pos:
            p = pos["initials"]
            return lambda cells: cell_text(cells[p])
        if "forename" in pos and "surname" in pos:
            f, s = pos["forename"], pos["surname"]

            def joined(cells: tuple[Any, ...]) -> str | None:
                parts = [t for t in (cell_text(cells[f]), cell_text(cells[s])) if t]
                return " ".join(parts) or None

            return joined
        return None

    def check(self) -> tuple[list[CaseRow], Problems]:
        """Every good row, and the problems of the bad rows (all counted)."""
        good: list[CaseRow] = []
        problems = Problems()
        seen: dict[str, int] = {}
        ref_pos, ref_header = self.pos["case_ref"], self.header["case_ref"]
        for row in self.table.rows:
            cells, number = row.cells, row.number
            found: list[RowProblem] = []
            if row.overflow:
                found.append(RowProblem(number, "", "more values than there are columns "
                                        "(a comma inside a value that is not in quotes?)"))
            ref = cell_text(cells[ref_pos])
            if ref is None:
                found.append(RowProblem(number, ref_header, "the case reference is blank"))
            elif len(ref) > MAX_LENGTH["case_ref"]:
                found.append(RowProblem(number, ref_header,
                                        "the case reference is longer than 40 characters"))
            elif ref in seen:
                found.append(RowProblem(number, ref_header,
                                        f"the same case reference is on row {seen[ref]}"))
            else:
                seen[ref] = number
            fields = self._fields(cells, number, found)
            org = self._org(cells, number, found)
            if row.controls:
                found = self._controls(row.controls, number, found)
            if found:
                problems.extend(found)
            else:
                good.append(CaseRow(number, ref or "", fields, org))
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
        cache = self._dob_cache if key == "date_of_birth" else self._date_cache
        hit = cache.get(value)
        if hit is not None:
            return hit
        try:
            day = parse_date(value)
        except DateProblem as problem:
            result: tuple[dt.date | None, str | None] = (None, date_reason(value,
                                                                          problem.reason))
        else:
            if key == "date_of_birth":
                result = (day, None) if day is None or day <= self.latest_birth else (
                    None, "the date of birth is more than 10 months ahead, even for an "
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
            cache[value] = code
            return code

    def _fields(self, cells: tuple[Any, ...], number: int, found: list[RowProblem]
                ) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if self.name is not None:
            name = self.name(cells)
            if name is not None and len(name) > MAX_LENGTH["child_name"]:
                found.append(RowProblem(number, self.header.get("child_name")
                                        or self.header.get("initials")
                                        or self.header["surname"],
                                        "the name is longer than 120 characters"))
            fields["child_name"] = name or ""
        for key, position, header in self.dates:
            value = cells[position]
            if value is None:
                fields[key] = None
                continue
            day, reason = self._date(key, value)
            if reason is not None:
                found.append(RowProblem(number, header, reason))
            fields[key] = day
        for key, position, header, mapping, unknown in self.codes:
            value = cells[position]
            if value is None:
                if key == "cohort":
                    found.append(RowProblem(number, header, "the legal status is blank"))
                fields[key] = None
                continue
            code = self._code(key, mapping, value)
            if code is None:
                found.append(RowProblem(number, header, unknown))
            fields[key] = code
        if self.has_flags:
            fields["flags"] = self._flags(cells, number, found)
        opened, closed = fields.get("opened_on"), fields.get("closed_on")
        if opened is not None and closed is not None and closed < opened:
            found.append(RowProblem(number, self.header["closed_on"],
                                    "the case closes before it opens"))
        return fields

    def _flags(self, cells: tuple[Any, ...], number: int, found: list[RowProblem]) -> str:
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
                answer = "yes" if word in flags.yes else "no" if word in flags.no else "?"
                answers[value] = answer
            if answer == "yes":
                codes.append(code)
            elif answer == "?":
                found.append(RowProblem(number, header, self.yes_no_reason))
        if self.flag_words is not None:
            position, header = self.flag_words
            value = cells[position]
            if value is not None:
                words = [w.strip().casefold() for w in str(value).split(flags.separator)]
                known = [flags.words.get(w) for w in words if w]
                if None in known:
                    found.append(RowProblem(number, header, self.flag_reason))
                codes.extend(code for code in known if code is not None)
        if not codes:
            return ""
        return codes[0] if len(codes) == 1 else join_flags(codes)

    def _org(self, cells: tuple[Any, ...], number: int, found: list[RowProblem]
             ) -> dict[str, str | None]:
        org: dict[str, str | None] = {}
        for key, position, header in self.texts:
            text = cell_text(cells[position])
            if text is not None and len(text) > MAX_LENGTH[key]:
                found.append(RowProblem(number, header,
                                        f"longer than {MAX_LENGTH[key]} characters"))
            org[key] = text
        return org


def check_rows(table: Table, profile: Profile, today: dt.date
               ) -> tuple[list[CaseRow], Problems]:
    """Every good row and the problems (all counted); ``today`` bounds dates (ctx.today())."""
    table.require(profile.required_columns())
    return RowChecker(table, profile, today).check()
