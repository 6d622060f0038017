"""A small demo county in a store the window opens (through the in-memory keyring)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop.services.context import ServiceContext
from desktop.services.demo_county import build_demo_county
from desktop.store import open_store

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path) -> None:
    """QSettings (the remembered sign-in) in the test's own folder, not the developer's."""
    from desktop.qt import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))


@pytest.fixture
def county_path(db_path: Path) -> Path:
    """A database holding a 600-case demo county, closed again."""
    store = open_store(db_path, prompt=None, create=True)
    try:
        build_demo_county(ServiceContext(store=store), cases=600, seed=3, as_of=AS_OF)
    finally:
        store.close()
    return db_path
