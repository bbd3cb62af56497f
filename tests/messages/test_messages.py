"""Trader-to-customs messages (IE3Q04, IE3Q05, IE3R02, IE3R03): built from a real customs
referral of the simulator, valid against their provisional XSDs, values where the tables put
them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from ensgate import TranslateOptions, translate
from ensgate.answers import DocumentRef, Scenario, SimulatedCustoms
from ensgate.messages import (
    BinaryFile,
    Consultation,
    InformationAnswer,
    InformationResponse,
    InvalidationRequest,
    ScreeningOutcome,
    ScreeningResults,
    build_consultation,
    build_information_response,
    build_invalidation,
    build_screening_results,
)
from ensgate.validate import SchemaSet, check_schema, parse_ens_xml

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "cargo-imp"
NS = {"i": "urn:wco:datamodel:eu:ics2:2"}
WHEN = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SENDER = "DE0000DEMO0001"


def _valid(xml: bytes, root: str) -> etree._Element:
    tree, problems = parse_ens_xml(xml)
    assert tree is not None, problems
    assert [str(d) for d in check_schema(tree, schemas=SchemaSet())] == []
    el = tree.getroot()
    assert etree.QName(el).localname == root
    return el


@pytest.fixture(scope="module")
def referrals() -> dict[str, object]:
    """A real filing from the samples, registered by the simulator with an RFI and an HRCM
    screening request: the messages below answer them."""
    result = translate([str(SAMPLES)], TranslateOptions(today="2026-11-20"))
    filing = next(f for f in result.filings
                  if len(etree.fromstring(f.xml).findall(".//i:transportDocumentHouseLevel",
                                                         NS)) > 1)
    rfi = SimulatedCustoms(scenario=Scenario.REQUEST_INFO).file(filing.xml, sender=SENDER)
    hrc = SimulatedCustoms(scenario=Scenario.HIGH_RISK_SCREENING).file(filing.xml,
                                                                        sender=SENDER)
    return {"rfi": rfi[1], "hrc": hrc[1]}


def test_invalidation_request() -> None:
    xml = build_invalidation(InvalidationRequest(mrn="26BE4RT8W2H1X0SF37", declarant=SENDER,
                                                 reason="Shipment cancelled & not shipped",
                                                 issued=WHEN))
    root = _valid(xml, "IE3Q04")
    assert root.findtext("i:MRN", namespaces=NS) == "26BE4RT8W2H1X0SF37"
    assert root.findtext("i:invalidationReason", namespaces=NS) == (
        "Shipment cancelled & not shipped")
    assert root.findtext("i:documentIssueDate/i:DateTime", namespaces=NS) == (
        "2026-11-20T12:00:00Z")
    with pytest.raises(ValueError):
        build_invalidation(InvalidationRequest(mrn="x" * 18, declarant=SENDER, reason=" ",
                                               issued=WHEN))


def test_consultation_by_house_document() -> None:
    house = DocumentRef(number="HAWB-77", type="N703")
    xml = build_consultation(Consultation(functional_reference="Q05-0001", requester=SENDER,
                                          house=house, notifications=False))
    root = _valid(xml, "IE3Q05")
    assert root.findtext("i:dataRequest", namespaces=NS) == "0"
    assert root.findtext("i:transportDocumentHouse/i:documentNumber", namespaces=NS) == "HAWB-77"
    assert root.find("i:MRN", NS) is None
    with pytest.raises(ValueError):
        build_consultation(Consultation(functional_reference="Q05-2", requester=SENDER))


def test_information_response_answers_each_referral(referrals: dict) -> None:
    q02 = referrals["rfi"]
    (ref,) = q02.referrals
    xml = build_information_response(InformationResponse(
        mrn=q02.mrn, declarant=q02.declarant, issued=WHEN, answers=(InformationAnswer(
            reference=ref.reference, texts=("Cotton T-shirts, men's, knitted",),
            documents=(("INV-2026-9", "N380"),), house=ref.house,
            files=(BinaryFile(identification="cid:invoice-1", filename="invoice.pdf",
                              mime="application/pdf"),)),)))
    root = _valid(xml, "IE3R02")
    assert root.findtext("i:MRN", namespaces=NS) == q02.mrn
    got = root.find("i:additionalInformationResponse", NS)
    assert got.findtext("i:referralRequestReference", namespaces=NS) == ref.reference
    assert got.findtext("i:transportDocumentHouseLevel/i:documentNumber",
                        namespaces=NS) == ref.house.number
    assert got.findtext("i:binaryFile/i:identification", namespaces=NS) == "cid:invoice-1"


def test_screening_results_answer_each_referral(referrals: dict) -> None:
    q03 = referrals["hrc"]
    assert len(q03.referrals) > 1
    outcomes = tuple(ScreeningOutcome(reference=r.reference, result="CLR", methods=r.methods,
                                      house=r.house) for r in q03.referrals)
    xml = build_screening_results(ScreeningResults(
        mrn=q03.mrn, declarant=q03.declarant, issued=WHEN, outcomes=outcomes,
        responsible_member_state=q03.responsible_member_state))
    root = _valid(xml, "IE3R03")
    got = root.findall("i:hrcmScreeningResults", NS)
    assert [g.findtext("i:referralRequestReference", namespaces=NS) for g in got] == [
        r.reference for r in q03.referrals]
    assert [g.findtext("i:transportDocumentHouseLevel/i:documentNumber", namespaces=NS)
            for g in got] == [r.house.number for r in q03.referrals]
    assert [m.text for m in got[0].iterfind("i:screeningMethod/i:method", NS)] == ["XRY", "EDD"]
    with pytest.raises(ValueError, match="2 to 9"):
        build_screening_results(ScreeningResults(
            mrn=q03.mrn, declarant=q03.declarant, issued=WHEN,
            responsible_member_state="BE", outcomes=(ScreeningOutcome(
                reference="R", result="CLR", methods=("XRY",), house=outcomes[0].house),)))


def test_arrival_notification_names_the_mrn_not_the_document() -> None:
    from ensgate.messages import ArrivalNotification, build_arrival_notification
    from ensgate.validate import RuleConfig, check_rules

    xml = build_arrival_notification(ArrivalNotification(
        lrn="EGN0678160482133", issued=WHEN, arrived=datetime(2026, 11, 20, 6, 40, tzinfo=UTC),
        related_mrns=("26BE4RT8W2H1X0SF37",), conveyance_reference="MU0553",
        office="BEBRU000", notifier=SENDER, communications=(("ops@example.com", "EM"),)))
    root = _valid(xml, "IE3N06")
    assert root.findtext("i:relatedMRN/i:identification", namespaces=NS) == "26BE4RT8W2H1X0SF37"
    assert root.find("i:relatedTransportDocument", NS) is None  # R3048
    t = "i:activeBorderTransportMeans/"
    assert root.findtext(t + "i:conveyanceReferenceNumber", namespaces=NS) == "MU0553"
    assert root.findtext(t + "i:actualDateAndTimeOfArrival/i:DateTime", namespaces=NS) == (
        "2026-11-20T06:40:00Z")
    assert root.findtext("i:personNotifyingTheArrival/i:identificationNumber",
                         namespaces=NS) == SENDER
    assert root.findtext("i:actualCustomsOfficeOfFirstEntry/i:referenceNumber",
                         namespaces=NS) == "BEBRU000"
    errors = [d for d in check_rules(root, config=RuleConfig(today=WHEN.date()),
                                     source_name="n06") if d.is_error]
    assert errors == []  # R3027 (a related MRN), R3048, C3049 (the notifier) hold
    with pytest.raises(ValueError):
        build_arrival_notification(ArrivalNotification(
            lrn="X", issued=WHEN, arrived=WHEN, related_mrns=(), conveyance_reference="MU0553",
            office="BEBRU000", notifier=SENDER))
