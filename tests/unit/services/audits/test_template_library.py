"""Importing a new template version from a file, and the list of stored versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop import paths
from desktop.errors import InputProblem
from desktop.services.context import ServiceContext
from desktop.services.templates.library import import_template, own_folder, template_rows

SHIPPED = paths.resource("templates") / "green_visiting.toml"


def reworded(tmp_path: Path) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    new = tmp_path / "green_v2.toml"
    new.write_text(text.replace('title = "Visiting arrangements', 'title = "Revised visiting '
                                'arrangements', 1), encoding="utf-8")
    return new


def test_a_new_version_becomes_active_and_stays_active(ctx: ServiceContext,
                                                       tmp_path: Path) -> None:
    before = template_rows(ctx)
    assert {(r.code, r.version) for r in before if r.code == "green_visiting"} == {
        ("green_visiting", 1)}
    version = import_template(ctx, reworded(tmp_path))
    assert (version.code, version.version, version.created) == ("green_visiting", 2, True)
    rows = [r for r in template_rows(ctx) if r.code == "green_visiting"]
    assert [(r.version, r.active) for r in rows] == [(2, True), (1, False)]
    assert rows[0].title.startswith("Revised") and rows[0].questions == rows[1].questions > 0
    assert (own_folder() / "green_visiting.toml").is_file()
    again = import_template(ctx, SHIPPED)  # the shipped wording back: version 1 again
    assert (again.version, again.created) == (1, False)


def test_a_broken_file_is_refused_and_changes_nothing(ctx: ServiceContext,
                                                      tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('code = "green_visiting"\ntitle = \n', encoding="utf-8")
    with pytest.raises(InputProblem, match=r"bad\.toml:2"):
        import_template(ctx, bad)
    assert not own_folder().exists() or not list(own_folder().glob("*.toml"))
    assert all(r.version == 1 for r in template_rows(ctx))
