"""The list of a week's case tools names the audits the batch writes, in its order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import Audit, Case, User
from desktop.services.context import ServiceContext
from desktop.services.reporting.case_tool import week_audit_ids
from desktop.services.reporting.week_list import week_case_tool_list
from tests.unit.services.county import demo_county

WEEK = "2026-W47"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    with demo_county(tmp_path_factory.mktemp("week_list"), cases=400, seed=5,
                     as_of=dt.date(2026, 11, 20)) as ctx:
        yield ctx


def test_everyone_then_one_auditor(county: ServiceContext) -> None:
    everyone = week_case_tool_list(county, WEEK)
    assert [t.audit_id for t in everyone] == week_audit_ids(county, WEEK)
    assert len(everyone) > 5
    with county.store.read() as session:
        truth = {a.id: (ref, name, a.status, a.audit_date) for a, ref, name in session.execute(
            select(Audit, Case.case_ref, User.name).join(Case, Case.id == Audit.case_id)
            .join(User, User.id == Audit.auditor_id))}
    for tool in everyone:
        assert (tool.case_ref, tool.auditor, tool.status, tool.audit_date) == \
            truth[tool.audit_id]
    one = everyone[0].auditor
    with county.store.read() as session:
        auditor_id = session.scalar(select(Audit.auditor_id).where(
            Audit.id == everyone[0].audit_id))
    mine = week_case_tool_list(county, WEEK, auditor_id)
    assert mine and {t.auditor for t in mine} == {one}
    assert [t.audit_id for t in mine] == [t.audit_id for t in everyone if t.auditor == one]


def test_an_empty_week_and_a_wrong_one(county: ServiceContext) -> None:
    assert week_case_tool_list(county, "2020-W01") == []
    with pytest.raises(InputProblem):
        week_case_tool_list(county, "week 47")
