"""Shared fixtures: a private data folder, an in-memory keyring, a fresh store per test.

Why an in-memory keyring: CI has no OS keyring, and the passphrase path (scrypt) is
slow enough to matter across hundreds of tests; the passphrase path has its own tests.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from keyring.backend import KeyringBackend

if TYPE_CHECKING:
    from desktop.services.context import ServiceContext

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests import work_factors  # the tests' scrypt costs (tests/work_factors.py says why)

work_factors.lower()

#: Where hypothesis keeps the examples that once failed, replayed first on every run.
#: Why in the repository and not in the ignored ``.hypothesis/``: a fresh checkout (CI
#: starts from one) would forget them; a failing example found here is committed with
#: its fix, so the fuzz tests replay it forever (issue 13: "their example databases kept").
EXAMPLES = Path(__file__).resolve().parent / "hypothesis-examples"
settings.register_profile("dipsample", database=DirectoryBasedExampleDatabase(EXAMPLES))
settings.load_profile("dipsample")


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in a dict (for tests only)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@dataclass(frozen=True)
class StoreTemplate:
    """A store built once per session, to be copied into each test that reads it.

    Why copies and not one shared store: a test that writes (an audit submitted, a
    password set) would change what the next one reads, and the order tests run in
    would then decide whether they pass. A copy of the file costs milliseconds; building
    a demo county costs seconds.

    Attributes:
        path: the template's database (closed; its -wal, -shm and .kdf beside it, if any).
        secrets: the in-memory keyring's entries for it, as the store made them.
    """

    path: Path
    secrets: dict[tuple[str, str], str]

    def copy_to(self, target: Path, backend: MemoryKeyring) -> Path:
        """Copy the store's files to ``target`` and its key into ``backend``, under the
        entry the store looks up for ``target`` (the keyring entry names the file)."""
        from desktop.store.keys import keyring_entry

        target.parent.mkdir(parents=True, exist_ok=True)
        for source in self.path.parent.glob(self.path.name + "*"):
            shutil.copy2(source, target.with_name(target.name + source.name[len(self.path.name):]))
        here, there = keyring_entry(self.path), keyring_entry(target)
        for (service, account), secret in self.secrets.items():
            backend.secrets[service, there if account == here else account] = secret
        return target


def build_template(path: Path, fill: Callable[[ServiceContext], object]) -> StoreTemplate:
    """A new store at ``path`` filled by ``fill`` under a keyring of its own, closed.

    Built with a DIPSAMPLE_HOME of its own beside it, as every test has (a session
    fixture is made before the test's ``home``), so nothing reaches the real folders.
    """
    from desktop.services.context import ServiceContext
    from desktop.store import open_store

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("DIPSAMPLE_HOME", str(path.parent / "home"))
            env.delenv("DIPSAMPLE_PASSPHRASE", raising=False)
            env.delenv("DIPSAMPLE_USER", raising=False)
            store = open_store(path, prompt=None, create=True)
            try:
                fill(ServiceContext(store=store))
            finally:
                store.close()
    finally:
        keyring.set_keyring(previous)
    return StoreTemplate(path, dict(backend.secrets))


#: The day the window tests' demo county is built for.
COUNTY_AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="session")
def county_template(tmp_path_factory: pytest.TempPathFactory) -> StoreTemplate:
    """The 600-case demo county the window tests open, built once per session (never
    opened by a test: each copies it, tests/unit/views/conftest.py ``county_path``)."""
    from desktop.services.demo_county import build_demo_county

    return build_template(
        tmp_path_factory.mktemp("county") / "dipsample.db",
        lambda ctx: build_demo_county(ctx, cases=600, seed=3, as_of=COUNTY_AS_OF))


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own DIPSAMPLE_HOME and no passphrase from the environment."""
    folder = tmp_path / "home"
    monkeypatch.setenv("DIPSAMPLE_HOME", str(folder))
    monkeypatch.delenv("DIPSAMPLE_PASSPHRASE", raising=False)
    monkeypatch.delenv("DIPSAMPLE_USER", raising=False)
    return folder


@pytest.fixture(autouse=True)
def gui_thread_collector(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a test that drives the window, garbage is collected on the GUI thread only.

    Why: as in the app (desktop/views/collector.py); a Qt object left in a cycle by one
    test and collected by a later test's worker thread crashed or hung the run. Torn
    down after the test's widgets are closed: they are deleted, then one sweep here, then
    automatic collection again for the tests that have no window.
    """
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    from desktop.qt import QApplication, QEvent
    from desktop.views.collector import install

    collector = install(request.getfixturevalue("qapp"))
    try:
        yield
    finally:
        # pytest-qt has closed the test's windows and asked Qt to delete them later:
        # deleted now, whole, before the sweep (a sweep first would clear the Python
        # side of widgets Qt still calls into while it deletes them).
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        collector.stop()
        # What outlives the sweep (modules, caches, session fixtures) is set aside, so
        # the next test's sweep walks only what that test made: a full collection over
        # everything took 0.3 to 0.7 s per window test, most of their teardown.
        gc.freeze()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """Behave like headless Linux: keyring's fail backend."""
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "dipsample.db"


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> StoreTemplate:
    """A new, empty store at the schema's head, made once per session."""
    return build_template(tmp_path_factory.mktemp("empty") / "dipsample.db", lambda _ctx: None)


@pytest.fixture
def store(db_path: Path, empty_template: StoreTemplate,  # type: ignore[no-untyped-def]
          memory_keyring: MemoryKeyring):
    """A new empty store of this test's own, open (keyed by the in-memory keyring).

    Why a copy of one made at the start of the session: making a store runs every
    migration and syncs the file several times (0.1 s of CPU, 0.3 to 0.6 s on a busy
    disk), and some 300 tests start from one. The copy is the same file a new store is:
    only its device id is shared, and no test syncs two stores of this fixture.
    """
    from desktop.store import open_store

    opened = open_store(empty_template.copy_to(db_path, memory_keyring), prompt=None)
    yield opened
    opened.close()


@pytest.fixture
def ctx(store):  # type: ignore[no-untyped-def]
    from desktop.services.context import ServiceContext

    return ServiceContext(store=store)


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("DIPSAMPLE_TEST_PG_URL")
    if not url:
        pytest.fail("DIPSAMPLE_TEST_PG_URL is not set; run the suite through .ci/run")
    return url
