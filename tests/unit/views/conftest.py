"""A small demo county in a store the window opens (through the in-memory keyring).

Why built once and copied: building the 600-case county took most of each window
test's setup (0.4 to 3 s, 80-odd tests). The session builds it once; each test gets its
own copy of the file and its own keyring entry, so a test that writes to its county
leaves the next one's untouched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import COUNTY_AS_OF, MemoryKeyring, StoreTemplate

AS_OF = COUNTY_AS_OF


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path) -> None:
    """QSettings (the remembered sign-in) in the test's own folder, not the developer's."""
    from desktop.qt import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))


@pytest.fixture
def county_path(county_template: StoreTemplate, db_path: Path,
                memory_keyring: MemoryKeyring) -> Path:
    """A database of this test's own holding the 600-case demo county, closed."""
    return county_template.copy_to(db_path, memory_keyring)


@pytest.fixture
def quick_autosave(monkeypatch: pytest.MonkeyPatch) -> None:
    """The form saves 5 ms after typing pauses (10 ms at most), not a second.

    Why: a test waiting for a save per typed word waited a real second each. Not for
    every test: one that proves a change is handed over by something other than the
    autosave (the idle lock) needs the autosave to be slower than that.
    """
    from desktop.views.audit_form import autosave

    monkeypatch.setattr(autosave, "AUTOSAVE_DELAY_MS", 5)
    monkeypatch.setattr(autosave, "AUTOSAVE_MAX_WAIT_MS", 10)
