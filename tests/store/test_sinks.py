"""State changes go to the configured sinks (ensgate.sinks) through the store's outbox:
JSON-lines files and webhooks (a real HTTP server on loopback), at least once, in order, with
the event id as idempotency key, whatever crashes between delivery and commit."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from _store_helpers import SAMPLES, options
from sqlalchemy import create_engine, insert

from ensgate.config import SinkConfig, load_config
from ensgate.diagnostics import ConfigError
from ensgate.seal import make_demo_certs
from ensgate.sinks import JsonlSink, WebhookSink, build_sink, deliver_events
from ensgate.store import Store
from ensgate.store._schema import events

S3 = sorted((SAMPLES / "cargo-imp").glob("s3-*"))  # direct AWB 180-88351270, ICN-VIE
MRN = "26AT12345678901234"


def lifecycle(store: Store) -> str:
    """The s3 filing sent, registered and refused loading: returns its LRN."""
    store.translate(S3, None, options())
    (f,) = list(store.filings())
    store.record_sent(message_id="m-1@t", lrn=f.lrn, action=f.filing, endpoint="e")
    store.record_receipt("m-1@t", ok=True)
    store.record_answer(message_id="a-1@t", ref_to_message_id="m-1@t", action="IE3R01",
                        lrn=f.lrn, mrn=MRN)
    store.record_answer(message_id="a-2@t", ref_to_message_id=None, action="IE3Q01",
                        lrn=f.lrn, mrn=MRN, errors="do not load 180-88351270")
    return f.lrn


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


def test_jsonl_sink_gets_every_event_once(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "events" / "events.jsonl"
    with Store.open(store_url) as store:
        lrn = lifecycle(store)
        sink = JsonlSink(name="file", path=out)
        (report,) = deliver_events(store, [sink])
        got = lines(out)
        assert report.error == "" and report.delivered == len(got) == report.cursor
        assert [r["id"] for r in got] == list(range(1, len(got) + 1))
        filing = [(r["event"], r["from"], r["to"]) for r in got if r["subject"] == "filing"]
        assert filing == [("filed", None, "ready"), ("submitted", "ready", "sent"),
                          ("receipt", "sent", "receipt"), ("IE3R01", "receipt", "registered"),
                          ("IE3Q01", "registered", "do-not-load")]
        dnl = next(r for r in got if r["event"] == "IE3Q01")
        assert (dnl["lrn"], dnl["mrn"], dnl["awb"], dnl["filing"]) == (
            lrn, MRN, "180-88351270", "IE3F28")
        assert "do not load 180-88351270" in dnl["cause"] and dnl["at"].endswith("Z")
        # the shipment's own change (pending -> filed) and the messages' are there too
        assert any(r["subject"] == "shipment" and r["awb"] == "180-88351270" for r in got)
        # nothing new: nothing written; a new event: only it
        assert deliver_events(store, [sink])[0].delivered == 0
        assert lines(out) == got
        store.apply_event("invalidate", cause="IE3Q04 sent", lrn=lrn)
        assert deliver_events(store, [sink])[0].delivered == 1
        assert [r["event"] for r in lines(out)[len(got):]] == ["invalidate"]


def test_jsonl_crash_between_write_and_commit(tmp_path: Path) -> None:
    """The lines were written and the cursor not committed (killed in between), and the
    last line torn by a power loss: the next delivery cuts the torn line, writes what is
    missing and nothing twice."""
    out = tmp_path / "events.jsonl"
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        lifecycle(store)
        everything = store.events_after(0, 10_000)
        crashed = JsonlSink(name="file", path=out)
        crashed.deliver(everything[:5])  # delivered, cursor still 0
        with out.open("ab") as f:
            f.write(b'{"id": 6, "event": "tor')  # torn
        assert store.sink_cursor("file") == 0
        (report,) = deliver_events(store, [JsonlSink(name="file", path=out)])
        assert report.cursor == everything[-1]["id"]
        assert [r["id"] for r in lines(out)] == [r["id"] for r in everything]


# -- webhook: a real HTTP server on loopback -------------------------------------------------
class Hook:
    """Records each POST (Idempotency-Key, body); answers ``plan`` statuses in turn, then
    200. ``kill`` (a PID) is SIGKILLed when the request numbered ``kill_at`` arrives, before
    it is answered: the sender dies between sending and committing."""

    def __init__(self) -> None:
        self.got: list[tuple[str, dict[str, Any]]] = []
        self.plan: list[int] = []
        self.kill: int | None = None
        self.kill_at = -1
        self.lock = threading.Lock()


@pytest.fixture
def hook() -> Iterator[tuple[Hook, str]]:
    yield from _serve(None)


def _serve(tls: ssl.SSLContext | None) -> Iterator[tuple[Hook, str]]:
    state = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                state.got.append((self.headers["Idempotency-Key"], body))
                n = len(state.got)
                status = state.plan.pop(0) if state.plan else 200
                if state.kill is not None and n == state.kill_at:
                    os.kill(state.kill, signal.SIGKILL)
                    time.sleep(0.2)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if tls is not None else "http"
    try:
        yield state, f"{scheme}://127.0.0.1:{server.server_address[1]}/ics2-events"
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_retries_with_backoff_then_delivers(store_url: str,
                                                    hook: tuple[Hook, str]) -> None:
    state, url = hook
    state.plan = [503, 503]  # the first event fails twice
    waits: list[float] = []
    with Store.open(store_url) as store:
        lifecycle(store)
        expected = store.events_after(0, 10_000)
        sink = WebhookSink(name="tms", url=url, retries=3, backoff=0.5, sleep=waits.append)
        (report,) = deliver_events(store, [sink])
    assert report.error == "" and report.delivered == len(expected)
    assert waits == [0.5, 1.0]  # doubling
    keys = [k for k, _ in state.got]
    assert keys[:3] == ["ensgate-event-1"] * 3  # the same event, the same key
    assert [b["id"] for _, b in state.got[2:]] == [e["id"] for e in expected]
    assert all(k == f"ensgate-event-{b['id']}" for k, b in state.got)
    assert state.got[-1][1] == expected[-1]


def test_webhook_down_keeps_the_rest_for_later(store_url: str,
                                               hook: tuple[Hook, str]) -> None:
    state, url = hook
    with Store.open(store_url) as store:
        lifecycle(store)
        total = len(store.events_after(0, 10_000))
        state.plan = [200, 200, 500, 500]  # the third event fails, retries exhausted
        sink = WebhookSink(name="tms", url=url, retries=1, backoff=0, sleep=lambda s: None)
        (report,) = deliver_events(store, [sink])
        assert (report.delivered, report.cursor, report.error) == (2, 2, "HTTP 500")
        refused = WebhookSink(name="tms", url=url.replace("ics2", "x"), retries=0)
        state.plan = [404]
        assert deliver_events(store, [refused])[0].error == "HTTP 404"  # no retry on 4xx
        (report,) = deliver_events(store, [sink])
        assert (report.delivered, report.cursor, report.error) == (total - 2, total, "")
    ids = [b["id"] for _, b in state.got]
    assert ids == [1, 2, 3, 3, 3, *range(3, total + 1)]


CHILD = """
import sys
from datetime import timedelta
from ensgate.sinks import WebhookSink, deliver_events
from ensgate.store import Store
with Store.open(sys.argv[1]) as store:
    deliver_events(store, [WebhookSink(name="tms", url=sys.argv[2], retries=0, batch=2)],
                   lease=timedelta(seconds=1))
"""


def test_webhook_crash_between_send_and_commit(tmp_path: Path, hook: tuple[Hook, str]) -> None:
    """A deliverer killed (SIGKILL) while its POST of the third event is answered: three
    events reached the endpoint and the cursor (committed every ``batch`` events, here 2)
    stands after the second. The next delivery sends the third again with the same id (at
    least once), then the rest; none is lost."""
    state, url = hook
    db = f"sqlite:///{tmp_path / 's.db'}"
    with Store.open(db) as store:
        lifecycle(store)
        total = len(store.events_after(0, 10_000))
    child = subprocess.Popen([sys.executable, "-c", CHILD, db, url])
    state.kill, state.kill_at = child.pid, 3
    assert child.wait(timeout=60) == -signal.SIGKILL
    with Store.open(db) as store:
        assert store.sink_cursor("tms") == 2
        # the dead process's lease expires (1 s), then another takes over
        assert deliver_events(store, [WebhookSink(name="tms", url=url)])[0].error == "busy"
        time.sleep(1.2)
        (report,) = deliver_events(store, [WebhookSink(name="tms", url=url)])
        assert report.cursor == total and report.error == ""
    ids = [b["id"] for _, b in state.got]
    assert ids == [1, 2, 3, *range(3, total + 1)]  # event 3 twice, same key
    assert [k for k, b in state.got if b["id"] == 3] == ["ensgate-event-3"] * 2


def test_postgres_events_committed_out_of_order_are_not_skipped(pg_url: str,
                                                                tmp_path: Path) -> None:
    """PostgreSQL gives out ids before commit: event A (lower id) still in an open
    transaction while B (higher id) is committed. Delivery waits for A rather than moving
    its cursor past it."""
    out = tmp_path / "e.jsonl"
    with Store.open(pg_url) as store:
        lifecycle(store)
        start = deliver_events(store, [JsonlSink(name="f", path=out)])[0].cursor
        engine = create_engine(pg_url)
        slow = engine.connect()
        tx = slow.begin()
        worker: threading.Thread | None = None
        done: list[Any] = []
        try:
            slow.execute(insert(events).values(at=_now(), kind="state", from_state="a",
                                               to_state="b", cause="slow"))
            with engine.begin() as fast:
                fast.execute(insert(events).values(at=_now(), kind="state", from_state="c",
                                                   to_state="d", cause="fast"))
            worker = threading.Thread(target=lambda: done.append(
                deliver_events(store, [JsonlSink(name="f", path=out)])))
            worker.start()
            time.sleep(1.0)
            assert not done  # waiting for the open transaction
            tx.commit()
        finally:
            if tx.is_active:
                tx.rollback()
            slow.close()
            if worker is not None:
                worker.join(30)
            engine.dispose()
        assert done[0][0].delivered == 2
    assert [r["cause"] for r in lines(out) if r["id"] > start] == ["slow", "fast"]


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_sinks_configuration(tmp_path: Path) -> None:
    conf = tmp_path / "site.yaml"
    conf.write_text("""sinks:
  - {name: file, kind: jsonl, path: events.jsonl}
  - name: tms
    kind: webhook
    url: https://tms.example/ics2
    timeout: 5s
    retries: 4
    headers: {Authorization: "${TMS_TOKEN}"}
""", "utf-8")
    sinks = load_config(conf, environ={"TMS_TOKEN": "Bearer s3cret"}).sinks
    assert [(s.name, s.kind) for s in sinks] == [("file", "jsonl"), ("tms", "webhook")]
    assert sinks[1].headers == {"Authorization": "Bearer s3cret"}
    assert (sinks[1].timeout, sinks[1].retries) == (5.0, 4)
    with pytest.raises(ConfigError, match="TMS_TOKEN"):
        load_config(conf, environ={})
    conf.write_text("sinks:\n  - {kind: webhook, url: ftp://x}\n", "utf-8")
    with pytest.raises(ConfigError, match="http"):
        load_config(conf)
    conf.write_text("sinks:\n  - {kind: webhook, url: 'http://tms.example/x'}\n", "utf-8")
    with pytest.raises(ConfigError, match="plain HTTP"):  # secure by default
        load_config(conf)
    conf.write_text("sinks:\n  - {kind: webhook, url: 'http://tms.example/x', "
                    "allow_http: true}\n", "utf-8")
    assert load_config(conf).sinks[0].url == "http://tms.example/x"
    conf.write_text("sinks:\n  - {kind: jsonl, path: x, url: y}\n", "utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        load_config(conf)


def test_report_command_delivers_to_the_configured_sinks(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ensgate.cli import main

    db = f"sqlite:///{tmp_path / 's.db'}"
    with Store.open(db) as store:
        lifecycle(store)
        total = len(store.events_after(0, 10_000))
    conf = tmp_path / "site.yaml"
    out = tmp_path / "events.jsonl"
    conf.write_text(f"sinks:\n  - {{name: file, kind: jsonl, path: '{out}'}}\n"
                    "  - {name: down, kind: webhook, url: 'http://127.0.0.1:9/x', "
                    "retries: 0, timeout: 2s}\n", "utf-8")
    run = CliRunner().invoke(main, ["report", "--store", db, "--config", str(conf)])
    assert run.exit_code == 4  # the Do-Not-Load is open
    assert [r["id"] for r in lines(out)] == list(range(1, total + 1))
    assert "sink down: 0 event(s) delivered, then ConnectError" in run.output


def test_webhook_over_tls_trusts_only_its_ca(tmp_path: Path) -> None:
    """https with the site's CA bundle (``ca:``): delivered over TLS. Without it the
    server's certificate (a private CA) is refused and nothing is delivered."""
    demo = make_demo_certs(tmp_path / "pki")
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(demo.tls_server, demo.tls_server_key)
    served = _serve(tls)
    state, url = next(served)
    try:
        with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
            lifecycle(store)
            total = len(store.events_after(0, 10_000))
            untrusted = build_sink(SinkConfig(name="tms", kind="webhook", url=url,
                                              retries=0))
            (refused,) = deliver_events(store, [untrusted])
            assert refused.delivered == 0 and "ConnectError" in refused.error
            assert "CERTIFICATE_VERIFY_FAILED" in refused.error and not state.got
            trusted = build_sink(SinkConfig(name="tms", kind="webhook", url=url,
                                            ca=str(demo.ca)))
            (report,) = deliver_events(store, [trusted])
            assert (report.delivered, report.error) == (total, "")
        assert [b["id"] for _, b in state.got] == list(range(1, total + 1))
    finally:
        served.close()


def test_do_not_load_end_to_end_reaches_the_sink(tmp_path: Path) -> None:
    """The whole path against the simulator (``ensgate rehearse``: translate -> file ->
    pull over two-way TLS) with the Do-Not-Load scenario: exit 4, and every IE3Q01 is a line
    of the events file with its AWB, LRN and MRN, after the IE3R01 that registered it."""
    from click.testing import CliRunner

    from ensgate.cli import main

    out = tmp_path / "events.jsonl"
    conf = tmp_path / "site.yaml"
    conf.write_text(f"sinks:\n  - {{name: file, kind: jsonl, path: '{out}'}}\n", "utf-8")
    db = f"sqlite:///{tmp_path / 'dnl.db'}"
    res = CliRunner().invoke(main, [
        "rehearse", str(SAMPLES / "cargo-imp"), "--scenario", "do-not-load", "--store", db,
        "--out", str(tmp_path / "out"), "--config", str(conf)], catch_exceptions=False)
    assert res.exit_code == 4, res.output
    got = lines(out)
    with Store.open(db) as store:
        assert [r["id"] for r in got] == [r["id"] for r in store.events_after(0, 10**6)]
        dnl = {f.lrn: f for f in store.filings() if f.state == "do-not-load"}
    seen = [r for r in got if r["event"] == "IE3Q01"]
    assert len(seen) == len(dnl) >= 4
    for r in seen:
        f = dnl[r["lrn"]]
        assert (r["awb"], r["mrn"], r["to"]) == (f.shipment, f.mrn, "do-not-load")
        registered = next(x for x in got if x["lrn"] == r["lrn"] and x["event"] == "IE3R01")
        assert registered["id"] < r["id"] and registered["mrn"] == f.mrn
    assert any(r["awb"] == "781-60482133" for r in seen)
