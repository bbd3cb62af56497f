"""Sealing and verifying ICS2 AS4 messages: header as the ICD requires, tampering rejected."""

from __future__ import annotations

import gzip
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from _seal_helpers import NS, find, soap_of
from cryptography import x509
from cryptography.x509.oid import NameOID

from ensgate.seal import (
    AGREEMENT_REF,
    PARTY_TYPE_AUTH,
    PARTY_TYPE_EORI,
    CertificateError,
    DecompressionError,
    DemoCerts,
    EnvelopeError,
    SealIdentity,
    SignatureError,
    TrustStore,
    WireMessage,
    customs_to_trader_header,
    issue_certificate,
    load_identity,
    pull_mpc,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)
from ensgate.seal._demo import demo_key


def _seal(ens_xml: bytes, ident: SealIdentity, party: str = "DE0000DEMO0001",
          action: str = "IE3F26") -> WireMessage:
    header = trader_to_customs_header(sender_party_id=party, action=action)
    return seal_user_message(ens_xml, header=header, identity=ident)


def test_user_message_has_the_icd_header(ens_xml: bytes, seal_id: SealIdentity,
                                         trust: TrustStore) -> None:
    wire = _seal(ens_xml, seal_id, party="sys1@DE0000DEMO0001@BE")
    env, parts = soap_of(wire)
    um = find(env, "env:Header/eb:Messaging/eb:UserMessage")
    frm, to = find(um, "eb:PartyInfo/eb:From"), find(um, "eb:PartyInfo/eb:To")
    assert find(frm, "eb:PartyId").text == "sys1@DE0000DEMO0001@BE"
    assert find(frm, "eb:PartyId").get("type") == PARTY_TYPE_EORI
    assert find(frm, "eb:Role").text == "Trader"
    assert (find(to, "eb:PartyId").text, find(to, "eb:PartyId").get("type")) == (
        "sti-taxud", PARTY_TYPE_AUTH)
    assert find(to, "eb:Role").text == "Customs"
    ci = find(um, "eb:CollaborationInfo")
    assert (find(ci, "eb:AgreementRef").text, find(ci, "eb:AgreementRef").get("type")) == (
        "EU-ICS2-TI-V2.0", "ics2-interface-version")
    assert (find(ci, "eb:Service").text, find(ci, "eb:Service").get("type")) == (
        "eu_ics2_t2c", "eu-customs-service-type")
    assert find(ci, "eb:Action").text == "IE3F26"
    assert find(ci, "eb:ConversationId").text == "1"
    assert um.find("eb:MessageProperties", NS) is None
    mid = find(um, "eb:MessageInfo/eb:MessageId").text
    assert mid == wire.message_id
    left, _, right = mid.partition("@")
    assert uuid.UUID(left) and right
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
                        find(um, "eb:MessageInfo/eb:Timestamp").text)
    body = find(env, "env:Body")
    assert len(body) == 0 and not (body.text or "").strip()
    assert body.get(f"{{{NS['wsu']}}}Id")
    part = find(um, "eb:PayloadInfo/eb:PartInfo")
    props = [(p.get("name"), p.text) for p in part.findall("eb:PartProperties/eb:Property", NS)]
    assert props == [("MimeType", "application/xml"), ("CharacterSet", "utf-8"),
                     ("CompressionType", "application/gzip")]
    cid = part.get("href")[4:]
    assert list(parts) == [cid]
    assert gzip.decompress(parts[cid]) == ens_xml
    assert wire.content_type.startswith("multipart/related;")
    assert 'type="application/soap+xml"' in wire.content_type
    assert b"Content-Type: application/gzip\r\n" in wire.body

    got = verify_message(wire.content_type, wire.body, trust=trust)
    assert got.kind == "user" and got.message_id == mid
    assert got.header is not None and got.header.sender.party_id == "sys1@DE0000DEMO0001@BE"
    assert got.payloads[0].data == ens_xml
    assert got.signer == seal_id.certificate
    assert len(got.references) == 3


def test_wire_file_round_trip(ens_xml: bytes, seal_id: SealIdentity, trust: TrustStore) -> None:
    wire = _seal(ens_xml, seal_id)
    data = wire.to_bytes()
    assert data.startswith(b"Content-Type: multipart/related;")
    back = WireMessage.from_bytes(data)
    assert back.content_type == wire.content_type and back.body == wire.body
    assert verify_message(back.content_type, back.body, trust=trust).message_id == \
        wire.message_id


def _flip_attachment(body: bytes) -> bytes:
    at = body.rindex(b"\r\n\r\n") + 4 + 20  # inside the gzip part's content
    return body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1:]


def _flip_signature_value(body: bytes) -> bytes:
    m = re.search(rb"<ds:SignatureValue>(.)", body)
    assert m is not None
    c = b"B" if m.group(1) != b"B" else b"C"
    return body[:m.start(1)] + c + body[m.end(1):]


TAMPERS = {
    "action": (lambda b: b.replace(b">IE3F26</eb:Action>", b">IE3F25</eb:Action>"),
               "Messaging"),
    "party": (lambda b: b.replace(b">DE0000DEMO0001</eb:PartyId>",
                                  b">DE0000EVIL0001</eb:PartyId>"), "Messaging"),
    "body": (lambda b: b.replace(b"/></env:Envelope>",
                                 b"><x>smuggled</x></env:Body></env:Envelope>"), "Body"),
    "attachment": (_flip_attachment, "attachment"),
    "signature-value": (_flip_signature_value, "SignatureValue"),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_tampering_is_rejected(name: str, ens_xml: bytes, seal_id: SealIdentity,
                               trust: TrustStore) -> None:
    wire = _seal(ens_xml, seal_id)
    change, what = TAMPERS[name]
    body = change(wire.body)
    assert body != wire.body
    with pytest.raises(SignatureError, match=what):
        verify_message(wire.content_type, body, trust=trust)


def test_signature_wrapping_with_a_duplicate_id_is_rejected(
        ens_xml: bytes, seal_id: SealIdentity, trust: TrustStore) -> None:
    wire = _seal(ens_xml, seal_id)
    env, _ = soap_of(wire)
    mid = find(env, "env:Header/eb:Messaging").get(f"{{{NS['wsu']}}}Id")
    evil = (f'<x:Wrap xmlns:x="urn:x" xmlns:wsu="{NS["wsu"]}" wsu:Id="{mid}"/>'
            '</env:Header>').encode()
    body = wire.body.replace(b"</env:Header>", evil, 1)
    with pytest.raises(SignatureError, match="exactly one"):
        verify_message(wire.content_type, body, trust=trust)


def _leaf(demo: DemoCerts, *, days_from: int, days_to: int, chain: bool = True) -> SealIdentity:
    inter = load_identity(demo.seal_p12, password=demo.password)  # for the CA certs
    ca_key = demo_key("intermediate")
    issuer = SealIdentity(key=ca_key, chain=inter.chain[1:])
    now = datetime.now(UTC)
    key = demo_key("seal")
    cert = issue_certificate(
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test leaf")]), key=key,
        issuer=issuer, not_before=now + timedelta(days=days_from),
        not_after=now + timedelta(days=days_to))
    return SealIdentity(key=key, chain=(cert, *inter.chain[1:]) if chain else (cert,))


@pytest.mark.parametrize(("days_from", "days_to", "word"),
                         [(-30, -1, "expired"), (2, 30, "not yet valid")])
def test_certificate_outside_validity_is_rejected(demo: DemoCerts, ens_xml: bytes,
                                                  trust: TrustStore, days_from: int,
                                                  days_to: int, word: str) -> None:
    wire = _seal(ens_xml, _leaf(demo, days_from=days_from, days_to=days_to))
    with pytest.raises(CertificateError, match=word):
        verify_message(wire.content_type, wire.body, trust=trust)
    relaxed = TrustStore(roots=trust.roots, check_validity=False)
    assert verify_message(wire.content_type, wire.body, trust=relaxed).kind == "user"


def test_leaf_only_chain_is_rejected(demo: DemoCerts, ens_xml: bytes,
                                     trust: TrustStore) -> None:
    wire = _seal(ens_xml, _leaf(demo, days_from=-1, days_to=30, chain=False))
    with pytest.raises(CertificateError, match="full certificate chain"):
        verify_message(wire.content_type, wire.body, trust=trust)


def test_foreign_ca_is_rejected(ens_xml: bytes, seal_id: SealIdentity) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    foreign = issue_certificate(
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ensgate demo root CA")]),
        key=key, issuer=None, ca=True, key_usage="ca")
    wire = _seal(ens_xml, seal_id)
    with pytest.raises(CertificateError, match="trusted"):
        verify_message(wire.content_type, wire.body, trust=TrustStore(roots=(foreign,)))


def test_customs_answer_offered_for_pull(customs_id: SealIdentity, trust: TrustStore) -> None:
    header = customs_to_trader_header(receiver_party_id="DE0000DEMO0001", action="IE3R01",
                                      ref_to_message_id="abc@trader.example")
    wire = seal_user_message(b"<IE3R01 xmlns='urn:x'/>", header=header, identity=customs_id)
    got = verify_message(wire.content_type, wire.body, trust=trust)
    assert got.header is not None
    assert got.header.service == "eu_ics2_c2t"
    assert got.header.sender.role == "Customs" and got.header.receiver.role == "Trader"
    assert got.mpc == pull_mpc("DE0000DEMO0001") == (
        "urn:fdc:ec.europa.eu:2019:eu_ics2_c2t/EORI/DE0000DEMO0001")
    assert got.ref_to_message_id == "abc@trader.example"


@pytest.mark.parametrize("party", ["", "DE", "toolongsystemid1@DE123", "DE123@BEL", "de 12"])
def test_bad_party_id_is_refused(party: str) -> None:
    with pytest.raises(EnvelopeError, match="party id"):
        trader_to_customs_header(sender_party_id=party, action="IE3F26")


def test_bad_action_and_payload_are_refused(seal_id: SealIdentity) -> None:
    with pytest.raises(EnvelopeError, match="action"):
        trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="F26")
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F26")
    with pytest.raises(EnvelopeError, match="well-formed"):
        seal_user_message(b"<not-closed>", header=header, identity=seal_id,
                          check_payload=True)


def test_wrong_agreement_is_rejected_on_receipt(ens_xml: bytes, seal_id: SealIdentity,
                                                trust: TrustStore) -> None:
    from dataclasses import replace

    header = replace(trader_to_customs_header(sender_party_id="DE0000DEMO0001",
                                              action="IE3F26"), agreement_ref="EU-ICS2-TI-V9")
    assert header.agreement_ref != AGREEMENT_REF
    wire = seal_user_message(ens_xml, header=header, identity=seal_id)
    with pytest.raises(EnvelopeError, match="AgreementRef"):
        verify_message(wire.content_type, wire.body, trust=trust)


def test_bad_gzip_is_a_decompression_error(ens_xml: bytes, seal_id: SealIdentity,
                                           trust: TrustStore,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from ensgate.seal import _build

    monkeypatch.setattr(_build.gzip, "compress", lambda data, **kw: b"\x1f\x8bnot gzip")
    wire = _seal(ens_xml, seal_id)
    with pytest.raises(DecompressionError, match="EBMS:0303"):
        verify_message(wire.content_type, wire.body, trust=trust)


def test_not_mime_and_not_soap_are_envelope_errors(trust: TrustStore) -> None:
    with pytest.raises(EnvelopeError, match="not an AS4 message"):
        verify_message("text/plain", b"hello", trust=trust)
    with pytest.raises(EnvelopeError, match="boundary"):
        verify_message('multipart/related; boundary="zz"', b"--yy\r\n\r\nx\r\n--yy--", trust=trust)
    with pytest.raises(EnvelopeError, match="cannot be read"):
        verify_message("application/soap+xml", b'<!DOCTYPE x [<!ENTITY a "b">]><x/>',
                       trust=trust)


def test_ebms_test_service_ping_is_accepted(seal_id: SealIdentity, trust: TrustStore) -> None:
    from dataclasses import replace

    from ensgate.seal import EBMS_TEST_ACTION, EBMS_TEST_SERVICE

    base = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F26")
    ping = replace(base, service=EBMS_TEST_SERVICE, action=EBMS_TEST_ACTION)
    wire = seal_user_message(b"<Ping/>", header=ping, identity=seal_id)
    got = verify_message(wire.content_type, wire.body, trust=trust)
    assert got.header is not None and got.header.service == EBMS_TEST_SERVICE
    bad = seal_user_message(b"<Ping/>", header=replace(ping, action="IE3F26"), identity=seal_id)
    with pytest.raises(EnvelopeError, match="test service"):
        verify_message(bad.content_type, bad.body, trust=trust)
