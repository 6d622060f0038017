"""One version number, written in pyproject.toml: ``--version`` and every PDF footer."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from desktop import __version__
from desktop.cli.main import main
from desktop.reports.layout import build, heading, styles
from tests.unit.reports.hostile import read_pdf

ROOT = Path(__file__).resolve().parents[3]


def pyproject_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
               ["version"])


def test_the_version_is_pyprojects(capsys: pytest.CaptureFixture[str]) -> None:
    assert __version__ == pyproject_version()
    assert main(["--version"]) == 0  # answered before the parser is built
    assert capsys.readouterr().out.strip() == f"dipsample {pyproject_version()}"


def test_every_page_of_a_pdf_carries_the_version(tmp_path: Path) -> None:
    # Every report (case tool, weekly, monthly, summary, plan) is laid out by build().
    from reportlab.platypus import Paragraph

    story = heading("Synthetic section") + [
        Paragraph(f"Synthetic paragraph {n} " * 20, styles().body) for n in range(60)]
    out = tmp_path / "report.pdf"
    build(out, "Synthetic report", story)
    pages = read_pdf(out).pages
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"DipSample {pyproject_version()}" in page, number
