"""AS4 over real sockets: uvicorn on loopback HTTPS, two-way TLS with the demo PKI made by the
test session, real ENS filings; the simulator in a thread or as ``ensgate simulate``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from _as4_helpers import action_of, lrn_of, make_settings
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ensgate.cli import main
from ensgate.connectors import OutboundFiling
from ensgate.connectors.as4 import (
    As4Asgi,
    As4Client,
    As4Connector,
    As4TlsError,
    As4TransportError,
    BackgroundServer,
    EndpointCerts,
    HttpReply,
    InboundEndpoint,
    TlsFiles,
    free_port,
    inbound_certs,
    make_server,
    trader_certs,
)
from ensgate.connectors.simulator import AnswerPusher, Simulator
from ensgate.seal import SealIdentity, SealPin, issue_certificate


def _filing(path: Path) -> OutboundFiling:
    return OutboundFiling(lrn=lrn_of(path), message_type=action_of(path), xml=path.read_bytes())


def test_push_then_pull_over_two_way_tls(simulator: Simulator, cert_dir: Path,
                                         customs_side: EndpointCerts, ens_file: Path) -> None:
    with BackgroundServer(simulator.app, tls=customs_side.tls) as srv:
        conn = As4Connector(endpoint=srv.url, certs=cert_dir, backoff=0.05)
        try:
            assert conn.ping()
            assert simulator.filed == []
            result = conn.submit(_filing(ens_file))
            assert result.accepted, result.detail
            answers = list(conn.answers())
        finally:
            conn.close()
    assert [a.action for a in answers] == ["IE3R01"]
    assert answers[0].lrn == lrn_of(ens_file) and answers[0].mrn
    assert answers[0].ref_to_message_id == result.reference
    assert simulator.acknowledged == [answers[0].message_id]


def _rogue_client(folder: Path) -> TlsFiles:
    """A client certificate from a CA the server does not trust."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rogue CA")])
    ca = issue_certificate(subject=name, key=key, issuer=None, ca=True, key_usage="ca")
    ca_id = SealIdentity(key=key, chain=(ca,))
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = issue_certificate(
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rogue client")]),
        key=leaf_key, issuer=ca_id, key_usage="tls-client")
    cert, keyfile = folder / "rogue.pem", folder / "rogue.key.pem"
    cert.write_bytes(leaf.public_bytes(serialization.Encoding.PEM)
                     + ca.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    (folder / "rogue-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return TlsFiles(ca_file=folder / "rogue-ca.pem", cert_file=cert, key_file=keyfile)


def test_wrong_client_certificate_is_refused_at_tls(simulator: Simulator,
                                                    trader: EndpointCerts,
                                                    customs_side: EndpointCerts,
                                                    ens_file: Path, tmp_path: Path) -> None:
    rogue = _rogue_client(tmp_path)
    requests: list[int] = []
    handle = simulator.handle

    def counting(content_type: str, body: bytes) -> HttpReply:
        requests.append(len(body))
        return handle(content_type, body)

    with BackgroundServer(As4Asgi(counting), tls=customs_side.tls) as srv:
        # right CA for the server, wrong client certificate: the server ends the connection
        # in TLS (TLS 1.2: in the handshake; TLS 1.3: right after it), no HTTP request is read
        wrong_client = TlsFiles(ca_file=trader.tls.ca_file, cert_file=rogue.cert_file,
                                key_file=rogue.key_file)
        with As4Client(make_settings(trader, endpoint=srv.url, tls=wrong_client,
                                     retries=1)) as client, \
                pytest.raises(As4TransportError, match=r"client certificate|TLS"):
            client.submit(ens_file.read_bytes(), action=action_of(ens_file))
        assert requests == []
        # the same client with the right certificate gets through to the application
        with As4Client(make_settings(trader, endpoint=srv.url)) as client:
            client.submit(ens_file.read_bytes(), action=action_of(ens_file))
        assert len(requests) == 1
        simulator.filed.clear()
        # right client certificate, but the server is not trusted by us
        distrust = TlsFiles(ca_file=rogue.ca_file, cert_file=trader.tls.cert_file,
                            key_file=trader.tls.key_file)
        with As4Client(make_settings(trader, endpoint=srv.url, tls=distrust)) as client, \
                pytest.raises(As4TlsError, match=r"(?i)certificate"):
            client.submit(ens_file.read_bytes(), action=action_of(ens_file))
    assert simulator.filed == []


def test_connection_refused_is_retried_with_the_same_message_id(
        simulator: Simulator, trader: EndpointCerts, customs_side: EndpointCerts,
        ens_file: Path) -> None:
    port = free_port()
    server = make_server(simulator.app, host="127.0.0.1", port=port, tls=customs_side.tls)
    thread = threading.Thread(target=server.run, daemon=True)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:  # the endpoint comes up while the client is backing off
            thread.start()
            while not server.started:
                time.sleep(0.01)
        time.sleep(seconds)

    settings = make_settings(trader, endpoint=f"https://127.0.0.1:{port}/", retries=6,
                             backoff=0.05)
    try:
        with As4Client(settings, sleep=sleep) as client:
            done = client.submit(ens_file.read_bytes(), action=action_of(ens_file))
    finally:
        server.should_exit = True
        thread.join(10)
    assert done.attempts == 3 and sleeps == [0.05, 0.1]
    assert [f.message_id for f in simulator.filed] == [done.message_id]


def test_push_mode_answers_reach_the_inbound_endpoint(cert_dir: Path, trader: EndpointCerts,
                                                      customs_side: EndpointCerts,
                                                      ens_file: Path) -> None:
    ours = inbound_certs(cert_dir)
    inbound = InboundEndpoint(identity=ours.identity, trust=ours.trust,
                              party_id="DE0000DEMO0001", customs_seal=SealPin.of_certificates(
                                  [customs_side.identity.certificate]))
    with BackgroundServer(inbound.app, tls=ours.tls) as trader_srv:
        pusher = AnswerPusher(make_settings(customs_side, endpoint=trader_srv.url,
                                            party_id="sti-taxud",
                                            tls=TlsFiles(ca_file=cert_dir / "ca.pem",
                                                         cert_file=cert_dir / "tls-client.pem",
                                                         key_file=cert_dir
                                                         / "tls-client.key.pem")))
        sim = Simulator(identity=customs_side.identity, trust=customs_side.trust,
                        pusher=pusher)
        with BackgroundServer(sim.app, tls=customs_side.tls) as sim_srv:
            conn = As4Connector(settings=make_settings(trader, endpoint=sim_srv.url),
                                inbound=inbound)
            result = conn.submit(_filing(ens_file))
            pusher.join()
            answers = list(conn.answers())
            conn.close()
        pusher.close()
    assert result.accepted
    assert pusher.failed == [] and len(pusher.delivered) == 1
    assert [(a.action, a.lrn) for a in answers] == [("IE3R01", lrn_of(ens_file))]
    assert answers[0].mrn and answers[0].ref_to_message_id == result.reference


def _wait_port(port: int, proc: subprocess.Popen[str], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"simulate exited early: {proc.communicate()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("ensgate simulate did not start listening")


def test_cli_simulate_send_pull(cert_dir: Path, ens_files: list[Path]) -> None:
    """The documented rehearsal: `ensgate simulate` in one terminal, `ensgate send` and
    `ensgate pull` in another; Ctrl-C stops the simulator cleanly."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ensgate.cli", "simulate", "--port", str(port),
         "--certs", str(cert_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env)
    try:
        _wait_port(port, proc)
        url = f"https://127.0.0.1:{port}/"
        runner = CliRunner()
        ping = runner.invoke(main, ["ping", "--endpoint", url, "--certs", str(cert_dir)])
        assert ping.exit_code == 0 and "receipt    verified" in ping.output, ping.output
        first, second = ens_files[0], ens_files[1]
        sent = runner.invoke(main, ["send", str(first), "--endpoint", url, "--certs",
                                    str(cert_dir), "--wait", "15"])
        assert sent.exit_code == 0, sent.output
        assert "receipt    verified" in sent.output
        assert f"LRN {lrn_of(first)}" in sent.output and "MRN " in sent.output
        # pull mode: send without waiting, then pull
        sent2 = runner.invoke(main, ["send", str(second), "--endpoint", url, "--certs",
                                     str(cert_dir)])
        assert sent2.exit_code == 0, sent2.output
        pulled = runner.invoke(main, ["pull", "--endpoint", url, "--certs", str(cert_dir)])
        assert pulled.exit_code == 0, pulled.output
        assert "IE3R01" in pulled.output and f"LRN {lrn_of(second)}" in pulled.output
        assert "MRN " in pulled.output
        empty = runner.invoke(main, ["pull", "--endpoint", url, "--certs", str(cert_dir)])
        assert empty.exit_code == 0 and "EBMS:0006" in empty.output
        refused = runner.invoke(main, ["send", str(first), "--endpoint", url, "--certs",
                                       str(cert_dir), "--party-id", "DE0000OTHER99"])
        assert refused.exit_code == 1
        assert "REFUSED" in refused.output and "UUM&DS A001" in refused.output
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "stopped" in err


def test_tls_1_2_is_enough_and_nothing_older_is_offered(simulator: Simulator,
                                                        trader: EndpointCerts,
                                                        customs_side: EndpointCerts,
                                                        ens_file: Path) -> None:
    """ICD 4.6: TLS 1.2 must work; our contexts refuse anything older on both ends."""
    import ssl

    from ensgate.connectors.as4 import client_context, server_context

    assert client_context(trader.tls).minimum_version == ssl.TLSVersion.TLSv1_2
    assert server_context(customs_side.tls).minimum_version == ssl.TLSVersion.TLSv1_2
    ctx = client_context(trader.tls)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with BackgroundServer(simulator.app, tls=customs_side.tls) as srv, \
            httpx.Client(verify=ctx) as http:
        client = As4Client(make_settings(trader, endpoint=srv.url),
                           transport=httpx.HTTPTransport(verify=ctx))
        done = client.submit(ens_file.read_bytes(), action=action_of(ens_file))
        client.close()
        with http.stream("POST", srv.url, content=b"") as response:
            assert response.extensions["network_stream"].get_extra_info(
                "ssl_object").version() == "TLSv1.2"
    assert done.receipt.kind == "receipt"


def test_tls_identities_from_pkcs12_on_both_ends(simulator: Simulator, cert_dir: Path,
                                                 trader: EndpointCerts, ens_file: Path,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A site that keeps its TLS client certificate as PKCS#12 (as eSeal and TLS certificates
    are usually delivered) uses it directly; the server side too. The key never rests on disk
    in clear (see ``_tls._load_own_chain``)."""
    from ensgate.connectors.as4 import client_context, server_context

    monkeypatch.setenv("ENSGATE_CERT_PASSWORD", "demo")
    client_p12 = TlsFiles(ca_file=cert_dir / "ca.pem", cert_file=cert_dir / "tls-client.p12")
    server_p12 = TlsFiles(ca_file=cert_dir / "ca.pem", cert_file=cert_dir / "tls-server.p12")
    with BackgroundServer(simulator.app, tls=server_p12) as srv:
        client = As4Client(make_settings(trader, endpoint=srv.url),
                           transport=httpx.HTTPTransport(verify=client_context(client_p12)))
        done = client.submit(ens_file.read_bytes(), action=action_of(ens_file))
        client.close()
    assert done.receipt.kind == "receipt"
    monkeypatch.setenv("ENSGATE_CERT_PASSWORD", "Xq7-not-the-password")
    with pytest.raises(ValueError, match="PKCS#12") as refused:
        server_context(server_p12)
    assert "Xq7" not in str(refused.value)  # the secret never reaches the message
    # a folder with only the PKCS#12 files is enough for the connector
    only_p12 = tmp_path / "p12-only"
    only_p12.mkdir()
    for name in ("ca.pem", "seal.p12", "tls-client.p12"):
        (only_p12 / name).write_bytes((cert_dir / name).read_bytes())
    monkeypatch.setenv("ENSGATE_CERT_PASSWORD", "demo")
    assert trader_certs(only_p12).tls.cert_file.name == "tls-client.p12"
