"""Fixtures for the authoring toolkit tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from _authoring_helpers import ROOT


@pytest.fixture()
def in_root() -> Iterator[Path]:
    """Run with the project root as working directory (specs cited as mappings/...)."""
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        yield ROOT
    finally:
        os.chdir(old)
