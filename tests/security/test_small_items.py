"""Issue 9, item 8: the smaller findings of the attack run.

- an authenticated client that stalls in its request body held a connection for ever;
- duplicate detection lived in memory: a receiver restarted filed the same bytes again;
- a file name with ``[`` crashed the output (rich markup), losing ``validate``'s result;
- Cargo-XML was detected from the first 4,096 bytes only: a long leading comment made an
  XFWB an "unknown Cargo-IMP" message;
- ``ensgate certs demo`` under umask 000 left ``ca.pem`` (the trust anchor) world-writable.
"""

from __future__ import annotations

import os
import socket
import ssl
import stat
import time
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from ensgate import translate_bytes
from ensgate.cli import main
from ensgate.connectors.as4 import (
    As4Asgi,
    As4Receiver,
    BackgroundServer,
    EndpointCerts,
    ReceiverHooks,
    StoreReceivedStore,
    client_context,
)
from ensgate.connectors.as4._asgi import BODY_TIMEOUT, READ_TIMEOUT
from ensgate.connectors.simulator import Simulator
from ensgate.seal import (
    make_demo_certs,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)
from ensgate.store import Store

ROOT = Path(__file__).resolve().parents[2]


# --- a stalled request body --------------------------------------------------------------

def _stalled_request(url_port: int, trader: EndpointCerts, *, wait: float) -> bytes:
    """A two-way TLS client (the trader's real certificate) that announces 100 kB of body,
    sends 10 bytes and stalls; what the server answers within ``wait`` seconds."""
    ctx = client_context(trader.tls)
    with socket.create_connection(("127.0.0.1", url_port), timeout=wait) as raw, \
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/"
                    b"soap+xml\r\nContent-Length: 100000\r\n\r\n0123456789")
        try:
            return tls.recv(4096)
        except (TimeoutError, ssl.SSLError, OSError):
            return b""


def test_a_stalled_body_is_answered_408_and_the_server_serves_others(
        trader: EndpointCerts, customs_side: EndpointCerts, ens_xml: bytes) -> None:
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    app = As4Asgi(sim.handle, read_timeout=0.5)
    with BackgroundServer(app, tls=customs_side.tls) as srv:
        started = time.monotonic()
        answer = _stalled_request(srv.port, trader, wait=10)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
        assert time.monotonic() - started < 5
        # and a client that sends its message gets through
        action = etree.QName(etree.fromstring(ens_xml)).localname
        from ensgate.connectors.as4 import As4Client, As4Settings
        settings = As4Settings(endpoint=srv.url, party_id="DE0000DEMO0001",
                               identity=trader.identity, trust=trader.trust,
                               peer_seal=trader.peer_seal, tls=trader.tls, retries=0)
        with As4Client(settings) as client:
            client.submit(ens_xml, action=action)
    assert len(sim.filed) == 1


def test_endpoints_have_read_timeouts_by_default() -> None:
    assert 0 < READ_TIMEOUT <= 60 and READ_TIMEOUT < BODY_TIMEOUT <= 600


# --- duplicate detection across a restart ----------------------------------------------------

def test_a_restarted_receiver_answers_a_resend_with_the_same_receipt(
        tmp_path: Path, trader: EndpointCerts, customs_side: EndpointCerts,
        ens_xml: bytes) -> None:
    wire = seal_user_message(ens_xml, header=trader_to_customs_header(
        sender_party_id="DE0000DEMO0001", action="IE3F26"), identity=trader.identity)
    processed: list[str] = []
    state = f"sqlite:///{tmp_path / 'received.sqlite'}"

    def receiver() -> As4Receiver:  # a fresh process: nothing in memory, the same store
        return As4Receiver(identity=customs_side.identity, trust=customs_side.trust,
                           received=StoreReceivedStore(Store.open(state)),
                           hooks=ReceiverHooks(on_user=lambda m: processed.append(
                               m.message_id)))

    first = receiver().handle(wire.content_type, wire.body)
    again = receiver()
    second = again.handle(wire.content_type, wire.body)
    assert processed == [wire.message_id]
    assert second == first and again.duplicates == 1
    receipt = verify_message(second.content_type, second.body, trust=customs_side.trust)
    assert receipt.kind == "receipt" and receipt.ref_to_message_id == wire.message_id


def test_the_simulator_keeps_its_duplicates_in_the_state_file(
        tmp_path: Path, cert_dir: Path, trader: EndpointCerts, ens_xml: bytes) -> None:
    from ensgate.connectors.simulator import SimulatorConfig, build_simulator

    action = etree.QName(etree.fromstring(ens_xml)).localname
    wire = seal_user_message(ens_xml, header=trader_to_customs_header(
        sender_party_id="DE0000DEMO0001", action=action), identity=trader.identity)
    config = SimulatorConfig(certs=cert_dir, state=tmp_path / "sim.sqlite")
    before, _ = build_simulator(config)
    before.handle(wire.content_type, wire.body)
    after, _ = build_simulator(config)  # restarted
    reply = after.handle(wire.content_type, wire.body)
    assert len(before.filed) == 1 and after.filed == []
    assert verify_message(reply.content_type, reply.body, trust=trader.trust).kind == "receipt"


# --- file names are text, not markup --------------------------------------------------------

def test_file_names_with_brackets_do_not_break_the_output(tmp_path: Path, ens_xml: bytes,
                                                          cert_dir: Path) -> None:
    (tmp_path / "batch[").mkdir()
    names = ["batch[/x].xml", "ens[bold].xml", "a[1]b.xml"]  # the first: a closing tag
    for name in names:
        (tmp_path / name).write_bytes(ens_xml)
    run = CliRunner().invoke(main, ["validate", *(str(tmp_path / n) for n in names)])
    assert run.exception is None or isinstance(run.exception, SystemExit), run.exception
    for name in names:
        assert name in run.output, run.output
    (tmp_path / "out[").mkdir()
    out = tmp_path / "out[/red]"
    run = CliRunner().invoke(main, ["translate", str(ROOT / "samples" / "cargo-imp"),
                                    "--out", str(out), "-q"])
    assert run.exit_code in (0, 1), run.output
    assert "out[/red]" in run.output
    (tmp_path / "seal[").mkdir()
    odd = tmp_path / "seal[/b].pem"
    odd.write_bytes((cert_dir / "seal.pem").read_bytes() + (cert_dir / "seal.key.pem")
                    .read_bytes())
    run = CliRunner().invoke(main, ["certs", "check", str(odd), "--trust",
                                    str(cert_dir / "ca.pem")])
    assert run.exit_code == 0 and "seal[/b].pem" in run.output, run.output


# --- Cargo-XML behind a long comment --------------------------------------------------------

def test_cargo_xml_is_detected_behind_a_long_leading_comment() -> None:
    data = (ROOT / "samples" / "cargo-xml" / "s3-xfwb-direct-180-88351270-icn-vie-security.xml"
            ).read_bytes()
    decl, rest = data.split(b"?>", 1)
    for doc in (decl + b"?>\n<!--" + b"c" * 8_000 + b"-->" + rest,
                b"<!--" + b"c" * 8_000 + b"-->\n<?pi x?>" + rest,
                (decl + b"?>\n<!--" + b"c" * 8_000 + b"-->" + rest).decode().encode("utf-16")):
        plain = translate_bytes(data, file="x.xml")
        behind = translate_bytes(doc, file="x.xml")
        # read as the XFWB it is: it waits for its flight times (no XFFM here), as alone
        got = [(m.format, m.kind) for m in behind.pending_messages]
        assert got == [(m.format, m.kind) for m in plain.pending_messages], got
        assert got == [("cargo-xml", "XFWB")] and not behind.rejects


# --- demo certificates under a permissive umask -----------------------------------------------

def test_demo_certs_are_not_writable_by_others_under_umask_000(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        folder = tmp_path / "demo-certs"
        make_demo_certs(folder)
        run = CliRunner().invoke(main, ["certs", "demo", "--out", str(tmp_path / "cli")])
        assert run.exit_code == 0, run.output
    finally:
        os.umask(old)
    for d in (folder, tmp_path / "cli"):
        assert not stat.S_IMODE(d.stat().st_mode) & 0o022, oct(d.stat().st_mode)
        for f in d.iterdir():
            mode = stat.S_IMODE(f.stat().st_mode)
            assert not mode & 0o022, (f.name, oct(mode))  # no one else may replace it
            if f.name.endswith((".key.pem", ".p12")):
                assert mode == 0o600, (f.name, oct(mode))
    assert stat.S_IMODE((folder / "ca.pem").stat().st_mode) == 0o644
