"""Issue 9, item 6: a connection cut before the TLS handshake completes is retried.

``ssl.SSLEOFError`` is an ``ssl.SSLError``, and the client classed every SSLError (and any
error whose text said "SSL") as a handshake *refusal*: ``ensgate send --retries 4`` gave up
after one attempt (exit 3) when a proxy or a restarting server closed the connection early.
Transport errors are now told apart by type: certificate verification and TLS alerts are final,
a cut connection is retried with the same bytes.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest
from _proxy import DroppingProxy
from click.testing import CliRunner
from lxml import etree

from ensgate.cli import main
from ensgate.connectors.as4 import (
    As4Client,
    As4Settings,
    As4TlsError,
    As4TransportError,
    BackgroundServer,
    EndpointCerts,
)
from ensgate.connectors.as4._client import _tls_failure
from ensgate.connectors.simulator import Simulator


def _wrapped(inner: BaseException) -> httpx.ConnectError:
    """What httpx raises: its own error with the ssl error as cause."""
    try:
        try:
            raise inner
        except BaseException as exc:
            raise httpx.ConnectError(str(exc)) from exc
    except httpx.ConnectError as outer:
        return outer


@pytest.mark.parametrize(("inner", "final"), [
    (ssl.SSLEOFError(8, "EOF occurred in violation of protocol"), False),
    (ssl.SSLZeroReturnError(6, "TLS/SSL connection has been closed (EOF)"), False),
    (ConnectionResetError(104, "Connection reset by peer"), False),
    (OSError("SSL handshake: the text says SSL but the type does not"), False),
    (ssl.SSLCertVerificationError(1, "certificate verify failed: unable to get local issuer"),
     True),
    (ssl.SSLError(1, "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca"), True),
])
def test_transport_errors_are_classed_by_type(inner: BaseException, final: bool) -> None:
    assert _tls_failure(_wrapped(inner)) is final


def test_cli_send_retries_a_connection_cut_in_the_handshake(
        cert_dir: Path, customs_side: EndpointCerts, ens_xml: bytes, tmp_path: Path) -> None:
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    ens = tmp_path / "ens.xml"
    ens.write_bytes(ens_xml)
    with BackgroundServer(sim.app, tls=customs_side.tls) as srv, \
            DroppingProxy(srv.port, drop_first=1) as proxy:
        run = CliRunner().invoke(main, ["send", str(ens), "--endpoint", proxy.url,
                                        "--certs", str(cert_dir), "--retries", "4"])
    assert run.exit_code == 0, run.output
    assert "2 attempts" in run.output
    assert proxy.accepted == 2 and len(sim.filed) == 1


@pytest.mark.parametrize(("drops", "retries", "attempts"), [(3, 4, 4), (3, 2, 3)])
def test_client_retries_cut_handshakes_then_gives_up_as_transport(
        trader: EndpointCerts, customs_side: EndpointCerts, ens_xml: bytes, drops: int,
        retries: int, attempts: int) -> None:
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    action = etree.QName(etree.fromstring(ens_xml)).localname
    slept: list[float] = []
    with BackgroundServer(sim.app, tls=customs_side.tls) as srv, \
            DroppingProxy(srv.port, drop_first=drops) as proxy:
        settings = As4Settings(endpoint=proxy.url, party_id="DE0000DEMO0001",
                               identity=trader.identity, trust=trader.trust,
                               peer_seal=trader.peer_seal, tls=trader.tls, retries=retries,
                               backoff=0.5)
        with As4Client(settings, sleep=slept.append) as client:
            if attempts > retries:
                with pytest.raises(As4TransportError) as caught:
                    client.submit(ens_xml, action=action)
                assert not isinstance(caught.value, As4TlsError)
                assert caught.value.attempts == attempts
                assert "closed the connection" in str(caught.value)
            else:
                done = client.submit(ens_xml, action=action)
                assert done.attempts == attempts
    assert slept == [0.5 * 2 ** i for i in range(attempts - 1)]
    assert proxy.accepted == attempts
