"""Read a council's CSV or Excel export into rows that keep their spreadsheet row numbers.

Why row numbers: the person fixing a bad export does it in Excel, so every problem must
point at "row 14, column 'RAG Date'" exactly as Excel shows it (the header is row 1).
Why the encoding dance: Excel saves "CSV UTF-8" with a byte-order mark and plain "CSV"
in Windows-1252. Strict UTF-8 is tried first because cp1252 accepts almost any byte
sequence and would silently turn "Zoë" into "ZoÃ«".

Why streaming and limits: a file may be hostile or simply wrong (a 2-million-line log,
an .xlsx that unpacks to gigabytes). CSV text is decoded a chunk at a time and rows
are kept as they are read, never the whole text first; a workbook's zip members are
measured before openpyxl opens it; and the reading stops, with one plain sentence, at
:data:`MAX_ROWS` rows or :data:`MAX_COLUMNS` columns. A council's whole caseload is
about 100,000 rows, so the limits leave five times that.

This module knows nothing about caseloads; the historical-audit and improvement-plan
imports use it too. Cells come back as stripped ``str`` (CSV), or whatever openpyxl
holds (``str``, ``int``, ``float``, ``datetime``, ``bool``) for .xlsx, and ``None`` for
blank in both, so consumers treat the two formats alike.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from sys import intern
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from desktop.errors import InputProblem

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
#: Delimiters an export may use; the one most frequent in the header line wins.
DELIMITERS = (",", ";", "\t", "|")
#: Data rows read from one file at most (the header is row 1, so row 500,001 is the last).
MAX_ROWS = 500_000
#: Columns read at most; an export has a few dozen.
MAX_COLUMNS = 500
#: A column name longer than this is not a column name (it is shown in every message).
MAX_HEADER_LENGTH = 256
#: Characters one line of a CSV file may have; a caseload row has a few hundred.
MAX_LINE = 1_000_000
#: What a workbook may unpack to in all, and how much better than text XML compresses.
MAX_UNPACKED = 1_000_000_000
MAX_RATIO = 200
MAX_MEMBERS = 10_000
#: Bytes looked at to tell text from UTF-16, UTF-32 and binary files.
SNIFF = 65_536
READ_CHUNK = 1 << 20
#: C0 control characters and DEL: never in a name, code or date; tab and line breaks
#: are refused too, except that free text may break lines (see :func:`has_control`).
CONTROL = re.compile("[\x00-\x1f\x7f]")
CONTROL_BUT_LINE_BREAK = re.compile("[\x00-\x09\x0b-\x0c\x0e-\x1f\x7f]")
CONTROL_REASON = ("contains a control character (such as NUL or tab), which no case "
                  "system exports; retype the cell")
_ZIP_MAGIC = b"PK\x03\x04"
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: Bytes of a text file's sample that are control bytes (not tab, CR, LF, FF, VT).
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32 or b == 127))


@dataclass(frozen=True, slots=True)
class Row:
    """One data row.

    Attributes:
        number: the spreadsheet row number (the header is row 1).
        cells: one value per header column, ``None`` for blank, padded or cut to the
            header's width.
        overflow: the row had non-blank values beyond the last named column, which in a
            CSV usually means an unquoted comma inside a value shifted the row.
        controls: the positions of text cells holding a control character (including
            tab and line breaks); each consumer decides which of its fields may break
            lines, see :func:`has_control`.
    """

    number: int
    cells: tuple[Any, ...]
    overflow: bool = False
    controls: tuple[int, ...] = ()


@dataclass
class Table:
    """A whole sheet: its header and its non-blank data rows.

    Attributes:
        source: the file name (never a full path: it is shown in messages).
        headers: the header names as written, stripped.
        rows: the data rows in file order; entirely blank rows are skipped.
        encoding: "utf-8", "utf-8-sig", "cp1252" or "xlsx".
        sheet: the worksheet read, for .xlsx.
        header_row: the spreadsheet row of the header (1 unless lines were above it).
        notes: what was read past without being a data row (lines above the header,
            summary lines at the end), in words a person can check against the file.
    """

    source: str
    headers: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    encoding: str = ""
    sheet: str | None = None
    header_row: int = 1
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index = {h.casefold(): i for i, h in enumerate(self.headers) if h}

    def position(self, column: str) -> int | None:
        """Where ``column`` is (matched case-insensitively), or ``None`` if absent."""
        return self._index.get(column.strip().casefold())

    def has(self, column: str) -> bool:
        return self.position(column) is not None

    def header_name(self, column: str) -> str:
        """The header as the file spells it, for messages the user will search for."""
        pos = self.position(column)
        return self.headers[pos] if pos is not None else column

    def require(self, columns: Iterable[str]) -> None:
        """Refuse the table when any of ``columns`` is missing, naming every one."""
        missing = [c for c in columns if not self.has(c)]
        if missing:
            listed = ", ".join(f"'{c}'" for c in missing)
            noun = "column" if len(missing) == 1 else "columns"
            raise InputProblem(f"{self.source}: missing {noun} {listed}")

    def drop_trailing_summary(self, required: Sequence[str]) -> int:
        """Remove the summary lines an export ends with ("Total cases: 3,000", "Report
        run on ..."), noting how many and where; returns how many.

        Why only at the end and only such lines: a report writer appends them under the
        table, and reading one as a case would refuse the file (or worse, import a case
        called "Total"). A line is a summary when it lacks a value in one of the
        ``required`` columns and its first value reads as a summary (see
        :data:`SUMMARY_LINE`). Anything else stays a row, and is checked as one.
        """
        positions = [p for c in required if (p := self.position(c)) is not None]
        dropped: list[int] = []
        while self.rows and _is_summary(self.rows[-1], positions):
            dropped.append(self.rows.pop().number)
        if dropped:
            self.notes.append(f"skipped {_lines(len(dropped), 'summary line')} at the end "
                              f"({_row_span(min(dropped), max(dropped))})")
        return len(dropped)

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, {header: value}) pairs, for small files and simple consumers."""
        for row in self.rows:
            yield row.number, dict(zip(self.headers, row.cells, strict=True))


#: How a summary line under an export's table starts: totals, counts, when and by whom
#: the report was run, page and end markers. Matched against the line's first value.
SUMMARY_LINE = re.compile(
    r"(?:grand\s+)?(?:sub-?)?totals?\b|count\b|number\s+of\b|no\.?\s+of\b|"
    r"report\b|run\s+(?:on|by|date|at)\b|generated\b|printed\b|produced\b|"
    r"extracted\b|exported\b|created\s+(?:on|by)\b|records?\b|rows?\b|cases?\s*:|"
    r"end\s+of\b|page\s+\d|source\s*:|[\d,]+\s+(?:records|rows|cases)\b|\*+\s*end",
    re.IGNORECASE)


def _is_summary(row: Row, required: list[int]) -> bool:
    cells = row.cells
    if all(cells[p] is not None for p in required):
        return False
    first = next((c for c in cells if c is not None), None)
    return isinstance(first, str) and SUMMARY_LINE.match(first) is not None


def _lines(count: int, what: str) -> str:
    return f"{count:,} {what}{'s' * (count != 1)}"


def _row_span(first: int, last: int) -> str:
    return f"row {first:,}" if first == last else f"rows {first:,}-{last:,}"


def has_control(value: Any, *, line_breaks: bool = False) -> bool:
    """Whether a cell holds a control character; ``line_breaks`` allows CR and LF.

    Why a check at all: a NUL or an escape sequence stored in a name ends up in letters,
    PDFs and terminals. Free text (an audit's overview) may span lines; nothing else may.
    """
    if not isinstance(value, str):
        return False
    pattern = CONTROL_BUT_LINE_BREAK if line_breaks else CONTROL
    return pattern.search(value) is not None


def read_table(path: Path, *, sheet: str | None = None,
               required: Sequence[str] = (), header: HeaderRule | None = None) -> Table:
    """Read a .csv/.txt/.tsv or .xlsx/.xlsm file by its extension.

    Args:
        header: where the header is (default: row 1); see :class:`HeaderRule`.

    Raises:
        InputProblem: the file cannot be read, is empty, too big, has a blank or
            duplicated header, or lacks any of ``required`` (all missing ones are named).
    """
    path = Path(path)
    if not path.is_file():
        raise InputProblem(f"{path.name}: no such file")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        table = read_xlsx(path, sheet=sheet, header=header)
    elif suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise InputProblem(f"{path.name}: a CSV file has no sheets (--sheet is for .xlsx)")
        table = read_csv(path, header=header)
    elif suffix == ".xls":
        raise InputProblem(f"{path.name}: old .xls workbooks are not supported; "
                           "save it as .xlsx or CSV in Excel")
    else:
        raise InputProblem(f"{path.name}: unknown file type; use .csv or .xlsx")
    table.require(required)
    return table


def refuse_non_text(head: bytes, source: str) -> None:
    """Refuse a file whose first bytes show it is not UTF-8 or Windows-1252 text.

    Why guess from a sample: UTF-16 and UTF-32 files ("Unicode text" in Excel) and
    binary files would otherwise fail later with a misleading message, or worse, decode
    as cp1252 nonsense. A few stray control bytes are left to the row checks, which
    name the row and column.
    """
    if head.startswith(_ZIP_MAGIC):
        raise InputProblem(f"{source}: this is an Excel workbook, not CSV; "
                           "rename it to .xlsx or save it as CSV")
    utf32 = (f"{source}: the file is UTF-32 ('Unicode text'); save it as 'CSV UTF-8' "
             "in Excel")
    utf16 = (f"{source}: the file is UTF-16 ('Unicode text'); save it as 'CSV UTF-8' "
             "in Excel")
    if head.startswith(_UTF32_BOMS):
        raise InputProblem(utf32)
    if head.startswith(_UTF16_BOMS):
        raise InputProblem(utf16)
    if head.count(0):
        if _unicode_units(head, 4, (2, 3), 0) or _unicode_units(head, 4, (0, 1), 3):
            raise InputProblem(utf32)
        if _unicode_units(head, 2, (1,), 0) or _unicode_units(head, 2, (0,), 1):
            raise InputProblem(utf16)
    controls = len(head.translate(None, _NOT_CONTROL_BYTES))
    if controls > max(8, len(head) // 100):
        raise InputProblem(f"{source}: this is not a text (CSV) file; save the export as "
                           "CSV or .xlsx")


def _unicode_units(head: bytes, width: int, high: tuple[int, ...], low: int) -> bool:
    """Whether ``head`` looks like UTF-16 (``width`` 2) or UTF-32 (4) text: the ``high``
    bytes of each unit are almost all NUL, as for Latin text, and the ``low`` byte is not.
    """
    data = head[:len(head) // width * width]
    units = len(data) // width
    if not units:
        return False
    nul_high = all(data[p::width].count(0) >= units * 0.9 for p in high)
    return nul_high and data[low::width].count(0) < units * 0.5


def _delimiter(head: str) -> str:
    first = head.split("\n", 1)[0]
    counts = [(first.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


class _Undecodable(Exception):
    """A byte the encoding being tried cannot decode, at ``position`` in the file."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


def text_lines(handle: IO[bytes], encoding: str, source: str) -> Iterator[str]:
    """The file's lines, decoded a chunk at a time, each with its line ending.

    Lines end at CR, LF or CRLF, as ``open(newline="")`` splits them for the csv module.

    Raises:
        _Undecodable: a byte ``encoding`` cannot decode (the caller tries another).
        InputProblem: a line longer than :data:`MAX_LINE` (not a table).
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset, carry = 0, ""
    while True:
        chunk = handle.read(READ_CHUNK)
        pending = len(decoder.getstate()[0])
        try:
            text = carry + decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise _Undecodable(offset - pending + exc.start) from None
        offset += len(chunk)
        lines = io.StringIO(text, newline="").readlines()
        # The last piece may be half a line, or a CR whose LF is in the next chunk.
        carry = lines.pop() if lines and chunk and not lines[-1].endswith("\n") else ""
        if len(carry) > MAX_LINE:
            raise InputProblem(f"{source}: a line is longer than {MAX_LINE:,} characters; "
                               "this is not a table of cases")
        yield from lines
        if not chunk:
            return


def read_csv(path: Path, *, header: HeaderRule | None = None) -> Table:
    source = path.name
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF)
            refuse_non_text(head, source)
            delimiter = _delimiter(head.decode("utf-8", "replace"))
            utf8 = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
            for encoding, name in (("utf-8-sig", utf8), ("cp1252", "cp1252")):
                handle.seek(0)
                try:
                    return build_table(source, _csv_rows(handle, encoding, delimiter, source),
                                       name, header=header)
                except _Undecodable as bad:
                    position = bad.position
            raise InputProblem(f"{source}: not text in UTF-8 or Windows-1252 "
                               f"(unreadable byte at position {position})")
    except OSError as exc:
        raise InputProblem(f"{source}: cannot be read ({exc.strerror})") from None


def _csv_rows(handle: IO[bytes], encoding: str, delimiter: str, source: str
              ) -> Iterator[list[str | None]]:
    """The CSV records as stripped cells, None for blank.

    Why ``intern``: an export repeats the same teams, codes and dates on every row; one
    string object each halves the memory of a 100,000-row table and lets later lookups
    reuse each string's hash.
    """
    reader = csv.reader(text_lines(handle, encoding, source), delimiter=delimiter)
    cleaned = _Cleaned()
    try:
        for cells in reader:
            if len(cleaned) > CLEANED_CACHE:  # bounded: names and references are unique
                cleaned.clear()
            yield [cleaned[c] for c in cells]
    except csv.Error as exc:
        raise InputProblem(f"{source}: not a readable CSV file (line {reader.line_num}: "
                           f"{exc})") from None


#: Distinct raw cells whose cleaned value is remembered at once (see :class:`_Cleaned`).
CLEANED_CACHE = 50_000


class _Cleaned(dict[str, str | None]):
    """Raw CSV cell to its stripped, interned value (None for blank), computed once.

    Why a dict: an export repeats the same teams, codes, dates and flags on every row,
    and one lookup in C costs a third of a strip, an intern and a test per cell (the
    100,000-row import benchmark).
    """

    def __missing__(self, raw: str) -> str | None:
        value = intern(raw.strip()) or None
        self[raw] = value
        return value


def check_archive(path: Path) -> None:
    """Refuse a workbook that would unpack to too much, or has too many rows, before
    openpyxl opens it.

    Why before: opening a workbook parses every sheet (to the end, when a sheet does
    not declare its size), so a zip bomb or a sheet of two million rows would run for
    minutes. The sizes in a zip's directory are binding: Python's zipfile never unpacks
    more than they say. Rows are counted by their tags, which takes a second where
    parsing takes a minute.
    """
    source = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_sizes(source, infos)
            for info in infos:
                if info.filename.endswith(".xml") and _count_rows(archive, info) > MAX_ROWS + 1:
                    raise _too_many_rows(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
            zlib.error):
        raise InputProblem(f"{source}: not a readable Excel workbook (a damaged zip "
                           "archive, or not one)") from None


def _check_sizes(source: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise InputProblem(f"{source}: the workbook has more than {MAX_MEMBERS:,} parts; "
                           "this is not a worksheet export")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED:
        raise InputProblem(f"{source}: the workbook unpacks to more than "
                           f"{MAX_UNPACKED // 1_000_000:,} MB; save a smaller export")
    for info in infos:
        if info.file_size > READ_CHUNK and info.file_size > MAX_RATIO * max(
                info.compress_size, 1):
            raise InputProblem(f"{source}: a part of the workbook is compressed more than "
                               f"{MAX_RATIO} to 1, as a zip bomb is; it is not read")


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _count_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """The row tags in one XML part, counted a chunk at a time (stops past the limit)."""
    rows, carry = 0, b""
    with archive.open(info) as part:
        while rows <= MAX_ROWS + 1 and (chunk := part.read(READ_CHUNK)):
            data = carry + chunk
            cut = data.rfind(b"<")  # a tag cut by the chunk is counted with the next one
            cut = len(data) if cut < 0 else cut
            rows += len(_ROW_TAG.findall(data, 0, cut))
            carry = data[cut:] if len(data) - cut <= 64 else b""  # no tag is that long
    return rows


def _xlsx_reason(exc: BaseException) -> str:
    """Why openpyxl failed, in words, never its message (which holds the full path)."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__module__.startswith("defusedxml") or (
                isinstance(seen, ParseError) and "amplification" in str(seen)):
            return "it declares XML entities, which Excel never writes"
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, zipfile.BadZipFile):
        return "a part of it is damaged"
    if isinstance(exc, KeyError):
        return "a part of it is missing"
    return "its content is damaged"


#: What openpyxl and zipfile raise on a damaged or hostile workbook.
_XLSX_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError,
                ParseError, IndexError, AttributeError, NotImplementedError, zlib.error)


def read_xlsx(path: Path, *, sheet: str | None = None,
              header: HeaderRule | None = None) -> Table:
    import openpyxl

    check_archive(path)
    # Our own handle: openpyxl leaves the file open when it fails on a file name.
    with path.open("rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except _XLSX_ERRORS as exc:
            raise InputProblem(f"{path.name}: not a readable Excel workbook "
                               f"({_xlsx_reason(exc)})") from None
        return _read_sheet(book, path.name, sheet, header)


def _read_sheet(book: Any, source: str, sheet: str | None,
                header: HeaderRule | None = None) -> Table:
    """The chosen sheet (default: the first) of an open workbook, which it closes."""
    try:
        if sheet is not None and sheet not in book.sheetnames:
            names = ", ".join(f"'{n}'" for n in book.sheetnames)
            raise InputProblem(f"{source}: no sheet '{sheet}' (it has {names})")
        if sheet is None and not book.worksheets:
            raise InputProblem(f"{source}: the workbook has no worksheet")
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        if not hasattr(worksheet, "reset_dimensions"):
            raise InputProblem(f"{source}: sheet '{worksheet.title}' is a chart, not a table")
        # The size a workbook declares may be stale or false: read what the rows hold.
        worksheet.reset_dimensions()
        return build_table(source, _xlsx_rows(worksheet, source), "xlsx",
                           sheet=worksheet.title, header=header)
    finally:
        book.close()


def _xlsx_rows(worksheet: Any, source: str) -> Iterator[list[Any]]:
    """The sheet's rows as cleaned values, cut one column after the limit.

    Why the cut before cleaning: a row with one cell in column XFD is 16,384 values.
    Values beyond the cut still mark the row as overflowing (or the header as too wide).
    """
    width = MAX_COLUMNS + 1
    try:
        for cells in worksheet.iter_rows(values_only=True):
            row = [(c.strip() or None) if c.__class__ is str else c for c in cells[:width]]
            if len(cells) > width and cells.count(None) - cells[:width].count(None) < len(
                    cells) - width and row[-1] is None:
                row[-1] = True  # something beyond the cut: never within a header's width
            yield row
    except _XLSX_ERRORS as exc:
        raise InputProblem(f"{source}: not a readable Excel workbook "
                           f"({_xlsx_reason(exc)})") from None


def _controls(cells: Sequence[Any]) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(cells) if isinstance(c, str) and CONTROL.search(c))


def _header(source: str, cells: Sequence[Any], number: int = 1) -> list[str]:
    """The header row's column names, refused when they cannot be named in a message."""
    header = ["" if c is None else str(c).strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise InputProblem(f"{source}: row {number} has more than {MAX_COLUMNS} columns; "
                           "this is not a caseload export")
    for column, name in enumerate(header, start=1):
        if CONTROL.search(name):
            raise InputProblem(f"{source}: the name of column {column} in row {number} "
                               "contains a control character")
        if len(name) > MAX_HEADER_LENGTH:
            raise InputProblem(f"{source}: the name of column {column} in row {number} is "
                               f"longer than {MAX_HEADER_LENGTH} characters")
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for name in header:
        key = name.casefold()
        if name and key in seen and name not in duplicates:
            duplicates.append(name)
        seen[key] = name
    if duplicates:
        listed = ", ".join(f"'{d}'" for d in duplicates)
        raise InputProblem(f"{source}: column {listed} appears more than once in row "
                           f"{number}")
    return header


def _too_many_rows(source: str) -> InputProblem:
    return InputProblem(f"{source}: more than {MAX_ROWS:,} rows under the header, the most "
                        "DipSample reads from one file (a whole caseload is about 100,000); "
                        "check it is the right file")


@dataclass(frozen=True)
class HeaderRule:
    """Where a file's header is: a given row, or the first row that holds some columns.

    Why: councils' reports put a title, a date or a blank line above the table. With
    ``row`` the header is that spreadsheet row; otherwise it is the first row within
    :data:`HEADER_SEARCH` rows that ``fits`` (given the row's values as casefolded text).
    When none does: with ``guess``, the first row about as wide as the table (see
    :func:`_likely_header`), otherwise row 1 (so "missing columns" names what it lacks).
    """

    row: int | None = None
    fits: Callable[[frozenset[str]], bool] | None = None
    guess: bool = False


#: Rows searched for the header when a rule does not name its row.
HEADER_SEARCH = 20


def holding(columns: Iterable[str]) -> Callable[[frozenset[str]], bool]:
    """A :class:`HeaderRule` test: the row holds every one of ``columns``."""
    wanted = frozenset(c.strip().casefold() for c in columns)
    return wanted.issubset


def _find_header(source: str, rows: Iterator[tuple[int, Sequence[Any]]],
                 rule: HeaderRule) -> tuple[list[tuple[int, Sequence[Any]]], int]:
    """The rows read ahead (from row 1) and the number of the header among them."""
    ahead: list[tuple[int, Sequence[Any]]] = []
    if rule.row is not None:
        for number, cells in rows:
            ahead.append((number, cells))
            if number >= rule.row:
                return ahead, rule.row
        raise InputProblem(f"{source}: the header should be on row {rule.row}, but the "
                           f"file has {len(ahead)} row(s)")
    for number, cells in rows:
        ahead.append((number, cells))
        texts = frozenset(str(c).strip().casefold() for c in cells[:MAX_COLUMNS + 1]
                          if c is not None)
        if rule.fits is not None and texts and rule.fits(texts):
            return ahead, number
        if number >= HEADER_SEARCH:
            break
    return ahead, _likely_header(ahead) if rule.guess else 1


def _likely_header(rows: list[tuple[int, Sequence[Any]]]) -> int:
    """The first row whose texts fill most of the table's width: a header, where a title
    line or a "Report run on" line above it fills one or two cells."""
    def texts(cells: Sequence[Any]) -> int:
        return sum(1 for c in cells[:MAX_COLUMNS + 1] if isinstance(c, str) and c.strip())

    widest = max((sum(1 for c in cells[:MAX_COLUMNS + 1] if c is not None)
                  for _, cells in rows), default=0)
    for number, cells in rows:
        if texts(cells) >= max(2, widest * 0.6):
            return number
    return 1


def build_table(source: str, rows: Iterable[Sequence[Any]], encoding: str,
                sheet: str | None = None, *, header: HeaderRule | None = None) -> Table:
    """Turn raw rows (the header first, or found by ``header``) into a :class:`Table`.

    Public so that tests and other readers (a pasted grid) share the same header rules.
    Rows keep their spreadsheet numbers whatever is above the header. Stops at
    :data:`MAX_ROWS` + 1 rows under the header without reading further.
    """
    numbered: Iterator[tuple[int, Sequence[Any]]] = enumerate(rows, start=1)
    at = 1
    if header is not None and (header.row not in (None, 1) or header.fits is not None
                               or header.guess):
        ahead, at = _find_header(source, numbered, header)
        numbered = itertools.chain(ahead[at - 1:], numbered)
    first = next(numbered, None)
    if first is None or not any(c is not None for c in first[1]):
        for number, cells in numbered:
            if number > at + MAX_ROWS:
                raise _too_many_rows(source)
            if any(c is not None for c in cells):
                raise InputProblem(f"{source}: row {at} must hold the column names, but "
                                   "it is blank")
        raise InputProblem(f"{source}: the file is empty")
    names = _header(source, first[1], at)
    width = len(names)
    table = Table(source=source, headers=tuple(names), encoding=encoding, sheet=sheet,
                  header_row=at)
    if at > 1:
        table.notes.append(f"skipped {_lines(at - 1, 'line')} above the header "
                           f"({_row_span(1, at - 1)}; the header is row {at})")
    append = table.rows.append
    last = at + MAX_ROWS
    for number, cells in numbered:
        if number > last:
            raise _too_many_rows(source)
        if len(cells) == width:
            if any(c is not None for c in cells):
                append(_row(number, cells, False))
            continue
        if not any(c is not None for c in cells):
            continue
        overflow = any(c is not None for c in cells[width:])
        padded = tuple(cells[:width]) + (None,) * (width - len(cells))
        append(_row(number, padded, overflow))
    return table


def _row(number: int, cells: Sequence[Any], overflow: bool) -> Row:
    """A :class:`Row`, with the positions of cells holding control characters.

    Why one joined search first: it is one regex pass per row instead of one per cell,
    which keeps 100,000-row files as fast as before the check existed.
    """
    try:  # a CSV row is text and None only: no filtering in Python
        joined = "".join(filter(None, cells))
    except TypeError:  # a workbook's numbers and dates
        joined = "".join([c for c in cells if c.__class__ is str])
    if CONTROL.search(joined):
        return Row(number, tuple(cells), overflow, _controls(cells))
    return Row(number, tuple(cells), overflow)
