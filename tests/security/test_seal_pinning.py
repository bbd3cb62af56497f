"""Issue 9, item 3: receipts and answers are accepted only from the pinned customs seal.

The trust anchor (``ca.pem``) issues seals to customs and to traders alike. ``send`` and
``pull`` accepted a receipt, or an IE3R01 with a forged MRN, sealed by our own seal or by
another trader's seal from the same CA. Now the customs seal is pinned by default (the
certificate folder's ``customs-seal.pem`` / ``.sha256``, or ``--customs-seal``), our own seal
is never accepted, and the inbound endpoint cannot be built without a pin.
"""

from __future__ import annotations

import shutil
from collections import deque
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from lxml import etree

from ensgate.answers import SimulatedCustoms
from ensgate.cli import main
from ensgate.connectors.as4 import (
    As4Client,
    As4Connector,
    As4ConnectorError,
    As4ProtocolError,
    As4Receiver,
    As4Settings,
    BackgroundServer,
    EndpointCerts,
    InboundEndpoint,
    ReceiverHooks,
    receiver_transport,
)
from ensgate.connectors.simulator import Simulator
from ensgate.seal import (
    SealIdentity,
    SealPin,
    SealPinError,
    customs_to_trader_header,
    fingerprint,
    issue_certificate,
    pull_mpc,
    seal_user_message,
)
from ensgate.seal._demo import demo_key

US = "DE0000DEMO0001"


@pytest.fixture(scope="module")
def other_trader(cert_dir: Path) -> SealIdentity:
    """Another trader's seal, issued by the same demo CA as ours and the customs seal."""
    root = x509.load_pem_x509_certificate((cert_dir / "ca.pem").read_bytes())
    inter_cert = x509.load_pem_x509_certificate((cert_dir / "intermediate.pem").read_bytes())
    inter = SealIdentity(key=demo_key("intermediate"), chain=(inter_cert, root))
    key = demo_key("other-trader-seal")
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "OTHER TRADER"),
                      x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "FR0000OTHER0002"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "other trader eSeal")])
    cert = issue_certificate(subject=name, key=key, issuer=inter, key_usage="seal")
    return SealIdentity(key=key, chain=(cert, inter_cert, root))


def _settings(trader: EndpointCerts, **over: object) -> As4Settings:
    base: dict[str, object] = dict(endpoint="https://ti.invalid/", party_id=US,
                                   identity=trader.identity, trust=trader.trust,
                                   peer_seal=trader.peer_seal, retries=0)
    base.update(over)
    return As4Settings(**base)  # type: ignore[arg-type]


def _ens(ens_xml: bytes) -> tuple[bytes, str]:
    return ens_xml, etree.QName(etree.fromstring(ens_xml)).localname


@pytest.mark.parametrize("signer", ["our own seal", "another trader's seal"])
def test_send_refuses_a_receipt_not_sealed_by_customs(
        trader: EndpointCerts, other_trader: SealIdentity, ens_xml: bytes,
        signer: str) -> None:
    identity = trader.identity if signer == "our own seal" else other_trader
    fake_customs = As4Receiver(identity=identity, trust=trader.trust,
                               hooks=ReceiverHooks(on_user=lambda msg: None))
    xml, action = _ens(ens_xml)
    with As4Client(_settings(trader), transport=receiver_transport(fake_customs)) as client, \
            pytest.raises(As4ProtocolError) as caught:
        client.submit(xml, action=action)
    text = str(caught.value)
    assert "receipt" in text and "refused" in text
    assert ("our own seal" in text) if signer == "our own seal" else \
        ("FR0000OTHER0002" in text and "not the pinned customs seal" in text)


def test_pull_refuses_a_forged_mrn_sealed_by_another_trader(
        trader: EndpointCerts, customs_side: EndpointCerts, other_trader: SealIdentity,
        ens_xml: bytes) -> None:
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    answer = SimulatedCustoms().file(ens_xml, sender=US)[0]
    forged = answer.xml.replace(b"<MRN>", b"<MRN>X").replace(b"</MRN>", b"</MRN>")
    wire = seal_user_message(forged, header=customs_to_trader_header(
        receiver_party_id=US, action="IE3R01"), identity=other_trader)
    sim.queues.setdefault(pull_mpc(US), deque()).append(wire)
    conn = As4Connector(settings=_settings(trader), transport=receiver_transport(sim))
    with pytest.raises(As4ProtocolError, match="not the pinned customs seal"):
        list(conn.answers())
    assert conn.store.answers_for(wire.message_id) == []  # nothing recorded


def test_real_customs_answers_still_pass(trader: EndpointCerts, customs_side: EndpointCerts,
                                         ens_xml: bytes) -> None:
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    xml, action = _ens(ens_xml)
    conn = As4Connector(settings=_settings(trader), transport=receiver_transport(sim))
    done = conn.client.submit(xml, action=action)
    answers = list(conn.answers())
    assert [a.ref_to_message_id for a in answers] == [done.message_id]


def test_cli_send_refuses_a_receipt_from_another_seal_by_default(
        cert_dir: Path, tmp_path: Path, other_trader: SealIdentity, ens_xml: bytes) -> None:
    """End to end over TLS: a 'customs' endpoint sealing with another trader's certificate
    (same CA), the trader's demo folder unchanged: ``ensgate send`` refuses, exit 1."""
    rogue = tmp_path / "rogue-certs"
    shutil.copytree(cert_dir, rogue)
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in other_trader.chain)
    (rogue / "customs-seal.pem").write_bytes(pem)
    (rogue / "customs-seal.key.pem").write_bytes(other_trader.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    from ensgate.connectors.as4 import simulator_certs
    side = simulator_certs(rogue)
    sim = Simulator(identity=side.identity, trust=side.trust)
    ens = tmp_path / "ens.xml"
    ens.write_bytes(ens_xml)
    with BackgroundServer(sim.app, tls=side.tls) as srv:
        run = CliRunner().invoke(main, ["send", str(ens), "--endpoint", srv.url,
                                        "--certs", str(cert_dir), "--retries", "0"])
    assert run.exit_code == 1, run.output
    assert "not the pinned customs seal" in run.output
    assert "FR0000OTHER0002" in run.output


def test_no_pin_no_connection(cert_dir: Path, tmp_path: Path) -> None:
    """A certificate folder without the customs seal: the connector refuses to start (CLI
    exit 2) and says how to pin it."""
    bare = tmp_path / "bare"
    shutil.copytree(cert_dir, bare, ignore=shutil.ignore_patterns("customs-seal*"))
    with pytest.raises(As4ConnectorError, match="no customs seal pinned"):
        As4Connector(endpoint="https://ti.invalid/", certs=bare)
    run = CliRunner().invoke(main, ["pull", "--endpoint", "https://127.0.0.1:9/",
                                    "--certs", str(bare)])
    assert run.exit_code == 2 and "customs-seal.pem" in run.output


def test_client_needs_a_pin_or_the_named_relaxation(trader: EndpointCerts) -> None:
    with pytest.raises(ValueError, match="peer_seal is required"):
        As4Client(_settings(trader, peer_seal=None), transport=receiver_transport(
            lambda ct, body: None))  # type: ignore[arg-type, return-value]
    As4Client(_settings(trader, peer_seal=None, unpinned_peer_seal=True),
              transport=receiver_transport(lambda ct, body: None)).close()  # type: ignore


def test_inbound_endpoint_pins_by_default(trader: EndpointCerts) -> None:
    with pytest.raises(TypeError, match="customs_seal"):
        InboundEndpoint(identity=trader.identity, trust=trader.trust)  # type: ignore[call-arg]


@pytest.mark.parametrize(("kind", "pin_text"), [
    ("rule", "subject: organizationIdentifier=sti-taxud, O=ensgate demo customs simulator; "
             "issuer: CN=ensgate demo issuing CA"),
    ("fingerprints", None),
    ("certificate", None),
])
def test_pin_forms(cert_dir: Path, tmp_path: Path, trader: EndpointCerts,
                   customs_side: EndpointCerts, other_trader: SealIdentity, kind: str,
                   pin_text: str | None) -> None:
    customs = customs_side.identity.certificate
    if kind == "rule":
        assert pin_text is not None
        pin = SealPin.from_rule(pin_text)
    elif kind == "fingerprints":
        f = tmp_path / "customs-seal.sha256"
        f.write_text(f"# the trader interface seal\nsha256:{fingerprint(customs).upper()}\n")
        pin = SealPin.from_file(f)
    else:
        pin = SealPin.from_file(cert_dir / "customs-seal.pem")  # a chain file: leaf pinned
    assert pin.allows(customs)
    for wrong in (trader.identity.certificate, other_trader.certificate,
                  trader.identity.chain[1]):
        assert not pin.allows(wrong)
        with pytest.raises(SealPinError, match="not the pinned customs seal"):
            pin.check(wrong, context="an IE3R01")
