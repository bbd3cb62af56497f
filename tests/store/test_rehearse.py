"""The README's main command: ``ensgate rehearse samples/`` runs translate -> file -> pull
against the simulator in-process over two-way TLS, with demo certificates made on the fly,
and prints every shipment's filing with its state and MRN; with the Do-Not-Load scenario it
exits 4 and names the AWB."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ensgate.cli import main
from ensgate.store import Store

ROOT = Path(__file__).resolve().parents[2]


def test_rehearse_samples_prints_every_filing_with_its_mrn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ENSGATE__STORE")  # the demo profile's store: ensgate.db, here
    res = CliRunner().invoke(main, ["rehearse", str(ROOT / "samples")],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "ensgate.db").is_file()
    with Store.open("sqlite:///ensgate.db") as store:
        filings = [f for f in store.filings() if f.state != "superseded"]
        report = store.report()
    n = len(filings)
    assert n >= 16 and {f.state for f in filings} == {"registered"}
    # samples/problems is refused, not filed: the count printed is the store's
    rejected = int(re.search(r"(\d+) rejected", res.output).group(1))  # type: ignore[union-attr]
    assert rejected >= 10 and rejected == report["messages"]["rejected"]
    assert f"{n} filings to the simulator" in res.output and f"{n} receipt" in res.output
    assert f"{n} answers ({n} IE3R01)" in res.output
    for f in filings:  # each line: AWB, type, LRN, state, MRN as the store has them
        assert re.search(rf"{f.shipment}\s.*{f.lrn}\s.*registered\s.*{f.mrn}", res.output)
    assert (tmp_path / "out" / f"{filings[0].lrn}.xml").is_file()
    again = CliRunner().invoke(main, ["rehearse", str(ROOT / "samples")],
                               catch_exceptions=False)
    assert again.exit_code == 0 and "0 filings to the simulator" in again.output
    read = int(re.search(r"translate: (\d+) messages", res.output).group(1))  # type: ignore[union-attr]
    assert f"{read} duplicates" in again.output


def test_rehearse_do_not_load_exits_4(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, [
        "rehearse", str(ROOT / "samples" / "cargo-imp"), "--scenario", "do-not-load",
        "--store", f"sqlite:///{tmp_path / 'dnl.db'}", "--out", str(tmp_path / "out")],
        catch_exceptions=False)
    assert res.exit_code == 4, res.output
    alarms = [x for x in res.output.splitlines() if x.startswith("ALARM do-not-load")]
    assert len(alarms) >= 4 and any("AWB 781-60482133" in a for a in alarms)
