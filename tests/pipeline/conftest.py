from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ensgate import TranslateOptions

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
ISSUED = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)


@pytest.fixture
def options() -> TranslateOptions:
    """Reproducible runs: fixed issue time; year-less dates anchored on the same day."""
    return TranslateOptions(issued=ISSUED, today="2026-11-20")
