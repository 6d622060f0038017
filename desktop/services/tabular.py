"""Read a council's CSV or Excel export into rows that keep their spreadsheet row numbers.

Why row numbers: the person fixing a bad export does it in Excel, so every problem must
point at "row 14, column 'RAG Date'" exactly as Excel shows it (the header is row 1).
Why the encoding dance: Excel saves "CSV UTF-8" with a byte-order mark and plain "CSV"
in Windows-1252. Strict UTF-8 is tried first because cp1252 accepts almost any byte
sequence and would silently turn "Zoë" into "ZoÃ«".

This module knows nothing about caseloads; the historical-audit and improvement-plan
imports use it too. Cells come back as stripped ``str`` (CSV), or whatever openpyxl
holds (``str``, ``int``, ``float``, ``datetime``, ``bool``) for .xlsx, and ``None`` for
blank in both, so consumers treat the two formats alike.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.errors import InputProblem

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
#: Delimiters an export may use; the one most frequent in the header line wins.
DELIMITERS = (",", ";", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class Row:
    """One data row.

    Attributes:
        number: the spreadsheet row number (the header is row 1).
        cells: one value per header column, ``None`` for blank, padded or cut to the
            header's width.
        overflow: the row had non-blank values beyond the last named column, which in a
            CSV usually means an unquoted comma inside a value shifted the row.
    """

    number: int
    cells: tuple[Any, ...]
    overflow: bool = False


@dataclass
class Table:
    """A whole sheet: its header and its non-blank data rows.

    Attributes:
        source: the file name (never a full path: it is shown in messages).
        headers: the header names as written, stripped.
        rows: the data rows in file order; entirely blank rows are skipped.
        encoding: "utf-8", "utf-8-sig", "cp1252" or "xlsx".
        sheet: the worksheet read, for .xlsx.
    """

    source: str
    headers: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    encoding: str = ""
    sheet: str | None = None

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

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, {header: value}) pairs, for small files and simple consumers."""
        for row in self.rows:
            yield row.number, dict(zip(self.headers, row.cells, strict=True))


def read_table(path: Path, *, sheet: str | None = None,
               required: Sequence[str] = ()) -> Table:
    """Read a .csv/.txt/.tsv or .xlsx/.xlsm file by its extension.

    Raises:
        InputProblem: the file cannot be read, is empty, has a blank or duplicated
            header, or lacks any of ``required`` (all missing ones are named).
    """
    path = Path(path)
    if not path.is_file():
        raise InputProblem(f"{path.name}: no such file")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        table = read_xlsx(path, sheet=sheet)
    elif suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise InputProblem(f"{path.name}: a CSV file has no sheets (--sheet is for .xlsx)")
        table = read_csv(path)
    elif suffix == ".xls":
        raise InputProblem(f"{path.name}: old .xls workbooks are not supported; "
                           "save it as .xlsx or CSV in Excel")
    else:
        raise InputProblem(f"{path.name}: unknown file type; use .csv or .xlsx")
    table.require(required)
    return table


def decode(data: bytes, source: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding found: UTF-8 (strict) first, then cp1252."""
    if data.startswith(_ZIP_MAGIC):
        raise InputProblem(f"{source}: this is an Excel workbook, not CSV; "
                           "rename it to .xlsx or save it as CSV")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise InputProblem(f"{source}: the file is UTF-16 ('Unicode text'); "
                           "save it as 'CSV UTF-8' in Excel")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InputProblem(f"{source}: not text in UTF-8 or Windows-1252 "
                           f"(unreadable byte at position {exc.start})") from None


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = [(first.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


def read_csv(path: Path) -> Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputProblem(f"{path.name}: cannot be read ({exc.strerror})") from None
    text, encoding = decode(data, path.name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        rows = [[c.strip() or None for c in cells] for cells in reader]
    except csv.Error as exc:
        raise InputProblem(f"{path.name}: not a readable CSV file ({exc})") from None
    return build_table(path.name, rows, encoding)


def read_xlsx(path: Path, *, sheet: str | None = None) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        reason = type(exc).__name__ if not str(exc) else str(exc)
        raise InputProblem(f"{path.name}: not a readable Excel workbook ({reason})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            names = ", ".join(f"'{n}'" for n in book.sheetnames)
            raise InputProblem(f"{path.name}: no sheet '{sheet}' (it has {names})")
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [[_xlsx_cell(c) for c in cells]
                for cells in worksheet.iter_rows(values_only=True)]
        return build_table(path.name, rows, "xlsx", sheet=worksheet.title)
    finally:
        book.close()


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def build_table(source: str, rows: Sequence[Sequence[Any]], encoding: str,
                sheet: str | None = None) -> Table:
    """Turn raw rows (the first is the header) into a :class:`Table`.

    Public so that tests and other readers (a pasted grid) share the same header rules.
    """
    if not rows or not any(c is not None for c in rows[0]):
        if not any(any(c is not None for c in r) for r in rows):
            raise InputProblem(f"{source}: the file is empty")
        raise InputProblem(f"{source}: row 1 must hold the column names, but it is blank")
    header = ["" if c is None else str(c).strip() for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for name in header:
        key = name.casefold()
        if name and key in seen and name not in duplicates:
            duplicates.append(name)
        seen[key] = name
    if duplicates:
        listed = ", ".join(f"'{d}'" for d in duplicates)
        raise InputProblem(f"{source}: column {listed} appears more than once in row 1")
    width = len(header)
    table = Table(source=source, headers=tuple(header), encoding=encoding, sheet=sheet)
    append = table.rows.append
    for number, cells in enumerate(rows[1:], start=2):
        if len(cells) == width:
            if any(c is not None for c in cells):
                append(Row(number, tuple(cells)))
            continue
        if not any(c is not None for c in cells):
            continue
        overflow = any(c is not None for c in cells[width:])
        padded = tuple(cells[:width]) + (None,) * (width - len(cells))
        append(Row(number, padded, overflow))
    return table
