"""Issue 9, item 7: a small sealed message cannot inflate the receiver.

A 110 KB sealed message whose payload inflates to 99 MB of tiny elements took the simulator to
3.4 GB RSS (the payload was parsed into a tree), and each of up to 64 MIME parts could inflate
to 100 MB of its own. Now all gzip parts of one message share one inflation budget (100 MB,
the ICD's business-message maximum), inflated in 1 MB steps, and the simulator checks the
payload by a streamed parse that keeps no tree and stops at 1,000,000 elements.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ensgate.connectors.as4 import As4Receiver, EndpointCerts, ReceiverHooks
from ensgate.seal import (
    MAX_DECOMPRESSED,
    DecompressionError,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)

MB = 1024 * 1024


def _header() -> object:
    return trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F26")


def test_the_budget_is_for_the_whole_message(trader: EndpointCerts) -> None:
    """Three parts of 40 MB each: each alone is under 100 MB, together they are not."""
    wire = seal_user_message(b"<IE3F26/>", header=_header(), identity=trader.identity,
                             attachments=[("image/jpeg", bytes(40 * MB))] * 3)
    assert len(wire.body) < 1 * MB  # zeros compress 1000:1
    with pytest.raises(DecompressionError, match="all parts together"):
        verify_message(wire.content_type, wire.body, trust=trader.trust)
    ok = verify_message(wire.content_type, wire.body, trust=trader.trust,
                        max_inflated=121 * MB)
    assert [len(p.data) for p in ok.payloads] == [9, 40 * MB, 40 * MB, 40 * MB]


def test_inflation_stops_at_the_budget(trader: EndpointCerts) -> None:
    """The receiver refuses with EBMS:0303 as soon as the budget is spent, not after
    inflating everything (a 20 MB budget against a part of 60 MB)."""
    wire = seal_user_message(b"<IE3F26/>", header=_header(), identity=trader.identity,
                             attachments=[("application/pdf", bytes(60 * MB))])
    seen: list[object] = []
    receiver = As4Receiver(identity=trader.identity, trust=trader.trust,
                           hooks=ReceiverHooks(on_user=seen.append), max_inflated=20 * MB)
    reply = receiver.handle(wire.content_type, wire.body)
    answer = verify_message(reply.content_type, reply.body, trust=trader.trust)
    assert [e.code for e in answer.errors] == ["EBMS:0303"]
    assert seen == []
    assert MAX_DECOMPRESSED == 100 * MB


_CHILD = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from ensgate.connectors.as4 import simulator_certs
    from ensgate.connectors.simulator import Simulator
    from ensgate.seal import verify_message
    certs, wire = Path(sys.argv[1]), Path(sys.argv[2])
    customs = simulator_certs(certs)
    content_type, body = wire.with_suffix(".ct").read_text(), wire.read_bytes()
    sim = Simulator(identity=customs.identity, trust=customs.trust)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reply = sim.handle(content_type, body)
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    answer = verify_message(reply.content_type, reply.body, trust=customs.trust)
    print(grew // 1024, ",".join(e.code for e in answer.errors), len(sim.filed))
""")


def test_a_small_message_of_tiny_elements_does_not_inflate_the_simulator(
        cert_dir: Path, trader: EndpointCerts, tmp_path: Path) -> None:
    """The attack of the issue. The simulator handles it in a child process, so that its
    memory is measured alone (and capped at 2 GB of address space: a regression fails instead
    of taking the machine)."""
    payload = b"<IE3F26>" + b"<a/>" * (99 * MB // 4) + b"</IE3F26>"
    wire = seal_user_message(payload, header=_header(), identity=trader.identity)
    del payload
    assert len(wire.body) < 200 * 1024  # the attack message: ~110 KB
    (tmp_path / "wire.bin").write_bytes(wire.body)
    (tmp_path / "wire.ct").write_text(wire.content_type)

    def cap() -> None:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2048 * MB, 2048 * MB))

    run = subprocess.run([sys.executable, "-c", _CHILD, str(cert_dir),
                          str(tmp_path / "wire.bin")], capture_output=True, text=True,
                         timeout=300, preexec_fn=cap)
    assert run.returncode == 0, run.stderr[-2000:]
    grew_mb, codes, filed = run.stdout.split()
    print("simulator RSS growth (MB):", grew_mb)
    assert codes == "EBMS:0003" and filed == "0"  # refused: more elements than an ENS holds
    assert int(grew_mb) < 500, f"handling grew RSS by {grew_mb} MB"  # was 3.4 GB
