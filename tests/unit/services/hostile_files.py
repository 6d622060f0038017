"""Hostile files written for real: workbooks with crafted XML, long CSVs, bad mappings.

Shared by the unit tests and the subprocess tests (tests/integration/test_hostile_files.py).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from tests.data.make_caseload_examples import MOSAIC_HEADER, MOSAIC_ROWS

SHEET = "xl/worksheets/sheet1.xml"
SHARED = "xl/sharedStrings.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Nine levels of ten: "&lol9;" expands to a thousand million "lol"s.
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">'
    for i in range(1, 10)) + "]>")
SHARED_TYPE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
               'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
SHARED_REL = ('<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
              'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')


def _base() -> dict[str, bytes]:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ref", "Name"])
    sheet.append(["A1", "x"])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_workbook(path: Path, sheet_xml: bytes | Callable[[], bytes] | None = None,
                   shared_xml: str | None = None) -> Path:
    """A real .xlsx whose sheet (and shared strings) are the given XML."""
    parts = _base()
    if shared_xml is not None:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", SHARED_TYPE.encode() + b"</Types>")
        rels = "xl/_rels/workbook.xml.rels"
        parts[rels] = parts[rels].replace(b"</Relationships>",
                                          SHARED_REL.encode() + b"</Relationships>")
        parts[SHARED] = shared_xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name == SHEET and sheet_xml is not None:
                data = sheet_xml() if callable(sheet_xml) else sheet_xml
            archive.writestr(name, data)
    return path


def sheet(rows: str, dimension: str | None = None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<worksheet xmlns="{MAIN_NS}">{dim}<sheetData>{rows}</sheetData>'
            "</worksheet>").encode()


def inline_row(number: int, *values: str) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def laughs_in_sheet(path: Path) -> Path:
    rows = inline_row(1, "Ref", "Name") + inline_row(2, "&lol9;", "x")
    return write_workbook(path, (LAUGHS + sheet(rows).decode()).encode())


def laughs_in_shared_strings(path: Path) -> Path:
    rows = inline_row(1, "Ref", "Name") + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    shared = (f'<?xml version="1.0"?>{LAUGHS}<sst xmlns="{MAIN_NS}" count="1" '
              'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    return write_workbook(path, sheet(rows), shared)


def row_bomb(path: Path, rows: int) -> Path:
    """A sheet of ``rows`` numbered rows; numbers vary so it does not look like a zip bomb."""
    def xml() -> bytes:
        body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n * 7919 % 100003)
                        for n in range(2, rows + 2))
        return sheet(inline_row(1, "Ref")).replace(b"</sheetData>", body + b"</sheetData>")
    return write_workbook(path, xml)


def mosaic_rows(count: int, legal_status: str = "Relymanager 0") -> list[list[str]]:
    """``count`` Mosaic rows whose legal status holds a staff name (a shifted row)."""
    rows = []
    for number in range(count):
        row = list(MOSAIC_ROWS[0])
        row[0] = f"P{number}"
        row[MOSAIC_HEADER.index("Legal Status")] = legal_status
        rows.append(row)
    return rows


def nested_json(path: Path, depth: int = 100_000) -> Path:
    path.write_text("[" * depth + "]" * depth)
    return path
