"""Helpers of the outbox tests (imported by name): stores translated from the shipped
samples (the demo PKI and the simulator over TLS are fixtures in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ensgate import TranslateOptions
from ensgate.connectors.simulator import Simulator
from ensgate.store import Store

ROOT = Path(__file__).resolve().parents[2]

CARGO_IMP = ROOT / "samples" / "cargo-imp"
OPTS = TranslateOptions(issued=datetime(2026, 11, 20, 8, tzinfo=UTC), today="2026-11-20")
Serve = Callable[..., tuple[Simulator, str]]


def translated(url: str, paths: list[Path] | None = None) -> Store:
    """A store holding the cargo-imp samples' filings, all ``ready``."""
    store = Store.open(url)
    store.translate(paths or [CARGO_IMP], None, OPTS)
    return store
