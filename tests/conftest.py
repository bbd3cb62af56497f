"""Fixtures shared across test folders."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
