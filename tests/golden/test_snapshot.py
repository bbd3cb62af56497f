"""The output guard (issue 13): every filing (XML and lineage digests), reject and diagnostic
on the golden cases, every sample folder, each noisy/problem file alone, a generated corpus,
and the store after one run over all of them, is byte-identical to the committed snapshot
(taken before the speed work). A change that alters any output makes this test red; re-bless
with ``python tools/output_snapshot.py --bless`` only after explaining the difference."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from output_snapshot import SNAPSHOT, dumps, snapshot  # noqa: E402

EXPECTED = Path(__file__).with_name("expected")


def test_outputs_and_diagnostics_are_byte_identical_to_the_snapshot() -> None:
    fresh = snapshot()
    committed = json.loads(SNAPSHOT.read_text("utf-8"))
    changed = sorted(k for k in committed.keys() | fresh.keys()
                     if committed.get(k) != fresh.get(k))
    assert changed == [], f"outputs changed in: {changed}"
    assert dumps(fresh) == SNAPSHOT.read_text("utf-8")


def test_snapshot_digests_the_independently_checked_golden_files() -> None:
    # the snapshot's XML digests of the golden cases are those of the reviewed golden files
    committed = json.loads(SNAPSHOT.read_text("utf-8"))
    checked = 0
    for case in sorted(p for p in EXPECTED.iterdir() if p.is_dir()):
        entry = committed[f"golden/{case.name}"]
        by_lrn = {f["lrn"]: f["xml"] for f in entry["filings"]}
        files = sorted(case.glob("*.xml"))
        assert sorted(by_lrn) == [f.stem for f in files]
        for f in files:
            assert by_lrn[f.stem] == hashlib.sha256(f.read_bytes()).hexdigest(), f
            checked += 1
    assert checked >= 13
