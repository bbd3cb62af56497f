"""The simulator answers header values outside the ICS2 P-Mode with the right ebMS error.

Each case seals a real filing with a deliberately wrong header value (signed correctly, so the
signature is not what fails) and posts it to the simulator; the answer must be a signed error
signal with the expected code that names our eb:MessageId, and nothing may be filed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from _as4_helpers import action_of

from ensgate.connectors.as4 import EndpointCerts
from ensgate.connectors.simulator import Simulator
from ensgate.seal import (
    UserMessageHeader,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)

H = UserMessageHeader
CASES: dict[str, tuple[Callable[[H], H], str]] = {
    "To sti-foo": (lambda h: dataclasses.replace(
        h, receiver=dataclasses.replace(h.receiver, party_id="sti-foo")), "EBMS:0010"),
    "Service eu_ics2_c2t": (lambda h: dataclasses.replace(h, service="eu_ics2_c2t"),
                            "EBMS:0010"),
    "Service unknown": (lambda h: dataclasses.replace(h, service="eu_ics2_x"), "EBMS:0010"),
    "Service type": (lambda h: dataclasses.replace(h, service_type="other"), "EBMS:0010"),
    "AgreementRef V1": (lambda h: dataclasses.replace(h, agreement_ref="EU-ICS2-TI-V1.0"),
                        "EBMS:0010"),
    "AgreementRef type": (lambda h: dataclasses.replace(h, agreement_type="x"), "EBMS:0010"),
    "From role": (lambda h: dataclasses.replace(
        h, sender=dataclasses.replace(h.sender, role="Customs")), "EBMS:0010"),
    "To role": (lambda h: dataclasses.replace(
        h, receiver=dataclasses.replace(h.receiver, role="Trader")), "EBMS:0010"),
    "From party type": (lambda h: dataclasses.replace(
        h, sender=dataclasses.replace(h.sender, party_type="urn:x")), "EBMS:0010"),
    "Action not a filing": (lambda h: dataclasses.replace(h, action="IE3R01"), "EBMS:0001"),
    "Action not an IE id": (lambda h: dataclasses.replace(h, action="HELLO"), "EBMS:0001"),
    "Action vs payload": (lambda h: dataclasses.replace(
        h, action="IE3F21" if h.action != "IE3F21" else "IE3F22"), "EBMS:0003"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_wrong_header_value_gets_its_ebms_error(name: str, trader: EndpointCerts,
                                                customs_side: EndpointCerts,
                                                ens_file: Path) -> None:
    simulator = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    change, code = CASES[name]
    good = trader_to_customs_header(sender_party_id="DE0000DEMO0001",
                                    action=action_of(ens_file))
    wire = seal_user_message(ens_file.read_bytes(), header=change(good),
                             identity=trader.identity)
    reply = simulator.handle(wire.content_type, wire.body)
    answer = verify_message(reply.content_type, reply.body, trust=trader.trust)
    assert answer.kind == "error" and answer.signer is not None
    assert [e.code for e in answer.errors] == [code], answer.errors
    assert answer.errors[0].ref_to_message_id == wire.message_id
    assert simulator.filed == []


def test_unmodified_header_is_accepted(trader: EndpointCerts, customs_side: EndpointCerts,
                                       ens_file: Path) -> None:
    """The control case: the same route with the header untouched gives a receipt."""
    simulator = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001",
                                      action=action_of(ens_file))
    wire = seal_user_message(ens_file.read_bytes(), header=header, identity=trader.identity)
    reply = simulator.handle(wire.content_type, wire.body)
    answer = verify_message(reply.content_type, reply.body, trust=trader.trust)
    assert answer.kind == "receipt" and answer.ref_to_message_id == wire.message_id
    assert [f.message_id for f in simulator.filed] == [wire.message_id]


def test_payload_with_a_doctype_is_refused_before_filing(trader: EndpointCerts,
                                                         customs_side: EndpointCerts,
                                                         ens_file: Path) -> None:
    """The simulator reads the payload with the hardened parser: an entity-expansion payload
    (correctly sealed) is refused, never parsed with its DTD."""
    simulator = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    action = action_of(ens_file)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<" + action.encode() + b">&b;</" + action.encode() + b">")
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action=action)
    wire = seal_user_message(bomb, header=header, identity=trader.identity)
    reply = simulator.handle(wire.content_type, wire.body)
    answer = verify_message(reply.content_type, reply.body, trust=trader.trust)
    assert [e.code for e in answer.errors] == ["EBMS:0003"]
    assert "DOCTYPE" in answer.errors[0].description or "DTD" in answer.errors[0].description
    assert simulator.filed == []


def test_failed_verification_names_the_message_in_error(trader: EndpointCerts,
                                                        customs_side: EndpointCerts,
                                                        ens_file: Path) -> None:
    """A tampered message is refused with EBMS:0101, and the error still tells the sender
    which of its messages failed (refToMessageInError)."""
    simulator = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001",
                                      action=action_of(ens_file))
    wire = seal_user_message(ens_file.read_bytes(), header=header, identity=trader.identity)
    body = wire.body.replace(b">1</eb:ConversationId>", b">2</eb:ConversationId>", 1)
    assert body != wire.body
    reply = simulator.handle(wire.content_type, body)
    answer = verify_message(reply.content_type, reply.body, trust=trader.trust)
    assert [e.code for e in answer.errors] == ["EBMS:0101"]
    assert answer.errors[0].ref_to_message_id == wire.message_id
    assert answer.ref_to_message_id == wire.message_id


def test_ping_uses_the_bare_ebms_test_service(trader: EndpointCerts,
                                              customs_side: EndpointCerts) -> None:
    """ICD 4.5.1 / ebMS3 5.2.2.9: Service and Action are the ebMS test URIs; a URI service
    carries no @type. A peer that adds the ICS2 type is still understood."""
    from ensgate.connectors.as4 import As4Client, receiver_transport
    from ensgate.seal import EBMS_TEST_ACTION, EBMS_TEST_SERVICE, SERVICE_TYPE

    simulator = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    sent: list[bytes] = []

    def spy(content_type: str, body: bytes):  # type: ignore[no-untyped-def]
        sent.append(body)
        return simulator.handle(content_type, body)

    from _as4_helpers import make_settings

    with As4Client(make_settings(trader), transport=receiver_transport(spy)) as client:
        done = client.ping()
    assert done.receipt.kind == "receipt"
    assert f"<eb:Service>{EBMS_TEST_SERVICE}</eb:Service>".encode() in sent[0]
    assert f"<eb:Action>{EBMS_TEST_ACTION}</eb:Action>".encode() in sent[0]
    typed = dataclasses.replace(
        trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F26"),
        service=EBMS_TEST_SERVICE, service_type=SERVICE_TYPE, action=EBMS_TEST_ACTION)
    wire = seal_user_message(b"<Ping/>", header=typed, identity=trader.identity)
    reply = simulator.handle(wire.content_type, wire.body)
    assert verify_message(reply.content_type, reply.body, trust=trader.trust).kind == "receipt"
    assert simulator.filed == []


@pytest.mark.parametrize("mpc", [
    "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/defaultMPC",
    "urn:fdc:ec.europa.eu:2019:eu_ics2_c2t/EORI/",
    "urn:fdc:ec.europa.eu:2019:eu_ics2_t2c/EORI/DE0000DEMO0001"])
def test_pull_on_a_channel_outside_the_icd_is_ebms_0010(mpc: str, trader: EndpointCerts,
                                                        customs_side: EndpointCerts) -> None:
    from ensgate.seal import pull_mpc, seal_pull_request

    simulator = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    for channel, code in ((mpc, "EBMS:0010"), (pull_mpc("DE0000DEMO0001"), "EBMS:0006")):
        wire = seal_pull_request(mpc=channel, identity=trader.identity)
        reply = simulator.handle(wire.content_type, wire.body)
        answer = verify_message(reply.content_type, reply.body, trust=trader.trust)
        assert [e.code for e in answer.errors] == [code], channel


def test_arrival_notification_is_answered_with_ie3r04(trader: EndpointCerts,
                                                      customs_side: EndpointCerts) -> None:
    """IE3N06 is a trader-to-customs message (ICD Annex 1) that SimulatedCustoms answers; the
    simulator's AS4 side must let it through (it used to answer EBMS:0001)."""
    from datetime import UTC, datetime

    from ensgate import TranslateOptions, translate
    from ensgate.connectors.as4 import read_pulled
    from ensgate.seal import pull_mpc

    samples = Path(__file__).resolve().parents[2] / "samples" / "cargo-imp"
    result = translate([str(samples / "s1-ffm8-MU0553-pvg-bru-first-arrival-be.txt"),
                        str(samples / "s1-fwb17-master-781-60482133-pvg-bru.txt")],
                       TranslateOptions(filing="N06", today="2026-11-20",
                                        arrived_at=datetime(2026, 11, 17, 6, 20, tzinfo=UTC)))
    (n06,) = result.filings
    simulator = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3N06")
    wire = seal_user_message(n06.xml, header=header, identity=trader.identity)
    reply = simulator.handle(wire.content_type, wire.body)
    assert verify_message(reply.content_type, reply.body, trust=trader.trust).kind == "receipt"
    queued = simulator.queues[pull_mpc("DE0000DEMO0001")][0]
    answer = read_pulled(verify_message(queued.content_type, queued.body, trust=trader.trust))
    assert answer.action == "IE3R04" and answer.mrn and answer.lrn == n06.lrn
