"""Engines, sessions and migrations.

``make_engine`` tunes SQLite (WAL, busy timeout, foreign keys, real transactions so
SAVEPOINT works) and gives RQ workers a ``NullPool`` so no pooled connection crosses a fork.
``upgrade(url)`` runs the Alembic migrations shipped in ``dispatch/migrations`` to head.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Dialect, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from dispatch.clock import as_utc

SQLITE_BUSY_TIMEOUT_MS = 10_000
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BEGIN_OPTION = "doorstep_sqlite_begin"  # execution option: BEGIN mode on SQLite
_SQLITE_MODE = "doorstep_sqlite_mode"
_SQLITE_WROTE = "doorstep_sqlite_wrote"


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored as
    naive UTC and the zone is put back on load. Naive input is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = as_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _tune_sqlite(engine: Engine) -> None:
    """Pragmas per connection, and BEGIN issued by us: pysqlite's own transaction handling
    would otherwise break SAVEPOINT (see SQLAlchemy's pysqlite notes)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
        connection.info[_SQLITE_MODE] = mode
        connection.info[_SQLITE_WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection: Any, _c: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            connection.info[_SQLITE_WROTE] = True


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer.

    On SQLite a transaction that reads and later writes fails at once with "database is
    locked" when another writer committed in between; ``BEGIN IMMEDIATE`` takes the write lock
    up front and waits (busy timeout) instead. A transaction that has only read so far is
    ended first; one that wrote is left alone (its changes must commit with the service's).
    On other databases this does nothing.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return  # the caller's own changes belong to this transaction
        info = session.connection().info
        if info.get(_SQLITE_WROTE, True) or info.get(_SQLITE_MODE) == "IMMEDIATE":
            return
        # Only reads so far: end that transaction (its snapshot may already be stale).
        session.commit()
    session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})


def advisory_lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (Python's ``hash()`` changes per process)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_for_transaction(session: Session, name: str) -> None:
    """Serialise transactions that name the same thing, until this one ends.

    On PostgreSQL a read-then-insert (e.g. "no open request for this phone yet, so add one")
    is not atomic: two transactions can both read "none". A transaction-scoped advisory lock
    makes the second wait for the first to commit. SQLite needs none: ``begin_write`` already
    lets one writer in at a time. Call it inside the service's transaction.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_lock_key(name)})


def make_engine(url: str, *, worker: bool = False, echo: bool = False) -> Engine:
    """An engine for ``url``; ``worker=True`` uses NullPool (safe across RQ's fork)."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if worker:
        kwargs["poolclass"] = NullPool
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        engine = create_engine(parsed, **kwargs)
        _tune_sqlite(engine)
        return engine
    kwargs["pool_pre_ping"] = True
    return create_engine(parsed, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (handy for answers built after a service)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str | None = None) -> Any:
    """The Alembic configuration, built in code (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation: a literal % must be doubled.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the migrations to ``revision`` (default: the newest)."""
    from alembic import command

    engine = make_engine(url, worker=True)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def make_revision(message: str, rev_id: str | None = None) -> None:
    """Write a new migration autogenerated from the models (a developer tool).

    Compares the models with a scratch SQLite database migrated to head, so no server is
    needed; review the file it writes before committing it.
    """
    import tempfile

    from alembic import command

    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/scratch.sqlite3"
        upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=rev_id)
