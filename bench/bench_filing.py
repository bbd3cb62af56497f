"""Filing throughput through the store: filings per second sealed, claimed in the store,
pushed and acknowledged (NRR receipt verified and recorded) by ``file_due`` (what ``ensgate
file`` runs) against the simulator as a separate process on loopback two-way TLS, with one
and with N workers sharing one AS4 client; beside the seal-only figure of the same filings
and the old way, one ``ensgate send`` process per filing, measured in the same run.

    python bench/bench_filing.py [SHIPMENTS] [N]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from crash_filing import _ensgate, _env, _free_port, _wait_port  # noqa: E402
from crash_store import write_corpus  # noqa: E402

from ensgate.connectors import get_connector  # noqa: E402
from ensgate.connectors.as4 import As4Client, As4Connector, trader_certs  # noqa: E402
from ensgate.outbox import file_due  # noqa: E402
from ensgate.seal import make_demo_certs  # noqa: E402
from ensgate.store import Store  # noqa: E402


class _Simulator:
    """``ensgate simulate`` in its own process (its own core: the client does not share the
    GIL with it)."""

    def __init__(self, certs: Path) -> None:
        self.port = _free_port()
        self.url = f"https://127.0.0.1:{self.port}/"
        self.proc = subprocess.Popen(
            _ensgate("simulate", "--port", str(self.port), "--certs", str(certs)),
            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port, self.proc)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


def _file_rate(template: Path, work: Path, certs: Path, concurrency: int) -> tuple[float, int]:
    db = work / f"file-{concurrency}.db"
    shutil.copy(template, db)
    sim = _Simulator(certs)
    try:
        with Store.open(f"sqlite:///{db}") as store:
            conn = get_connector("as4", endpoint=sim.url, certs=certs, store=store)
            assert isinstance(conn, As4Connector)
            t0 = time.perf_counter()
            report = file_due(store, conn, concurrency=concurrency, endpoint=sim.url)
            seconds = time.perf_counter() - t0
            conn.close()
    finally:
        sim.stop()
    counts = report.counts()
    if counts.get("receipt", 0) != len(report.handed):
        raise RuntimeError(f"not every filing was acknowledged: {counts}")
    return len(report.handed) / seconds, len(report.handed)


def _store_rate(template: Path, work: Path) -> float:
    """The store's share: claim (MessageId and sealed bytes committed) + receipt recorded,
    two transactions per filing (SQLite, synchronous=FULL: one fsync each)."""
    db = work / "store-only.db"
    shutil.copy(template, db)
    with Store.open(f"sqlite:///{db}") as store:
        items = store.outbox()
        wire = b"x" * 12_000
        t0 = time.perf_counter()
        for i, item in enumerate(items):
            store.claim_send(item, message_id=f"m{i}@bench", action=item.filing,
                             endpoint="bench", wire=wire)
            store.record_receipt(f"m{i}@bench", ok=True, receipt_wire=wire[:4000])
        return len(items) / (time.perf_counter() - t0)


def _send_rate(template: Path, work: Path, certs: Path, n: int) -> float:
    """The old way: ``ensgate send FILE`` per filing, a process each."""
    db = work / "send.db"
    shutil.copy(template, db)
    with Store.open(f"sqlite:///{db}") as store:
        xmls = [f.xml for f in store.filings()][:n]
    files = []
    for i, xml in enumerate(xmls):
        path = work / f"send-{i}.xml"
        path.write_bytes(xml)
        files.append(path)
    sim = _Simulator(certs)
    try:
        t0 = time.perf_counter()
        for path in files:
            subprocess.run(_ensgate("send", str(path), "--endpoint", sim.url, "--certs",
                                    str(certs), "--store", f"sqlite:///{db}"),
                           env=_env(), capture_output=True, check=True)
        return len(files) / (time.perf_counter() - t0)
    finally:
        sim.stop()


def run(shipments: int, workers: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-filing-"))
    certs = work / "certs"
    make_demo_certs(certs)
    write_corpus(work / "in", shipments, files=2)
    template = work / "template.db"
    subprocess.run(_ensgate("translate", str(work / "in"), "--store", f"sqlite:///{template}",
                            "--out", str(work / "out"), "-q"), env=_env(),
                   capture_output=True, check=False)
    with Store.open(f"sqlite:///{template}") as store:
        filings = [f for f in store.filings() if f.state == "ready"]
    trader = trader_certs(certs)
    from ensgate.connectors.as4 import As4Settings

    settings = As4Settings(endpoint="https://127.0.0.1/", party_id="DE0000DEMO0001",
                           identity=trader.identity, trust=trader.trust, tls=trader.tls,
                           peer_seal=trader.peer_seal)
    with As4Client(settings) as client:
        t0 = time.perf_counter()
        for f in filings:
            client.seal(f.xml, action=f.filing)
        seal_rate = len(filings) / (time.perf_counter() - t0)
    store_rate = _store_rate(template, work)
    one, n_one = _file_rate(template, work, certs, 1)
    many, n_many = _file_rate(template, work, certs, workers)
    send = _send_rate(template, work, certs, 5)
    size = sum(len(f.xml) for f in filings) / len(filings)
    print(f"ensgate filing bench: {len(filings)} filings (generated FWB + FFM, "
          f"{size:,.0f} bytes ENS each) into SQLite, the simulator in its own process on "
          "loopback two-way TLS")
    print(f"{'stage':62} {'filings/s':>10}")
    rows = (("seal only (gzip, C14N, RSA-2048, MIME), one core", seal_rate),
            ("store only: claim + receipt recorded (2 commits, fsync each)", store_rate),
            (f"file: seal + claim + push + receipt recorded, 1 connection ({n_one})", one),
            (f"file: same, {workers} workers sharing one client ({n_many})", many),
            ("anchor: `ensgate send FILE`, one process per filing (5)", send))
    for name, rate in rows:
        print(f"{name:62} {rate:10.1f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 200,
        int(sys.argv[2]) if len(sys.argv) > 2 else 4)
