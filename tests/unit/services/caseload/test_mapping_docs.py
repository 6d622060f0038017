"""docs/mapping-profiles.md is true: each JSON example in it is a working profile, the
built-in ones as shipped, and every key and field a profile may have is described."""

from __future__ import annotations

import json
import re
from pathlib import Path

from desktop.services.caseload.profiles import FIELDS, PROFILE_KEYS, builtin_folder, parse_profile
from tests.data import council_exports as council

DOC = Path(__file__).resolve().parents[4] / "docs" / "mapping-profiles.md"


def examples() -> list[dict]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", DOC.read_text(
        encoding="utf-8"), flags=re.S)]


def test_every_example_parses_and_built_ins_match_their_files() -> None:
    found = {raw["name"]: raw for raw in examples()}
    assert set(found) == {"westshire", "mosaic", "lcs", "eclipse"}
    for raw in found.values():
        parse_profile(raw, origin="docs")
    for name in ("mosaic", "lcs", "eclipse"):
        shipped = json.loads((builtin_folder() / f"{name}.json").read_text(encoding="utf-8"))
        assert found[name] == shipped
    assert found["westshire"] == json.loads(council.PROFILE.read_text(encoding="utf-8"))


def test_every_key_and_field_is_described() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert all(f"`{key}`" in text for key in PROFILE_KEYS)
    assert all(f"`{field}`" in text for field in FIELDS)
    assert "\"row 12\" is the spreadsheet's row 12" in text
