"""Inputs the fuzz campaign (``tools/fuzz.py``) found, kept as regression cases."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ensgate.connectors.as4 import EndpointCerts
from ensgate.connectors.simulator import Simulator
from ensgate.seal import (
    SignatureError,
    as4_error,
    seal_error,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)
from ensgate.validate import iter_errors

_BST = re.compile(rb"(<wsse:BinarySecurityToken[^>]*>)([^<]+)(</wsse:BinarySecurityToken>)")
_COUNTRY_OID = b"\x06\x03\x55\x04\x06"


def test_garbled_certificate_name_in_the_unsigned_token_is_a_signature_error(
        trader: EndpointCerts) -> None:
    """The BinarySecurityToken is not covered by the signature. A name attribute of the
    intermediate certificate with its string tag changed still loads (cryptography parses
    names lazily) and raised KeyError in the middle of the chain check, out of
    verify_message and past the receiver's error handling (as4-verify, seed 1)."""
    wire = seal_user_message(b"<IE3F26/>", header=trader_to_customs_header(
        sender_party_id="DE0000DEMO0001", action="IE3F26"), identity=trader.identity)
    m = _BST.search(wire.body)
    assert m is not None
    token = base64.b64decode(m.group(2))
    intermediate = trader.identity.chain[1].public_bytes(Encoding.DER)
    issuer = trader.identity.chain[1].issuer.public_bytes()
    at = token.find(intermediate) + intermediate.find(issuer) + issuer.find(_COUNTRY_OID) + 5
    assert token[at] == 0x13  # the PrintableString tag of C=DE
    garbled = token[:at] + b"\x00" + token[at + 1:]
    body = wire.body[:m.start(2)] + base64.b64encode(garbled) + wire.body[m.end(2):]
    with pytest.raises(SignatureError, match="unreadable certificate"):
        verify_message(wire.content_type, body, trust=trader.trust)


@pytest.mark.parametrize("element", [b"<eb:Messaging ", b"<ds:SignedInfo", b"<env:Body "])
def test_a_part_that_cannot_be_canonicalised_is_a_signature_error(
        trader: EndpointCerts, element: bytes) -> None:
    """A relative namespace URI makes libxml2's C14N fail: lxml's C14NError escaped
    verify_message (as4-verify)."""
    wire = seal_user_message(b"<IE3F26/>", header=trader_to_customs_header(
        sender_party_id="DE0000DEMO0001", action="IE3F26"), identity=trader.identity)
    body = wire.body.replace(element, element.rstrip() + b' xmlns:rel="a/b" ', 1)
    assert body != wire.body
    with pytest.raises(SignatureError, match="cannot be canonicalised"):
        verify_message(wire.content_type, body, trust=trader.trust)


def test_a_control_character_in_what_a_peer_sent_does_not_break_the_error_signal(
        trader: EndpointCerts, customs_side: EndpointCerts) -> None:
    """An envelope that is not well-formed because of a control character inside its
    MessageId: the receiver quoted the id in its error signal, which could then not be
    written (XMLSyntaxError out of the receiver; as4-simulator)."""
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    wire = seal_user_message(b"<IE3F26/>", header=trader_to_customs_header(
        sender_party_id="DE0000DEMO0001", action="IE3F26"), identity=trader.identity)
    body = wire.body.replace(b"<eb:MessageId>", b"<eb:MessageId>\x1a", 1)
    reply = sim.handle(wire.content_type, body)
    answer = verify_message(reply.content_type, reply.body, trust=customs_side.trust)
    assert [e.code for e in answer.errors] == ["EBMS:0009"]
    signal = seal_error(ref_to_message_id="id\x1a\ud800x", errors=[as4_error(
        "EBMS:0004", description="quoted: \x00\x1b")], identity=customs_side.identity)
    back = verify_message(signal.content_type, signal.body, trust=customs_side.trust)
    assert back.ref_to_message_id == "id\ufffd\ufffdx"
    assert back.errors[0].description == "quoted: \ufffd\ufffd"


@pytest.mark.parametrize("number", ["²", "9" * 5000])
def test_goods_item_numbers_that_are_no_numbers_are_findings_not_internal_errors(
        ens_xml: bytes, number: str) -> None:
    """'²' passes str.isdigit and fails int(); 5,000 digits pass both checks but int()
    refuses them: rules R3016/R3017 and the routing order (R3013/R3014/R3018) failed with
    RUN001 (xml-validate)."""
    m = re.search(rb"<goodsItemNumber>1</goodsItemNumber>", ens_xml)
    assert m is not None
    doc = ens_xml[:m.start()] + f"<goodsItemNumber>{number}</goodsItemNumber>".encode() + \
        ens_xml[m.end():]
    doc = re.sub(rb"<sequenceNumber>1</sequenceNumber>",
                 f"<sequenceNumber>{number}</sequenceNumber>".encode(), doc, count=1)
    found = list(iter_errors(doc, source_name="ens.xml"))
    assert not [d for d in found if d.code == "RUN001"], [d.message for d in found]
    assert any(d.code == "ICS001" and "goods item number" in d.message for d in found)
