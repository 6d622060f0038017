"""The monthly QA report shows the statistics service's own numbers, read back by pypdf."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.errors import InputProblem
from desktop.reports.monthly import interval, monthly_pdf, name, percent
from desktop.services.context import ServiceContext
from desktop.services.reporting.monthly import parse_month
from desktop.services.statistics.compliance import compliance_report
from tests.unit.reports.hostile import read_pdf, squash
from tests.unit.services.county import demo_county

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    with demo_county(tmp_path_factory.mktemp("monthly"), cases=900, seed=3,
                     as_of=AS_OF) as ctx:
        yield ctx


def test_figures_equal_the_statistics_service(county: ServiceContext,
                                              tmp_path: Path) -> None:
    out = tmp_path / "monthly.pdf"
    data = monthly_pdf(county, "2026-10", out, key_messages="Visits <b>& oversight</b> improved")
    expected = compliance_report(county, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert data.current == expected
    assert expected.audits > 0 and expected.by_standard
    pdf = read_pdf(out)
    flat = pdf.squashed
    assert squash("Visits <b>& oversight</b> improved") in flat
    assert f"{expected.audits} audits finalised in the month" in pdf.text
    sufficient = [f for f in expected.by_standard if f.estimate.sufficient]
    assert sufficient, "the demo month should give at least one figure"
    for figure in expected.by_standard:
        assert squash(name(figure)) in flat, figure.label
        if figure.estimate.sufficient:
            assert squash(percent(figure.estimate.rate)) in flat
            assert squash(interval(figure)) in flat
        else:
            assert "insufficient sample" in pdf.text
    assert "estimate" in pdf.text.lower()
    for number, page in enumerate(pdf.pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(pdf.pages)}" in page


def test_a_month_is_checked() -> None:
    assert parse_month("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    with pytest.raises(InputProblem):
        parse_month("2026-13")


def test_the_monthly_command_on_a_store_with_no_audits(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli.main import main
    from desktop.store import open_store

    open_store(db_path, prompt=None, create=True).close()

    messages = tmp_path / "messages.txt"
    messages.write_text("Oversight is better recorded.", encoding="utf-8")
    out = tmp_path / "m.pdf"
    code = main(["report", "monthly", "--month", "2026-10", "--messages", str(messages),
                 "-o", str(out), "--db", str(db_path)])
    assert code == 0, capsys.readouterr().err
    text = read_pdf(out).text
    assert "Oversight is better recorded." in text
    assert "0 audits finalised in the month" in text
    assert "No finalised audits answered a standard this month." in text
    assert main(["report", "monthly", "--month", "October", "-o", str(out),
                 "--db", str(db_path)]) != 0
    assert "not a month like 2026-11" in capsys.readouterr().err
