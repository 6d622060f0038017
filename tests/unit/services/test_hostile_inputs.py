"""Reading hostile files: streamed CSV, encodings told apart, limits, workbook bombs.

Every file is written for real to tmp_path. Limits are lowered with monkeypatch where
a file at the real limit would only make the test slow; the subprocess tests in
tests/integration/test_hostile_files.py use the real ones.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from pathlib import Path

import pytest

from desktop.errors import InputProblem
from desktop.services import tabular
from desktop.services.tabular import CONTROL_REASON, has_control, read_table
from tests.unit.services import hostile_files as hostile


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def refused(path: Path) -> str:
    with pytest.raises(InputProblem) as caught:
        read_table(path)
    return caught.value.message


# --- streaming ------------------------------------------------------------------------

TRICKY = ('Ref,Name,Note\r\nA1,Zoë,"two\r\nlines"\rA2,Ævar,plain\nA3,"a ""quoted"", b",'
          '"lf\nonly"\r\n\r\nA4,€,last')


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_chunked_reading_matches_reading_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               chunk: int, bom: bytes) -> None:
    """Line endings, quoted line breaks and multi-byte characters cut by any chunk."""
    monkeypatch.setattr(tabular, "READ_CHUNK", chunk)
    table = read_table(write(tmp_path / "x.csv", bom + TRICKY.encode()))
    expected = [[c.strip() or None for c in r]
                for r in csv.reader(io.StringIO(TRICKY, newline=""))]
    assert table.headers == tuple(expected[0])
    assert [list(r.cells) for r in table.rows] == [r for r in expected[1:] if any(r)]
    assert [r.number for r in table.rows] == [2, 3, 4, 6]
    assert table.encoding == ("utf-8-sig" if bom else "utf-8")


def test_cp1252_found_after_the_first_chunk(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "READ_CHUNK", 16)
    text = "Ref,Name\r\n" + "".join(f"A{i},plain\r\n" for i in range(20)) + "A99,Zoë\r\n"
    table = read_table(write(tmp_path / "x.csv", text.encode("cp1252")))
    assert table.encoding == "cp1252"
    assert len(table.rows) == 21 and table.rows[-1].cells == ("A99", "Zoë")


def test_unreadable_byte_position_is_exact_across_chunks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "READ_CHUNK", 7)
    data = b"Ref,Name\n" + b"A1,abc\n" * 10 + b"A2,\x81\n"
    position = data.index(b"\x81")
    message = refused(write(tmp_path / "x.csv", data))
    assert message == ("x.csv: not text in UTF-8 or Windows-1252 (unreadable byte at "
                       f"position {position})")


def test_a_line_without_end_is_refused_not_held(tmp_path: Path) -> None:
    data = b"Ref,Name\n" + b"x" * (tabular.MAX_LINE + 10)
    assert "a line is longer than 1,000,000 characters" in refused(write(tmp_path / "x.csv",
                                                                         data))


def test_too_long_value_names_the_line(tmp_path: Path) -> None:
    data = b"Ref,Name\nA1,ok\nA2,\"" + b"x" * 200_000 + b"\"\n"
    message = refused(write(tmp_path / "x.csv", data))
    assert message.startswith("x.csv: not a readable CSV file (line 3:")


# --- limits ---------------------------------------------------------------------------

def test_rows_beyond_the_limit_are_refused_without_reading_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 100)
    path = write(tmp_path / "x.csv", b"Ref\n" + b"1\n" * 100)
    assert len(read_table(path).rows) == 100
    read: list[int] = []
    original = tabular._csv_rows

    def counting(*args: object) -> object:
        for cells in original(*args):  # type: ignore[arg-type]
            read.append(1)
            yield cells

    monkeypatch.setattr(tabular, "_csv_rows", counting)
    message = refused(write(tmp_path / "y.csv", b"Ref\n" + b"1\n" * 100_000))
    assert message.startswith("y.csv: more than 100 rows under the header")
    assert len(read) == 102  # the header, the limit, and the row that passed it


def test_blank_lines_count_towards_the_limit(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 100)
    assert "more than 100 rows" in refused(write(tmp_path / "x.csv", b"\n" * 1000 + b"Ref\n"))
    assert "more than 100 rows" in refused(write(tmp_path / "y.csv",
                                                 b"Ref\n" + b"\n" * 1000 + b"1\n"))


def test_too_many_columns(tmp_path: Path) -> None:
    header = ",".join(f"C{i}" for i in range(tabular.MAX_COLUMNS + 1)).encode()
    assert "row 1 has more than 500 columns" in refused(write(tmp_path / "x.csv",
                                                              header + b"\n1\n"))
    fits = ",".join(f"C{i}" for i in range(tabular.MAX_COLUMNS)).encode()
    assert len(read_table(write(tmp_path / "y.csv", fits + b"\n1\n")).headers) == 500


def test_rows_wider_than_the_header_are_cut(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "x.csv", b"A,B\n1,2" + b",3" * 100_000 + b"\n"))
    assert table.rows[0].cells == ("1", "2") and table.rows[0].overflow


@pytest.mark.parametrize(("header", "message"), [
    (b"Ref,Na\x00me\n", "the name of column 2 in row 1 contains a control character"),
    (b"Ref,\x1b[31mName\n", "the name of column 2 in row 1 contains a control character"),
    (b"Ref," + b"N" * 300 + b"\n", "the name of column 2 in row 1 is longer than 256"),
])
def test_header_names_that_cannot_be_shown(tmp_path: Path, header: bytes,
                                           message: str) -> None:
    assert message in refused(write(tmp_path / "x.csv", header + b"A1,x\n"))


# --- encodings ------------------------------------------------------------------------

TEXT = "Ref,Name\r\nA1,Testchild\r\n" * 20


@pytest.mark.parametrize(("data", "message"), [
    (TEXT.encode("utf-32"), "the file is UTF-32"),
    (TEXT.encode("utf-32-le"), "the file is UTF-32"),
    (TEXT.encode("utf-32-be"), "the file is UTF-32"),
    (TEXT.encode("utf-16"), "the file is UTF-16"),
    (TEXT.encode("utf-16-le"), "the file is UTF-16"),
    (TEXT.encode("utf-16-be"), "the file is UTF-16"),
    (random.Random(1).randbytes(4096), "this is not a text (CSV) file"),
    (random.Random(2).randbytes(100_000), "this is not a text (CSV) file"),
    (b"\x7fELF\x02\x01\x01" + bytes(range(32)) * 20, "this is not a text (CSV) file"),
])
def test_encodings_and_binary_are_told_apart(tmp_path: Path, data: bytes,
                                             message: str) -> None:
    assert message in refused(write(tmp_path / "x.csv", data))


def test_a_stray_nul_is_a_cell_problem_not_a_file_problem(tmp_path: Path) -> None:
    """Early or late in the file: the row and column are named, nothing is guessed."""
    for where in (10, 5000):
        lines = [f"A{i},name{i}" for i in range(where)]
        lines[-1] = "A-nul,Test\x00child"
        table = read_table(write(tmp_path / "x.csv", ("Ref,Name\n" + "\n".join(lines))
                                 .encode()))
        [bad] = [r for r in table.rows if r.controls]
        assert (bad.number, bad.controls) == (where + 1, (1,))


@pytest.mark.parametrize("char", ["\x00", "\t", "\x1b", "\x7f", "\x08", "\r", "\n"])
def test_every_control_character_is_found(char: str) -> None:
    assert has_control(f"a{char}b")
    assert has_control(f"a{char}b", line_breaks=True) == (char not in "\r\n")
    assert not has_control("Zoë Ævar-Łukasz O'Neil")
    assert not has_control(12)
    assert CONTROL_REASON.startswith("contains a control character")


# --- workbooks ------------------------------------------------------------------------

@pytest.mark.parametrize("make", [hostile.laughs_in_sheet, hostile.laughs_in_shared_strings])
def test_entity_expansion_is_one_plain_line(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    message = refused(make(tmp_path / "laughs.xlsx"))
    assert message == ("laughs.xlsx: not a readable Excel workbook (it declares XML "
                       "entities, which Excel never writes)")
    assert str(tmp_path) not in message


def test_defusedxml_is_what_openpyxl_uses() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "defusedxml is a dependency: openpyxl refuses entities with it"


def _never_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("openpyxl opened a workbook the checks should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_zip_bomb_is_refused_before_openpyxl(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _never_opened(monkeypatch)
    rows = hostile.inline_row(1, "Ref") + '<row r="2"><c r="A2"><v>1</v></c></row>' * 200_000
    message = refused(hostile.write_workbook(tmp_path / "bomb.xlsx", hostile.sheet(rows)))
    assert "compressed more than 200 to 1, as a zip bomb is" in message


def test_unpacked_size_is_limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _never_opened(monkeypatch)
    monkeypatch.setattr(tabular, "MAX_UNPACKED", 10_000)
    path = hostile.write_workbook(tmp_path / "big.xlsx")
    assert "unpacks to more than 0 MB" in refused(path)


def test_row_bomb_is_counted_before_openpyxl(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 1000)
    monkeypatch.setattr(tabular, "READ_CHUNK", 1000)  # tags cut by chunk ends
    path = hostile.row_bomb(tmp_path / "rows.xlsx", 999)
    assert len(read_table(path).rows) == 999
    _never_opened(monkeypatch)
    message = refused(hostile.row_bomb(tmp_path / "more.xlsx", 1001))
    assert message.startswith("more.xlsx: more than 1,000 rows under the header")


def test_a_cell_in_the_last_column_costs_nothing(tmp_path: Path) -> None:
    rows = (hostile.inline_row(1, "Ref", "Name")
            + '<row r="2"><c r="A2"><v>1</v></c><c r="XFD2"><v>2</v></c></row>')
    table = read_table(hostile.write_workbook(tmp_path / "wide.xlsx", hostile.sheet(rows)))
    assert table.rows[0].cells == (1, None) and table.rows[0].overflow


def test_a_stale_size_does_not_hide_rows(tmp_path: Path) -> None:
    rows = "".join(hostile.inline_row(n, f"R{n}") for n in range(1, 6))
    path = hostile.write_workbook(tmp_path / "stale.xlsx", hostile.sheet(rows, "A1:A2"))
    assert [r.cells for r in read_table(path).rows] == [("R2",), ("R3",), ("R4",), ("R5",)]


def test_control_characters_in_workbook_cells_are_found(tmp_path: Path) -> None:
    rows = hostile.inline_row(1, "Ref", "Name") + hostile.inline_row(2, "A1", "Test\tchild")
    table = read_table(hostile.write_workbook(tmp_path / "tab.xlsx", hostile.sheet(rows)))
    assert table.rows[0].controls == (1,)


@pytest.mark.parametrize("data", [b"PK\x03\x04broken", b"not a zip at all"])
def test_damaged_workbooks(tmp_path: Path, data: bytes) -> None:
    assert "not a readable Excel workbook" in refused(write(tmp_path / "x.xlsx", data))


def test_damaged_sheet_xml_is_one_line_without_the_path(tmp_path: Path) -> None:
    path = hostile.write_workbook(tmp_path / "x.xlsx", b"<worksheet><sheetData><row>")
    message = refused(path)
    assert message.startswith("x.xlsx: not a readable Excel workbook (")
    assert str(tmp_path) not in message and "\n" not in message


def test_workbook_member_sizes_are_those_of_the_directory(tmp_path: Path) -> None:
    """Why the size check is enough: zipfile stops at the size the directory states."""
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", b"x" * 10_000)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("a.xml")
        info.file_size = 100
        with archive.open(info) as part, pytest.raises(zipfile.BadZipFile):
            assert len(part.read()) == 100
