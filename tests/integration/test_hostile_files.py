"""Hostile files given to the real ``dipsample import`` executable, at the real limits.

What a hostile tester found: a 2-million-line CSV printed 2 million lines (1.5 GB), a
row-bomb workbook ran for minutes, entity expansion and deeply nested mapping JSON
ended in "unexpected error". Each must now end with one plain line (or a bounded list)
and the documented exit code. No timings are asserted (shared, noisy machines).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.services.tabular import MAX_ROWS
from tests import forked
from tests.data.make_caseload_examples import MOSAIC_HEADER
from tests.unit.services import hostile_files as hostile
from tests.unit.services.caseload.helpers import write_csv

EXE = Path(sys.executable).with_name("dipsample")


def dipsample(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIPSAMPLE_")}
    environ.update({"DIPSAMPLE_HOME": str(home), "DIPSAMPLE_PASSPHRASE": "hostile-passphrase",
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", **env})
    return forked.run([str(EXE), *args], capture_output=True, text=True, env=environ,
                          timeout=600, check=False)


def one_line(result: subprocess.CompletedProcess[str], code: int, message: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr


def test_two_million_lines_are_one_line_of_refusal(tmp_path: Path) -> None:
    path = tmp_path / "two_million.csv"
    with path.open("wb") as handle:
        handle.write(",".join(MOSAIC_HEADER).encode() + b"\n")
        handle.write(b"1,x\n" * 2_000_000)
    result = dipsample("import", str(path), "--db", str(tmp_path / "x.db"), home=tmp_path)
    one_line(result, 1, f"more than {MAX_ROWS:,} rows under the header")
    assert not (tmp_path / "x.db").exists()


def test_thousands_of_bad_rows_print_a_bounded_list(tmp_path: Path) -> None:
    # A different staff name on each row: one problem a row (the same unknown word on
    # many rows is one problem, counting them).
    rows = hostile.mosaic_rows(5_000)
    for number, row in enumerate(rows):
        row[MOSAIC_HEADER.index("Legal Status")] = f"Relymanager {number}"
    path = write_csv(tmp_path / "shifted.csv", MOSAIC_HEADER, rows)
    result = dipsample("import", str(path), "--db", str(tmp_path / "x.db"), home=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + 50 + 2  # the profile, fifty problems, "and more", the counts
    assert lines[-2] == "... and 4,950 more problems not listed"
    assert lines[-1] == "5,000 rows read; 5,000 bad row(s), 5,000 problem(s): nothing was written"
    assert all(line.startswith("row ") for line in lines[1:51])
    assert "Relymanager" not in result.stdout + result.stderr


def test_a_row_bomb_workbook_is_refused_by_counting(tmp_path: Path) -> None:
    path = hostile.row_bomb(tmp_path / "rows.xlsx", MAX_ROWS + 100_000)
    result = dipsample("import", str(path), "--db", str(tmp_path / "x.db"), home=tmp_path)
    one_line(result, 1, f"more than {MAX_ROWS:,} rows under the header")


@pytest.mark.parametrize("defused", ["True", "False"])
@pytest.mark.parametrize("make", [hostile.laughs_in_sheet, hostile.laughs_in_shared_strings])
def test_entity_expansion_with_and_without_defusedxml(tmp_path: Path, make,  # type: ignore[no-untyped-def]
                                                      defused: str) -> None:
    path = make(tmp_path / "laughs.xlsx")
    result = dipsample("import", str(path), "--db", str(tmp_path / "x.db"), home=tmp_path,
                       OPENPYXL_DEFUSEDXML=defused)
    one_line(result, 1, "laughs.xlsx: not a readable Excel workbook (it declares XML entities")


def test_nested_mapping_json_is_a_usage_problem(tmp_path: Path) -> None:
    mapping = hostile.nested_json(tmp_path / "deep.json")
    export = write_csv(tmp_path / "x.csv", MOSAIC_HEADER, hostile.mosaic_rows(1))
    result = dipsample("import", str(export), "--profile", str(mapping), "--db",
                       str(tmp_path / "x.db"), home=tmp_path)
    one_line(result, 2, "mapping file deep.json: not a mapping (its brackets are nested")


@pytest.mark.parametrize(("encoding", "message"), [("utf-32", "the file is UTF-32"),
                                                   ("utf-16-le", "the file is UTF-16")])
def test_unicode_files_are_named(tmp_path: Path, encoding: str, message: str) -> None:
    path = write_csv(tmp_path / "wide.csv", MOSAIC_HEADER, hostile.mosaic_rows(3),
                     encoding=encoding)
    result = dipsample("import", str(path), "--db", str(tmp_path / "x.db"), home=tmp_path)
    one_line(result, 1, message)
