"""A hub that hands over one message at a time gets the filings of one batch: on every sample
folder, the messages ingested alone in file order give the same filings (LRN, type, XML) as
the folder translated in one run."""

from __future__ import annotations

from pathlib import Path

import pytest
from _store_helpers import SAMPLES, T0, one_message_inputs, options

from ensgate.store import Store

FOLDERS = ["cargo-imp", "cargo-xml", "edifact", "noisy", "problems", "x12"]


def _filings(store: Store) -> dict[str, tuple[str, str, bytes]]:
    out = {}
    for row in store.filings():
        if row.state != "superseded":
            out[row.lrn] = (row.filing, row.shipment, row.xml)
    return out


@pytest.mark.parametrize("folder", FOLDERS)
def test_one_message_at_a_time_equals_the_batch(folder: str, tmp_path: Path) -> None:
    opts = options(now=T0)
    with Store.open(f"sqlite:///{tmp_path / 'batch.db'}") as batch:
        batch.translate([SAMPLES / folder], None, opts)
        expected = _filings(batch)
        expected_pending = {p["key"]: p["waiting_for"] for p in batch.report()["pending"]}
    inputs = one_message_inputs(SAMPLES / folder)
    with Store.open(f"sqlite:///{tmp_path / 'one.db'}") as one:
        for data, name in inputs:
            one.ingest(data, name, now=T0, options=opts)
        got = _filings(one)
        got_pending = {p["key"]: p["waiting_for"] for p in one.report()["pending"]}
    assert set(got) == set(expected)
    for lrn, (filing, shipment, xml) in expected.items():
        assert got[lrn][:2] == (filing, shipment), lrn
        assert got[lrn][2] == xml, lrn
    assert got_pending == expected_pending
    if folder in ("cargo-imp", "noisy", "cargo-xml", "edifact", "x12"):
        assert expected, "the folder gives filings"
    # the split really fed single messages where the format allows it
    if folder in ("cargo-imp", "noisy"):
        assert len(inputs) == sum(1 for _ in (SAMPLES / folder).glob("*.txt")) + (
            0 if folder == "cargo-imp" else 10)


@pytest.mark.parametrize("group", [2, 3, 5])
def test_grouping_does_not_decide(group: int, tmp_path: Path) -> None:
    """The Cargo-IMP samples handed over in groups of 1, 2, 3 or 5 messages per call (same
    order) give the same filings: decisions depend on a shipment's messages and the clock,
    never on how they were cut into calls."""
    opts = options(now=T0)
    inputs = one_message_inputs(SAMPLES / "cargo-imp")
    results = []
    for size in (1, group):
        with Store.open(f"sqlite:///{tmp_path / f'{size}.db'}") as st:
            for i in range(0, len(inputs), size):
                part = inputs[i:i + size]
                st.ingest(b"\n\n".join(d.rstrip(b"\n") + b"\n" for d, _ in part),
                          "+".join(n for _, n in part), now=T0, options=opts)
            results.append(_filings(st))
    assert results[0] == results[1] and len(results[0]) == 5  # S1-S3, S5, S6 (S4 waits)
