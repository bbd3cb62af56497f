"""The crash test: ``ensgate translate`` into a SQLite store and an output folder, killed
with SIGKILL at 10 random points (seeded) and re-run each time, ends with the store and the
folder of a clean single run: same filings and LRNs, same XML (modulo issue time), same
rejects and indexes, nothing stored or filed twice, nothing missing.
``tools/crash_store.py`` runs a longer version."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from crash_store import crash_and_compare


def test_sigkill_at_random_points_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    report = crash_and_compare(tmp_path, shipments=1000, kills=10, window=150, seed=3)
    assert report.kills >= 10
    assert report.filings > 900
    assert report.differences == []
