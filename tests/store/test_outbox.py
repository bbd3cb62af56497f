"""``ensgate file`` and ``ensgate pull`` against the simulator over real two-way TLS on
loopback, through the shipment store: every ready filing sealed, sent once and registered
with its MRN; a rejection keeps its errors; a do-not-load or a screening request is an alarm
(exit 4, AWB and houses named, event recorded); a filing left in flight is sent again with
its MessageId and filed once; an answer that matches nothing is kept and reported."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _outbox_helpers import Serve, translated
from click.testing import CliRunner
from sqlalchemy import select, update

from ensgate.answers import Scenario
from ensgate.cli import main
from ensgate.connectors import OutboundFiling, get_connector
from ensgate.connectors.as4 import As4Connector, free_port
from ensgate.outbox import EXIT_ALARM, file_due, pull_answers
from ensgate.seal import WireMessage, customs_to_trader_header, pull_mpc, seal_user_message
from ensgate.store import Store
from ensgate.store._schema import events, exchanges, filings
from ensgate.store._sqlstate import pack, unpack

ROOT = Path(__file__).resolve().parents[2]
S1 = sorted((ROOT / "samples" / "cargo-imp").glob("s1-*"))


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.output


def _connector(store: Store, url: str, cert_dir: Path) -> As4Connector:
    conn = get_connector("as4", endpoint=url, certs=cert_dir, store=store, retries=1,
                         backoff=0.01)
    assert isinstance(conn, As4Connector)
    return conn


def test_file_then_pull_registers_every_filing_once(serve: Serve, cert_dir: Path,
                                                    store_url: str) -> None:
    sim, url = serve()
    store = translated(store_url)
    ready = [f for f in store.filings() if f.state == "ready"]
    assert len(ready) >= 4
    code, out = _cli("file", "--endpoint", url, "--certs", str(cert_dir), "--store", store_url,
                     "--concurrency", "3")
    assert code == 0, out
    assert f"{len(ready)} filings in" in out and f"{len(ready)} receipt" in out
    # each filing reached customs exactly once, as the MessageId the store committed
    assert sorted(f.message_id for f in sim.filed) == sorted(
        s["as4_message_id"] for f in ready for s in store.status(f.lrn)["filings"]
        if s["lrn"] == f.lrn)
    with store.engine.connect() as conn:
        rows = conn.execute(select(exchanges.c.wire, exchanges.c.receipt_wire,
                                   exchanges.c.receipt, exchanges.c.body).where(
            exchanges.c.direction == "out")).all()
    assert len(rows) == len(ready)
    for r in rows:  # the sealed message and the NRR receipt are archived with the ENS
        assert r.receipt == "ok"
        assert b"multipart/related" in unpack(r.wire)[:200]
        assert b"Receipt" in unpack(r.receipt_wire)
        assert unpack(r.body).startswith(b"<?xml")
    assert all(store.lrn_used(f.declarant, f.lrn) for f in ready)
    # nothing is due any more: a second run sends nothing
    code, out = _cli("file", "--endpoint", url, "--certs", str(cert_dir), "--store", store_url)
    assert code == 0 and "0 filings" in out and "nothing due" in out
    assert len(sim.filed) == len(ready)
    code, out = _cli("pull", "--endpoint", url, "--certs", str(cert_dir), "--store", store_url)
    assert code == 0, out
    assert out.count("IE3R01") == len(ready)
    after = {f.lrn: f for f in store.filings()}
    for f in ready:
        assert after[f.lrn].state == "registered" and after[f.lrn].mrn, (out, store.status(f.lrn))
        assert f"LRN {f.lrn}  MRN {after[f.lrn].mrn}" in out
    code, out = _cli("pull", "--endpoint", url, "--certs", str(cert_dir), "--store", store_url)
    assert code == 0 and "EBMS:0006" in out
    store.close()


def test_filings_go_in_due_order(serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    sim, url = serve()
    store = translated(f"sqlite:///{tmp_path / 's.db'}")
    ready = [f.lrn for f in store.filings()]
    start = datetime(2026, 11, 20, 6, tzinfo=UTC)
    with store.engine.begin() as conn:  # the last made is due first
        for i, lrn in enumerate(reversed(ready)):
            conn.execute(update(filings).where(filings.c.lrn == lrn).values(
                due_at=start + timedelta(minutes=i)))
    conn4 = _connector(store, url, cert_dir)
    report = file_due(store, conn4, concurrency=1)
    conn4.close()
    assert [h.lrn for h in report.handed] == list(reversed(ready))
    lrn_of = {h.message_id: h.lrn for h in report.handed}
    assert [lrn_of[f.message_id] for f in sim.filed] == list(reversed(ready))
    store.close()


def test_rejection_keeps_the_errors_and_the_lrn(serve: Serve, cert_dir: Path,
                                                tmp_path: Path) -> None:
    _sim, url = serve()
    db = f"sqlite:///{tmp_path / 's.db'}"
    store = translated(db, S1)
    (filing,) = list(store.filings())
    broken = filing.xml.replace(b"<city>ANTWERPEN</city>", b"", 1)
    assert broken != filing.xml
    with store.engine.begin() as conn:  # customs finds what our checks did not
        conn.execute(update(filings).where(filings.c.lrn == filing.lrn).values(
            xml=pack(broken)))
    code, out = _cli("file", "--endpoint", url, "--certs", str(cert_dir), "--store", db)
    assert code == 0, out
    code, out = _cli("pull", "--endpoint", url, "--certs", str(cert_dir), "--store", db)
    assert code == 1, out
    assert "IE3N99" in out and "error" in out
    (f,) = store.status(filing.lrn)["filings"]
    assert f["state"] == "rejected"
    (answer,) = store.answers_for(f["as4_message_id"])
    assert answer.action == "IE3N99" and answer.errors  # the errors are kept
    assert store.lrn_used(filing.declarant, filing.lrn)
    store.close()


def test_do_not_load_is_an_alarm(serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    _sim, url = serve(Scenario.DO_NOT_LOAD)
    db = f"sqlite:///{tmp_path / 's.db'}"
    store = translated(db, S1)
    code, out = _cli("file", "--endpoint", url, "--certs", str(cert_dir), "--store", db)
    assert code == 0, out
    code, out = _cli("pull", "--endpoint", url, "--certs", str(cert_dir), "--store", db)
    assert code == EXIT_ALARM, out
    assert "IE3R01" in out and "IE3Q01" in out
    line = next(x for x in out.splitlines() if x.startswith("ALARM"))
    assert "do-not-load" in line and "AWB 781-60482133" in line and "DO NOT LOAD" in line
    assert "HAWB HXSHA2611045, HXSHA2611046, HXSHA2611047" in line
    assert "document HXSHA2611045" in line  # what customs named in doNotLoadDetails
    status = store.status("781-60482133")
    assert status["filings"][0]["state"] == "do-not-load" and status["filings"][0]["mrn"]
    with store.engine.connect() as conn:
        ev = conn.execute(select(events.c.from_state, events.c.to_state, events.c.cause).where(
            events.c.to_state == "do-not-load")).one()
    assert ev.from_state == "registered" and "IE3Q01" in ev.cause
    # the alarm stays open: report and file say so too
    code, out = _cli("report", "--store", db)
    assert code == EXIT_ALARM and "ALARM do-not-load" in out
    code, out = _cli("file", "--endpoint", url, "--certs", str(cert_dir), "--store", db)
    assert code == EXIT_ALARM and "AWB 781-60482133" in out
    store.close()


def test_screening_request_is_an_alarm(serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    _sim, url = serve(Scenario.HIGH_RISK_SCREENING)
    db = f"sqlite:///{tmp_path / 's.db'}"
    store = translated(db, S1)
    assert _cli("file", "--endpoint", url, "--certs", str(cert_dir), "--store", db)[0] == 0
    code, out = _cli("pull", "--endpoint", url, "--certs", str(cert_dir), "--store", db)
    assert code == EXIT_ALARM, out
    line = next(x for x in out.splitlines() if x.startswith("ALARM"))
    assert "screening-requested" in line and "AWB 781-60482133" in line
    assert "house HXSHA2611045 by XRY/EDD" in line
    store.close()


def test_a_filing_left_in_flight_is_resent_with_its_message_id(
        serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    """Two crashes after the MessageId was committed: the endpoint was down (the message
    never arrived), or the message arrived and the receipt was lost. The next run sends the
    stored message again; customs files each filing once."""
    db = f"sqlite:///{tmp_path / 's.db'}"
    store = translated(db)
    first, second, *_ = list(store.outbox())  # in due order (ensgate.deadlines)
    down = _connector(store, f"https://127.0.0.1:{free_port()}/", cert_dir)
    report = file_due(store, down, concurrency=1, limit=1)
    down.close()
    (h,) = report.handed
    assert h.outcome == "unreachable" and h.lrn == first.lrn
    assert store.status(first.lrn)["filings"][0]["state"] == "sent"
    sim, url = serve()
    # the second: claimed and delivered, its receipt lost on the way back
    conn = _connector(store, url, cert_dir)
    item = next(i for i in store.outbox() if i.lrn == second.lrn)
    prepared = conn.prepare(OutboundFiling(lrn=item.lrn, message_type=item.filing,
                                           xml=item.xml))
    assert store.claim_send(item, message_id=prepared.reference, action=item.filing,
                            endpoint=url, wire=prepared.wire)
    assert not store.claim_send(item, message_id="other", action=item.filing, endpoint=url,
                                wire=prepared.wire)  # a filing is claimed once
    conn.client.push(dataclasses.replace(WireMessage.from_bytes(prepared.wire),
                                         message_id=prepared.reference))
    assert [f.message_id for f in sim.filed] == [prepared.reference]
    report = file_due(store, conn, concurrency=2)
    resent = {x.lrn: x for x in report.handed if x.resent}
    assert set(resent) == {first.lrn, second.lrn}
    assert resent[first.lrn].message_id == h.message_id
    assert resent[second.lrn].message_id == prepared.reference
    assert all(x.outcome == "receipt" for x in report.handed)
    assert sim.receiver.duplicates == 1  # the second was answered from duplicate detection
    lrns = [f.lrn for f in store.filings()]
    assert len(sim.filed) == len(lrns)  # each filing received once
    assert len({f.message_id for f in sim.filed}) == len(lrns)
    report = pull_answers(store, conn)
    conn.close()
    assert sorted(p.lrn for p in report.pulled if p.action == "IE3R01") == sorted(lrns)
    assert {f.state for f in store.filings()} == {"registered"}
    store.close()


def test_an_answer_is_acknowledged_only_once_recorded(serve: Serve, cert_dir: Path,
                                                      tmp_path: Path) -> None:
    sim, url = serve()
    store = translated(f"sqlite:///{tmp_path / 's.db'}", S1)
    conn = _connector(store, url, cert_dir)
    file_due(store, conn)
    mpc = pull_mpc(conn.settings.party_id)
    assert sim.waiting(mpc) == 1
    pulled = conn.pull()
    inbound = next(pulled)
    assert inbound.message_type == "IE3R01" and inbound.ref_to_message_id
    pulled.close()  # a crash before it was recorded: not acknowledged, still waiting
    assert sim.waiting(mpc) == 1 and sim.acknowledged == []
    report = pull_answers(store, conn)
    assert [p.action for p in report.pulled] == ["IE3R01"] and sim.waiting(mpc) == 0
    assert sim.acknowledged == [inbound.reference]
    conn.close()
    store.close()


def test_an_answer_matching_nothing_is_kept_and_reported(serve: Serve, cert_dir: Path,
                                                        tmp_path: Path) -> None:
    sim, url = serve()
    db = f"sqlite:///{tmp_path / 's.db'}"
    store = translated(db, S1)
    other = translated(f"sqlite:///{tmp_path / 'other.db'}",
                       sorted((ROOT / "samples" / "cargo-imp").glob("s3-*")))
    (stranger,) = list(other.filings())
    other.close()
    # an IE3R01 for a filing this store never made, referring to no message of ours
    conn = _connector(store, url, cert_dir)
    (answer,) = sim.customs.file(stranger.xml, sender="DE0000DEMO0001")
    header = customs_to_trader_header(receiver_party_id=conn.settings.party_id,
                                      action=answer.message_type,
                                      ref_to_message_id="lost@elsewhere")
    wire = seal_user_message(answer.xml, header=header, identity=sim.identity)
    mpc = pull_mpc(conn.settings.party_id)
    sim.queues.setdefault(mpc, __import__("collections").deque()).append(wire)
    sim.awaiting_receipt[wire.message_id] = wire
    conn.close()
    code, out = _cli("pull", "--endpoint", url, "--certs", str(cert_dir), "--store", db)
    assert code == 0, out
    assert f"unmatched  IE3R01  MessageId {wire.message_id}" in out
    (kept,) = store.unmatched_answers()
    assert kept.lrn == stranger.lrn and kept.mrn
    code, out = _cli("report", "--store", db)
    assert code == 0 and f"unmatched answer IE3R01 {wire.message_id}" in out
    store.close()


def test_answers_are_matched_by_reference_then_lrn_then_mrn(tmp_path: Path) -> None:
    store = translated(f"sqlite:///{tmp_path / 's.db'}", S1)
    (f,) = list(store.filings())
    store.record_sent(message_id="out-1", lrn=f.lrn, action=f.filing, endpoint="test")
    # by LRN (no reference): registered with its MRN
    assert store.record_answer(message_id="in-1", ref_to_message_id=None, action="IE3R01",
                               lrn=f.lrn, mrn="26BE0000000000001")
    # by MRN only (a referral names no LRN and may come without a reference)
    assert store.record_answer(message_id="in-2", ref_to_message_id=None, action="IE3Q02",
                               lrn=None, mrn="26BE0000000000001")
    assert store.status(f.lrn)["filings"][0]["state"] == "info-requested"
    assert not store.record_answer(message_id="in-2", ref_to_message_id=None,
                                   action="IE3Q02", lrn=None, mrn="26BE0000000000001")
    assert store.unmatched_answers() == []
    store.close()


def test_send_wait_reads_the_do_not_load_behind_the_registration(
        serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    """`send --wait` used to exit 0 on the IE3R01 while the IE3Q01 queued behind it waited
    unseen: it now reads the channel to its end and exits 4 on the alarm."""
    _sim, url = serve(Scenario.DO_NOT_LOAD)
    db = f"sqlite:///{tmp_path / 's.db'}"
    store = translated(db, S1)
    (filing,) = list(store.filings())
    ens = tmp_path / f"{filing.lrn}.xml"
    ens.write_bytes(filing.xml)
    code, out = _cli("send", str(ens), "--endpoint", url, "--certs", str(cert_dir),
                     "--store", db, "--wait", "10")
    assert code == EXIT_ALARM, out
    assert "IE3R01" in out and "IE3Q01" in out
    assert "ALARM do-not-load: AWB 781-60482133" in out
    store.close()


def test_a_filing_is_claimed_by_one_run_only(store_url: str) -> None:
    """Two `ensgate file` runs on one store never send a filing twice: the claim is a
    compare-and-set on the filing still being ready (PostgreSQL: the row lock orders them)."""
    from concurrent.futures import ThreadPoolExecutor

    store = translated(store_url, S1)
    (item,) = store.outbox()
    runs = [Store.open(store_url) for _ in range(4)]

    def claim(i: int) -> bool:
        return runs[i].claim_send(item, message_id=f"m{i}@test", action=item.filing,
                                  endpoint="test", wire=b"sealed")

    with ThreadPoolExecutor(4) as pool:
        won = list(pool.map(claim, range(4)))
    assert won.count(True) == 1
    with store.engine.connect() as conn:
        sent = conn.execute(select(exchanges.c.as4_message_id).where(
            exchanges.c.direction == "out")).scalars().all()
    assert sent == [f"m{won.index(True)}@test"]
    (again,) = store.outbox()  # now in flight, with the winner's MessageId and bytes
    assert again.message_id == sent[0] and again.wire == b"sealed"
    for s in runs:
        s.close()
    store.close()


def test_do_not_load_event_goes_to_the_sinks(serve: Serve, cert_dir: Path,
                                             tmp_path: Path) -> None:
    """The alarm leaves the store: `pull --config` hands the Do-Not-Load state change to the
    configured JSON-lines sink, with the AWB's filing and its MRN, and still exits 4."""
    import json

    _sim, url = serve(Scenario.DO_NOT_LOAD)
    db = f"sqlite:///{tmp_path / 's.db'}"
    events_file = tmp_path / "events.jsonl"
    site = tmp_path / "site.yaml"
    site.write_text(f"sinks:\n  - name: legacy\n    kind: jsonl\n    path: {events_file}\n")
    store = translated(db, S1)
    assert _cli("file", "--endpoint", url, "--certs", str(cert_dir), "--store", db,
                "--config", str(site))[0] == 0
    code, out = _cli("pull", "--endpoint", url, "--certs", str(cert_dir), "--store", db,
                     "--config", str(site))
    assert code == EXIT_ALARM, out
    got = [json.loads(x) for x in events_file.read_text().splitlines()]
    (dnl,) = [e for e in got if e.get("to") == "do-not-load"]
    mrn = store.status("781-60482133")["filings"][0]["mrn"]
    assert (dnl["event"], dnl["awb"], dnl["mrn"]) == ("IE3Q01", "781-60482133", mrn)
    assert mrn
    store.close()
