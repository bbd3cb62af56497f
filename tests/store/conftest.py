"""Store tests run on SQLite and on a real PostgreSQL server.

PostgreSQL: ``ENSGATE_TEST_POSTGRES_URL`` (default: the server on 127.0.0.1:5432, database
``ensgate_i10_test``, made and dropped by the session; each test gets a schema of its own).
The PostgreSQL cases skip when the server is unreachable, unless ``ENSGATE_REQUIRE_POSTGRES``
is set (``.ci/run`` sets it): then they fail. The PostgreSQL fixtures (``postgres_db``,
``pg_url``) live in tests/conftest.py, shared with the broker tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    yield request.getfixturevalue("pg_url")


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
