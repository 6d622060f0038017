"""Open the encrypted local store: key, pragmas, integrity check, migrations.

Why these pragmas: WAL lets the window read while a worker writes; ``synchronous=FULL``
makes a committed audit survive a power cut (WAL's default NORMAL may lose the last
transactions); ``secure_delete`` overwrites freed pages so deleted text cannot be
recovered from the file; foreign keys are off by default in SQLite.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from desktop.errors import EnvironmentProblem, NetworkPathRefused, WrongKey
from desktop.models.base import new_id
from desktop.models.log import Change, Meta
from desktop.store import keys, migrate
from desktop.store.changes import RECORDER_KEY, ChangeRecorder
from desktop.store.hlc import HybridClock
from desktop.store.netpath import is_network_path

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


@dataclass
class Store:
    """An open local store. Thread-safe: sessions are per thread of work.

    Attributes:
        path: the database file.
        engine: the SQLAlchemy engine (SQLCipher underneath).
        device_id: this store's device identity, kept in ``store_meta``.
        recorder: stamps and logs every change.
        key_source: "keyring" or "passphrase".
        backup_path: set when opening migrated the schema and made a backup first.
    """

    path: Path
    engine: Engine
    device_id: str
    recorder: ChangeRecorder
    key_source: str
    schema_revision: str
    backup_path: Path | None = None
    _factory: sessionmaker[Session] = field(init=False, repr=False)
    _write_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        self._factory = sessionmaker(self.engine, expire_on_commit=False,
                                     info={RECORDER_KEY: self.recorder})

    @property
    def clock(self) -> HybridClock:
        return self.recorder.clock

    def session(self) -> Session:
        """A session whose flushes are stamped and change-logged. Caller commits."""
        return self._factory()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back everything on error.

        Writes are serialised within the process (one writer per SQLite file avoids
        lock fights between the GUI's worker and a background sweep).
        """
        with self._write_lock, self._factory() as session, session.begin():
            yield session

    def read(self) -> Session:
        """A session for reading; nothing it does is committed."""
        return self._factory()

    def close(self) -> None:
        self.engine.dispose()


def quiet(conn: Any) -> None:
    """Stop SQLCipher printing its own errors to stderr; we report them in one line."""
    conn.execute("PRAGMA cipher_log_level = NONE")


def _connect_factory(path: Path, key: keys.DatabaseKey) -> Callable[[], Any]:
    def connect() -> Any:
        conn = sqlcipher.connect(str(path), check_same_thread=False,
                                 timeout=BUSY_TIMEOUT_MS / 1000)
        quiet(conn)
        conn.execute(key.pragma())
        return conn

    return connect


def _set_pragmas(dbapi_conn: Any, _record: object) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA secure_delete = ON")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    finally:
        cur.close()


def make_engine(path: Path, key: keys.DatabaseKey) -> Engine:
    engine = create_engine(f"sqlite:///{path}", creator=_connect_factory(path, key),
                           module=sqlcipher, poolclass=QueuePool, pool_size=4,
                           max_overflow=4)
    event.listen(engine, "connect", _set_pragmas)
    return engine


def _verify_key(path: Path, key: keys.DatabaseKey) -> None:
    conn = sqlcipher.connect(str(path))
    quiet(conn)
    try:
        conn.execute(key.pragma())
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError:
        raise WrongKey(
            f"{path.name} cannot be opened: the key is wrong or it is not a DipSample database."
        ) from None
    finally:
        conn.close()


def integrity_problems(engine: Engine, full: bool = False) -> list[str]:
    """SQLite's own check; ``quick_check`` at start, the full check on ``dipsample check``."""
    pragma = "PRAGMA integrity_check" if full else "PRAGMA quick_check"
    with engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql(pragma)]
    return [] if rows == ["ok"] else rows


def _device_id(engine: Engine) -> str:
    with Session(engine) as session, session.begin():
        meta = session.get(Meta, "device_id")
        if meta is None:
            meta = Meta(key="device_id", value=new_id())
            session.add(meta)
        return meta.value


def _last_version(engine: Engine) -> str:
    with Session(engine) as session:
        return session.scalar(select(Change.version).order_by(Change.seq.desc()).limit(1)) or ""


def open_store(
    path: Path,
    *,
    passphrase: str | None = None,
    prompt: keys.PromptFn | None = keys._tty_prompt,
    upgrade: bool = True,
) -> Store:
    """Open (creating if needed) the encrypted store at ``path``.

    Raises:
        NetworkPathRefused: the file is on a network share.
        KeyUnavailable / WrongKey: no key, or the key does not fit.
        SchemaTooNew: written by a newer DipSample.
        EnvironmentProblem: the integrity check failed.
    """
    if is_network_path(path) or is_network_path(path.expanduser().resolve().parent):
        raise NetworkPathRefused(
            f"{path} is on a network drive; SQLite is not safe there. Choose a local folder "
            "(sync to the network folder is separate)."
        )
    path = path.expanduser().resolve()
    if path.is_dir():
        raise EnvironmentProblem(f"{path} is a folder, not a database file.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(
            f"Cannot create the folder {path.parent}: {exc.strerror}"
        ) from None
    key = keys.resolve_key(path, passphrase=passphrase, prompt=prompt)
    if path.exists() and path.stat().st_size > 0:
        _verify_key(path, key)
    engine = make_engine(path, key)
    try:
        problems = integrity_problems(engine)
        if problems:
            raise EnvironmentProblem(
                f"{path.name} failed SQLite's integrity check ({problems[0]}); restore a backup."
            )
        backup = migrate.upgrade_if_needed(engine, path, key) if upgrade else None
        revision = migrate.current_revision(engine) or ""
        device_id = _device_id(engine)
        clock = HybridClock(device_id)
        clock.observe(_last_version(engine))
    except BaseException:
        engine.dispose()
        raise
    return Store(path=path, engine=engine, device_id=device_id,
                 recorder=ChangeRecorder(clock, device_id), key_source=key.source,
                 schema_revision=revision, backup_path=backup)
