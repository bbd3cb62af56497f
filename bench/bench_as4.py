"""AS4 throughput: filings per second pushed and acknowledged (seal, send, verify on the
receiver, signed receipt back, receipt checked), in process and over loopback two-way TLS,
against the floor of the same bytes over the same TLS connection to an app that does nothing.

    python bench/bench_as4.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from ensgate.cli import main
from ensgate.connectors.as4 import (
    As4Asgi,
    As4Client,
    As4Receiver,
    As4Settings,
    BackgroundServer,
    HttpReply,
    ReceiverHooks,
    client_context,
    receiver_transport,
    simulator_certs,
    trader_certs,
)
from ensgate.connectors.simulator import Simulator
from ensgate.seal import make_demo_certs


def _ens(tmp: Path) -> tuple[bytes, str]:
    from click.testing import CliRunner
    from lxml import etree

    root = Path(__file__).resolve().parents[1]
    CliRunner().invoke(main, ["translate", str(root / "samples" / "cargo-imp"), "--out",
                              str(tmp / "ens"), "-q"])
    path = sorted((tmp / "ens").glob("*.xml"))[0]
    return path.read_bytes(), etree.QName(etree.parse(str(path)).getroot()).localname


def _rate(n: int, step: object) -> float:
    assert callable(step)
    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return n / (time.perf_counter() - t0)


def run(n: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    make_demo_certs(tmp / "certs")
    trader, customs = trader_certs(tmp / "certs"), simulator_certs(tmp / "certs")
    xml, action = _ens(tmp)
    settings = As4Settings(endpoint="https://127.0.0.1/", party_id="DE0000DEMO0001",
                           identity=trader.identity, trust=trader.trust, tls=trader.tls,
                           peer_seal=trader.peer_seal)
    rows: list[tuple[str, float, str]] = []

    sim = Simulator(identity=customs.identity, trust=customs.trust)
    with As4Client(settings, transport=receiver_transport(sim)) as client:
        rows.append(("seal only (client side)",
                     _rate(n, lambda: client.seal(xml, action=action)), ""))
        rows.append(("push + receipt, in process (no socket)",
                     _rate(n, lambda: client.submit(xml, action=action)), ""))
        wire = client.seal(xml, action=action)
    bare = As4Receiver(identity=customs.identity, trust=customs.trust,
                       hooks=ReceiverHooks(on_user=lambda msg: None))
    with As4Client(settings, transport=receiver_transport(bare)) as client:
        rows.append(("push + receipt, in process, receiver without customs logic",
                     _rate(n, lambda: client.submit(xml, action=action)), ""))
    key = trader.identity.key
    pub = key.public_key()

    def crypto() -> None:
        for _ in range(2):
            sig = key.sign(wire.body[:512], padding.PKCS1v15(), hashes.SHA256())
            pub.verify(sig, wire.body[:512], padding.PKCS1v15(), hashes.SHA256())

    rows.append(("floor: 2 RSA-2048 signs + 2 verifies (message, receipt)",
                 _rate(n, crypto), "floor"))
    sim = Simulator(identity=customs.identity, trust=customs.trust)
    with BackgroundServer(sim.app, tls=customs.tls) as srv:
        import dataclasses

        with As4Client(dataclasses.replace(settings, endpoint=srv.url)) as client:
            rows.append(("push + receipt, loopback two-way TLS",
                         _rate(n, lambda: client.submit(xml, action=action)), ""))
    receipt_size = 4096
    null = As4Asgi(lambda ct, body: HttpReply(content_type="application/soap+xml",
                                              body=b"x" * receipt_size))
    with BackgroundServer(null, tls=customs.tls) as srv, \
            httpx.Client(verify=client_context(trader.tls)) as http:
        rows.append(("floor: same bytes over the same TLS, app does nothing",
                     _rate(n, lambda: http.post(srv.url, content=wire.body, headers={
                         "Content-Type": wire.content_type})), "floor"))

    print(f"ensgate AS4 bench: {n} filings of {len(xml):,} bytes ENS "
          f"({len(wire.body):,} bytes on the wire), one core, one connection")
    print(f"{'stage':58} {'filings/s':>10}  note")
    for name, rate, note in rows:
        print(f"{name:58} {rate:10.1f}  {note}")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
