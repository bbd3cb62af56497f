"""Issue 9, item 5: a pulled answer whose response is lost is delivered again.

The simulator took an answer off its channel when a PullRequest asked for it, before the answer
reached the trader. With the response lost on the way (a proxy dropping it, a reset), the
resent PullRequest found the channel empty: the MRN was gone for good. Now an answer stays at
the head of its channel until the trader's receipt for it arrives (ICD pull pattern), so a
resent PullRequest, or a later one, gets it again; the trader's store drops the duplicate.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lxml import etree

from ensgate.connectors.as4 import (
    As4Client,
    As4Connector,
    As4Settings,
    As4TransportError,
    EndpointCerts,
    receiver_transport,
)
from ensgate.connectors.simulator import Simulator
from ensgate.seal import pull_mpc
from ensgate.store import Store

US = "DE0000DEMO0001"


class DropFirstPullResponse(httpx.BaseTransport):
    """A proxy in front of the simulator that forwards every request but loses the answer to
    the first ``drops`` PullRequests: the simulator has served them, the client sees a reset."""

    def __init__(self, inner: httpx.BaseTransport, drops: int = 1) -> None:
        self.inner, self.drops, self.dropped = inner, drops, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        response = self.inner.handle_request(request)
        if b"PullRequest" in body and self.dropped < self.drops:
            self.dropped += 1
            response.read()
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


def _settings(trader: EndpointCerts, retries: int) -> As4Settings:
    return As4Settings(endpoint="https://ti.invalid/", party_id=US, identity=trader.identity,
                       trust=trader.trust, peer_seal=trader.peer_seal, retries=retries,
                       backoff=0)


def _file_one(sim: Simulator, trader: EndpointCerts, ens_xml: bytes) -> str:
    action = etree.QName(etree.fromstring(ens_xml)).localname
    with As4Client(_settings(trader, 0), transport=receiver_transport(sim)) as client:
        return client.submit(ens_xml, action=action).message_id


def test_resent_pull_request_gets_the_answer_whose_response_was_lost(
        trader: EndpointCerts, customs_side: EndpointCerts, ens_xml: bytes) -> None:
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    filed = _file_one(sim, trader, ens_xml)
    proxy = DropFirstPullResponse(receiver_transport(sim))
    conn = As4Connector(settings=_settings(trader, retries=2), transport=proxy,
                        sleep=lambda s: None)
    answers = list(conn.answers())
    assert proxy.dropped == 1
    assert [(a.action, a.ref_to_message_id) for a in answers] == [("IE3R01", filed)]
    assert answers[0].mrn
    assert sim.acknowledged == [answers[0].message_id]
    assert sim.deliveries[answers[0].message_id] == 2  # served twice, acknowledged once
    assert sim.waiting(pull_mpc(US)) == 0


def test_a_later_pull_gets_it_when_the_client_gave_up(
        trader: EndpointCerts, customs_side: EndpointCerts, ens_xml: bytes,
        tmp_path: Path) -> None:
    """No retry left: the first pull fails; the next ``ensgate pull`` (a new PullRequest,
    another process, same store) still receives the MRN, once."""
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    _file_one(sim, trader, ens_xml)
    store = Store.open(f"sqlite:///{tmp_path / 'as4.sqlite'}")
    first = As4Connector(settings=_settings(trader, retries=0), store=store,
                         transport=DropFirstPullResponse(receiver_transport(sim)))
    with pytest.raises(As4TransportError):
        list(first.answers())
    assert sim.waiting(pull_mpc(US)) == 1  # still there
    again = As4Connector(settings=_settings(trader, retries=0), store=store,
                         transport=receiver_transport(sim))
    answers = list(again.answers())
    assert len(answers) == 1 and answers[0].mrn
    assert sim.waiting(pull_mpc(US)) == 0
    assert list(again.answers()) == []


def test_receipt_from_another_party_does_not_settle_an_answer(
        trader: EndpointCerts, customs_side: EndpointCerts, ens_xml: bytes) -> None:
    """Only the channel's owner acknowledges: a receipt sealed by anyone else leaves the
    answer waiting (else answers could be made to vanish)."""
    from ensgate.seal import VerifiedMessage, seal_receipt, verify_message

    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    _file_one(sim, trader, ens_xml)
    wire = sim.queues[pull_mpc(US)][0]
    pulled: VerifiedMessage = verify_message(wire.content_type, wire.body,
                                             trust=customs_side.trust)
    forged = seal_receipt(pulled, identity=customs_side.identity)  # not the trader's seal
    sim.handle(forged.content_type, forged.body)
    assert sim.acknowledged == [] and sim.waiting(pull_mpc(US)) == 1
    genuine = seal_receipt(pulled, identity=trader.identity)
    sim.handle(genuine.content_type, genuine.body)
    assert sim.acknowledged == [wire.message_id] and sim.waiting(pull_mpc(US)) == 0
