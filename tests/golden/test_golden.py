"""Golden tests: source messages -> expected ENS XML, byte for byte."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from golden import EXPECTED, cases, run_case

CASES = cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_case(name: str) -> None:
    result = run_case(CASES[name])
    assert not result.rejects, [r.reason for r in result.rejects]
    folder = EXPECTED / name
    expected = {p.name: p.read_bytes() for p in folder.glob("*.xml")}
    produced = {f"{f.lrn}.xml": f.xml for f in result.filings}
    assert sorted(produced) == sorted(expected)
    for fname, xml in produced.items():
        assert xml == expected[fname], f"{name}/{fname} differs: run tools/bless_golden.py " \
                                       "and review the diff"
