"""Shared helpers of the Cargo-IMP reader tests: the example files copied into tests/data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ensgate.readers._source import SourceMessage
from ensgate.readers.cargoimp import read_cargoimp

DATA = Path(__file__).parents[1] / "data" / "cargoimp"


@pytest.fixture
def example() -> Callable[[str], SourceMessage]:
    """Read one example file that holds exactly one message."""

    def read(name: str) -> SourceMessage:
        messages = read_cargoimp((DATA / name).read_bytes(), file=name)
        assert len(messages) == 1
        return messages[0]

    return read


@pytest.fixture
def read_text() -> Callable[..., list[SourceMessage]]:
    """Read an inline message (``\\n`` lines) as a file called ``t.txt``."""

    def read(text: str, *, file: str = "t.txt") -> list[SourceMessage]:
        return read_cargoimp(text.encode("utf-8"), file=file)

    return read
