"""AS4 protocol behaviour without sockets: client <-> simulator through receiver_transport.

Everything here is real sealing and verification (demo PKI, real ENS filings translated from
the samples); only the HTTP hop is in-process."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from _as4_helpers import action_of, lrn_of, make_settings

from ensgate.answers import Scenario, SimulatedCustoms, is_valid_mrn
from ensgate.connectors.as4 import (
    As4AuthorizationError,
    As4Client,
    As4Connector,
    As4ErrorSignal,
    As4ProtocolError,
    As4TransportError,
    EndpointCerts,
    read_pulled,
    receiver_transport,
)
from ensgate.connectors.simulator import Simulator
from ensgate.seal import WireMessage

Make = Callable[..., As4Client]


def test_push_receipt_then_pull_registration(simulator: Simulator, client_for: Make,
                                             ens_file: Path) -> None:
    client = client_for(simulator)
    done = client.submit(ens_file.read_bytes(), action=action_of(ens_file))
    assert done.receipt.kind == "receipt"
    assert done.receipt.ref_to_message_id == done.message_id
    assert [f.message_id for f in simulator.filed] == [done.message_id]

    pulled = client.pull()
    assert pulled is not None and pulled.header is not None
    answer = read_pulled(pulled)
    assert answer.action == "IE3R01"
    assert answer.ref_to_message_id == done.message_id
    assert answer.lrn == lrn_of(ens_file)
    assert answer.mrn is not None and is_valid_mrn(answer.mrn)
    # our signed receipt for the pulled message reached the simulator and matched
    assert simulator.acknowledged == [pulled.message_id]
    # nothing left: EBMS:0006 is reported as "empty", not as a failure
    assert client.pull() is None


def test_empty_mpc_is_ebms_0006(simulator: Simulator, client_for: Make) -> None:
    client = client_for(simulator)
    assert client.pull() is None
    # the raw signal really is the EBMS:0006 warning
    from ensgate.seal import pull_mpc, seal_pull_request, verify_message

    request = seal_pull_request(mpc=pull_mpc("DE0000DEMO0001"), identity=client.settings.identity)
    reply = simulator.handle(request.content_type, request.body)
    signal = verify_message(reply.content_type, reply.body, trust=client.settings.trust,
                            require_signature=False)
    assert signal.kind == "error"
    assert [(e.code, e.severity) for e in signal.errors] == [("EBMS:0006", "warning")]


def test_duplicate_message_id_gets_same_receipt_and_is_filed_once(
        simulator: Simulator, client_for: Make, ens_file: Path) -> None:
    client = client_for(simulator)
    wire = client.seal(ens_file.read_bytes(), action=action_of(ens_file))
    first = simulator.handle(wire.content_type, wire.body)
    second = simulator.handle(wire.content_type, wire.body)
    assert first.body == second.body and first.content_type == second.content_type
    assert simulator.receiver.duplicates == 1
    assert len(simulator.filed) == 1
    assert simulator.waiting("urn:fdc:ec.europa.eu:2019:eu_ics2_c2t/EORI/DE0000DEMO0001") == 1
    # and the client accepts the replayed receipt as matching what it sent
    assert client.push(wire).receipt.ref_to_message_id == wire.message_id


def _tamper(wire: WireMessage, old: bytes, new: bytes) -> WireMessage:
    assert old in wire.body
    return WireMessage(content_type=wire.content_type, body=wire.body.replace(old, new, 1),
                       message_id=wire.message_id)


def test_tampered_header_is_refused_with_failed_authentication(
        simulator: Simulator, client_for: Make, ens_file: Path) -> None:
    client = client_for(simulator)
    action = action_of(ens_file)
    wire = client.seal(ens_file.read_bytes(), action=action)
    other = "IE3F21" if action != "IE3F21" else "IE3F22"
    bad = _tamper(wire, f">{action}</".encode(), f">{other}</".encode())
    with pytest.raises(As4ErrorSignal) as info:
        client.push(bad)
    assert info.value.codes == ("EBMS:0101",)
    assert "FailedAuthentication" in str(info.value)
    assert simulator.filed == []


def test_tampered_envelope_structure_is_an_as4_error(simulator: Simulator, client_for: Make,
                                                     ens_file: Path) -> None:
    client = client_for(simulator)
    wire = client.seal(ens_file.read_bytes(), action=action_of(ens_file))
    bad = _tamper(wire, b"Envelope", b"Envelopf")
    with pytest.raises(As4ErrorSignal) as info:
        client.push(bad)
    assert info.value.codes[0] in ("EBMS:0009", "EBMS:0007", "EBMS:0101")
    assert simulator.filed == []


def test_invalid_ens_gets_receipt_then_ie3n99_with_pointers(
        simulator: Simulator, client_for: Make, ens_file: Path) -> None:
    client = client_for(simulator)
    text = ens_file.read_bytes()
    lrn = lrn_of(ens_file)
    # drop the mandatory declarant: schema- and rule-invalid, but still an ENS with an LRN
    start, end = text.index(b"<declarant>"), text.index(b"</declarant>") + len(b"</declarant>")
    broken = text[:start] + text[end:]
    done = client.submit(broken, action=action_of(ens_file))
    assert done.receipt.kind == "receipt"  # AS4 accepted it; the business answer refuses
    pulled = client.pull()
    assert pulled is not None
    answer = read_pulled(pulled)
    assert answer.action == "IE3N99"
    assert answer.mrn is None and answer.lrn == lrn
    assert answer.errors and all(" at /" in e for e in answer.errors)


@pytest.mark.parametrize(("scenario", "follow_up"), [
    (Scenario.ASSESSMENT_COMPLETE, "IE3N03"),
    (Scenario.DO_NOT_LOAD, "IE3Q01"),
    (Scenario.REQUEST_INFO, "IE3Q02"),
    (Scenario.HIGH_RISK_SCREENING, "IE3Q03"),
])
def test_scenarios_queue_follow_up_answers(customs_side: EndpointCerts, client_for: Make,
                                           ens_file: Path, scenario: Scenario,
                                           follow_up: str) -> None:
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust,
                    customs=SimulatedCustoms(scenario=scenario))
    client = client_for(sim)
    client.submit(ens_file.read_bytes(), action=action_of(ens_file))
    actions = []
    while (pulled := client.pull()) is not None:
        actions.append(read_pulled(pulled))
    assert [a.action for a in actions] == ["IE3R01", follow_up]
    assert actions[1].lrn == lrn_of(ens_file) or actions[1].mrn == actions[0].mrn


def test_seal_not_registered_for_party_is_ebms_0004_a001(simulator: Simulator,
                                                         client_for: Make,
                                                         ens_file: Path) -> None:
    client = client_for(simulator, party_id="DE0000OTHER99")
    with pytest.raises(As4AuthorizationError) as info:
        client.submit(ens_file.read_bytes(), action=action_of(ens_file))
    assert info.value.subcode == "A001"
    assert "UUM&DS A001" in str(info.value)
    assert simulator.filed == []


def test_connector_reports_refusal_without_raising(simulator: Simulator,
                                                   trader: EndpointCerts,
                                                   ens_file: Path) -> None:
    from ensgate.connectors import OutboundFiling

    conn = As4Connector(settings=make_settings(trader, party_id="DE0000OTHER99"),
                        transport=receiver_transport(simulator))
    filing = OutboundFiling(lrn=lrn_of(ens_file), message_type=action_of(ens_file),
                            xml=ens_file.read_bytes())
    result = conn.submit(filing)
    assert not result.accepted and "EBMS:0004" in result.detail
    stored = conn.store.sent(result.reference)
    assert stored is not None and stored.receipt == "error"


def test_connector_submit_and_pull_records_answers(simulator: Simulator,
                                                   trader: EndpointCerts,
                                                   ens_file: Path) -> None:
    from ensgate.connectors import OutboundFiling, get_connector

    conn = get_connector("as4", settings=make_settings(trader),
                         transport=receiver_transport(simulator))
    assert isinstance(conn, As4Connector)
    lrn = lrn_of(ens_file)
    result = conn.submit(OutboundFiling(lrn=lrn, message_type=action_of(ens_file),
                                        xml=ens_file.read_bytes()))
    assert result.accepted
    assert conn.store.sent(result.reference).receipt == "ok"  # type: ignore[union-attr]
    got = list(conn.answers())  # recorded in the store before the receipt goes back
    assert [a.action for a in got] == ["IE3R01"]
    assert got[0].ref_to_message_id == result.reference
    answers = conn.store.answers_for(result.reference)
    assert len(answers) == 1 and answers[0].lrn == lrn and answers[0].mrn


def test_retry_on_connection_refused_keeps_message_id(simulator: Simulator, client_for: Make,
                                                      ens_file: Path) -> None:
    inner = receiver_transport(simulator)
    seen: list[bytes] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        if len(seen) < 3:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return inner.handle_request(request)

    sleeps: list[float] = []
    client = client_for(httpx.MockTransport(flaky), backoff=0.5)
    client._sleep = sleeps.append
    done = client.submit(ens_file.read_bytes(), action=action_of(ens_file))
    assert done.attempts == 3
    assert seen[0] == seen[1] == seen[2]  # byte-identical resends: same MessageId
    assert sleeps == [0.5, 1.0]
    assert [f.message_id for f in simulator.filed] == [done.message_id]


def test_retries_spent_raise_transport_error(client_for: Make, ens_file: Path) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    client = client_for(httpx.MockTransport(down), retries=2)
    with pytest.raises(As4TransportError) as info:
        client.submit(ens_file.read_bytes(), action=action_of(ens_file))
    assert info.value.attempts == 3 and info.value.message_id


def test_non_as4_answer_is_a_protocol_error(client_for: Make, ens_file: Path) -> None:
    def proxy_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, headers={"content-type": "text/html"}, content=b"<h1>no")

    client = client_for(httpx.MockTransport(proxy_page))
    with pytest.raises(As4ProtocolError, match="HTTP 403"):
        client.submit(ens_file.read_bytes(), action=action_of(ens_file))


def test_ping_is_acknowledged_and_never_filed(simulator: Simulator, client_for: Make) -> None:
    client = client_for(simulator)
    done = client.ping()
    assert done.receipt.ref_to_message_id == done.message_id
    assert simulator.filed == [] and simulator.waiting(
        "urn:fdc:ec.europa.eu:2019:eu_ics2_c2t/EORI/DE0000DEMO0001") == 0


def test_store_joins_answers_across_processes(simulator: Simulator, trader: EndpointCerts,
                                              ens_file: Path, tmp_path: Path) -> None:
    """`ensgate send` and `ensgate pull` are two processes sharing one --store."""
    from ensgate.connectors import OutboundFiling
    from ensgate.store import Store

    db = f"sqlite:///{tmp_path / 'as4.sqlite'}"
    sender = As4Connector(settings=make_settings(trader), store=db,
                          transport=receiver_transport(simulator))
    result = sender.submit(OutboundFiling(lrn=lrn_of(ens_file), message_type=action_of(ens_file),
                                          xml=ens_file.read_bytes()))
    sender.close()
    puller = As4Connector(settings=make_settings(trader), store=db,
                          transport=receiver_transport(simulator))
    assert [a.action for a in puller.answers()] == ["IE3R01"]
    puller.close()
    store = Store.open(db)
    sent = store.sent(result.reference)
    assert sent is not None and sent.receipt == "ok" and sent.lrn == lrn_of(ens_file)
    [answer] = store.answers_for(result.reference)
    assert answer.mrn and answer.lrn == sent.lrn


def test_a_crash_behind_the_endpoint_is_an_error_not_a_receipt(
        simulator: Simulator, client_for: Make, ens_file: Path) -> None:
    def broken(xml: bytes, *, sender: str) -> list[object]:
        raise RuntimeError("bug")

    working = simulator.customs.file
    simulator.customs.file = broken  # type: ignore[assignment,method-assign]
    client = client_for(simulator)
    wire = client.seal(ens_file.read_bytes(), action=action_of(ens_file))
    with pytest.raises(As4ErrorSignal) as info:
        client.push(wire)
    assert info.value.codes == ("EBMS:0004",) and "internal error" in str(info.value)
    # the failure is not remembered as the answer to this MessageId: a resend is processed
    simulator.customs.file = working  # type: ignore[method-assign]
    assert client.push(wire).receipt.kind == "receipt"
    assert [f.message_id for f in simulator.filed] == [wire.message_id]


def test_cli_send_reports_unreachable_endpoint(cert_dir: Path, ens_file: Path) -> None:
    from click.testing import CliRunner

    from ensgate.cli import main
    from ensgate.connectors.as4 import free_port

    url = f"https://127.0.0.1:{free_port()}/"
    result = CliRunner().invoke(main, ["send", str(ens_file), "--endpoint", url, "--certs",
                                       str(cert_dir), "--retries", "0"])
    assert result.exit_code == 3
    assert "unreachable after 1 attempts" in result.output


def test_unreadable_pulled_answer_is_reported_and_pull_goes_on(
        simulator: Simulator, trader: EndpointCerts, ens_file: Path) -> None:
    from ensgate.connectors import OutboundFiling
    from ensgate.seal import customs_to_trader_header, pull_mpc, seal_user_message

    conn = As4Connector(settings=make_settings(trader), transport=receiver_transport(simulator))
    header = customs_to_trader_header(receiver_party_id="DE0000DEMO0001", action="IE3R01")
    junk = seal_user_message(b"<IE3R01><not-an-answer/></IE3R01>", header=header,
                             identity=simulator.identity)
    simulator.queues.setdefault(pull_mpc("DE0000DEMO0001"), deque()).append(junk)
    simulator.awaiting_receipt[junk.message_id] = junk
    conn.submit(OutboundFiling(lrn=lrn_of(ens_file), message_type=action_of(ens_file),
                               xml=ens_file.read_bytes()))
    first, second = list(conn.answers())
    assert first.message_id == junk.message_id and first.mrn is None
    assert first.errors and first.errors[0].startswith("unreadable IE3R01 payload")
    assert second.action == "IE3R01" and second.mrn
