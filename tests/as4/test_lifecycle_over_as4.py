"""The ENS lifecycle against the simulator over real AS4 (loopback HTTPS, two-way TLS, the
demo PKI): a filing with a request for information, its amendment (IE3N10), the answer to the
referral, a consultation, an invalidation (IE3R07); and a filing resent with the same
MessageId after the simulator restarted on its store and ledger, answered once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from _as4_helpers import action_of, make_settings
from lxml import etree

from ensgate.amendments import build_amendment
from ensgate.answers import CustomsAnswer, CustomsRegistry, Scenario, SimulatedCustoms, read_answer
from ensgate.connectors.as4 import (
    As4Client,
    BackgroundServer,
    EndpointCerts,
    StoreReceivedStore,
)
from ensgate.connectors.simulator import Simulator
from ensgate.messages import (
    Consultation,
    InformationAnswer,
    InformationResponse,
    InvalidationRequest,
    build_consultation,
    build_information_response,
    build_invalidation,
)
from ensgate.store import Store

NS = {"i": "urn:wco:datamodel:eu:ics2:2"}
WHEN = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SENDER = "DE0000DEMO0001"


def _answers(client: As4Client) -> list[CustomsAnswer]:
    out = []
    while (msg := client.pull()) is not None:
        out.append(read_answer(msg.payloads[0].data, ref_to_message_id=msg.ref_to_message_id))
    return out


def _send(client: As4Client, xml: bytes) -> str:
    action = etree.QName(etree.fromstring(xml)).localname
    done = client.push(client.seal(xml, action=action))
    return done.message_id


def test_lifecycle_over_as4(customs_side: EndpointCerts, trader: EndpointCerts,
                            ens_files: list[Path]) -> None:
    filing = next(p for p in ens_files if action_of(p) in ("IE3F20", "IE3F28"))
    xml = filing.read_bytes()
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust,
                    customs=SimulatedCustoms(scenario=Scenario.REQUEST_INFO))
    with BackgroundServer(sim.app, tls=customs_side.tls) as srv:
        client = As4Client(make_settings(trader, endpoint=srv.url))
        try:
            sent = _send(client, xml)
            r01, q02 = _answers(client)
            assert (r01.message_type, q02.message_type) == ("IE3R01", "IE3Q02")
            assert r01.ref_to_message_id == q02.ref_to_message_id == sent
            mrn = r01.mrn
            assert mrn is not None
            # amendment: the consignee's city corrected, everything else resent
            root = etree.fromstring(xml)
            city = root.find(".//i:consignee/i:address/i:city", NS)
            assert city is not None
            city.text = (city.text or "") + " CENTRE"
            amendment = build_amendment(xml, etree.tostring(root), mrn, issued=WHEN)
            assert amendment.xml is not None, amendment.diagnostics
            sent = _send(client, amendment.xml)
            (n10,) = _answers(client)
            assert (n10.message_type, n10.mrn, n10.ref_to_message_id) == ("IE3N10", mrn, sent)
            # the answer to the referral
            (ref,) = q02.referrals
            _send(client, build_information_response(InformationResponse(
                mrn=mrn, declarant=q02.declarant or SENDER, issued=WHEN,
                answers=(InformationAnswer(reference=ref.reference, texts=("ok",)),))))
            (n03,) = _answers(client)
            assert n03.message_type == "IE3N03"
            # consultation, then invalidation
            _send(client, build_consultation(Consultation(functional_reference="Q05-AS4",
                                                          requester=SENDER, mrn=mrn)))
            pulled = client.pull()  # verified by the trader side: extra XML payloads allowed
            assert pulled is not None and client.pull() is None
            r08 = read_answer(pulled.payloads[0].data)
            assert [f.status for f in r08.consulted] == ["assessment-complete"]
            # ICD 4.2.6: the related notifications travel as extra business payloads
            assert [etree.QName(etree.fromstring(p.data)).localname
                    for p in pulled.payloads[1:]] == ["IE3Q02", "IE3N10", "IE3N03"]
            assert {p.mime_type for p in pulled.payloads} == {"application/xml"}
            _send(client, build_invalidation(InvalidationRequest(
                mrn=mrn, reason="cancelled", declarant=SENDER, issued=WHEN)))
            (r07,) = _answers(client)
            assert (r07.message_type, r07.mrn) == ("IE3R07", mrn)
        finally:
            client.close()
    assert [f.action for f in sim.filed] == [
        action_of(filing), amendment.message_type, "IE3R02", "IE3Q05", "IE3Q04"]


def test_a_resend_after_a_restart_is_answered_once(customs_side: EndpointCerts,
                                                   trader: EndpointCerts, ens_file: Path,
                                                   tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    journal = tmp_path / "customs.jsonl"

    def simulator() -> Simulator:
        return Simulator(identity=customs_side.identity, trust=customs_side.trust,
                         customs=SimulatedCustoms(registry=CustomsRegistry(journal=journal)),
                         received=StoreReceivedStore(Store.open(url)))

    first = simulator()
    with BackgroundServer(first.app, tls=customs_side.tls) as srv:
        client = As4Client(make_settings(trader, endpoint=srv.url))
        wire = client.seal(ens_file.read_bytes(), action=action_of(ens_file))
        receipt = client.push(wire)
        (r01,) = _answers(client)
        client.close()
    assert [f.message_id for f in first.filed] == [wire.message_id]
    first.customs.registry.close()

    second = simulator()  # restarted on the same store and ledger
    with BackgroundServer(second.app, tls=customs_side.tls) as srv:
        client = As4Client(make_settings(trader, endpoint=srv.url))
        again = client.push(wire)  # the same MessageId, e.g. an outbox resuming after a crash
        late = _answers(client)
        client.close()
    assert again.receipt.ref_to_message_id == receipt.receipt.ref_to_message_id == wire.message_id
    assert second.filed == [] and late == []  # receipt again, nothing filed or answered twice
    assert second.receiver.duplicates == 1
    assert second.customs.mrn_for("DE0000DEMO0001", r01.lrn or "") == r01.mrn


SCENARIO_ANSWERS = {
    Scenario.ACCEPT: ["IE3R01"],
    Scenario.REJECT: ["IE3N99"],
    Scenario.ASSESSMENT_COMPLETE: ["IE3R01", "IE3N03"],
    Scenario.DO_NOT_LOAD: ["IE3R01", "IE3Q01"],
    Scenario.REQUEST_INFO: ["IE3R01", "IE3Q02"],
    Scenario.HIGH_RISK_SCREENING: ["IE3R01", "IE3Q03"],
    Scenario.NOT_COMPLETE: ["IE3R01", "IE3N02"],
    Scenario.CONTROL: ["IE3R04", "IE3N08"],  # on an arrival notification
}


def test_every_scenario_over_as4(customs_side: EndpointCerts, trader: EndpointCerts,
                                 ens_files: list[Path]) -> None:
    assert set(SCENARIO_ANSWERS) == set(Scenario)
    filing = next(p for p in ens_files if action_of(p) == "IE3F20").read_bytes()
    arrival = next((p for p in ens_files if action_of(p) == "IE3N06"), None)
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust)
    got: dict[Scenario, list[str]] = {}
    with BackgroundServer(sim.app, tls=customs_side.tls) as srv:
        client = As4Client(make_settings(trader, endpoint=srv.url))
        try:
            for scenario in Scenario:
                if scenario is Scenario.CONTROL and arrival is None:
                    continue
                sim.customs = SimulatedCustoms(scenario=scenario)  # a fresh customs each
                xml = arrival.read_bytes() if scenario is Scenario.CONTROL else filing
                sent = _send(client, xml)
                answers = _answers(client)
                assert all(a.ref_to_message_id == sent for a in answers)
                got[scenario] = [a.message_type for a in answers]
        finally:
            client.close()
    assert got == {s: SCENARIO_ANSWERS[s] for s in got}
    assert len(got) >= len(Scenario) - 1


def test_simulate_takes_its_scenarios_from_the_enum_and_a_ledger_file(
        cert_dir: Path, ens_file: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ensgate.cli import main
    from ensgate.connectors.simulator import SimulatorConfig, build_simulator

    help_text = CliRunner().invoke(main, ["simulate", "--help"]).output
    for scenario in Scenario:
        assert scenario.value in help_text
    bad = CliRunner().invoke(main, ["simulate", "--certs", str(cert_dir), "--scenario", "nope"])
    assert bad.exit_code == 2
    journal = tmp_path / "ledger.jsonl"
    sim, _ = build_simulator(SimulatorConfig(certs=cert_dir, ledger=journal,
                                             scenario=Scenario.DO_NOT_LOAD,
                                             notify_carrier=True))
    assert sim.customs.notify_carrier and "--notify-carrier" in help_text
    answers = sim.customs.file(ens_file.read_bytes(), sender=SENDER)
    assert [a.message_type for a in answers][:2] == ["IE3R01", "IE3Q01"]
    sim.customs.registry.close()
    again, _ = build_simulator(SimulatorConfig(certs=cert_dir, ledger=journal))
    assert again.customs.state_of(answers[0].mrn or "") == "do-not-load"


def test_a_do_not_load_reaches_the_carrier_channel(customs_side: EndpointCerts,
                                                   trader: EndpointCerts,
                                                   ens_files: list[Path]) -> None:
    from ensgate.seal import pull_mpc

    path = next(p for p in ens_files if action_of(p) == "IE3F20")
    carrier = etree.fromstring(path.read_bytes()).findtext(
        ".//i:carrier/i:identificationNumber", namespaces=NS)
    assert carrier and carrier != SENDER
    sim = Simulator(identity=customs_side.identity, trust=customs_side.trust,
                    customs=SimulatedCustoms(scenario=Scenario.DO_NOT_LOAD,
                                             notify_carrier=True))
    with BackgroundServer(sim.app, tls=customs_side.tls) as srv:
        client = As4Client(make_settings(trader, endpoint=srv.url))
        try:
            _send(client, path.read_bytes())
            assert [a.message_type for a in _answers(client)] == ["IE3R01", "IE3Q01"]
        finally:
            client.close()
    assert sim.waiting(pull_mpc(carrier)) == 1  # the carrier's copy, on its own channel
