"""The public surface of the store, the ICS2 territory table, and how ``translate`` talks to
a terminal and to a log: a progress bar on a terminal, plain log lines otherwise, diagnostics
on stderr without hard wrapping."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from _store_helpers import SAMPLES
from rich.console import Console

import ensgate
from ensgate.cli_store import progress_for
from ensgate.mapping._transforms import TRANSFORMS, Notes
from ensgate.territory import EU_MEMBER_STATES, ICS2_TERRITORY, territory_table
from ensgate.validate.rules import RuleConfig


def test_ensgate_exports_the_store_lazily() -> None:
    assert {"Store", "IngestResult", "translate_to_folder"} <= set(ensgate.__all__)
    assert sorted(ensgate.__all__) == sorted(set(ensgate.__all__))
    code = ("import sys, ensgate; assert 'sqlalchemy' not in sys.modules; "
            "from ensgate import Store; assert 'sqlalchemy' in sys.modules; print(Store.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "Store"


def test_one_territory_table_for_mapping_rules_and_store() -> None:
    table = territory_table()
    assert len(EU_MEMBER_STATES) == 27 and "GR" in EU_MEMBER_STATES and "EL" not in table
    assert EU_MEMBER_STATES | {"XI", "CH", "NO"} == ICS2_TERRITORY
    assert all(table[c].basis.startswith("[I]") for c in ("XI", "CH", "NO"))
    assert RuleConfig().eu_member_states == ICS2_TERRITORY
    first = TRANSFORMS["first_eu_airport"].func
    assert first(["HKG", "ZRH", "FRA"], Notes()) == "ZRH"  # Switzerland applies ICS2
    assert first(["JFK", "BFS"], Notes()) == "BFS"  # Belfast: Northern Ireland (XI)...
    assert first(["JFK", "LHR"], Notes()) is None  # ... not Great Britain
    assert TRANSFORMS["airport_country"].func("BFS", Notes()) == "GB"  # UN/LOCODE GBBFS


def test_progress_bar_on_a_terminal(monkeypatch: object) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    clock = iter([0.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0])
    import ensgate.cli_store as cli_store

    monkeypatch.setattr(cli_store.time, "monotonic", lambda: next(clock, 3.0))  # type: ignore[attr-defined]
    with progress_for((str(SAMPLES / "cargo-imp"),), console, quiet=False) as tick:
        tick({"bytes": 1000, "messages": 22, "filings": 4, "rejects": 6})
    out = buffer.getvalue()
    assert "22 msgs" in out and "4 filings" in out and "6 rejects" in out


def test_plain_log_lines_when_not_a_terminal(monkeypatch: object) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, width=40)
    clock = iter([0.0, 0.5, 2.0])
    import ensgate.cli_store as cli_store

    monkeypatch.setattr(cli_store.time, "monotonic", lambda: next(clock, 2.0))  # type: ignore[attr-defined]
    with progress_for(("x",), console, quiet=False) as tick:
        tick({"bytes": 10, "messages": 5, "filings": 1, "rejects": 0})  # under a second: quiet
        tick({"bytes": 20, "messages": 2000, "filings": 998, "rejects": 2})
    lines = buffer.getvalue().splitlines()
    assert lines == ["ensgate: 2000 messages (1000/s), 998 filings, 2 rejects"]


def test_diagnostics_go_to_stderr_unwrapped(tmp_path: Path) -> None:
    bad = SAMPLES / "problems" / "missing-rtg-fwb17-160-52991024-hkg-ams.txt"
    done = subprocess.run(
        [sys.executable, "-c", "from ensgate.cli import main; main()", "translate", str(bad),
         "--out", str(tmp_path / "out"), "--store", f"sqlite:///{tmp_path / 's.db'}"],
        capture_output=True, text=True, check=False, env={"COLUMNS": "40", "PATH": ""})
    assert done.returncode == 1
    rejected = [ln for ln in done.stderr.splitlines() if ln.startswith("rejected ")]
    assert len(rejected) == 1 and rejected[0].endswith("IMP010 mandatory line RTG missing")
    assert "IMP010" not in done.stdout  # stdout keeps the summary table


NOT_ENS = {
    "FSU/14": "IMP002", "FSA/14": "IMP002", "FNA/1": "IMP002", "FMA": "IMP002",
    "FSR/5": "IMP003", "FBL/3": "IMP003", "FFA/4": "IMP003",
    # Type-B messages of other domains, first line without a version (AHM) [I]
    "MVT": "IMP003", "LDM": "IMP003", "CPM": "IMP003", "UCM": "IMP003",
}


def test_non_ens_iata_messages_are_routed_never_rejected() -> None:
    from ensgate import translate_bytes

    for ident, code in NOT_ENS.items():
        result = translate_bytes(f"{ident}\nKL1234/12.PHBXA.AMS\n".encode(), file=ident)
        assert [r.message.kind for r in result.not_ens] == [ident.split("/")[0]], ident
        assert code in {d.code for d in result.not_ens[0].diagnostics}, ident
        assert result.rejects == [] and result.ok, ident
