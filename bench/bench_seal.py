"""Sealing: sealed AS4 messages per second on one core, beside the floor.

    python bench/bench_seal.py [N]

Seals N real ENS filings (the golden pipeline outputs, cycled) with ``seal_user_message``
(gzip, ebMS3 header, exclusive C14N, RSA-2048 signature, MIME) and verifies them back with
``verify_message``. The floor is what any sealer must do per message: one RSA-2048
PKCS#1 v1.5 SHA-256 signature plus gzip of the same payload (and for verification one RSA
verification plus gunzip). Target: sealing at least half its floor. Verification has no
target (it parses XML, checks three digests and the certificate chain; the floor is shown
only to say how far from bare crypto it is). Best of 5 alternating rounds.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from ensgate.seal import (
    WireMessage,
    load_identity,
    load_trust,
    make_demo_certs,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 5


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    sources = [p.read_bytes() for p in sorted((ROOT / "tests" / "golden" / "expected")
                                               .glob("*/*.xml"))]
    docs = [sources[i % len(sources)] for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        demo = make_demo_certs(tmp)
        ident = load_identity(demo.seal_p12, password=demo.password)
        trust = load_trust(demo.ca)
    header = trader_to_customs_header(sender_party_id=demo.eori, action="IE3F26")
    key, pub = ident.key, ident.certificate.public_key()

    def floor_seal() -> list[tuple[bytes, bytes]]:
        out = []
        for d in docs:
            z = gzip.compress(d, compresslevel=6, mtime=0)
            out.append((key.sign(z[:64], padding.PKCS1v15(), hashes.SHA256()), z))
        return out

    def ours_seal() -> list[WireMessage]:
        return [seal_user_message(d, header=header, identity=ident) for d in docs]

    sigs, wires = floor_seal(), ours_seal()

    def floor_verify() -> None:
        for s, z in sigs:
            pub.verify(s, z[:64], padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr]
            gzip.decompress(z)

    def ours_verify() -> None:
        for w in wires:
            verify_message(w.content_type, w.body, trust=trust)

    # Rounds alternate floor and ours and the best round counts: on a shared machine this
    # compares like with like instead of whatever else ran during one long phase.
    best: dict[str, float] = {}
    for _ in range(ROUNDS):
        for name, fn in (("floor_seal", floor_seal), ("ours_seal", ours_seal),
                         ("floor_verify", floor_verify), ("ours_verify", ours_verify)):
            t0 = time.perf_counter()
            fn()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)
    floor_seal_s, ours_seal_s = best["floor_seal"], best["ours_seal"]
    floor_verify_s, ours_verify_s = best["floor_verify"], best["ours_verify"]

    avg_in = sum(map(len, docs)) / n
    avg_out = sum(len(w.body) for w in wires) / n
    print(f"N = {n} messages, ENS {avg_in:,.0f} bytes -> wire {avg_out:,.0f} bytes on average")
    print(f"{'operation':<10} {'floor msg/s':>12} {'ensgate msg/s':>14} {'share':>7} "
          f"{'target':>8}")
    for name, floor, ours, target in (("seal", floor_seal_s, ours_seal_s, True),
                                      ("verify", floor_verify_s, ours_verify_s, False)):
        f, o = n / floor, n / ours
        verdict = ("met" if o >= f / 2 else "MISSED") if target else "none"
        print(f"{name:<10} {f:>12,.0f} {o:>14,.0f} {o / f:>7.0%} {verdict:>8}")


if __name__ == "__main__":
    main()
