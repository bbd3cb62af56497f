"""Fixtures shared across test folders."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ensgate.ledger import InMemoryLedger


@pytest.fixture(scope="session")
def cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo PKI (``ensgate certs demo`` layout), made once per session."""
    from ensgate.seal import make_demo_certs

    os.environ.pop("ENSGATE_CERT_PASSWORD", None)
    folder = tmp_path_factory.mktemp("certs")
    make_demo_certs(folder)
    return folder


@pytest.fixture
def ledger() -> Iterator[Any]:
    """The in-memory ledger (the simulator's registry; the trader's own record is the
    shipment store, tested in tests/store)."""
    yield InMemoryLedger()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Session-scoped fixtures run before the per-test store below is set: they get a store
    of their own in a temporary folder, never the demo default in the repository."""
    folder = Path(tempfile.mkdtemp(prefix="ensgate-session-store-"))
    os.environ["ENSGATE__STORE"] = f"sqlite:///{folder / 'ensgate.db'}"


@pytest.fixture(autouse=True)
def _store_in_tmp(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo profile's store is a file in the current folder: tests never write into the
    repository, so every test gets its own store file under a temporary folder (a CLI run in
    a subprocess inherits it through the environment)."""
    folder = tmp_path_factory.mktemp("store")
    monkeypatch.setenv("ENSGATE__STORE", f"sqlite:///{folder / 'ensgate.db'}")


# -- PostgreSQL (the store tests and the broker tests) ----------------------------------------
# ENSGATE_TEST_POSTGRES_URL (default: the server on 127.0.0.1:5432, database ensgate_i10_test,
# made and dropped by the session; each test gets a schema of its own). The PostgreSQL cases
# skip when the server is unreachable, unless ENSGATE_REQUIRE_POSTGRES is set (.ci/run): fail.
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/ensgate_i10_test"


@pytest.fixture(scope="session")
def postgres_db() -> Iterator[str]:
    """A fresh PostgreSQL database for the session (dropped at the end)."""
    url = make_url(os.environ.get("ENSGATE_TEST_POSTGRES_URL", DEFAULT_PG))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = url.database
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("ENSGATE_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required (ENSGATE_REQUIRE_POSTGRES) but not usable at "
                        f"{url.render_as_string(hide_password=True)}: {exc}")
        pytest.skip(f"no PostgreSQL server: {exc}")
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _postgres_schema(base: str) -> Iterator[str]:
    schema = "t_" + uuid.uuid4().hex[:12]
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()



@pytest.fixture
def pg_url(postgres_db: str) -> Iterator[str]:
    """An empty PostgreSQL store URL: a schema of the test's own in the session's database."""
    yield from _postgres_schema(postgres_db)
