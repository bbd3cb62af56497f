"""The ENS lifecycle end to end, through the store, against the simulator over real two-way
TLS on loopback: ``translate`` -> ``file`` -> ``pull`` and the trader's actions (``invalidate``,
``answer-screening``, ``answer-info``, ``arrive``, a corrected source message -> amendment), one
test per scenario of issue 11. Each asserts the filing's state and MRN in the store, its exchanges
(what went out, what came back) and its events."""

from __future__ import annotations

import json
from pathlib import Path

from _outbox_helpers import OPTS, Serve, translated
from click.testing import CliRunner
from sqlalchemy import select

from ensgate.answers import Scenario
from ensgate.cli import main
from ensgate.outbox import EXIT_ALARM
from ensgate.store import Store
from ensgate.store._schema import events, exchanges, filings

ROOT = Path(__file__).resolve().parents[2]
S1 = sorted((ROOT / "samples" / "cargo-imp").glob("s1-*"))
AWB = "781-60482133"


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.output


class Lifecycle:
    """``file`` / ``pull`` / actions against one simulator and one store."""

    def __init__(self, url: str, cert_dir: Path, db: str) -> None:
        self.url, self.cert_dir, self.db = url, cert_dir, db

    def file(self) -> tuple[int, str]:
        return _cli("file", "--endpoint", self.url, "--certs", str(self.cert_dir),
                    "--store", self.db)

    def pull(self) -> tuple[int, str]:
        return _cli("pull", "--endpoint", self.url, "--certs", str(self.cert_dir),
                    "--store", self.db)

    def report(self) -> tuple[int, str]:
        return _cli("report", "--store", self.db)


def _start(serve: Serve, cert_dir: Path, tmp_path: Path,
           scenario: Scenario = Scenario.ACCEPT,
           db: str | None = None) -> tuple[Store, Lifecycle, object]:
    sim, url = serve(scenario)
    db = db or f"sqlite:///{tmp_path / 's.db'}"
    store = translated(db, S1)
    return store, Lifecycle(url, cert_dir, db), sim


def _filing(store: Store) -> dict[str, object]:
    (f,) = [f for f in store.status(AWB)["filings"] if f["state"] != "superseded"]
    return f


def _exchanges(store: Store, lrn: str) -> list[tuple[str, str, str]]:
    """(direction, action, receipt) of every exchange of the filing, in order."""
    with store.engine.connect() as conn:
        fid = conn.execute(select(filings.c.id).where(filings.c.lrn == lrn)).scalar_one()
        return [(r.direction, r.action, r.receipt) for r in conn.execute(select(
            exchanges.c.direction, exchanges.c.action, exchanges.c.receipt).where(
            exchanges.c.filing_id == fid).order_by(exchanges.c.id))]


def _states(store: Store, lrn: str) -> list[tuple[str, str | None, str | None]]:
    """(kind, from, to) of every event of the filing that moved it or queued a message."""
    with store.engine.connect() as conn:
        fid = conn.execute(select(filings.c.id).where(filings.c.lrn == lrn)).scalar_one()
        return [(r.kind, r.from_state, r.to_state) for r in conn.execute(select(
            events.c.kind, events.c.from_state, events.c.to_state).where(
            events.c.filing_id == fid).order_by(events.c.id))]


def _registered(store: Store, p: Lifecycle) -> dict[str, object]:
    assert p.file()[0] == 0
    code, out = p.pull()
    f = _filing(store)
    assert code == 0 and f["mrn"] and "IE3R01" in out, out
    return f


def _queued_then_filed(store: Store, p: Lifecycle, action: str, command: str, *args: str,
                       by_mrn: bool = False) -> tuple[str, str]:
    """Register the filing, run the trader ``command`` on it (named by LRN, or MRN), see
    ``action`` queued with the filing's state kept, then sent by ``file`` with a receipt:
    (LRN, MRN)."""
    f = _registered(store, p)
    lrn, mrn = str(f["lrn"]), str(f["mrn"])
    code, out = _cli(command, mrn if by_mrn else lrn, *args, "--store", p.db)
    assert code == 0 and f"{action} queued for LRN {lrn} MRN {mrn}" in out, out
    assert _exchanges(store, lrn)[-1] == ("out", action, "queued")
    assert _filing(store)["state"] == "registered"  # queued, not yet sent
    code, out = p.file()
    assert code == 0 and "receipt" in out and action in out, out
    return lrn, mrn


def test_mrn(serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    store, p, _sim = _start(serve, cert_dir, tmp_path)
    lrn = _filing(store)["lrn"]
    code, out = p.file()
    assert code == 0 and "1 receipt" in out, out
    code, out = p.pull()
    assert code == 0, out
    f = _filing(store)
    assert f["state"] == "registered" and str(f["mrn"]).startswith("26")
    assert _exchanges(store, str(lrn)) == [("out", "IE3F20", "ok"), ("in", "IE3R01", "")]
    assert [s[1:] for s in _states(store, str(lrn)) if s[0] in ("submitted", "receipt",
                                                                  "IE3R01")] == [
        ("ready", "sent"), ("sent", "receipt"), ("receipt", "registered")]
    assert p.report()[0] == 0
    store.close()


def test_invalidation(serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    store, p, sim = _start(serve, cert_dir, tmp_path)
    lrn, mrn = _queued_then_filed(store, p, "IE3Q04", "invalidate", "--reason",
                                  "shipment cancelled")
    assert _exchanges(store, lrn)[-1] == ("out", "IE3Q04", "ok")
    code, out = p.file()  # sent once: nothing is queued any more
    assert "0 filings" in out
    code, out = p.pull()
    assert code == 0 and "IE3R07" in out, out
    assert _filing(store)["state"] == "invalidated" and _filing(store)["mrn"] == mrn
    assert sim.customs.state_of(mrn) == "invalidated"  # type: ignore[attr-defined]
    assert [e[1] for e in _exchanges(store, lrn)] == ["IE3F20", "IE3R01", "IE3Q04", "IE3R07"]
    assert _states(store, lrn)[-3:] == [("queued", "registered", "registered"),
                                        ("invalidate", "registered", "registered"),
                                        ("IE3R07", "registered", "invalidated")]
    # an invalidated filing cannot be invalidated again: refused, nothing queued
    code, out = _cli("invalidate", lrn, "--reason", "again", "--store", p.db)
    assert code == 1 and "LCY001" in out
    store.close()


def test_hrcm_screening_answered(serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    store, p, _sim = _start(serve, cert_dir, tmp_path, Scenario.HIGH_RISK_SCREENING)
    assert p.file()[0] == 0
    code, out = p.pull()
    assert code == EXIT_ALARM, out
    f = _filing(store)
    lrn, mrn = str(f["lrn"]), str(f["mrn"])
    assert f["state"] == "screening-requested"
    assert p.report()[0] == EXIT_ALARM
    code, out = _cli("answer-screening", mrn, "--result", "CLR", "--store", p.db)
    assert code == 0 and f"IE3R03 queued for LRN {lrn}" in out, out
    code, out = p.file()  # the answer goes: the alarm is answered
    assert code == 0 and "IE3R03" in out, out
    assert _filing(store)["state"] == "screening-answered"
    code, out = p.pull()
    assert code == 0 and "IE3N03" in out, out
    assert _filing(store)["state"] == "assessment-complete"
    assert p.report()[0] == 0  # no alarm open any more
    assert [e[1] for e in _exchanges(store, lrn)] == [
        "IE3F20", "IE3R01", "IE3Q03", "IE3R03", "IE3N03"]
    assert [s[1:] for s in _states(store, lrn) if s[0] in (
        "IE3Q03", "answer-screening", "IE3N03")] == [
        ("registered", "screening-requested"), ("screening-requested", "screening-answered"),
        ("screening-answered", "assessment-complete")]
    store.close()


def test_rfi_answered(serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    store, p, _sim = _start(serve, cert_dir, tmp_path, Scenario.REQUEST_INFO)
    assert p.file()[0] == 0
    code, out = p.pull()
    assert code == 0 and "IE3Q02" in out, out
    f = _filing(store)
    lrn = str(f["lrn"])
    assert f["state"] == "info-requested"
    code, out = _cli("answer-info", lrn, "--text", "Invoice 4711 attached: 12 cartons of "
                     "spare parts", "--store", p.db)
    assert code == 0 and "IE3R02 queued" in out, out
    code, out = p.file()
    assert code == 0 and "IE3R02" in out, out
    assert _filing(store)["state"] == "info-answered"
    code, out = p.pull()
    assert code == 0 and "IE3N03" in out, out
    assert _filing(store)["state"] == "assessment-complete"
    assert [e[1] for e in _exchanges(store, lrn)] == [
        "IE3F20", "IE3R01", "IE3Q02", "IE3R02", "IE3N03"]
    store.close()


def test_dnl_exits_4_and_goes_to_the_sink(serve: Serve, cert_dir: Path,
                                           tmp_path: Path) -> None:
    store, p, _sim = _start(serve, cert_dir, tmp_path, Scenario.DO_NOT_LOAD)
    sink = tmp_path / "events.jsonl"
    config = tmp_path / "site.yaml"
    config.write_text(f"sinks:\n  - name: log\n    kind: jsonl\n    path: {sink}\n")
    assert p.file()[0] == 0
    code, out = _cli("pull", "--endpoint", p.url, "--certs", str(p.cert_dir), "--store",
                     p.db, "--config", str(config))
    assert code == EXIT_ALARM and f"AWB {AWB}" in out, out
    f = _filing(store)
    assert f["state"] == "do-not-load" and f["mrn"]
    lines = [json.loads(x) for x in sink.read_text().splitlines()]
    dnl = [x for x in lines if x["to"] == "do-not-load"]
    assert len(dnl) == 1 and dnl[0]["lrn"] == f["lrn"] and dnl[0]["event"] == "IE3Q01", lines
    assert dnl[0]["awb"] == AWB and "HXSHA2611045" in dnl[0]["hawbs"] and dnl[0]["mrn"] == f["mrn"]
    store.close()


def _corrected(tmp_path: Path, sample: str, old: bytes, new: bytes) -> Path:
    """A copy of the S1 sample whose name starts with ``sample``, with ``old`` made ``new``:
    the source message sent again corrected (same AWB/HAWB, new content)."""
    (src,) = [p for p in S1 if p.name.startswith(sample)]
    body = src.read_bytes()
    assert old in body
    out = tmp_path / f"corrected-{src.name}"
    out.write_bytes(body.replace(old, new))
    return out


def test_amendment_accepted(serve: Serve, cert_dir: Path, tmp_path: Path,
                            store_url: str) -> None:
    store, p, sim = _start(serve, cert_dir, tmp_path, db=store_url)  # SQLite and PostgreSQL
    f = _registered(store, p)
    lrn, mrn = str(f["lrn"]), str(f["mrn"])
    fixed = _corrected(tmp_path, "s1-fwb17", b"NOORDERLAAN 147", b"NOORDERLAAN 149")
    done = store.ingest(fixed.read_bytes(), fixed.name, now=OPTS.issued)
    assert done.of(AWB).action == "needs-amendment", done
    (queued,) = [e for e in _exchanges(store, lrn) if e[2] == "queued"]
    assert queued == ("out", "IE3A20", "queued")
    assert len([x for x in store.status(AWB)["filings"] if x["state"] != "superseded"]) == 1
    code, out = p.file()  # the amendment goes, not a new filing
    assert code == 0 and "IE3A20" in out and "receipt" in out, out
    assert [m.action for m in sim.filed][-1:] == ["IE3A20"]  # type: ignore[attr-defined]
    code, out = p.pull()
    assert code == 0 and "IE3N10" in out, out
    f = _filing(store)
    assert f["state"] == "amended" and f["mrn"] == mrn and f["lrn"] == lrn
    assert [e[1] for e in _exchanges(store, lrn)] == ["IE3F20", "IE3R01", "IE3A20", "IE3N10"]
    assert [s[1:] for s in _states(store, lrn) if s[0] in ("amend", "IE3N10")] == [
        ("registered", "registered"), ("registered", "amended")]
    # customs holds the new dataset: the amended address
    amended = sim.customs.registry.registration(mrn).xml  # type: ignore[attr-defined]
    assert b"<number>149</number>" in amended and b"<number>147</number>" not in amended
    store.close()


def test_amendment_refused_by_r3024(serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    store, p, sim = _start(serve, cert_dir, tmp_path)
    f = _registered(store, p)
    lrn = str(f["lrn"])
    fixed = _corrected(tmp_path, "s1-ffm8", b"MU0553", b"MU0555")
    done = store.ingest(fixed.read_bytes(), fixed.name, now=OPTS.issued)
    outcome = done.of(AWB)
    assert outcome.action == "needs-amendment", done
    status = store.status(AWB)
    assert "amendment refused: AMD004" in status["reason"], status
    assert "conveyanceReferenceNumber" in status["reason"]
    assert not [e for e in _exchanges(store, lrn) if e[2] == "queued"]  # nothing to send
    code, out = p.file()
    assert code == 0 and "0 filings" in out, out
    assert [m.action for m in sim.filed] == ["IE3F20"]  # type: ignore[attr-defined]
    f = _filing(store)  # the registered filing is untouched
    assert f["state"] == "registered" and f["lrn"] == lrn
    (refused,) = [s for s in _states(store, lrn) if s[0] == "amend"]
    assert refused[1:] == ("registered", "registered")
    store.close()


def test_not_complete(serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    store, p, _sim = _start(serve, cert_dir, tmp_path, Scenario.NOT_COMPLETE)
    lrn = str(_filing(store)["lrn"])
    assert p.file()[0] == 0
    code, out = p.pull()
    assert code == 0 and "IE3R01" in out and "IE3N02" in out, out
    f = _filing(store)
    assert f["state"] == "not-complete" and f["mrn"]
    assert [e[1] for e in _exchanges(store, lrn)] == ["IE3F20", "IE3R01", "IE3N02"]
    assert [s[1:] for s in _states(store, lrn) if s[0] in ("IE3R01", "IE3N02")] == [
        ("receipt", "registered"), ("registered", "not-complete")]
    assert p.report()[0] == 0  # not an alarm: the missing filings are due
    store.close()


def test_a_trader_message_left_in_flight_is_resent_with_its_message_id(
        serve: Serve, cert_dir: Path, tmp_path: Path, store_url: str) -> None:
    from ensgate.connectors import OutboundFiling, get_connector

    store, p, sim = _start(serve, cert_dir, tmp_path, db=store_url)  # SQLite and PostgreSQL
    lrn = str(_registered(store, p)["lrn"])
    assert _cli("invalidate", lrn, "--reason", "cancelled", "--store", p.db)[0] == 0
    (item,) = store.trader_outbox()
    conn = get_connector("as4", endpoint=p.url, certs=cert_dir, store=store, retries=1,
                         backoff=0.01)
    prepared = conn.prepare(OutboundFiling(lrn=item.lrn, message_type=item.action,
                                           xml=item.xml, declarant=item.declarant))
    # a run killed after the claim, before the push: sealed and committed, never sent
    assert store.claim_trader(item, message_id=prepared.reference, wire=prepared.wire,
                              endpoint=p.url)
    assert not store.claim_trader(item, message_id="other@x", wire=b"", endpoint=p.url)
    assert [m.action for m in sim.filed] == ["IE3F20"]  # type: ignore[attr-defined]
    code, out = p.file()
    assert code == 0 and "(resent)" in out and prepared.reference in out, out
    assert [(m.action, m.message_id) for m in sim.filed][1:] == [  # type: ignore[attr-defined]
        ("IE3Q04", prepared.reference)]
    assert "0 filings" in p.file()[1]  # and only once
    assert p.pull()[0] == 0 and _filing(store)["state"] == "invalidated"
    store.close()


def test_arrival(serve: Serve, cert_dir: Path, tmp_path: Path, store_url: str) -> None:
    store, p, sim = _start(serve, cert_dir, tmp_path, db=store_url)  # SQLite and PostgreSQL
    code, out = _cli("arrive", str(_filing(store)["lrn"]), "--store", p.db)
    assert code == 1 and "not registered" in out, out  # no MRN yet: nothing to name
    lrn, mrn = _queued_then_filed(store, p, "IE3N06", "arrive", "--at",
                                  "2026-04-12T06:40:00Z", by_mrn=True)
    (n06,) = [m for m in sim.filed if m.action == "IE3N06"]  # type: ignore[attr-defined]
    assert n06.answers == ["IE3R04"]  # customs registered the arrival
    assert _filing(store)["state"] == "arrived"
    # what went: our MRN, the flight as registered (S1: MU0553), the actual arrival
    sent = _arrival_sent(store, lrn)
    assert f"<relatedMRN>\n        <identification>{mrn}</identification>" in sent, sent
    assert "<conveyanceReferenceNumber>MU0553</conveyanceReferenceNumber>" in sent
    assert ("<actualDateAndTimeOfArrival>\n            <DateTime>2026-04-12T06:40:00Z"
            "</DateTime>") in sent
    assert "relatedTransportDocument" not in sent  # R3048
    code, out = p.pull()
    assert code == 0 and "IE3R04" in out, out
    f = _filing(store)
    assert f["state"] == "arrived" and f["mrn"] == mrn and f["lrn"] == lrn
    assert sim.customs.state_of(mrn) == "arrived"  # type: ignore[attr-defined]
    assert [e[1] for e in _exchanges(store, lrn)] == ["IE3F20", "IE3R01", "IE3N06", "IE3R04"]
    assert _states(store, lrn)[-3:] == [("queued", "registered", "registered"),
                                        ("arrival", "registered", "arrived"),
                                        ("IE3R04", "arrived", "arrived")]
    # one arrival per filing: a second is refused, nothing queued
    code, out = _cli("arrive", lrn, "--store", p.db)
    assert code == 1 and "notified already" in out, out
    store.close()


def _arrival_sent(store: Store, lrn: str) -> str:
    """The IE3N06 the store sent for the filing ``lrn``."""
    from ensgate.store._sqlstate import unpack

    with store.engine.connect() as conn:
        fid = conn.execute(select(filings.c.id).where(filings.c.lrn == lrn)).scalar_one()
        body = conn.execute(select(exchanges.c.body).where(
            exchanges.c.filing_id == fid, exchanges.c.action == "IE3N06")).scalar_one()
    return unpack(body).decode()


def test_arrival_with_control(serve: Serve, cert_dir: Path, tmp_path: Path) -> None:
    store, p, sim = _start(serve, cert_dir, tmp_path, Scenario.CONTROL)
    f = _registered(store, p)
    lrn, mrn = str(f["lrn"]), str(f["mrn"])
    assert _cli("arrive", lrn, "--at", "2026-04-12T06:40:00Z", "--store", p.db)[0] == 0
    assert p.file()[0] == 0
    (n06,) = [m for m in sim.filed if m.action == "IE3N06"]  # type: ignore[attr-defined]
    assert n06.answers == ["IE3R04", "IE3N08"]
    code, out = p.pull()
    assert code == 0 and "IE3R04" in out and "IE3N08" in out, out
    f = _filing(store)
    assert f["state"] == "arrived" and f["mrn"] == mrn
    assert [e[1] for e in _exchanges(store, lrn)] == [
        "IE3F20", "IE3R01", "IE3N06", "IE3R04", "IE3N08"]
    assert _states(store, lrn)[-2:] == [("IE3R04", "arrived", "arrived"),
                                        ("IE3N08", "arrived", "arrived")]
    # the control names a house of the arrived ENS (the IE3N06 names it by MRN only)
    assert "HXSHA2611045" in store.last_answer_body(lrn, "IE3N08").decode()  # type: ignore[union-attr]
    store.close()
