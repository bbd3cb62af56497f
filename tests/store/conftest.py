"""Store tests run on SQLite and on a real PostgreSQL server.

PostgreSQL: ``ENSGATE_TEST_POSTGRES_URL`` (default: the server on 127.0.0.1:5432, database
``ensgate_i10_test``, made and dropped by the session; each test gets a schema of its own).
The PostgreSQL cases skip when the server is unreachable, unless ``ENSGATE_REQUIRE_POSTGRES``
is set (``.ci/run`` sets it): then they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/ensgate_i10_test"
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


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


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    yield from _postgres_schema(request.getfixturevalue("postgres_db"))


@pytest.fixture
def pg_url(postgres_db: str) -> Iterator[str]:
    yield from _postgres_schema(postgres_db)


# -- the outbox tests: the simulator over real two-way TLS (cert_dir: tests/conftest.py) ------
@pytest.fixture
def serve(cert_dir: Path) -> Iterator[Any]:
    """``serve(scenario)``: a simulator on https://127.0.0.1:<port>/ (two-way TLS, in a
    thread), and its URL."""
    from ensgate.answers import Scenario, SimulatedCustoms
    from ensgate.connectors.as4 import BackgroundServer, simulator_certs
    from ensgate.connectors.simulator import Simulator

    running: list[BackgroundServer] = []
    found = simulator_certs(cert_dir)

    def start(scenario: Scenario = Scenario.ACCEPT) -> tuple[Simulator, str]:
        sim = Simulator(identity=found.identity, trust=found.trust,
                        customs=SimulatedCustoms(scenario=scenario, mrn_seed=7))
        server = BackgroundServer(sim.app, tls=found.tls)
        server.start()
        running.append(server)
        return sim, server.url

    yield start
    for server in running:
        server.stop()
