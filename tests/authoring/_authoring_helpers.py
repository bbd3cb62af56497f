"""Shared helpers for the authoring toolkit tests (``ensgate map ...``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).with_name("data")
SAMPLES = ROOT / "samples"


def marker_line(path: Path, marker: str) -> int:
    """1-based line of the ``# MARK <marker>`` comment in a test spec."""
    for i, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if f"MARK {marker}" in line:
            return i
    raise AssertionError(f"no MARK {marker} in {path}")


def builtin_spec_files() -> list[Path]:
    return sorted((ROOT / "mappings").glob("*.yaml"))
