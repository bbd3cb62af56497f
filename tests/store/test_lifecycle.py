"""Shipments assembled over time in the store: pending with what they wait for, filed when
complete, remade while unsent, needs-amendment once sent, set aside when ICS2 does not apply.
Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from _store_helpers import DAY, T0, non_eu_fwb, options, s, sample, without_issue_time

from ensgate import load_config
from ensgate.config import FilingPolicy
from ensgate.store import Store

S1_FWB = "s1-fwb17-master-781-60482133-pvg-bru.txt"
S1_FFM = "s1-ffm8-MU0553-pvg-bru-first-arrival-be.txt"
S3_FWB = "s3-fwb17-direct-180-88351270-icn-vie-security.txt"
S3_FFM = "s3-ffm8-KE0933-icn-vie-first-arrival-at.txt"


@pytest.fixture
def store(store_url: str) -> Store:
    with Store.open(store_url) as opened:
        yield opened


def _ingest(store: Store, name: str, when=T0, **kw: object):  # type: ignore[no-untyped-def]
    return store.ingest(sample(name), name, now=when, options=options(**kw))


def test_fhl_today_fwb_tomorrow_ffm_the_day_after(store: Store) -> None:
    """Masters, houses and flights arriving in different runs join by AWB in the store."""
    for path in s("cargo-imp", "s1-fhl5"):
        got = _ingest(store, path.name)
        (ship,) = got.shipments
        assert ship.action == "pending" and ship.waiting_for == "master AWB 781-60482133: FWB"
    assert store.status("HXSHA2611046")["state"] == "pending"  # found by house number
    day2 = _ingest(store, S1_FWB, T0 + DAY)
    (ship,) = day2.shipments
    # the master and its houses are together now; the FWB carries no flight times
    assert (ship.state, ship.waiting_for) == ("pending", "flight times: FFM (or schedule)")
    day3 = _ingest(store, S1_FFM, T0 + 2 * DAY)
    ship = day3.of("781-60482133")
    assert (ship.state, ship.action, ship.filing, ship.lrn) == (
        "filed", "filed", "IE3F20", "EGF2078160482133")
    status = store.status("781-60482133")
    assert status["state"] == "filed"
    assert [(f["lrn"], f["type"], f["state"]) for f in status["filings"]] == [
        ("EGF2078160482133", "IE3F20", "ready")]
    assert {m["outcome"] for m in status["messages"]} == {"filed"}
    assert len(status["messages"]) == 5
    states = [(e["from"], e["to"]) for e in status["events"] if e["kind"] == "state"]
    assert states == [(None, "pending"), ("pending", "filed")]


def test_partial_f26_after_the_wait_then_superseded_when_the_master_comes(store: Store) -> None:
    """Houses without their FWB wait (filing_policy.house_wait, 1 h by default); a sweep
    after the wait files the PLACI F26. The FWB coming later, before anything was sent,
    supersedes it (never sent: its LRN is free) and the complete F20 follows with the FFM."""
    for path in s("cargo-imp", "s1-fhl5"):
        _ingest(store, path.name)
    assert store.sweep(T0 + DAY / 48) == ()  # 30 minutes: still waiting
    (swept,) = store.sweep(T0 + DAY / 24)  # one hour after the first house
    assert (swept.action, swept.filing) == ("filed", "IE3F26")
    assert store.report()["filings"] == {"ready": 1}
    _ingest(store, S1_FWB, T0 + DAY)
    assert store.report()["filings"] == {"superseded": 1}
    _ingest(store, S1_FFM, T0 + DAY)
    report = store.report()
    assert report["filings"] == {"superseded": 1, "ready": 1}
    kinds = [e["kind"] for e in store.status("781-60482133")["events"] if e["kind"] != "state"]
    assert kinds == ["filed", "superseded", "filed"]


def test_a_consolidation_fwb_alone_waits_for_its_houses(store: Store) -> None:
    (ship,) = _ingest(store, S1_FWB).shipments
    assert (ship.state, ship.waiting_for) == ("pending", "house data: FHL/FZB")


def test_consolidation_wait_tries_the_master_alone_then_the_houses_complete_it(
        store_url: str) -> None:
    """With consolidation_wait, the sweep after the wait tries the partial F21 for the
    master alone. S1's FWB declares its goods only as CONSOLIDATION (no commodity code), so
    that filing is refused (ICS002, C3025) and the shipment says why; the houses coming later
    still complete it into the F20."""
    config = replace(load_config(), filing_policy=FilingPolicy(consolidation_wait=3600.0,
                                                               consolidation_partial="F21"))
    with Store.open(store_url, config=config) as store:
        _ingest(store, S1_FFM)
        (ship,) = _ingest(store, S1_FWB).shipments
        assert ship.waiting_for == "house data: FHL/FZB"
        (swept,) = store.sweep(T0 + DAY)
        assert swept.state == "rejected"
        assert any(d.startswith("ICS002 commodity code") for d in swept.diagnostics)
        for path in s("cargo-imp", "s1-fhl5"):
            _ingest(store, path.name, T0 + DAY)
        assert store.status("781-60482133")["filings"][0]["type"] == "IE3F20"


def test_unsent_filing_is_remade_in_place_and_an_identical_message_changes_nothing(
        store: Store) -> None:
    _ingest(store, S3_FWB)
    first = _ingest(store, S3_FFM).of("180-88351270")
    assert first.action == "filed"
    xml_before = store.filing_xml(first.lrn)
    assert _ingest(store, S3_FWB).skipped == 1  # the same FWB again: a duplicate
    corrected = sample(S3_FWB).replace(b"NAM/ALPENLAND DIAGNOSTIK GMBH",
                                       b"NAM/ALPENLAND DIAGNOSTIK AG")
    again = store.ingest(corrected, "corrected.txt", now=T0 + DAY, options=options())
    ship = again.of("180-88351270")
    assert (ship.action, ship.lrn) == ("remade", first.lrn)
    xml_after = store.filing_xml(first.lrn)
    assert xml_after is not None and b"ALPENLAND DIAGNOSTIK AG" in xml_after
    assert xml_before != xml_after
    status = store.status(first.lrn)
    assert [(f["lrn"], f["state"]) for f in status["filings"]] == [(first.lrn, "ready")]
    assert "remade" in [e["kind"] for e in status["events"]]
    assert {m["label"].split("#")[0]: m["outcome"] for m in status["messages"]}[
        "corrected.txt"] == "filed"


def test_a_change_after_sending_needs_an_amendment(store: Store) -> None:
    _ingest(store, S3_FWB)
    filed = _ingest(store, S3_FFM).of("180-88351270")
    store.record_sent(message_id="m-1@ensgate", lrn=filed.lrn, action="IE3F28",
                      endpoint="https://customs.invalid/")
    assert store.status(filed.lrn)["filings"][0]["state"] == "sent"
    corrected = sample(S3_FWB).replace(b"NAM/ALPENLAND DIAGNOSTIK GMBH",
                                       b"NAM/ALPENLAND DIAGNOSTIK AG")
    ship = store.ingest(corrected, "corrected.txt", now=T0 + DAY,
                        options=options()).of("180-88351270")
    assert ship.state == "needs-amendment" and "changed after it was sent" in ship.reason
    status = store.status("180-88351270")
    assert status["state"] == "needs-amendment"
    assert [f["state"] for f in status["filings"]] == ["sent"]  # left for the amendment
    (event,) = [e for e in status["events"] if e["to"] == "needs-amendment"]
    assert "changed after it was sent" in event["cause"]
    assert without_issue_time(store.filing_xml(filed.lrn) or b"").count(b"GMBH") >= 1


def test_not_subject_route_is_set_aside_with_its_reason(store: Store) -> None:
    got = store.ingest(non_eu_fwb().encode(), "jfk-nrt.txt", now=T0, options=options())
    (ship,) = got.shipments
    assert ship.state == "not-subject" and "US, JP" in ship.reason
    assert got.outcomes == {"not-subject": 1}
    assert store.report()["shipments"] == {"not-subject": 1}


def test_not_ens_messages_are_counted_apart(store: Store) -> None:
    got = _ingest(store, "fsu14-status-not-ens-125-66130923-lhr-mad.txt")
    assert got.outcomes == {"not-ens": 1} and got.shipments == ()
    assert store.report()["messages"] == {"not-ens": 1}


def test_report_and_status_shapes(store: Store) -> None:
    """The JSON shapes of the issue: report -> shipments/filings (state -> count) and pending
    [{key, waiting_for}]; status -> key, state, filings [{lrn, type, state, mrn}], events."""
    store.translate([Path(p) for p in s("cargo-imp", "")], None, options(now=T0))
    report = store.report()
    # AWBs that only a flight manifest names: the invented AWBs of other shippers on the
    # S2, S3, S5 and S6 flights (samples/README.md), counted from the FFM lines themselves
    masters = {"781-60482133", "053-44719021", "180-88351270", "075-33018462",
               "217-51290746", "057-77403185"}
    on_manifests = {m.group(1) for p in s("cargo-imp", "s") if "ffm8" in p.name
                    for m in re.finditer(r"^(\d{3}-\d{8})[A-Z]{6}/", p.read_text(),
                                         re.MULTILINE)}
    flight_only = len(on_manifests - masters)
    assert flight_only >= 4
    # S6 (HKG->CDG) files since issue 12: Hong Kong has no postcodes (C3034 reads it)
    assert report["shipments"] == {"filed": 5, "pending": 1, "flight-only": flight_only}
    assert report["filings"] == {"ready": 5}
    assert report["pending"] == [{"key": "075-33018462",
                                  "waiting_for": "flight times: FFM (or schedule)",
                                  "due_at": None}]
    status = store.status("EGF2818088351270")
    assert {"key", "state", "filings", "events"} <= set(status)
    assert status["key"] == "180-88351270" and status["state"] == "filed"
    (f,) = status["filings"]
    assert {"lrn", "type", "state", "mrn"} <= set(f) and f["mrn"] is None
    assert store.status("999-99999999") is None


def test_seq_in_the_lrn_scheme_counts_sent_filings_of_the_document(store_url: str) -> None:
    """``{seq}``: 1 for the first filing of a document and type; the state counts the sent
    ones (the refiling after a customs rejection that will use 2 is the lifecycle's next
    step)."""
    from ensgate.store._sqlstate import SqlState

    config = replace(load_config(), lrn_scheme="{prefix}{filing}{doc}S{seq}")
    with Store.open(store_url, config=config) as store:
        _ingest(store, S3_FWB)
        filed = _ingest(store, S3_FFM).of("180-88351270")
        assert filed.lrn == "EGF2818088351270S1"
        declarant = next(iter(store.filings())).declarant
        with store.engine.connect() as conn:
            state = SqlState(conn, run_id=0)
            assert state.sent_count(declarant, "180-88351270", "IE3F28") == 0
        store.record_sent(message_id="m-1@ensgate", lrn=filed.lrn, action="IE3F28",
                          endpoint="https://customs.invalid/")
        with store.engine.connect() as conn:
            state = SqlState(conn, run_id=0)
            assert state.sent_count(declarant, "180-88351270", "IE3F28") == 1
