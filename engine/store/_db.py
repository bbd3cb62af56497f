"""Connecting to the store's database and bringing its schema to the current revision.

SQLite (the embedded default): WAL journal, ``synchronous=FULL`` (a committed window survives
a power loss: one fsync per window), ``busy_timeout`` (a second process waits for the lock
instead of failing), foreign keys on, and every write unit opens with ``BEGIN IMMEDIATE`` so
that concurrent runs on one file take turns per unit instead of failing on an upgrade of a
read lock. PostgreSQL (production): READ COMMITTED; a unit locks the shipment rows it assembles
(``SELECT ... FOR UPDATE`` in key order) so that several workers on one store assemble and
file a shipment exactly once (``docs/store.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from ..diagnostics import ConfigError

BUSY_TIMEOUT_MS = 60_000
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the store's connection settings."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"store: {url!r} is not a database URL ({exc})") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, memory=parsed.database in (None, "", ":memory:"))
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # executemany without "insertmanyvalues": psycopg pipelines one prepared statement
        # (2-4x faster here than one giant VALUES statement per 1,000 rows, which psycopg
        # parses anew); the store reads ids back with a SELECT instead of RETURNING
        return create_engine(parsed, isolation_level="READ COMMITTED", pool_pre_ping=True,
                             use_insertmanyvalues=False)
    raise ConfigError(f"store: {backend!r} databases are not supported; use sqlite:///FILE "
                      "or postgresql+psycopg://USER@HOST/DB")


def _sqlite_engine(url: str, *, memory: bool) -> Engine:
    kwargs: dict[str, Any] = {}
    if memory:  # one connection, shared: an in-memory database lives in its connection
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        parsed = make_url(url)
        if parsed.database:
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not memory:
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _alembic_config(connection: Any) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    script = ScriptDirectory.from_config(_alembic_config(None))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (one transaction; concurrent openers take turns)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # one migrator at a time across processes (a transaction-scoped advisory lock)
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4812374923)")
        if MigrationContext.configure(conn).get_current_revision() == head_revision() and \
                revision == "head":
            return
        command.upgrade(_alembic_config(conn), revision)
