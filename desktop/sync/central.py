"""The central PostgreSQL target: the same sealed bundles, in a table with a server order.

Why bundles and not the domain tables: the engine, its merge and its guarantees are
then one code for both targets, and the server holds nothing it can read (the bundles
are sealed with the organisation key). A QA install pointed at the database pulls
every auditor's bundles into its own store and reports from there.

Push is idempotent: a bundle's id derives from its content, so a resend after a lost
acknowledgement is ``ON CONFLICT DO NOTHING``. Pull reads everything after the last
server number it applied.

Why the pull cursor cannot skip: sequence values are handed out when a transaction
asks, not when it commits, so with a plain sequence a reader could see number 8
committed while 7 is still in flight and move its cursor past 7 for ever. Here each
push takes one transaction-scoped advisory lock before it numbers its bundle, and
holds it until it commits: numbers are assigned and committed one push at a time, in
order, so whatever a reader sees is a complete prefix
(tests/unit/sync/test_central.py, two concurrent pushers).

Credentials: the URL never carries a password (one given is refused with a hint);
the password comes from the keyring, under the URL's user, host, port and database.
``sslmode`` and the other libpq options pass through in the URL's query.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

import keyring
import keyring.errors
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from desktop.errors import EnvironmentProblem, InputProblem
from desktop.services.auth.urls import refuse_password_in_url
from desktop.sync import central_migrate
from desktop.sync.pause import test_pause

#: The keyring service of database passwords.
PASSWORD_SERVICE = "DipSample database"
#: The schema the central tables live in unless the URL says ``?schema=...``.
DEFAULT_SCHEMA = "dipsample_sync"
#: The advisory lock every push holds while numbering and committing its bundle.
PUSH_LOCK = 0x44495053  # "DIPS"
#: The schema name placeholder the tables are declared with.
PLACEHOLDER = "central"

#: The tables as the queries see them; made and changed only by the Alembic scripts in
#: ``central_schema/`` (:mod:`desktop.sync.central_migrate`), which these must follow.
metadata = MetaData(schema=PLACEHOLDER)
bundles = Table(
    "bundles", metadata,
    Column("server_seq", BigInteger, primary_key=True, autoincrement=False),
    Column("bundle_id", String(200), nullable=False, unique=True),
    Column("device", String(36), nullable=False, index=True),
    Column("data", LargeBinary, nullable=False),
)

snapshots = Table(
    "snapshots", metadata,
    Column("snapshot_id", String(200), primary_key=True),
    Column("device", String(36), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def parse_url(url: str) -> tuple[URL, str]:
    """The URL for SQLAlchemy (psycopg 3) and the schema; refuses a password in it,
    also as a ``password=`` parameter (libpq would read it)."""
    refuse_password_in_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputProblem("The database URL is not valid: postgresql://user@host:5432/dbname"
                           ) from None
    if not parsed.drivername.startswith("postgresql"):
        raise InputProblem("The central database must be PostgreSQL (postgresql://...).")
    if parsed.password is not None:
        raise InputProblem(
            "Do not put the password in the URL (command lines and settings are readable by "
            "others); store it in the keyring with 'dipsample sync password --database "
            "URL' and give the URL without it.")
    query = dict(parsed.query)
    schema = str(query.pop("schema", DEFAULT_SCHEMA))
    if not _SCHEMA_NAME.match(schema):
        raise InputProblem("The schema name may hold lower-case letters, digits and _.")
    return parsed.set(drivername="postgresql+psycopg", query=query), schema


def names(url: str) -> tuple[str, str]:
    """The identity of the database ``url`` names (host, port, database, schema: what
    this store records its delivery under) and its label (what the log calls it)."""
    parsed, schema = parse_url(url)
    host = parsed.host or "localhost"
    return (f"database:{host}:{parsed.port or 5432}/{parsed.database}/{schema}",
            f"database:{host}/{parsed.database}/{schema}")


def password_entry(url: URL) -> str:
    return f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def store_password(url: str, password: str) -> None:
    parsed, _ = parse_url(url)
    keyring.set_password(PASSWORD_SERVICE, password_entry(parsed), password)


def _with_password(url: URL) -> URL:
    try:
        password = keyring.get_password(PASSWORD_SERVICE, password_entry(url))
    except keyring.errors.KeyringError:
        password = None
    return url if password is None else url.set(password=password)


@dataclass
class DatabaseTarget:
    engine: Engine
    schema: str
    device: str
    label: str
    #: The last server number applied here (the engine loads and saves it).
    cursor: int = 0
    #: The highest server number :meth:`listed` returned.
    seen: int = 0
    #: The schema was found (or made) current by :meth:`check`.
    ready: bool = False
    #: What :meth:`listed` read last: (server number, bundle id, device), in order.
    rows: list[tuple[int, str, str]] = field(default_factory=list)
    #: What this store records the database's delivery under: host, port, database
    #: and schema (not the user: two roles on one database are one target).
    identity: str = ""

    @property
    def cursor_key(self) -> str:
        return f"sync.cursor.{self.label}"[:60]

    @classmethod
    def connect(cls, url: str, device: str) -> DatabaseTarget:
        parsed, schema = parse_url(url)
        engine = create_engine(_with_password(parsed), hide_parameters=True,
                               pool_pre_ping=True, connect_args={"connect_timeout": 10})
        engine = engine.execution_options(schema_translate_map={PLACEHOLDER: schema})
        where, label = names(url)
        return cls(engine, schema, device, label, identity=where)

    def close(self) -> None:
        self.engine.dispose()

    def _problem(self, exc: DBAPIError) -> EnvironmentProblem:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        return EnvironmentProblem(f"The central database is not reachable: {detail[:200]}")

    def tidy(self) -> None:
        """Nothing to tidy: a push cut off half way is a transaction rolled back."""

    def check(self, write: bool = True) -> None:
        """The database answers, and its schema is this build's (made or upgraded with
        Alembic on first use, :mod:`desktop.sync.central_migrate`)."""
        try:
            if self.ready:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")
            elif not central_migrate.is_current(self.engine, self.schema):
                central_migrate.upgrade(self.engine, self.schema)
        except DBAPIError as exc:
            raise self._problem(exc) from None
        self.ready = True

    def push(self, name: str, data: bytes) -> str:
        bundle_id = f"{self.device}/{name}"
        try:
            with self.engine.begin() as conn:
                conn.execute(select(func.pg_advisory_xact_lock(PUSH_LOCK)))
                if conn.scalar(select(bundles.c.server_seq).where(
                        bundles.c.bundle_id == bundle_id)) is not None:
                    return bundle_id  # held already: a resend is a no-op
                number = (conn.scalar(select(func.max(bundles.c.server_seq))) or 0) + 1
                conn.execute(pg_insert(bundles).values(
                    server_seq=number, bundle_id=bundle_id, device=self.device, data=data
                ).on_conflict_do_nothing(index_elements=["bundle_id"]))
                test_pause("central-insert")
        except DBAPIError as exc:
            raise self._problem(exc) from None
        return bundle_id

    def target_time(self) -> dt.datetime:
        """The server's clock (``now()``), for desktop/sync/skew.py."""
        try:
            with self.engine.connect() as conn:
                now = conn.scalar(select(func.now()))
        except DBAPIError as exc:
            raise self._problem(exc) from None
        assert isinstance(now, dt.datetime)  # PostgreSQL's now() is a timestamptz
        return now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)

    def own_bundles(self) -> list[str]:
        """The bundles under this device's id (to notice a copied store)."""
        try:
            with self.engine.connect() as conn:
                return list(conn.scalars(select(bundles.c.bundle_id).where(
                    bundles.c.device == self.device)))
        except DBAPIError as exc:
            raise self._problem(exc) from None

    def push_snapshot(self, name: str, data: bytes) -> str:
        snapshot_id = f"{self.device}/{name}"
        try:
            with self.engine.begin() as conn:
                conn.execute(pg_insert(snapshots).values(
                    snapshot_id=snapshot_id, device=self.device, data=data
                ).on_conflict_do_nothing(index_elements=["snapshot_id"]))
        except DBAPIError as exc:
            raise self._problem(exc) from None
        return snapshot_id

    def latest_snapshot(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                ids = list(conn.scalars(select(snapshots.c.snapshot_id)))
        except DBAPIError as exc:
            raise self._problem(exc) from None
        return max(ids, key=lambda s: (s.split("/", 1)[1], s), default=None)

    def fetch_snapshot(self, snapshot_id: str) -> bytes | None:
        return self._data(select(snapshots.c.data).where(
            snapshots.c.snapshot_id == snapshot_id))

    def listed(self) -> list[str]:
        """The other devices' bundles after the cursor, read in one statement (one
        snapshot: a complete prefix, see the module docstring)."""
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(select(bundles.c.server_seq, bundles.c.bundle_id,
                                           bundles.c.device).where(
                    bundles.c.server_seq > self.cursor).order_by(bundles.c.server_seq)).all()
        except DBAPIError as exc:
            raise self._problem(exc) from None
        self.seen = max([self.cursor, *(seq for seq, _, _ in rows)])
        self.rows = [(int(seq), str(b), str(d)) for seq, b, d in rows]
        return [bundle_id for _, bundle_id, device in rows if device != self.device]

    def settled(self, done: Container[str]) -> int:
        """The cursor to keep after a pull: the last server number before the first
        bundle of :meth:`listed` that is neither done here (applied or set aside, as
        ``done`` says) nor this device's own.

        Why not simply the highest number seen: a bundle rejected now (torn, altered,
        restored later) would then never be listed again (issue 21, item 2)."""
        cursor = self.cursor
        for seq, bundle_id, device in self.rows:
            if device != self.device and bundle_id not in done:
                return cursor
            cursor = seq
        return cursor

    def fetch(self, bundle_id: str) -> bytes | None:
        return self._data(select(bundles.c.data).where(bundles.c.bundle_id == bundle_id))

    def _data(self, query: Any) -> bytes | None:
        """The sealed bytes ``query`` selects, or None."""
        try:
            with self.engine.connect() as conn:
                data: Any = conn.scalar(query)
        except DBAPIError as exc:
            raise self._problem(exc) from None
        return None if data is None else bytes(data)
