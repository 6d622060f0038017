"""What an export carried travels with its cases: a laptop that gets its cases by sync
says "not known from this export" for the same standard as the computer that imported.

Why: the standards engine called the complex-Green visit "not known" from the importing
computer's event log, which never syncs; a laptop synced from it computed the standard
anyway and showed every complex-Green child "late for years" (issue 25, item 1).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from desktop.models import CaseloadImport
from desktop.services.caseload import import_caseload
from desktop.services.standards.caseload import caseload_standards
from desktop.services.standards.needs import export_gaps
from desktop.store import Store
from tests.unit.services.caseload.helpers import TODAY, fixed_ctx, write_csv
from tests.unit.services.caseload.test_truthful_import import (
    COMPLEX,
    COMPLEX_GREEN,
    MOSAIC_HEADER,
    mosaic_rows,
    no_visit_by,
)
from tests.unit.sync.helpers import until_quiet


def _statuses(store: Store) -> dict[str, str]:
    found = caseload_standards(fixed_ctx(store), TODAY)
    return {c.case_ref: c.result(COMPLEX).status for c in found.cases
            if c.case_ref in COMPLEX_GREEN}


def test_a_laptop_synced_from_the_importing_store_says_not_known_too(
        pair: tuple[Store, Store], share: Path, tmp_path: Path) -> None:
    importing, laptop = pair
    export, mapping = no_visit_by(tmp_path)
    import_caseload(fixed_ctx(importing), export, mapping)
    assert _statuses(importing) == dict.fromkeys(COMPLEX_GREEN, "not_known")

    until_quiet([importing, laptop], share)
    with laptop.read() as session:
        assert export_gaps(session) == {"last_f2f_visit_by"}
        record = session.scalars(select(CaseloadImport)).one()
        assert (record.profile, record.rows) == ("ours", len(mosaic_rows()))
    assert _statuses(laptop) == dict.fromkeys(COMPLEX_GREEN, "not_known")
    standards = caseload_standards(fixed_ctx(laptop), TODAY)
    assert [g.standard for g in standards.not_known] == [COMPLEX]


def test_the_next_export_with_the_column_makes_it_known_on_both(
        pair: tuple[Store, Store], share: Path, tmp_path: Path) -> None:
    """The newest export's record tells, wherever it was imported: the laptop imports
    the export that has the column, and the importing store, synced, computes it again."""
    importing, laptop = pair
    export, mapping = no_visit_by(tmp_path)
    import_caseload(fixed_ctx(importing), export, mapping)
    until_quiet([importing, laptop], share)
    import_caseload(fixed_ctx(laptop), write_csv(tmp_path / "with.csv", MOSAIC_HEADER,
                                                 mosaic_rows()), "mosaic")
    until_quiet([importing, laptop], share)
    for store in (importing, laptop):
        with store.read() as session:
            assert export_gaps(session) == frozenset()
        assert "not_known" not in _statuses(store).values()


def test_an_upgraded_stores_last_import_reaches_a_laptop(tmp_path: Path, share: Path
                                                         ) -> None:
    """Schema 0013 makes a synced record of the last import the event log lists (the
    0012 store's mapping had no "visit by" column), logged so that the next sync sends
    it: a laptop that has only ever synced says "not known" too. The store's targets
    are forgotten first, so the push sends what is pending, not every record (as it
    would to a target met beside another)."""
    import json
    import shutil

    from desktop.store import keys, open_store
    from desktop.store.database import make_engine
    from tests.unit.store.test_upgrades import UPGRADES
    from tests.unit.sync.helpers import device

    old = tmp_path / "upgraded"
    old.mkdir()
    for name in ("dipsample.db", "dipsample.db.kdf"):
        shutil.copyfile(UPGRADES / "0012" / name, old / name)
    passphrase = json.loads((UPGRADES / "0012" / "manifest.json").read_text())["passphrase"]
    engine = make_engine(old / "dipsample.db", keys.resolve_key(
        old / "dipsample.db", passphrase=passphrase, prompt=None))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM sync_targets")
    finally:
        engine.dispose()
    upgraded = open_store(old / "dipsample.db", passphrase=passphrase, prompt=None)
    laptop = device(tmp_path, "laptop")
    try:
        assert upgraded.upgraded_from == "0012"
        until_quiet([upgraded, laptop], share)
        with laptop.read() as session:
            assert export_gaps(session) == {"last_f2f_visit_by"}
            record = session.scalars(select(CaseloadImport)).one()
        with upgraded.read() as session:
            assert session.scalars(select(CaseloadImport)).one().hlc == record.hlc
    finally:
        laptop.close()
        upgraded.close()
