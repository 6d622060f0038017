"""Folder sync end to end between real encrypted stores."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models import Change, ServiceArea, SyncConflict, Team
from desktop.store import Store
from tests import forked
from tests.unit.sync.helpers import ROOT, device, folder_sync, records, until_quiet


def test_two_devices_converge_and_nothing_echoes(pair: tuple[Store, Store], share: Path
                                                 ) -> None:
    a, b = pair
    with a.transaction() as session:
        area = ServiceArea(name="North")
        session.add(area)
        session.flush()
        session.add(Team(name="North Team 1", service_area_id=area.id))
    first = folder_sync(a, share)
    assert first.pushed == 2 and first.pending == 0
    got = folder_sync(b, share)
    assert got.pulled == 2 and got.conflicts == 0
    assert records(a) == records(b)
    with b.read() as session:  # applied, not logged as b's own change
        assert session.scalars(select(Change)).all() == []
    again = folder_sync(b, share)
    assert (again.pushed, again.pulled) == (0, 0)
    assert folder_sync(a, share).pulled == 0


def test_concurrent_edits_merge_field_by_field_and_keep_the_loser(
        pair: tuple[Store, Store], share: Path) -> None:
    a, b = pair
    with a.transaction() as session:
        session.add(ServiceArea(name="North"))
    folder_sync(a, share)
    folder_sync(b, share)
    with a.transaction() as session:
        session.scalar(select(ServiceArea)).name = "North A"
    with b.transaction() as session:
        session.scalar(select(ServiceArea)).name = "North B"  # later clock: wins
    until_quiet([a, b], share)
    assert records(a) == records(b)
    with a.read() as session:
        assert session.scalar(select(ServiceArea.name)) == "North B"
        conflict = session.scalars(select(SyncConflict)).one()
        assert json.loads(conflict.loser_json) == "North A"
        assert json.loads(conflict.winner_json) == "North B"


def test_a_change_another_process_commits_between_two_syncs_is_sent(
        tmp_path: Path, shared_keyring: Path, share: Path, home: Path) -> None:
    """A quiet sync remembers its state while nothing is committed; a commit by another
    process (the command line while the window is open) must still be noticed."""
    a = device(tmp_path, "a")
    try:
        folder_sync(a, share)
        assert folder_sync(a, share).pushed == 0  # quiet: the remembered state serves
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIPSAMPLE_")
               or k == "DIPSAMPLE_TEST_KEYRING"}
        env.update({"DIPSAMPLE_HOME": str(home), "PYTHONPATH": str(ROOT),
                    "PYTHON_KEYRING_BACKEND": "tests.unit.sync.file_keyring.FileKeyring"})
        forked.run([sys.executable, "-c", (
            "import sys; from desktop.store import open_store; "
            "from desktop.models import ServiceArea; "
            "from pathlib import Path; s = open_store(Path(sys.argv[1]), prompt=None); "
            "t = s.transaction(); session = t.__enter__(); "
            "session.add(ServiceArea(name='West')); t.__exit__(None, None, None); "
            "s.close()"), str(a.path)], env=env, check=True, timeout=60)
        sent = folder_sync(a, share)
        assert sent.pushed == 1 and sent.pending == 0
        with a.read() as session:
            assert session.scalar(select(ServiceArea.name)) == "West"
    finally:
        a.close()


def test_no_keyring_is_one_sentence_and_nothing_is_written(store: Store, share: Path,
                                                          no_keyring: None) -> None:
    """Headless Linux without a keyring: the store opens (passphrase), sync says why not."""
    from desktop.errors import EnvironmentProblem
    from desktop.sync.bundle import NO_KEYRING
    from desktop.sync.status import sync_now

    with store.transaction() as session:
        session.add(ServiceArea(name="North"))
    with pytest.raises(EnvironmentProblem) as refused:
        sync_now(store, f"folder:{share}")
    assert str(refused.value) == NO_KEYRING
    assert list(share.iterdir()) == []
