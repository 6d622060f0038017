"""The dashboard's figures: the week's and the window's, or a plain refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.errors import InputProblem
from desktop.services.context import ServiceContext
from desktop.services.reporting.dashboard import dashboard_data
from desktop.store import Store


def test_the_window_ends_with_the_weeks_sunday(store: Store) -> None:
    ctx = ServiceContext(store=store)
    data = dashboard_data(ctx, "2026-W47", 8)
    assert (data.compliance.start, data.compliance.end) == (dt.date(2026, 9, 28),
                                                            dt.date(2026, 11, 22))
    assert data.week.week == "2026-W47" and data.window_weeks == 8
    assert data.week.total.audits == 0  # an empty store: figures, not a failure


@pytest.mark.parametrize(("week", "weeks", "message"), [
    ("2026-W47", 6, "must be one of 4, 8, 12"),
    ("week 47", 12, "week 47"),
])
def test_bad_choices_are_refused_plainly(store: Store, week: str, weeks: int,
                                         message: str) -> None:
    with pytest.raises(InputProblem, match=message):
        dashboard_data(ServiceContext(store=store), week, weeks)


def test_a_social_worker_may_not_read_the_dashboard(store: Store) -> None:
    from desktop.errors import PermissionRefused
    from tests.unit.security.people import Org

    org = Org(store)
    with pytest.raises(PermissionRefused):
        dashboard_data(org.as_user(org.sw), "2026-W47", 12)
    assert dashboard_data(org.as_user(org.qa), "2026-W47", 12).window_weeks == 12
