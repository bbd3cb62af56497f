"""Shared by the golden test and tools/bless_golden.py: run one case reproducibly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from ensgate import BatchResult, TranslateOptions, translate

ROOT = Path(__file__).resolve().parents[2]
CASES_FILE = Path(__file__).with_name("cases.yaml")
EXPECTED = Path(__file__).with_name("expected")
ISSUED = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)


def cases() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(CASES_FILE.read_text("utf-8"))
    return data


def run_case(case: dict[str, Any]) -> BatchResult:
    files: list[Path] = []
    for pattern in case["inputs"]:
        files.extend(sorted(ROOT.glob(pattern)))
    assert files, f"no input matches {case['inputs']}"
    return translate(files, TranslateOptions(issued=ISSUED, today="2026-11-20",
                                             filing=case.get("filing")))
