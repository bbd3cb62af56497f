"""Fixtures for the AS4 tests: a demo PKI made per session, real ENS filings translated from
the shipped samples, and a simulator wired to them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from _as4_helpers import make_settings
from click.testing import CliRunner

from ensgate.cli import main
from ensgate.connectors.as4 import (
    As4Client,
    EndpointCerts,
    receiver_transport,
    simulator_certs,
    trader_certs,
)
from ensgate.connectors.simulator import Simulator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def trader(cert_dir: Path) -> EndpointCerts:
    return trader_certs(cert_dir)


@pytest.fixture(scope="session")
def customs_side(cert_dir: Path) -> EndpointCerts:
    return simulator_certs(cert_dir)


@pytest.fixture(scope="session")
def ens_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """ENS filings made by ``ensgate translate samples/cargo-imp`` (the documented route)."""
    out = tmp_path_factory.mktemp("ens")
    store = f"sqlite:///{out / 'store.db'}"
    result = CliRunner().invoke(main, ["translate", str(ROOT / "samples" / "cargo-imp"),
                                       "--out", str(out), "-q", "--store", store])
    assert result.exit_code in (0, 1), result.output
    files = sorted(out.glob("*.xml"))
    assert files, "translate produced no filing"
    return files


@pytest.fixture(scope="session")
def ens_file(ens_files: list[Path]) -> Path:
    return ens_files[0]


@pytest.fixture
def simulator(customs_side: EndpointCerts) -> Simulator:
    return Simulator(identity=customs_side.identity, trust=customs_side.trust)


@pytest.fixture
def client_for(trader: EndpointCerts) -> Iterator[Callable[..., As4Client]]:
    """An in-process client talking to a simulator (no sockets) through the shipped
    ``receiver_transport``."""
    made: list[As4Client] = []

    def make(sim: Simulator | httpx.BaseTransport, **over: object) -> As4Client:
        transport = sim if isinstance(sim, httpx.BaseTransport) else receiver_transport(sim)
        client = As4Client(make_settings(trader, **over), transport=transport,
                           sleep=lambda s: None)
        made.append(client)
        return client

    yield make
    for c in made:
        c.close()

