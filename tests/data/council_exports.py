"""A council's caseload export as delivered: the shape issue 9 was found with.

Every name is invented ("Testchild ..."). The export is a report, not a table: a title
line above the header, a blank line and two summary lines under it ("Total cases",
"Report run on"), ``-``, ``N/A`` and ``Not recorded`` in empty cells, dates as
dd/mm/yyyy mixed with dd-Mon-yy, the RAG date as yyyymmdd (a format no default guess
reads, so the profile names it), "Missing Episodes" as a count, and an unborn child
with an expected date of delivery and no date of birth. The same rows are written as
CSV in UTF-8, UTF-8 with a byte-order mark and Windows-1252, and as an .xlsx twin with
real date cells and numbers. ``council_profile.json`` beside this file maps it, written
as docs/mapping-profiles.md describes.

Run this file with python to write ``council_caseload.csv`` (cp1252) for a person to
look at; the tests write every variant into a temporary folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROFILE = HERE / "council_profile.json"
TITLE = "Westshire Children's Services - open caseload by team"

HEADER = [
    "Child Ref", "First Name", "Last Name", "Date of Birth", "EDD", "Locality", "Team",
    "Allocated Worker", "Worker No", "Team Manager", "Legal Status", "RAG", "RAG Date",
    "Last Visit", "Last Supervision", "Last Risk Assessment", "Last Audit", "Status",
    "Start Date", "Missing Episodes", "Not In School",
]
# ref, first, last, dob, edd, locality, team, worker, worker no, manager, legal status,
# rag, rag date (yyyymmdd), visit, supervision, risk assessment, audit, status, start,
# missing episodes, not in school
ROWS: list[list[str]] = [
    ["WS-0001", "Testchild", "Ashby", "14/03/2015", "-", "North", "North Safeguarding",
     "Testworker Quill", "S101", "Testmanager Frond", "CP Plan", "Red", "20261002",
     "20/10/2026", "01-Oct-26", "15/09/2026", "N/A", "Open", "01/06/2024", "3", "N"],
    ["WS-0002", "Testchild", "Brönte", "02/11/2009", "N/A", "North", "North Safeguarding",
     "Testworker Quill", "S101", "Testmanager Frond", "CIN", "Amber", "20260911",
     "08-Oct-26", "20/09/2026", "11/09/2026", "03/03/2026", "Open", "15-Jan-25", "0",
     "Y"],
    ["WS-0003", "Testchild", "Carrow", "Not recorded", "18/01/2027", "North",
     "North Safeguarding", "Testworker Wren", "S102", "Testmanager Frond", "Unborn",
     "Red", "20261101", "10/11/2026", "-", "05-Nov-26", "-", "Open", "01/10/2026", "-",
     "-"],
    ["WS-0004", "Testchild", "Dunmore", "30/06/2018", "", "South", "South Family Help",
     "Testworker Ansel", "S201", "Testmanager Heron", "CLA", "Green", "20260701",
     "01-Sep-26", "N/A", "01/07/2026", "", "Open", "12/12/2023", "0", "N"],
    ["WS-0005", "Testchild", "Élan", "21/05/2008", "NULL", "South", "South Family Help",
     "Testworker Ansel", "S201", "Testmanager Heron", "Care Leaver", "Amber", "20260820",
     "30/09/2026", "12-Sep-26", "20/08/2026", "n/a", "Open", "03/03/2022", "12", "Y"],
]
#: The spreadsheet rows of ROWS: the title is row 1, the header row 2.
FIRST_ROW = 3
SUMMARY = [[], ["Total cases: 5"], ["Report run on 23/11/2026 08:00 by Business Support"]]
PROFILE_NAME = "westshire"


def lines(rows: list[list[str]] | None = None) -> list[list[Any]]:
    """Every line of the export as written: title, header, rows, blank, summaries."""
    return [[TITLE], HEADER, *(ROWS if rows is None else rows), *SUMMARY]


def write_csv(path: Path, encoding: str = "utf-8", rows: list[list[str]] | None = None
              ) -> Path:
    """The export as CSV; ``encoding`` "utf-8-sig" writes a byte-order mark."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines(rows))
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def _cell(column: str, text: str) -> Any:
    """A cell as Excel holds it: real dates and numbers, markers as text."""
    if column in ("Missing Episodes",) and text.isdigit():
        return int(text)
    if column == "RAG Date" and text.isdigit():
        return dt.datetime.strptime(text, "%Y%m%d")
    for form in ("%d/%m/%Y", "%d-%b-%y"):
        try:
            return dt.datetime.strptime(text, form)
        except ValueError:
            continue
    return text or None


def write_xlsx(path: Path, rows: list[list[str]] | None = None) -> Path:
    """The .xlsx twin: real date cells and numbers, the same title and summary lines."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Caseload"
    for line in lines(rows):
        if line and line is not HEADER and len(line) == len(HEADER):
            sheet.append([_cell(c, t) for c, t in zip(HEADER, line, strict=True)])
        else:
            sheet.append(line)
    book.save(path)
    return path


if __name__ == "__main__":
    write_csv(HERE / "council_caseload.csv", "cp1252")
