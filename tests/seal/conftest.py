"""Fixtures of the sealing tests: one demo PKI per session (RSA key generation is slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ensgate.seal import (
    DemoCerts,
    SealIdentity,
    TrustStore,
    load_identity,
    load_trust,
    make_demo_certs,
)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoCerts:
    return make_demo_certs(tmp_path_factory.mktemp("seal-demo"))


@pytest.fixture(scope="session")
def seal_id(demo: DemoCerts) -> SealIdentity:
    return load_identity(demo.seal_p12, password=demo.password)


@pytest.fixture(scope="session")
def customs_id(demo: DemoCerts) -> SealIdentity:
    return load_identity(demo.customs_seal_p12, password=demo.password)


@pytest.fixture(scope="session")
def trust(demo: DemoCerts) -> TrustStore:
    return load_trust(demo.ca)


@pytest.fixture(scope="session")
def ens_xml() -> bytes:
    """A real ENS filing produced by the pipeline (golden expected output)."""
    root = Path(__file__).resolve().parents[1] / "golden" / "expected"
    return sorted(root.glob("*/*.xml"))[0].read_bytes()
