"""Due times of filings from their flight (ensgate.deadlines, Delegated Regulation 2015/2446
Art. 106) on real sample shipments, kept in the store and reported late or at risk.

Expected times are worked out here from the FFM lines and the airports' UTC offsets, not
read back from the code:
- KE0933 ICN 18NOV 12:55 (KST, UTC+9) -> VIE 18NOV 18:30 (CET, UTC+1): departs 03:55Z,
  arrives 17:30Z, a 13 h 35 min flight;
- TK6389 IST 19NOV 02:15 (UTC+3) -> WAW 19NOV 03:20 (CET, UTC+1): departs 18NOV 23:15Z,
  arrives 19NOV 02:20Z, a 3 h 5 min flight (under 4 hours)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from ensgate import TranslateOptions
from ensgate.cli import main
from ensgate.config import load_config
from ensgate.deadlines import default_deadlines, due_for, parse_deadlines, urgency
from ensgate.diagnostics import ConfigError
from ensgate.store import Store

ROOT = Path(__file__).resolve().parents[2]
KE0933 = sorted((ROOT / "samples" / "cargo-imp").glob("s3-*"))  # FWB 180-88351270 + FFM
TK6389 = sorted((ROOT / "samples" / "noisy").glob("*ist-waw*"))  # FWB 235-66273815 + FFM
ICN_DEP = datetime(2026, 11, 18, 3, 55, tzinfo=UTC)
VIE_ARR = datetime(2026, 11, 18, 17, 30, tzinfo=UTC)
IST_DEP = datetime(2026, 11, 18, 23, 15, tzinfo=UTC)


def opts(filing: str | None = None) -> TranslateOptions:
    return TranslateOptions(issued=datetime(2026, 11, 17, 8, tzinfo=UTC), today="2026-11-17",
                            filing=filing)


def due_times(url: str, files: list[Path], filing: str | None = None) -> dict[str, str]:
    with Store.open(url) as store:
        store.translate(files, None, opts(filing))
        return {f.shipment: store.status(f.lrn)["filings"][-1]["due_at"]  # type: ignore[index]
                for f in store.filings() if f.state != "superseded"}


def z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_pre_loading_filings_are_due_at_departure(tmp_path: Path) -> None:
    # F28 (complete dataset pre-loading, direct AWB): before loading, whatever the length
    found = due_times(f"sqlite:///{tmp_path / 'a.db'}", KE0933 + TK6389)
    assert found == {"180-88351270": z(ICN_DEP), "235-66273815": z(IST_DEP)}


def test_pre_arrival_filings_depend_on_the_flight_length(tmp_path: Path) -> None:
    # F29 (complete dataset pre-arrival, direct AWB): 4 h before arrival for the long flight,
    # by departure for the flight under 4 hours
    found = due_times(f"sqlite:///{tmp_path / 'b.db'}", KE0933 + TK6389, "F29")
    assert found == {"180-88351270": z(VIE_ARR - timedelta(hours=4)),
                     "235-66273815": z(IST_DEP)}


def test_placi_due_time_follows_the_ffm_that_comes_later(store_url: str) -> None:
    """Houses whose master FWB has not come file a PLACI F26 after the wait, with no flight
    known: no due time. The FFM (MU0553 PVG 17NOV 01:35, UTC+8: 16NOV 17:35Z) gives it one;
    a revised FFM (a day later) moves it."""
    t0 = datetime(2026, 11, 16, 8, tzinfo=UTC)
    fhl = sorted((ROOT / "samples" / "cargo-imp").glob("s1-fhl*"))
    ffm = next((ROOT / "samples" / "cargo-imp").glob("s1-ffm*"))

    def at(hours: int) -> TranslateOptions:
        return TranslateOptions(issued=t0, today="2026-11-16", now=t0 + timedelta(hours=hours))

    with Store.open(store_url) as store:
        store.translate(fhl, None, at(0))
        store.sweep(t0 + timedelta(hours=2))
        (f,) = store.status("781-60482133")["filings"]  # type: ignore[index]
        assert (f["type"], f["due_at"]) == ("IE3F26", None)
        store.translate([ffm], None, at(3))
        (f,) = store.status("781-60482133")["filings"]  # type: ignore[index]
        assert f["due_at"] == "2026-11-16T17:35:00Z"
        text = ffm.read_text("utf-8").replace("17NOV0135", "18NOV0135").replace(
            "17NOV0710", "18NOV0710")
        store.ingest(text.encode(), "ffm-revised.txt", options=at(4))
        (f,) = store.status("781-60482133")["filings"]  # type: ignore[index]
        assert f["due_at"] == "2026-11-17T17:35:00Z"


def test_rules_at_their_edges() -> None:
    dep = "2026-11-18T10:00:00Z"
    four = {"estimated_departure": dep, "estimated_arrival": "2026-11-18T14:00:00Z"}
    under = {"estimated_departure": dep, "estimated_arrival": "2026-11-18T13:59:00Z"}
    t0 = datetime(2026, 11, 18, 10, tzinfo=UTC)
    # exactly 4 hours is not "less than 4 hours": 4 h before arrival (= departure here)
    assert due_for("F27", four).rule == "pre-arrival"  # type: ignore[union-attr]
    assert due_for("IE3F27", under).rule == "pre-arrival, short flight"  # type: ignore[union-attr]
    assert due_for("F27", under).at == t0  # type: ignore[union-attr]
    assert due_for("F26", {"estimated_departure": dep}).at == t0  # type: ignore[union-attr]
    # pre-arrival needs both times to know the flight's length; unknown types have no rule
    assert due_for("F22", {"estimated_arrival": "2026-11-18T20:00:00Z"}) is None
    assert due_for("F10", four) is None
    assert due_for("F20", {}) is None
    # UTC offsets are honoured
    local = {"estimated_departure": "2026-11-18T12:55:00+09:00"}
    assert due_for("F20", local).at == ICN_DEP  # type: ignore[union-attr]
    assert urgency(t0, t0 - timedelta(minutes=121), timedelta(hours=2)) is None
    assert urgency(t0, t0 - timedelta(minutes=120), timedelta(hours=2)) == "at-risk"
    assert urgency(t0, t0, timedelta(hours=2)) == "late"


def test_every_filing_type_ensgate_renders_has_a_rule() -> None:
    from ensgate.render import FILINGS

    ruled = set().union(*(r.filings for r in default_deadlines().rules))
    ens = {f for f in FILINGS if f.startswith("IE3F")}  # IE3N06 is the arrival, no ENS
    assert ens and ens <= ruled, ens - ruled
    with pytest.raises(ValueError, match="from must be"):
        parse_deadlines({"rules": [{"filings": ["F20"], "from": "loading"}]})


def test_report_lists_late_and_at_risk_filings(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.translate(KE0933 + TK6389, None, opts())
        lrn = {f.shipment: f.lrn for f in store.filings()}
        two = timedelta(hours=2)
        # 02:00Z: the ICN flight leaves in 115 min (at risk); the IST one is far off
        early = store.report(datetime(2026, 11, 18, 2, tzinfo=UTC), two)["deadlines"]
        assert [(d["key"], d["urgency"], d["minutes_left"]) for d in early] == [
            ("180-88351270", "at-risk", 115)]
        late = store.deadlines(datetime(2026, 11, 18, 22, tzinfo=UTC), two)
        assert [(d["key"], d["urgency"], d["minutes_left"]) for d in late] == [
            ("180-88351270", "late", -(18 * 60 + 5)), ("235-66273815", "at-risk", 75)]
        # lodged: no longer listed; refused by customs: late again (nothing lodged)
        store.record_sent(message_id="m-1", lrn=lrn["180-88351270"], action="IE3F28",
                          endpoint="e")
        assert [d["key"] for d in store.deadlines(datetime(2026, 11, 18, 22, tzinfo=UTC),
                                                  two)] == ["235-66273815"]
        store.record_receipt("m-1", ok=False, detail="EBMS:0004")
        assert [d["key"] for d in store.deadlines(datetime(2026, 11, 18, 22, tzinfo=UTC),
                                                  two)] == ["180-88351270", "235-66273815"]


def test_report_command_and_configured_window(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with Store.open(url) as store:
        store.translate(KE0933 + TK6389, None, opts())
    run = CliRunner().invoke(main, ["report", "--store", url, "--at", "2026-11-18T22:00:00Z",
                                    "--at-risk", "30m"])
    assert run.exit_code == 0, run.output
    assert "LATE: AWB 180-88351270 IE3F28 LRN" in run.output
    assert "late by 1085 min" in run.output and "235-66273815" not in run.output
    conf = tmp_path / "site.yaml"
    conf.write_text("deadlines:\n  at_risk: 90m\n", "utf-8")
    assert load_config(conf).deadline_at_risk == 5400
    run = CliRunner().invoke(main, ["report", "--store", url, "--config", str(conf), "--json",
                                    "--at", "2026-11-18T22:00:00Z"])
    found = json.loads(run.output)["deadlines"]
    assert [(d["key"], d["urgency"]) for d in found] == [
        ("180-88351270", "late"), ("235-66273815", "at-risk")]
    conf.write_text("deadlines:\n  at_rsk: 90m\n", "utf-8")
    with pytest.raises(ConfigError, match="at_rsk"):
        load_config(conf)
