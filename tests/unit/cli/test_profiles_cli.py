"""``dipsample profiles list|show|draft`` (issue 9, item 2): a draft for an export with
renamed headers imports once a person fills in only the columns it could not match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli.main import main
from tests.unit.services.caseload.helpers import DATA

RENAMED = {"Person ID": "Child Reference Number", "VTT RAG": "Current Risk Colour"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def renamed_export(folder: Path) -> Path:
    """The Mosaic example with a title line and two headers as another council names them."""
    header, rest = (DATA / "mosaic_caseload.csv").read_text(encoding="utf-8").split("\n", 1)
    for old, new in RENAMED.items():
        header = header.replace(old, new)
    path = folder / "north-report.csv"
    path.write_text(f"Caseload report\n{header}\n{rest}", encoding="utf-8")
    return path


def test_a_draft_imports_after_filling_in_what_it_could_not_match(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = renamed_export(tmp_path)
    mapping = tmp_path / "north.json"
    code, out, _ = run(capsys, "profiles", "draft", str(export), "-o", str(mapping))
    assert code == 0
    assert "fill in the column of: case_ref, rag" in out
    assert "Child Reference Number" in out and "Current Risk Colour" in out
    draft = json.loads(mapping.read_text(encoding="utf-8"))
    assert draft["columns"]["case_ref"] == "" and draft["columns"]["rag"] == ""
    assert draft["columns"]["cohort"] == "Legal Status"
    assert draft["header_row"] == 2
    code, _, err = run(capsys, "import", str(export), "--profile", str(mapping), "--db",
                       str(db_path))
    assert code == 2 and "the column for 'case_ref' must be a non-empty text" in err
    draft["columns"].update(case_ref="Child Reference Number", rag="Current Risk Colour")
    mapping.write_text(json.dumps(draft, indent=2), encoding="utf-8")
    code, out, _ = run(capsys, "import", str(export), "--profile", str(mapping), "--db",
                       str(db_path), "--json")
    report = json.loads(out)
    assert code == 0 and report["errors"] == []
    assert report["created"] == 6 and report["written"]
    code, _, err = run(capsys, "profiles", "draft", str(export), "-o", str(mapping))
    assert code == 2 and "--force" in err


def test_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "profiles", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("name")
    assert [line.split()[0] for line in lines[1:]] == ["eclipse", "lcs", "mosaic"]
    code, out, _ = run(capsys, "profiles", "show", "lcs")
    assert code == 0 and json.loads(out)["columns"]["case_ref"] == "Case No"
    code, _, err = run(capsys, "profiles", "show", "nope")
    assert code == 2 and "unknown profile 'nope'" in err


def test_import_help_points_to_the_docs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    assert "docs/mapping-profiles.md" in capsys.readouterr().out
