"""Reading exports: encodings, row numbers, header problems, .xlsx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from desktop.errors import InputProblem
from desktop.services.tabular import read_table


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("encoding", "prefix", "found"), [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("cp1252", b"", "cp1252"),
])
def test_encodings(tmp_path: Path, encoding: str, prefix: bytes, found: str) -> None:
    text = "Ref,Name,Date\r\nA1,Testchild Zoë,01/02/2026\r\n"
    table = read_table(write(tmp_path / "x.csv", prefix + text.encode(encoding)))
    assert table.encoding == found
    assert table.headers == ("Ref", "Name", "Date")
    assert table.rows[0].cells == ("A1", "Testchild Zoë", "01/02/2026")


def test_row_numbers_skip_blank_rows_and_count_the_header(tmp_path: Path) -> None:
    text = "Ref;Name\nA1;x\n;\n\nA2;\"multi\nline\"\nA3;  \n"
    table = read_table(write(tmp_path / "x.csv", text.encode()))
    assert [r.number for r in table.rows] == [2, 5, 6]
    assert table.rows[2].cells == ("A3", None)


def test_short_and_long_rows(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "x.csv", b"A,B,C\n1\n1,2,3,4\n1,2,3,\n"))
    assert table.rows[0].cells == ("1", None, None)
    assert not table.rows[0].overflow
    assert table.rows[1].overflow
    assert not table.rows[2].overflow


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    (b"\n\n", "the file is empty"),
    (b",,\nA,B,C\n", "row 1 must hold the column names"),
    (b"Ref,ref,Name,Name\n1,2,3,4\n", "column 'ref', 'Name' appears more than once"),
    (b"\xff\xfeR\x00e\x00f\x00", "UTF-16"),
    (b"PK\x03\x04rest", "Excel workbook"),
    (b"Ref\n\x81\x8d\x8f\n", "not text in UTF-8 or Windows-1252"),
])
def test_refused_files(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(InputProblem, match=message):
        read_table(write(tmp_path / "bad.csv", data))


def test_missing_columns_are_all_named(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", b"Ref,Name\n1,2\n")
    with pytest.raises(InputProblem) as caught:
        read_table(path, required=["ref", "DOB", "Team"])
    assert caught.value.message == "x.csv: missing columns 'DOB', 'Team'"


def test_missing_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(InputProblem, match="no such file"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(InputProblem, match="unknown file type"):
        read_table(write(tmp_path / "x.pdf", b"x"))
    with pytest.raises(InputProblem, match=r"\.xls workbooks"):
        read_table(write(tmp_path / "x.xls", b"x"))
    with pytest.raises(InputProblem, match="not a readable Excel workbook"):
        read_table(write(tmp_path / "x.xlsx", b"not a zip"))


def test_xlsx_cells_types_and_row_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Caseload"
    sheet.append(["Ref", " Name ", "Date", "Serial"])
    sheet.append(["A1", "  Testchild  ", dt.datetime(2026, 1, 2), 45678])
    sheet.append([None, None, None, None])
    sheet.append(["A2", "", None, "45679"])
    other = book.create_sheet("Other")
    other.append(["Only"])
    path = tmp_path / "x.xlsx"
    book.save(path)
    table = read_table(path)
    assert table.sheet == "Caseload" and table.encoding == "xlsx"
    assert table.headers == ("Ref", "Name", "Date", "Serial")
    assert [r.number for r in table.rows] == [2, 4]
    assert table.rows[0].cells == ("A1", "Testchild", dt.datetime(2026, 1, 2), 45678)
    assert table.rows[1].cells == ("A2", None, None, "45679")
    assert read_table(path, sheet="Other").headers == ("Only",)
    with pytest.raises(InputProblem, match="no sheet 'Nope'"):
        read_table(path, sheet="Nope")


def test_records_and_lookup(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "x.csv", b"Ref,Team\nA1,North\n"))
    assert table.position("team") == 1 and table.header_name("TEAM") == "Team"
    assert list(table.records()) == [(2, {"Ref": "A1", "Team": "North"})]
