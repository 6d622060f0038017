"""Spreadsheet exports (XLSX, CSV) in which no cell can run as a formula.

Why neutralise: a typed answer such as ``=cmd|' /C calc'!A0`` becomes a live formula
when a spreadsheet opens the file (CSV injection, OWASP). In CSV every text cell that
starts with ``= + - @``, a tab or a carriage return gets a leading apostrophe, the mark
spreadsheets read as "this is text". In XLSX such a cell is stored as a string with
the "quote prefix" style, so it shows exactly what was typed and still is no formula.

One time-zone rule for every export (issue 24, item 6): times are written in
Europe/London local time, as the PDFs print them, and each time column's heading says
so (``services/reporting/exports.timed``). A spreadsheet has no time zones, so this is
the only way a reader can know.

A cell of XLSX holds at most 32,767 characters and openpyxl does not check: Excel then
cuts the text or refuses the file. A longer text keeps its first part in its cell, with
a note on the cell, and the rest on the sheet "Continued", in parts of that size, each
row naming the sheet, cell and part, so the text is all there, in order (the CSV holds
it whole).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from desktop.files import write_out
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_changes
from desktop.services.reporting.exports import ExportTable, Period, Value, export_tables
from desktop.services.reporting.london import LONDON

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("xlsx", "csv")
#: The most characters an XLSX cell holds (Excel's limit).
CELL_LIMIT = 32_767
#: The sheet that holds the rest of texts longer than a cell.
CONTINUED = "Continued"


def risky(value: Value) -> bool:
    """A text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.astimezone(LONDON).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)  # a number is data, not a formula: -3 stays -3
    text = str(value)
    return "'" + text if risky(text) else text


def write_csv(table: ExportTable, out: Path | BinaryIO) -> None:
    """One table as UTF-8 CSV with a byte-order mark (Excel then reads the accents)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(table.headers)
    writer.writerows([csv_cell(v) for v in row] for row in table.rows)
    data = ("\ufeff" + text.getvalue()).encode("utf-8")
    if isinstance(out, Path):
        out.write_bytes(data)
    else:
        out.write(data)


def _xlsx_value(value: Value) -> Value:
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the council's wall clock, as the app shows it.
        return value.astimezone(LONDON).replace(tzinfo=None)
    return value


def _cell(sheet: Worksheet, value: Value, *, whole: bool = False) -> Any:
    """A cell of a write-only sheet: the value itself, or a cell object when it needs
    one (``whole``, to carry a comment). Text that a spreadsheet would read as a
    formula is stored as text with Excel's quote prefix (shown as typed, never run)."""
    if not (whole or risky(value)):
        return _xlsx_value(value)
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
    if risky(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _header(sheet: Worksheet, headers: Sequence[str]) -> None:
    """A bold header row, frozen at the top."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    from openpyxl.cell import WriteOnlyCell

    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    sheet.freeze_panes = "A2"
    sheet.append(cells)


def parts(text: str) -> list[str]:
    """``text`` in pieces a cell holds, in order."""
    return [text[i:i + CELL_LIMIT] for i in range(0, len(text), CELL_LIMIT)] or [""]


def write_xlsx(tables: Sequence[ExportTable], out: Path | BinaryIO) -> None:
    """Each table as a sheet with a bold header row frozen at the top; texts longer
    than a cell continued on the sheet "Continued" (module docstring).

    Why openpyxl's write-only workbook, given plain values wherever no cell style is
    needed: rows go out as they are made instead of being kept as cell objects until
    the save; a 16,000-row table of six columns took 1.2 s instead of 1.8 s here.
    """
    # openpyxl only here: imported at the top it cost the window's first screen and every
    # command that never writes a workbook a third of a second.
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    continued: list[tuple[Value, ...]] = []
    for table in tables:
        sheet = book.create_sheet(table.name)
        _header(sheet, table.headers)
        for r, row in enumerate(table.rows, start=2):
            cells = []
            for c, value in enumerate(row, start=1):
                if not (isinstance(value, str) and len(value) > CELL_LIMIT):
                    cells.append(_cell(sheet, value))
                    continue
                pieces = parts(value)
                cell = _cell(sheet, pieces[0], whole=True)
                where = f"{get_column_letter(c)}{r}"
                first = len(continued) + 2
                for n, piece in enumerate(pieces[1:], start=2):
                    continued.append((table.name, where, table.headers[c - 1], n,
                                      len(pieces), piece))
                cell.comment = Comment(
                    f"This text has {len(value):,} characters, more than a cell holds "
                    f"({CELL_LIMIT:,}): it continues on the sheet '{CONTINUED}', rows "
                    f"{first} to {len(continued) + 1}.", "DipSample")
                cells.append(cell)
            sheet.append(cells)
    if continued:
        sheet = book.create_sheet(CONTINUED)
        _header(sheet, ["Sheet", "Cell", "Column", "Part", "Of parts", "Text (continued)"])
        for entry in continued:
            sheet.append([_cell(sheet, part) for part in entry])
    book.save(out)


def export(ctx: ServiceContext, fmt: str, out: Path | BinaryIO, *,
           kinds: tuple[str, ...], period: Period | None = None) -> list[ExportTable]:
    """Write the export and log each exported record (ids only); the tables written.

    CSV holds one table: ``kinds`` names exactly one then. To a path the file is handed
    out as :mod:`desktop.files` does: written aside (0600), the exports logged in one
    transaction, and only then renamed into place, so a store that refuses the log
    entries, a kill or a Cancel never leaves an unlogged or half-written file.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt}")
    if fmt == "csv" and len(kinds) != 1:
        raise ValueError("a CSV file holds one table")
    tables = export_tables(ctx, kinds, period)

    def write(handle: BinaryIO) -> None:
        if fmt == "csv":
            write_csv(tables[0], handle)
        else:
            write_xlsx(tables, handle)

    def log() -> None:
        logged = {(t.entity, i) for t in tables for i in t.ids}
        with ctx.store.transaction() as session:
            log_changes(session, ctx, [("export", entity, record_id,
                                        {"format": fmt, "report": "export"})
                                       for entity, record_id in sorted(logged)])

    write_out(out, write, log)
    return tables
