"""Fixtures shared across test folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ensgate.ledger import InMemoryLedger, SqliteLedger


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Each ledger implementation in turn: in memory, and SQLite in a fresh file."""
    if request.param == "memory":
        yield InMemoryLedger()
    else:
        with SqliteLedger(tmp_path / "ledger.sqlite") as db:
            yield db


@pytest.fixture(autouse=True)
def _store_in_tmp(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo profile's store is a file in the current folder: tests never write into the
    repository, so every test gets its own store file under a temporary folder (a CLI run in
    a subprocess inherits it through the environment)."""
    folder = tmp_path_factory.mktemp("store")
    monkeypatch.setenv("ENSGATE__STORE", f"sqlite:///{folder / 'ensgate.db'}")
