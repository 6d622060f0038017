"""New areas, teams and workers are written parents first, whatever the row order."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from desktop.models import ServiceArea, Team
from desktop.services.caseload import import_caseload
from tests.data.make_caseload_examples import LCS_HEADER
from tests.unit.services.caseload.helpers import fixed_ctx, write_csv

ROW = ["LCS-9001", "T.A.", "04-Feb-14", "Mid & East", "Team One", "Testworker Yarrow", "LW77",
       "Testmanager Wren", "LM01", "CIN", "G", "01-Oct-26", "21-Oct-26", "", "14-Oct-26",
       "01-Oct-26", "01-Oct-26", ""]


def test_a_new_team_planned_before_its_new_area_is_written(store, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "first.csv", LCS_HEADER, [ROW])
    assert import_caseload(fixed_ctx(store), first, "lcs").written
    # Row 2 now plans a new team for the known area, row 3 a new team in a new area:
    # the team of row 3 must not be inserted before its area.
    second_rows = [ROW,
                   ["LCS-9002", *ROW[1:4], "Team Two", *ROW[5:]],
                   ["LCS-9003", *ROW[1:3], "Brand New Area", "Team Three", *ROW[5:]]]
    second = write_csv(tmp_path / "second.csv", LCS_HEADER, second_rows)
    report = import_caseload(fixed_ctx(store), second, "lcs")
    assert report.written and report.created == 2
    with store.read() as session:
        area = session.scalars(select(ServiceArea).where(
            ServiceArea.name == "Brand New Area")).one()
        team = session.scalars(select(Team).where(Team.name == "Team Three")).one()
        assert team.service_area_id == area.id
