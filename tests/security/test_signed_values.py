"""Issue 9, item 2: values are read as the signature covers them.

Exclusive C14N drops comments, so a comment put inside a signed header value keeps the
signature valid. Read with ``.text`` such a value stopped at the comment: the same sealed
message got three MessageIds (filed three times, duplicate detection bypassed), and Action or
PartyId were read truncated. Now every value is its whole text, as signed.
"""

from __future__ import annotations

import re

import pytest
from lxml import etree

from ensgate.answers import SimulatedCustoms, read_answer
from ensgate.connectors.as4 import EndpointCerts
from ensgate.connectors.simulator import Simulator
from ensgate.seal import (
    SealError,
    WireMessage,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)


def _sealed(trader: EndpointCerts, ens_xml: bytes) -> WireMessage:
    action = etree.QName(etree.fromstring(ens_xml)).localname
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action=action,
                                      conversation_id="CONV-2026-0001")
    return seal_user_message(ens_xml, header=header, identity=trader.identity)


def _comment_in(body: bytes, element: bytes, at: int) -> bytes:
    """A ``<!---->`` ``at`` characters into the text of ``element`` (first occurrence)."""
    m = re.search(b"<" + element + b"[^>]*>", body)
    assert m is not None, element
    cut = m.end() + at
    return body[:cut] + b"<!---->" + body[cut:]


def test_comments_in_the_message_id_do_not_make_new_messages(
        trader: EndpointCerts, customs_side: EndpointCerts, ens_xml: bytes) -> None:
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    wire = _sealed(trader, ens_xml)
    variants = [wire.body, _comment_in(wire.body, b"eb:MessageId", 8),
                _comment_in(wire.body, b"eb:MessageId", 20)]
    receipts = []
    for body in variants:
        reply = sim.handle(wire.content_type, body)
        answer = verify_message(reply.content_type, reply.body, trust=customs_side.trust)
        assert answer.kind == "receipt", answer.errors
        receipts.append(answer)
    assert len(sim.filed) == 1, [f.message_id for f in sim.filed]
    assert sim.filed[0].message_id == wire.message_id
    assert {r.ref_to_message_id for r in receipts} == {wire.message_id}
    assert sim.receiver.duplicates == 2


@pytest.mark.parametrize(("element", "at", "field"), [
    (b"eb:Action", 4, "action"),
    (b"eb:MessageId", 8, "message_id"),
    (b"eb:ConversationId", 5, "conversation_id"),
])
def test_header_values_are_read_whole(trader: EndpointCerts, ens_xml: bytes,
                                      element: bytes, at: int, field: str) -> None:
    wire = _sealed(trader, ens_xml)
    plain = verify_message(wire.content_type, wire.body, trust=trader.trust)
    tampered = verify_message(wire.content_type, _comment_in(wire.body, element, at),
                              trust=trader.trust)
    assert plain.header is not None and tampered.header is not None
    assert getattr(tampered.header, field) == getattr(plain.header, field)
    assert len(getattr(plain.header, field)) > at  # the comment was inside the value


def test_party_id_with_a_comment_is_read_whole(trader: EndpointCerts, ens_xml: bytes) -> None:
    wire = _sealed(trader, ens_xml)
    tampered = _comment_in(wire.body, b"eb:PartyId", 6)  # From: DE0000<!---->DEMO0001
    msg = verify_message(wire.content_type, tampered, trust=trader.trust)
    assert msg.header is not None and msg.header.sender.party_id == "DE0000DEMO0001"


def test_a_processing_instruction_in_a_signed_value_never_shortens_it(
        trader: EndpointCerts, ens_xml: bytes) -> None:
    """A PI is part of what C14N signs: one added after sealing is dropped while parsing, so
    the value read is still the whole signed one (and a signer's own PI would fail the
    digest instead of being read around)."""
    wire = _sealed(trader, ens_xml)
    m = re.search(rb"<eb:MessageId>", wire.body)
    assert m is not None
    body = wire.body[:m.end() + 8] + b"<?x y?>" + wire.body[m.end() + 8:]
    msg = verify_message(wire.content_type, body, trust=trader.trust)
    assert msg.message_id == wire.message_id


def test_an_element_inside_a_header_value_is_refused(trader: EndpointCerts,
                                                      ens_xml: bytes) -> None:
    wire = _sealed(trader, ens_xml)
    m = re.search(rb"<eb:MessageId>", wire.body)
    assert m is not None
    body = wire.body[:m.end() + 8] + b"<eb:x/>" + wire.body[m.end() + 8:]
    with pytest.raises(SealError):  # the digest changed, or the value is refused
        verify_message(wire.content_type, body, trust=trader.trust)


def test_answer_values_are_read_whole(ens_xml: bytes) -> None:
    """The customs answer is a signed payload: an MRN or LRN with a comment inside is read
    whole, not up to the comment."""
    answer = SimulatedCustoms().file(ens_xml, sender="DE0000DEMO0001")[0]
    assert answer.message_type == "IE3R01", answer.xml[:300]
    plain = read_answer(answer.xml)
    assert plain.mrn and plain.lrn
    xml = answer.xml.replace(f">{plain.mrn}<".encode(),
                             f">{plain.mrn[:6]}<!-- -->{plain.mrn[6:]}<".encode())
    xml = xml.replace(f">{plain.lrn}<".encode(), f">{plain.lrn[:3]}<!---->{plain.lrn[3:]}<"
                      .encode())
    assert xml != answer.xml
    read = read_answer(xml)
    assert (read.mrn, read.lrn) == (plain.mrn, plain.lrn)
