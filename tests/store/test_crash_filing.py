"""The crash test of filing: ``ensgate file`` killed with SIGKILL at random instants against
the simulator running as a separate process (``ensgate simulate``), re-run each time, then
``ensgate pull``: the simulator processed every filing exactly once (its log), answered the
resends of in-flight filings from its duplicate detection, and the store agrees (one
outbound exchange per filing, acknowledged, registered with an MRN).
``tools/crash_filing.py`` runs a longer version."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from crash_filing import crash_and_check


def test_sigkill_while_filing_then_rerun_files_each_once(tmp_path: Path) -> None:
    # each kill falls within a quarter second of its run's first claim: on a quiet machine a
    # run files 60 filings in about 1.5 s, so a longer span lets runs finish before their kill
    report = crash_and_check(tmp_path, shipments=60, kills=4, seed=5, concurrency=4,
                             span=0.25)
    assert report.problems == []
    assert report.kills >= 3
    assert report.filings >= 55 and report.received == report.filings
    assert report.in_flight_at_kills >= 1  # the kills hit filings between claim and receipt
