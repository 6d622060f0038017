"""A tombstoned record is not there for a reading session, without a filter per query.

Why a test of its own: services used to write ``Model.deleted.is_(False)`` into each
query (127 of them); the reading session now leaves tombstones out of every ORM query
(desktop/services/auth/visibility.py), so one forgotten filter can no longer show a
deleted record as live.
"""

from __future__ import annotations

from sqlalchemy import func, select

from desktop.models import ServiceArea, Team
from desktop.services.auth.visibility import WITH_TOMBSTONES
from desktop.services.context import ServiceContext


def _areas(ctx: ServiceContext) -> tuple[str, str]:
    with ctx.store.transaction() as session:
        live = ServiceArea(name="Northfield")
        gone = ServiceArea(name="Southmoor", deleted=True)
        session.add_all([live, gone])
        session.flush()
        session.add_all([Team(name="Northfield A", service_area_id=live.id),
                         Team(name="Northfield B", service_area_id=live.id, deleted=True)])
        return live.id, gone.id


def test_a_reading_session_leaves_tombstones_out_of_every_query(ctx: ServiceContext) -> None:
    live, gone = _areas(ctx)
    with ctx.read() as session:
        assert session.scalars(select(ServiceArea.id)).all() == [live]
        assert session.get(ServiceArea, gone) is None
        assert session.scalar(select(func.count()).select_from(ServiceArea)) == 1
        # A join and an alias are held too.
        names = session.scalars(select(Team.name).join(
            ServiceArea, Team.service_area_id == ServiceArea.id)).all()
        assert names == ["Northfield A"]
        # A lazy load of a relationship is held too.
        area = session.get(ServiceArea, live)
        assert area is not None
        assert [team.name for team in area.teams] == ["Northfield A"]
        everything = session.scalars(select(ServiceArea.id).execution_options(
            **{WITH_TOMBSTONES: True})).all()
        assert sorted(everything) == sorted([live, gone])


def test_the_stores_own_sessions_still_see_tombstones(ctx: ServiceContext) -> None:
    """Sync and the event log must see deletions to send them: only the reading
    session of a service leaves them out."""
    live, gone = _areas(ctx)
    with ctx.store.read() as session:
        assert sorted(session.scalars(select(ServiceArea.id)).all()) == sorted([live, gone])
