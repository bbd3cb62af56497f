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
