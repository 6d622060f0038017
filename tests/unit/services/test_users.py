"""One lookup for every option that names a user: id, username (any case), staff ref."""

from __future__ import annotations

import pytest

from desktop.errors import InputProblem
from desktop.models import User, Worker
from desktop.services.users import find_user, resolve_user


@pytest.fixture
def people(store):  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        worker = Worker(staff_ref="TM0042", name="Synthetic Manager", role="team_manager")
        session.add(worker)
        session.flush()
        session.add(User(username="Area.North", name="Synthetic Auditor", roles="auditor"))
        session.add(User(username="tm42", name="Synthetic Manager", roles="team_manager",
                         worker_id=worker.id))
    with store.read() as session:
        return {u.username: u.id for u in session.query(User)}


@pytest.mark.parametrize("typed", ["Area.North", "area.north", "AREA.NORTH", " area.north "])
def test_username_in_any_case(store, people, typed: str) -> None:
    with store.read() as session:
        assert resolve_user(session, typed).id == people["Area.North"]


def test_by_id_and_by_staff_reference(store, people) -> None:
    with store.read() as session:
        assert resolve_user(session, people["tm42"]).username == "tm42"
        assert resolve_user(session, "TM0042").username == "tm42"


def test_nobody_is_one_line_naming_the_forms(store, people) -> None:
    with store.read() as session:
        assert find_user(session, "nobody") is None
        assert find_user(session, "") is None
        with pytest.raises(InputProblem, match=r"takes a user id \(or its first "
                           r"characters\), a username or a staff ref"):
            resolve_user(session, "nobody", option="--auditor")
