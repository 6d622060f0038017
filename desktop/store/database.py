"""Open the encrypted local store: key, pragmas, integrity check, migrations.

Why we drive SQLite's transactions ourselves: Python's sqlite3 driver (and sqlcipher3,
its copy) starts a transaction only before INSERT/UPDATE/DELETE, so CREATE TABLE and
every SELECT ran outside any transaction. A crash while a new store's 28 tables were
being made left half of them and an empty version stamp, and an import read the
versions it was replacing outside the transaction that replaced them (a stale base
version in the change log). With the driver's own handling off, each SQLAlchemy
transaction is one SQLite transaction: ``BEGIN`` for reads, ``BEGIN IMMEDIATE`` for
writes, which takes the write lock before the first read, so what a writer reads is
what it replaces.

Why these pragmas: WAL lets the window read while a worker writes; ``synchronous=FULL``
makes a committed audit survive a power cut (WAL's default NORMAL may lose the last
transactions); ``secure_delete`` overwrites freed pages so deleted text cannot be
recovered from the file; foreign keys are off by default in SQLite.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.util import LRUCache

from desktop.errors import EnvironmentProblem, NetworkPathRefused, WrongKey
from desktop.files import sync_folder
from desktop.models.base import new_id
from desktop.models.log import Meta
from desktop.store import backups, events, failures, keys, migrate
from desktop.store.changes import RECORDER_KEY, ChangeRecorder, highest_version
from desktop.store.hlc import HIGH_WATER, HybridClock
from desktop.store.netpath import is_network_path

log = logging.getLogger(__name__)

#: How long SQLite itself waits for a lock before each of our retries.
BUSY_TIMEOUT_MS = 2_000
#: How long a writer waits in all for another process's write to finish (an import of
#: 100,000 cases holds the lock for about 10 s). ``DIPSAMPLE_WRITE_WAIT`` (seconds)
#: shortens it for tests.
WRITE_WAIT_S = 120.0
#: Page cache per connection, in KiB.
CACHE_KIB = 32 * 1024
#: Execution option that makes a transaction begin with the write lock.
WRITE = "dipsample_write"


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
    #: The schema revision before this open upgraded it (None: no upgrade happened).
    upgraded_from: str | None = None
    #: The event log's HMAC key, derived from the database key (desktop/store/events.py);
    #: held in memory only, handed to this store's sessions, never stored or logged.
    chain_key: bytes = field(default=b"", repr=False)
    _factory: sessionmaker[Session] = field(init=False, repr=False)
    _write_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    #: Called once when a write has to wait for another process (the CLI prints a line).
    on_wait: Callable[[], None] | None = field(default=None, repr=False)
    #: A connection that only ever asks :meth:`data_version` (made on first use).
    _watcher: Any = field(default=None, init=False, repr=False)
    _watcher_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._factory = sessionmaker(self.engine, expire_on_commit=False,
                                     info={RECORDER_KEY: self.recorder,
                                           events.CHAIN_KEY: self.chain_key})

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
            session.connection(execution_options={WRITE: self._notify_wait})
            yield session

    def _notify_wait(self) -> None:
        if self.on_wait is not None:
            self.on_wait()

    def read(self) -> Session:
        """A session for reading; nothing it does is committed."""
        return self._factory()

    def reading(self) -> AbstractContextManager[Connection]:
        """A plain connection for reading Core statements; nothing it does is committed.

        Why beside :meth:`read`: a Session's machinery costs about a millisecond per use,
        which showed on the path from opening a store to its first screenful of cases.
        """
        return self.engine.connect()

    def integrity_problems(self, *, full: bool = False,
                           stop: Callable[[], bool] | None = None) -> list[str]:
        """SQLite's page-by-page check of this store (see :func:`integrity_problems`)."""
        return integrity_problems(self.engine, full=full, stop=stop)

    def data_version(self) -> int:
        """A number that changes whenever anyone commits to this store.

        Why: a sync with nothing to do (every few minutes, from the window) need not read
        its state again when nothing was written since the last one. SQLite's
        ``data_version`` changes when *another* connection commits, in this process or
        any other; this connection never writes, so every commit anywhere counts.
        """
        with self._watcher_lock:
            if self._watcher is None:
                self._watcher = self.engine.raw_connection()
                self._watcher.detach()  # ours until close(), never lent to a writer
            return int(self._watcher.execute("PRAGMA data_version").fetchone()[0])

    def change_counters(self) -> tuple[int, int]:
        """The newest change-log row and case event (see :func:`inspect.change_counters`):
        what the window compares before and after a task to learn what it wrote."""
        from desktop.store.inspect import change_counters

        return change_counters(self.engine)

    def close(self) -> None:
        with self._watcher_lock:
            if self._watcher is not None:
                with contextlib.suppress(Exception):
                    self._watcher.close()
                self._watcher = None
        self.engine.pool.dispose()  # closes them; no new pool is made for a closed store


def quiet(conn: Any) -> None:
    """Stop SQLCipher printing its own errors to stderr; we report them in one line."""
    conn.execute("PRAGMA cipher_log_level = NONE")


def _connect_factory(path: Path, key: keys.DatabaseKey) -> Callable[[], Any]:
    def connect() -> Any:
        conn = sqlcipher.connect(str(path), check_same_thread=False,
                                 timeout=BUSY_TIMEOUT_MS / 1000)
        conn.isolation_level = None  # we say BEGIN ourselves (see the module docstring)
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
        # 32 MB of decrypted pages (SQLite's default is 2 MB): a bulk write updates a dozen
        # indexes of 100,000 rows, and every page evicted and read again is decrypted again.
        cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    finally:
        cur.close()


_COMPILED: LRUCache[Any, Any] = LRUCache(1000)
_DIALECT: Any = None
_DIALECT_ON_CONNECT: Callable[[Any], None] | None = None
#: Connections each store's pool keeps (and as many more it may open at a busy moment).
POOL_SIZE = 4


def write_wait_seconds() -> float:
    value = os.environ.get("DIPSAMPLE_WRITE_WAIT")
    try:
        return float(value) if value else WRITE_WAIT_S
    except ValueError:
        return WRITE_WAIT_S


def _begin(conn: Any) -> None:
    """``BEGIN``, or ``BEGIN IMMEDIATE`` for a writer, waiting out another process."""
    notify = conn.get_execution_options().get(WRITE)
    if notify is None:
        # A deferred BEGIN takes no lock and cannot be refused for want of one, so it
        # goes to the driver directly (SQLAlchemy's statement path cost more than
        # SQLite's work, twice on the way to a new window's first screenful).
        conn.connection.dbapi_connection.execute("BEGIN")
        return
    deadline = time.monotonic() + write_wait_seconds()
    told = False
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except Exception as exc:
            if not isinstance(failures.as_user_error(exc), failures.DatabaseBusy):
                raise
            if time.monotonic() >= deadline:
                raise failures.DatabaseBusy(failures.BUSY_MESSAGE) from None
            if not told and callable(notify):
                told = True
                notify()


def make_engine(path: Path, key: keys.DatabaseKey) -> Engine:
    """The engine; ``hide_parameters`` keeps row values out of every SQLAlchemy message."""
    # Every store's engine shares one dialect and one cache of compiled statements: the
    # same queries run against every store, and SQLAlchemy keys its cache by the dialect
    # object, so each new engine compiled them all again (half of the time to open a
    # store and show its first page). The pysqlite dialect holds no per-file state, so
    # only the first engine initialises it (a handful of queries on the first
    # connection); later engines add only the dialect's per-connection setup (the SQL
    # functions it registers).
    #
    # Why later engines are built from their parts, not by create_engine: it parses a
    # URL, loads a dialect and wires pool events each time (a fifth of the time to open
    # a store and read its first page, which is on a person's path every morning), and
    # none of it differs between stores. Their connections get the pragmas and the
    # dialect's setup in the creator itself, with no event dispatch per connection.
    global _DIALECT, _DIALECT_ON_CONNECT
    if _DIALECT is None:
        engine = create_engine(f"sqlite:///{path}", creator=_connect_factory(path, key),
                               module=sqlcipher, poolclass=QueuePool, pool_size=POOL_SIZE,
                               max_overflow=POOL_SIZE, hide_parameters=True)
        _DIALECT = engine.dialect
        _DIALECT_ON_CONNECT = _DIALECT.on_connect()
        event.listen(engine, "connect", _set_pragmas)
    else:
        connect = _connect_factory(path, key)
        setup = _DIALECT_ON_CONNECT

        def creator() -> Any:
            conn = connect()
            try:
                _set_pragmas(conn, None)
                if setup is not None:
                    setup(conn)
            except BaseException:
                conn.close()
                raise
            return conn

        pool = QueuePool(creator, pool_size=POOL_SIZE, max_overflow=POOL_SIZE,
                         dialect=_DIALECT)
        engine = Engine(pool, _DIALECT, make_url(f"sqlite:///{path}"), hide_parameters=True)
    event.listen(engine, "begin", _begin)
    engine.update_execution_options(compiled_cache=_COMPILED)
    return engine


#: SQLCipher's page size: a store's main file is always a whole number of pages.
PAGE_SIZE = 4096


def _check_header(path: Path) -> None:
    """The checks that need no key: not a plain SQLite file, not cut short."""
    with open(path, "rb") as handle:
        if handle.read(16) == b"SQLite format 3\x00":
            raise WrongKey(f"{path.name} is an unencrypted SQLite database, not a DipSample "
                           "store; DipSample never opens an unencrypted file.")
    if _truncated(path):
        raise failures.DatabaseDamaged(
            f"{path.name} is damaged: it has been cut short; {backups.backup_hint(path)}.")


def _unreadable(path: Path, key: keys.DatabaseKey, exc: BaseException) -> EnvironmentProblem:
    """Why the first page would not open: damage where the key is known good."""
    code = failures.sqlite_code(exc)
    if key.known_good or code == 11:  # SQLITE_CORRUPT
        return failures.DatabaseDamaged(
            f"{path.name} is damaged and cannot be opened; {backups.backup_hint(path)}.")
    return WrongKey(
        f"{path.name} cannot be opened: the key is wrong, or the file is damaged or is "
        f"not a DipSample database ({backups.backup_hint(path)}).")


def _verify_key(path: Path, key: keys.DatabaseKey) -> None:
    """Read the schema page with ``key`` on a bare connection that sets nothing.

    Why only for a key that is not known good (a passphrase file from before its check
    value existed): the store's own connections set pragmas as they open, and a wrong
    key must never get as far as anything that could write to the file.
    """
    conn = sqlcipher.connect(str(path))
    quiet(conn)
    try:
        conn.execute(key.pragma())
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        raise _unreadable(path, key, exc) from None
    finally:
        conn.close()


def _truncated(path: Path) -> bool:
    return path.stat().st_size % PAGE_SIZE != 0


def _make_private(path: Path) -> None:
    """Only the user may read the store and its ``-wal``/``-shm``; all must be writable.

    Why: SQLite gives ``-wal`` and ``-shm`` the mode of the main file, so a run while the
    file was read-only left a 0444 ``-shm`` that broke every write after the file was made
    writable again.
    """
    writable = os.access(path, os.W_OK)
    for item in _family(path):
        try:
            info = item.stat()
        except OSError:
            continue
        if info.st_uid != os.getuid():
            continue
        wanted = 0o600 if writable else 0o400
        if info.st_mode & 0o777 != wanted:
            with contextlib.suppress(OSError):
                item.chmod(wanted)


def _family(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))]


def _create(path: Path, key: keys.DatabaseKey) -> None:
    """Build a new store under a temporary name and rename it into place when complete.

    Why: a kill at any moment then leaves either no store (the next run starts again) or
    a complete one; never an empty or half-made file at ``path`` that every later
    command would stumble on.
    """
    partial = path.with_name(path.name + ".new")
    for stale in _family(partial):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise EnvironmentProblem(f"Cannot create {path.name}: {exc.strerror}") from None
    engine = make_engine(partial, key)
    try:
        migrate.upgrade_if_needed(engine, partial, key)
        _device_id(engine)
        _high_water(engine, None)
        _prepare_chain(engine, events.derive_chain_key(key.hex), None)
    finally:
        engine.dispose()  # the last connection's close folds the WAL into the file
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, path)
    sync_folder(path.parent, strict=True)


def integrity_problems(engine: Engine, full: bool = False,
                       stop: Callable[[], bool] | None = None) -> list[str]:
    """SQLite's own scan of every page: ``quick_check``, or the full ``integrity_check``.

    Why not at open: on a 100,000-case store the scan reads the whole encrypted file
    (6 s), and a person waited for it every start. The window runs ``quick_check`` in the
    background once the case list is up, ``dipsample check`` runs the full check, and
    a damaged page met by any query is reported as damage (``failures``) anyway.

    ``stop`` is asked every few thousand steps of the scan; once it answers True, SQLite
    ends the scan with an "interrupted" error. Why: Ctrl+Q waited for the rest of the
    window's background scan (5 s on 100,000 cases) before the process could end.
    """
    pragma = "PRAGMA integrity_check" if full else "PRAGMA quick_check"
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            if stop is not None and raw is not None:
                raw.set_progress_handler(lambda: int(stop()), 1000)
            try:
                rows = [r[0] for r in conn.exec_driver_sql(pragma)]
            finally:
                if stop is not None and raw is not None:
                    raw.set_progress_handler(None, 0)
    except DBAPIError as exc:
        # So damaged that SQLite cannot even walk its pages: that is the finding.
        if failures.sqlite_code(exc) not in (11, 26):  # CORRUPT, NOTADB
            raise
        return [f"the check itself stopped: {failures.sqlite_name(exc)}"]
    return [] if rows == ["ok"] else rows


def _device_id(engine: Engine, on_wait: Callable[[], None] | None = None) -> str:
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT value FROM store_meta WHERE key = 'device_id'").scalar()
    if found is not None:
        return str(found)
    with Session(engine) as session, session.begin():
        session.connection(execution_options={WRITE: on_wait or True})
        meta = session.get(Meta, "device_id")
        if meta is None:
            meta = Meta(key="device_id", value=new_id())
            session.add(meta)
        return meta.value


#: The device id and where the clock resumes, as two columns of one SELECT: the later of
#: the last version this store wrote and the clock's high-water mark (the versions it
#: received; desktop/store/hlc.py), or NULL when the store has no mark yet.
_IDENTITY_SQL = ("(SELECT value FROM store_meta WHERE key = 'device_id'), "
                 "max(coalesce((SELECT version FROM change_log ORDER BY seq DESC LIMIT 1), ''),"
                 f" (SELECT value FROM store_meta WHERE key = '{HIGH_WATER}'))")
#: Which schemes chain the event log (desktop/store/events.py), read with the stamps.
_CHAIN_SQL = f"(SELECT value FROM store_meta WHERE key = '{events.CHAIN_META}')"


def _prepare_chain(engine: Engine, chain_key: bytes, meta: str | None,
                   on_wait: Callable[[], None] | None = None) -> None:
    """Make the event log's newest segment this key's (see ``events.prepare_chain``).

    Why at open: the chain key exists only where the database key is, and the first
    open after the upgrade to the keyed chain, or after ``key rotate``, is the first
    moment both are there. Every other open only compares ``meta`` and writes nothing.
    """
    if meta is not None and events.chain_ready(meta, chain_key):
        return
    with Session(engine) as session, session.begin():
        session.connection(execution_options={WRITE: on_wait or True})
        events.prepare_chain(session, chain_key)


def _identity(engine: Engine, on_wait: Callable[[], None] | None) -> tuple[str, str | None]:
    """This store's device id (made once) and where its clock resumes (None: no
    high-water mark yet), in one query."""
    with engine.connect() as conn:
        device, last = conn.exec_driver_sql(f"SELECT {_IDENTITY_SQL}").one()
    if device is None:
        device = _device_id(engine, on_wait)
    return str(device), last


def _high_water(engine: Engine, on_wait: Callable[[], None] | None) -> str:
    """Where the clock of a store without a high-water mark resumes: the highest version
    it holds anywhere, kept as its mark from now on (read once per store; see
    desktop/store/hlc.py for why the newest change-log row alone was not enough)."""
    try:
        with Session(engine) as session, session.begin():
            session.connection(execution_options={WRITE: on_wait or True})
            highest = highest_version(session.connection())
            if session.get(Meta, HIGH_WATER) is None:
                session.add(Meta(key=HIGH_WATER, value=highest))
            return highest
    except DBAPIError as exc:
        if failures.sqlite_code(exc) != 8:  # SQLITE_READONLY: read it, write it later
            raise
    with engine.connect() as conn:
        return highest_version(conn)


def _stamps(conn: Connection) -> tuple[str, str | None, str | None, str | None]:
    """The schema revision, device id, where the clock resumes (None: no high-water
    mark yet) and the event log's segments, in one query where it can.

    Why one: opening a store is on the way to a person's first screenful, and each
    statement through the engine costs a fraction of a millisecond. A new file, or one
    from before the tables it reads, answers the revision alone (device None).
    """
    try:
        revision, device, last, chain = conn.exec_driver_sql(
            f"SELECT (SELECT version_num FROM alembic_version), {_IDENTITY_SQL}, "
            f"{_CHAIN_SQL}").one()
    except OperationalError as exc:
        if "no such table" not in str(exc.orig):
            raise
        return migrate.stamped_revision(conn) or "", None, None, None
    return revision or "", device, last, chain


def _refuse_missing(path: Path) -> None:
    if not path.exists():
        raise EnvironmentProblem(
            f"There is no DipSample database at {path}. Check the path; 'dipsample demo' "
            "or 'dipsample import' create a new one."
        )
    if path.stat().st_size == 0:
        raise EnvironmentProblem(
            f"{path.name} is empty (0 bytes): it is not a DipSample database. "
            f"{backups.backup_hint(path).capitalize()}."
        )


def open_store(
    path: Path,
    *,
    passphrase: str | None = None,
    prompt: keys.PromptFn | None = keys.tty_prompt,
    upgrade: bool = True,
    create: bool = False,
    on_wait: Callable[[], None] | None = None,
    wall_ms: Callable[[], int] | None = None,
) -> Store:
    """Open the encrypted store at ``path``; with ``create``, make it if it does not exist.

    Why ``create`` is opt-in: ``check --db`` with a mistyped path used to build a new empty
    database and call it healthy. Only the commands that fill a store (``demo``,
    ``import``) and the window's "new store" make one, and only where no file exists.

    ``wall_ms`` is the physical time the store's hybrid clock reads (milliseconds, UTC;
    this computer's clock when None): tests open a store "hours behind" with it.

    Raises:
        NetworkPathRefused: the file is on a network share.
        KeyUnavailable / WrongKey: no key, or the key does not fit.
        DatabaseDamaged: the file is damaged (the latest backup is named).
        SchemaTooNew: written by a newer DipSample.
        EnvironmentProblem: missing or empty file without ``create``; integrity failure.
    """
    if is_network_path(path):  # the mount of the file, or of the folder it will be in
        raise NetworkPathRefused(
            f"{path} is on a network drive; SQLite is not safe there. Choose a local folder "
            "(sync to the network folder is separate)."
        )
    path = path.expanduser().resolve()
    if path.is_dir():
        raise EnvironmentProblem(f"{path} is a folder, not a database file.")
    existed = path.exists()
    if not create or existed:
        _refuse_missing(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(
            f"Cannot create the folder {path.parent}: {exc.strerror}"
        ) from None
    key = keys.resolve_key(path, passphrase=passphrase, prompt=prompt)
    if not existed:
        _create(path, key)
    _check_header(path)
    if not key.known_good:
        _verify_key(path, key)
    _make_private(path)
    engine = make_engine(path, key)
    try:
        try:
            with engine.connect() as conn:
                before, device, last, chain = _stamps(conn)
        except DBAPIError as exc:
            if failures.sqlite_code(exc) not in (11, 26):  # CORRUPT, NOTADB
                raise
            raise _unreadable(path, key, exc) from None
        revision, backup = before, None
        if upgrade and before != migrate.head_revision():
            backup = migrate.upgrade_if_needed(engine, path, key, on_wait, before or None)
            revision = migrate.current_revision(engine) or ""
            device, chain = None, None
        if device is None:
            device_id, last_version = _identity(engine, on_wait)
        else:
            device_id, last_version = device, last
        if last_version is None and revision == migrate.head_revision():
            last_version = _high_water(engine, on_wait)
        clock = HybridClock(device_id, wall_ms)
        clock.observe(last_version or "")
        chain_key = events.derive_chain_key(key.hex)
        if revision == migrate.head_revision():
            _prepare_chain(engine, chain_key, chain, on_wait)
    except BaseException as exc:
        engine.dispose()
        problem = failures.as_user_error(exc, path)
        if problem is not None and problem is not exc:
            raise problem from None
        raise
    recorder = ChangeRecorder(clock, device_id)
    recorder.saved_mark = clock.high_water()  # resuming is no news: nothing to save
    return Store(path=path, engine=engine, device_id=device_id,
                 recorder=recorder, key_source=key.source,
                 schema_revision=revision, backup_path=backup,
                 upgraded_from=before if revision != before else None, on_wait=on_wait,
                 chain_key=chain_key)
