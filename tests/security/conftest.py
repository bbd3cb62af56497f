"""Fixtures of the attack regression tests (issue 9): one demo PKI per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ensgate.connectors.as4 import EndpointCerts, simulator_certs, trader_certs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def trader(cert_dir: Path) -> EndpointCerts:
    return trader_certs(cert_dir)


@pytest.fixture(scope="session")
def customs_side(cert_dir: Path) -> EndpointCerts:
    return simulator_certs(cert_dir)


@pytest.fixture(scope="session")
def ens_xml() -> bytes:
    """A real ENS filing (a golden expected output of the pipeline)."""
    return sorted((ROOT / "tests" / "golden" / "expected").glob("*/*.xml"))[0].read_bytes()
