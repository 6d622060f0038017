"""What an import tells the user: counts, and the bad rows with their column and reason.

Why no values here: the report is printed, logged, pasted into support tickets. A
problem names the spreadsheet row, the column and the kind of problem (with the values
that would be accepted, which come from our code or the mapping); it never quotes the
cell, which may be a child's name put in the wrong column by a shifted row.

Why a limit on the list: a wrong file can have a problem on each of 500,000 rows. The
first :data:`LISTED` problems (in row order) are kept and the rest only counted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from desktop.services.standards.needs import Gap, gaps_sentence

if TYPE_CHECKING:
    from desktop.services.audits.refused import ImportRefused

#: Problems listed at most; the others are counted.
LISTED = 50


@dataclass(frozen=True, order=True)
class RowProblem:
    """One reason one row cannot be imported.

    Attributes:
        row: the spreadsheet row number (the header is row 1).
        column: the column as the file spells it; empty for the row as a whole.
        reason: a short phrase, free of personal data.
    """

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, column '{self.column}'" if self.column else f"row {self.row}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class NotListed(RowProblem):
    """The last entry of a refused import's list: how many problems were left out.

    ``row`` is 0 (it is no row); it is shown as its reason alone.
    """

    def __str__(self) -> str:
        return self.reason


def not_listed(count: int) -> str:
    return f"... and {count:,} more problem{'s' * (count != 1)} not listed"


class Problems:
    """Every problem counted, the first :data:`LISTED` in (row, column) order kept.

    Why not a list: 2 million bad rows made 2 million lines and a gigabyte of memory.
    Problems arrive roughly in row order, so most of a long tail is dropped after one
    comparison of row numbers.
    """

    def __init__(self, limit: int = LISTED) -> None:
        self.limit = limit
        self.count = 0
        self._rows: set[int] = set()
        self._kept: list[RowProblem] = []
        self._worst: RowProblem | None = None

    def append(self, problem: RowProblem) -> None:
        self.count += 1
        self._rows.add(problem.row)
        worst = self._worst
        if worst is not None and (problem.row > worst.row or (
                problem.row == worst.row and problem >= worst)):
            return
        self._kept.append(problem)
        if len(self._kept) >= 2 * self.limit:
            self._kept.sort()
            del self._kept[self.limit:]
            self._worst = self._kept[-1]

    def extend(self, problems: Iterable[RowProblem]) -> None:
        for problem in problems:
            self.append(problem)

    def mark_bad(self, row: int) -> None:
        """Count ``row`` as bad for a problem listed once for many rows (an unknown word)."""
        self._rows.add(row)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[RowProblem]:
        return iter(self.listed())

    @property
    def bad_rows(self) -> int:
        return len(self._rows)

    def listed(self) -> list[RowProblem]:
        """The problems to show, sorted: at most :data:`LISTED`."""
        return sorted(self._kept)[:self.limit]

    def refusal(self, source: str) -> ImportRefused:
        """The refusal of an all-or-nothing import (historical audits, plans).

        The listed problems, then one :class:`NotListed` entry when some were left out,
        so every caller that prints the list prints the count too.
        """
        # Imported here: refused.py imports RowProblem from this module.
        from desktop.services.audits.refused import ImportRefused

        refused = ImportRefused(source, self.listed())
        hidden = self.count - len(refused.problems)
        if hidden:
            refused.problems.append(NotListed(0, "", not_listed(hidden)))
            refused.message = (f"{source}: nothing imported, {self.bad_rows:,} bad rows, "
                               f"{self.count:,} problems; the first: {refused.problems[0]}")
            refused.args = (refused.message,)
        return refused


#: Longer cells are never quoted: no legal status or RAG word is this long.
QUOTED_AT_MOST = 40
#: First rows named for a word on many rows.
FIRST_ROWS = 3


class Unknown(NamedTuple):
    """A value word of one row that the mapping does not know.

    Attributes:
        column: the column as the file spells it.
        kind: the value map it was looked up in (cohort, rag, status, visit_by, flags).
        label: the kind as a person reads it ("legal status").
        word: the cell's word.
        reason: the one-row problem ("not a known legal status; expected one of: ...").
    """

    column: str
    kind: str
    label: str
    word: str
    reason: str


@dataclass
class _Word:
    first: Unknown
    count: int
    rows: list[int]


def rows_text(count: int, rows: list[int]) -> str:
    """"on 212 rows (first rows 4, 9, 15)", or "on row 4 only"."""
    if count == 1:
        return f"on row {rows[0]} only"
    shown = ", ".join(str(r) for r in rows)
    return f"on {count:,} rows ({'first rows' if count > len(rows) else 'rows'} {shown})"


class UnknownWords:
    """Unknown value words of a file, one problem per column and distinct word.

    Why: 397 identical lines "not a known legal status" sent the person into the file to
    find "Looked After" and "Child with Disability". Each distinct word is now one
    problem with its count and first rows. A word the app recognises as a legal status,
    RAG, visitor or flag word (:mod:`value_words`: "Looked After", "Child with
    Disability") is quoted, with what it usually means: such words are categories, not
    personal data. Any other word is not quoted, as no problem quotes a cell: a staff
    name a shifted row put in the legal status column repeats on every row too.
    """

    def __init__(self) -> None:
        self._words: dict[tuple[str, str], _Word] = {}

    def add(self, unknown: Unknown, row: int) -> None:
        key = (unknown.column, unknown.word.casefold())
        found = self._words.get(key)
        if found is None:
            self._words[key] = _Word(unknown, 1, [row])
            return
        found.count += 1
        if len(found.rows) < FIRST_ROWS:
            found.rows.append(row)

    def __len__(self) -> int:
        return len(self._words)

    def problems(self) -> list[RowProblem]:
        """One problem per word, on its first row."""
        # Imported here: value_words reads the case list's and the settings' words.
        from desktop.services.caseload.value_words import APP_WORDS, Vocabulary

        words = Vocabulary()
        out: list[RowProblem] = []
        for found in self._words.values():
            first = found.first
            expected = first.reason.split("; ", 1)[1] if "; " in first.reason else ""
            tail = f"; {expected}" if expected else ""
            code = (words.recognise(first.kind, first.word)
                    if len(first.word) <= QUOTED_AT_MOST else None)
            if code is not None:
                means = APP_WORDS.get(first.kind, {}).get(code, code).lower()
                reason = (f"'{first.word}' is not a {first.label} this mapping knows (it "
                          f"usually means {means}: add it to the mapping's values), "
                          f"{rows_text(found.count, found.rows)}{tail}")
            elif found.count == 1:
                reason = first.reason
            else:
                reason = (f"not a known {first.label}: the same word "
                          f"{rows_text(found.count, found.rows)}, not shown (it may be a "
                          f"name in the wrong column){tail}")
            out.append(RowProblem(found.rows[0], first.column, reason))
        return out


#: Accepted values listed in a problem at most; a mapping may accept hundreds.
EXPECTED_SHOWN = 20


def listing(words: Iterable[str]) -> str:
    """``"a, b, c"``: values a column accepts, from our code or a mapping, cut short."""
    listed = list(dict.fromkeys(words))
    shown = ", ".join(listed[:EXPECTED_SHOWN])
    return f"{shown}, ..." if len(listed) > EXPECTED_SHOWN else shown


def one_of(words: Iterable[str]) -> str:
    return f"one of: {listing(words)}"


#: dates.py's reasons quote the value; these say the same without it (see date_reason).
_DATE_TAILS = (
    ("; use dd/mm/yyyy", "not a date; use dd/mm/yyyy (or dd-Mon-yy, yyyy-mm-dd)"),
    ("dates are day/month/year", "not a date: the month is above 12; dates are "
     "day/month/year"),
    ("the year must have four digits, dd/mm/yyyy", "not a date: the year must have four "
     "digits (dd/mm/yyyy)"),
    ("from 1927 to 2173)", "not a date: a number that is not an Excel date from 1927 to "
     "2173"),
)


def date_reason(value: object, reason: str) -> str:
    """Why ``value`` is not a date, from dates.py's ``reason``, without quoting the value.

    The fixed endings of dates.py's reasons are matched, never text inside them, so a
    cell cannot steer the phrase chosen.
    """
    for tail, phrase in _DATE_TAILS:
        if reason.endswith(tail):
            return phrase
    if "): unknown month '" in reason:
        return "not a date: the month is not an English month name"
    if isinstance(value, str):
        return "not a real date: that month has no such day"
    return "not a date"


@dataclass
class ImportReport:
    """The outcome of one import (or dry run).

    Every row of the file is exactly one of created, updated or unchanged. ``closed``
    and ``reopened`` count status changes on top: cases closed because a full import
    no longer lists them (or the file says closed), and closed cases listed again.

    Attributes:
        file: the file's name (not its folder).
        profile: the mapping profile used.
        dry_run: nothing was meant to be written.
        written: something was written (False for a dry run or a refused file).
        rows: data rows read.
        rag_changes: RAG changes recorded as case events.
        events: case events recorded in all (RAG changes, visits, closures, ...).
        errors: the problems listed (the first :data:`LISTED`); when there is any,
            nothing was written.
        problem_count, bad_rows: every problem found and the rows they are on, listed
            or not.
        notes: lines of the file read past without being cases (above the header,
            summary lines at the end), to check against the file.
        not_known: the practice standards this file cannot compute (it has no column
            they need): "not known from this export" for every case, left out of figures.
    """

    file: str
    profile: str
    dry_run: bool = False
    written: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    reopened: int = 0
    rag_changes: int = 0
    events: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    bad_rows: int = 0
    notes: list[str] = field(default_factory=list)
    not_known: list[Gap] = field(default_factory=list)

    @property
    def not_known_text(self) -> str:
        """The standards this file cannot compute, in one line ("" when it can all)."""
        return gaps_sentence(self.not_known)

    def refuse(self, problems: Problems) -> None:
        """Record ``problems`` (there is at least one): the import writes nothing."""
        self.errors = problems.listed()
        self.problem_count, self.bad_rows = problems.count, problems.bad_rows

    @property
    def not_listed(self) -> int:
        return max(self.problem_count - len(self.errors), 0)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        """The CLI's ``--json`` contract; ``errors_not_listed`` only when some were left out."""
        data = {
            "file": self.file, "profile": self.profile, "dry_run": self.dry_run,
            "written": self.written, "rows": self.rows, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "closed": self.closed,
            "reopened": self.reopened, "rag_changes": self.rag_changes,
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason}
                       for e in self.errors],
            "notes": list(self.notes),
            "standards_not_known": [{"standard": g.standard, "missing": list(g.missing),
                                     "words": g.words} for g in self.not_known],
        }
        if self.not_listed:
            data["errors_not_listed"] = self.not_listed
        return data

    def summary(self) -> str:
        """One line of counts, for people, after a line for problems not listed."""
        if self.errors:
            rows = max(self.bad_rows, len({e.row for e in self.errors}))
            total = max(self.problem_count, len(self.errors))
            counts = (f"{self.rows:,} rows read; {rows:,} bad row(s), {total:,} "
                      "problem(s): nothing was written")
            return f"{not_listed(self.not_listed)}\n{counts}" if self.not_listed else counts
        counts = (f"{self.rows:,} rows: {self.created:,} created, {self.updated:,} updated, "
                  f"{self.unchanged:,} unchanged, {self.closed:,} closed, "
                  f"{self.reopened:,} reopened, {self.rag_changes:,} RAG changes")
        return counts + (" (dry run: nothing was written)" if self.dry_run else "")


def problems_csv(report: ImportReport) -> str:
    """The refused import's problems as CSV (row, column, problem), to fix in Excel.

    Why a last line for the rest: a person fixing the file must know the list is not
    all of it (the same line the command line prints).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Row", "Column", "Problem"])
    writer.writerows([e.row, _inert(e.column), e.reason] for e in report.errors)
    if report.not_listed:
        writer.writerow(["", "", not_listed(report.not_listed)])
    return out.getvalue()


def _inert(text: str) -> str:
    """A column name as Excel shows it, never as a formula (a header may be hostile)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
