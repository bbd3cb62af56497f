"""A trader accepts only customs answers meant for it: eu_ics2_c2t from Customs, To our party
id, and (pulled) on the MPC it pulled. Anything else gets a signed EBMS:0010 instead of a
receipt, and is never handed on."""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable

import pytest

from ensgate.connectors.as4 import As4Client, As4ProtocolError, EndpointCerts, InboundEndpoint
from ensgate.connectors.simulator import Simulator
from ensgate.seal import (
    SealPin,
    customs_to_trader_header,
    pull_mpc,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)

US = "DE0000DEMO0001"
ANSWER = b"<IE3R01 xmlns='urn:x'/>"


def _queue(simulator: Simulator, wire: object) -> None:
    simulator.queues.setdefault(pull_mpc(US), deque()).append(wire)  # type: ignore[arg-type]
    simulator.awaiting_receipt[wire.message_id] = wire  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "why"), [
    ("another party", "we are"),
    ("another MPC", "names MPC"),
    ("trader-to-customs flow", "not a customs-to-trader"),
])
def test_pulled_message_not_for_us_is_refused(name: str, why: str, simulator: Simulator,
                                              client_for: Callable[..., As4Client]) -> None:
    if name == "another party":
        header = customs_to_trader_header(receiver_party_id="FR123456789", action="IE3R01")
        header = dataclasses.replace(header, mpc=pull_mpc(US))
    elif name == "another MPC":
        header = dataclasses.replace(
            customs_to_trader_header(receiver_party_id=US, action="IE3R01"),
            mpc=pull_mpc("FR123456789"))
    else:
        header = dataclasses.replace(
            trader_to_customs_header(sender_party_id=US, action="IE3R01"), mpc=pull_mpc(US))
    wire = seal_user_message(ANSWER, header=header, identity=simulator.identity)
    _queue(simulator, wire)
    client = client_for(simulator)
    with pytest.raises(As4ProtocolError, match=why):
        client.pull()
    assert simulator.acknowledged == []           # no receipt was given for it
    assert simulator.refused == [wire.message_id]  # but a signed EBMS:0010 refusing it
    assert client.pull() is None                  # and it is gone from the channel


def test_pulled_message_for_us_is_acknowledged(simulator: Simulator,
                                               client_for: Callable[..., As4Client]) -> None:
    wire = seal_user_message(ANSWER, header=customs_to_trader_header(
        receiver_party_id=US, action="IE3R01"), identity=simulator.identity)
    _queue(simulator, wire)
    got = client_for(simulator).pull()
    assert got is not None and got.message_id == wire.message_id
    assert simulator.acknowledged == [wire.message_id]


def test_inbound_endpoint_refuses_what_is_not_for_us(trader: EndpointCerts,
                                                     customs_side: EndpointCerts) -> None:
    inbound = InboundEndpoint(identity=trader.identity, trust=trader.trust, party_id=US,
                              customs_seal=trader.peer_seal)
    cases = {
        "ours": (customs_to_trader_header(receiver_party_id=US, action="IE3R01"),
                 customs_side, None),
        "other party": (customs_to_trader_header(receiver_party_id="FR123456789",
                                                 action="IE3R01"), customs_side, "EBMS:0010"),
        "filing pushed to us": (trader_to_customs_header(sender_party_id=US, action="IE3F26"),
                                customs_side, "EBMS:0010"),
        # sealed with our own seal: refused for its seal before anything is read
        "our own seal": (customs_to_trader_header(receiver_party_id=US, action="IE3R01"),
                         trader, "EBMS:0101"),
    }
    for name, (header, sender, code) in cases.items():
        wire = seal_user_message(ANSWER, header=header, identity=sender.identity)
        reply = inbound.receiver.handle(wire.content_type, wire.body)
        answer = verify_message(reply.content_type, reply.body, trust=customs_side.trust)
        if code is None:
            assert answer.kind == "receipt", name
        else:
            assert [e.code for e in answer.errors] == [code], name
    assert [m.header.receiver.party_id for m in inbound.drain()  # type: ignore[union-attr]
            ] == [US]


def test_bare_soap_fault_is_reported_with_its_reason(
        client_for: Callable[..., As4Client]) -> None:
    """Some MSHs answer a SOAP 1.2 Fault without an ebMS header (HTTP 500): the operator sees
    the fault code and reason, not a bare 'no eb:Messaging'."""
    import httpx

    fault = (b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
             b"<env:Fault><env:Code><env:Value>env:MustUnderstand</env:Value></env:Code>"
             b'<env:Reason><env:Text xml:lang="en">Header not understood</env:Text>'
             b"</env:Reason></env:Fault></env:Body></env:Envelope>")
    transport = httpx.MockTransport(lambda request: httpx.Response(
        500, headers={"content-type": "application/soap+xml"}, content=fault))
    client = client_for(transport)
    with pytest.raises(As4ProtocolError, match=r"SOAP fault.*MustUnderstand Header not "
                                               r"understood"):
        client.submit(ANSWER, action="IE3F26")


def test_inbound_endpoint_pins_the_customs_seal(trader: EndpointCerts,
                                                customs_side: EndpointCerts) -> None:
    """A seal from the same trusted CA that is not the customs seal (here: another trader's)
    cannot push a "customs answer" when the endpoint pins the customs seal certificate."""
    inbound = InboundEndpoint(identity=trader.identity, trust=trader.trust, party_id=US,
                              customs_seal=SealPin.of_certificates(
                                  [customs_side.identity.certificate]))
    header = customs_to_trader_header(receiver_party_id=US, action="IE3R01")
    for sender, code in ((customs_side, None), (trader, "EBMS:0101")):
        wire = seal_user_message(ANSWER, header=header, identity=sender.identity)
        reply = inbound.receiver.handle(wire.content_type, wire.body)
        answer = verify_message(reply.content_type, reply.body, trust=customs_side.trust)
        assert [e.code for e in answer.errors] == ([code] if code else [])
    assert len(inbound.drain()) == 1
