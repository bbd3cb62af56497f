"""The simulated customs through an ENS lifecycle: duplicate document (IE3N01 81), rejection
and refiling, amendments (IE3N10, R3024 refused), invalidation (IE3R07), answers to referrals
(IE3R02/IE3R03 -> IE3N03), consultation (IE3R08), arrival (IE3N07, IE3N08), and a registry
that survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from _answer_helpers import ANSWERED, NS, SENDER, replace_text
from lxml import etree

from ensgate import Filing
from ensgate.amendments import build_amendment
from ensgate.answers import (
    CustomsRegistry,
    DocumentRef,
    Scenario,
    SimulatedCustoms,
    read_answer,
)
from ensgate.messages import (
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

WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def customs(**kwargs: object) -> SimulatedCustoms:
    return SimulatedCustoms(clock=lambda: ANSWERED, **kwargs)  # type: ignore[arg-type]


def kinds(answers: list) -> list[str]:  # type: ignore[type-arg]
    return [a.message_type for a in answers]


@pytest.fixture(scope="module")
def f28(filings: list[Filing]) -> Filing:
    return next(f for f in filings if f.filing == "IE3F28")


@pytest.fixture(scope="module")
def f20(filings: list[Filing]) -> Filing:
    return next(f for f in filings if f.filing == "IE3F20")


def _registered(sim: SimulatedCustoms, filing: Filing) -> str:
    answers = sim.file(filing.xml, sender=SENDER)
    assert kinds(answers)[0] == "IE3R01", answers
    mrn = answers[0].mrn
    assert mrn is not None
    return mrn


def test_a_master_document_filed_again_is_a_lifecycle_error_81(f20: Filing) -> None:
    sim = customs()
    _registered(sim, f20)
    again = replace_text(f20.xml, "i:LRN", "OTHERLRN0001")
    (n01,) = sim.file(again, sender=SENDER)
    assert n01.message_type == "IE3N01" and n01.lrn == "OTHERLRN0001"
    (err,) = n01.errors
    assert err.code == "81"
    assert err.pointer == (
        "/IE3F20/consignmentMasterLevel/transportDocumentMasterLevel/documentNumber")
    # another sender may file the same document (the rule is per declarant)
    assert kinds(sim.file(again, sender="NL0000OTHER001"))[0] == "IE3R01"


def test_rejected_then_refiled_with_the_same_lrn(f28: Filing) -> None:
    sim = customs(scenario=Scenario.REJECT)
    (n99,) = sim.file(f28.xml, sender=SENDER)
    assert n99.message_type == "IE3N99" and n99.lrn == f28.lrn
    assert sim.mrn_for(SENDER, f28.lrn) is None
    answers = sim.file(f28.xml, sender=SENDER, scenario=Scenario.ACCEPT)
    assert kinds(answers) == ["IE3R01"]
    assert sim.mrn_for(SENDER, f28.lrn) == answers[0].mrn


def test_amendment_accepted_and_refused(f28: Filing) -> None:
    sim = customs()
    mrn = _registered(sim, f28)
    street = etree.fromstring(f28.xml).find(".//i:consignee/i:address/i:street", NS)
    assert street is not None
    corrected = replace_text(f28.xml, ".//i:consignee/i:address/i:street", "NEW STREET 1")
    amendment = build_amendment(f28.xml, corrected, mrn, issued=WHEN)
    assert amendment.xml is not None
    (n10,) = sim.file(amendment.xml, sender=SENDER)
    assert (n10.message_type, n10.mrn) == ("IE3N10", mrn)
    assert sim.state_of(mrn) == "amended"
    # a forbidden change, sent anyway (built by hand: build_amendment would refuse it)
    forbidden = amendment.xml.replace(
        b"<conveyanceReferenceNumber>", b"<conveyanceReferenceNumber>X", 1)
    assert forbidden != amendment.xml
    (n99,) = sim.file(forbidden, sender=SENDER)
    assert n99.message_type == "IE3N99"
    # ICD table 9: an error about an amendment refers to it by MRN
    assert (n99.functional_reference, n99.mrn, n99.lrn) == (mrn, mrn, None)
    assert [e.pointer for e in n99.errors] == [
        "/IE3A28/activeBorderTransportMeans/conveyanceReferenceNumber"]
    assert "R3024" in n99.errors[0].text
    # an MRN this sender never got
    (n01,) = sim.file(amendment.xml, sender="NL0000OTHER001")
    assert n01.message_type == "IE3N01" and n01.errors[0].code == "92"


def test_invalidation_then_nothing_more(f28: Filing) -> None:
    sim = customs()
    mrn = _registered(sim, f28)
    q04 = build_invalidation(InvalidationRequest(mrn=mrn, reason="cancelled", issued=WHEN,
                                                 declarant=SENDER))
    (r07,) = sim.file(q04, sender=SENDER)
    assert (r07.message_type, r07.mrn) == ("IE3R07", mrn)
    assert sim.state_of(mrn) == "invalidated"
    (again,) = sim.file(q04, sender=SENDER)
    assert again.message_type == "IE3N01" and again.errors[0].code == "90"
    (broken,) = sim.file(q04.replace(b"<invalidationReason>cancelled", b"<invalidationReason>"),
                         sender=SENDER)  # empty reason: a syntax error, referred to by MRN
    assert (broken.message_type, broken.mrn) == ("IE3N99", mrn)
    assert [r.message_type for r in sim.answers_for(SENDER, f28.lrn)] == [
        "IE3R01", "IE3R07", "IE3N01"]


def test_answers_to_referrals_complete_the_assessment(f20: Filing) -> None:
    sim = customs(scenario=Scenario.REQUEST_INFO)
    r01, q02 = sim.file(f20.xml, sender=SENDER)
    assert q02.message_type == "IE3Q02" and sim.state_of(r01.mrn) == "information-requested"
    (ref,) = q02.referrals
    r02 = build_information_response(InformationResponse(
        mrn=r01.mrn, declarant=q02.declarant or SENDER, issued=WHEN,
        answers=(InformationAnswer(reference=ref.reference, texts=("cotton shirts",)),)))
    (n03,) = sim.file(r02, sender=SENDER)
    assert n03.message_type == "IE3N03" and sim.state_of(r01.mrn) == "assessment-complete"
    (late,) = sim.file(r02, sender=SENDER)  # no open request any more
    assert late.message_type == "IE3N01" and late.errors[0].code == "90"

    sim = customs(scenario=Scenario.HIGH_RISK_SCREENING)
    again = replace_text(f20.xml, "i:LRN", "SCREEN0001")
    r01, q03 = sim.file(again, sender=SENDER)
    r03 = build_screening_results(ScreeningResults(
        mrn=r01.mrn, declarant=q03.declarant or SENDER, issued=WHEN,
        responsible_member_state=q03.responsible_member_state or "BE",
        outcomes=tuple(ScreeningOutcome(reference=r.reference, result="CLR",
                                        methods=r.methods, house=r.house)
                       for r in q03.referrals if r.house)))
    (n03,) = sim.file(r03, sender=SENDER)
    assert n03.message_type == "IE3N03"


def test_consultation_returns_only_the_senders_filings(f28: Filing) -> None:
    sim = customs(scenario=Scenario.DO_NOT_LOAD)
    mrn = _registered(sim, f28)
    q05 = build_consultation(Consultation(functional_reference="Q05-1", requester=SENDER,
                                          mrn=mrn))
    (r08,) = sim.file(q05, sender=SENDER)
    assert (r08.message_type, r08.functional_reference) == ("IE3R08", "Q05-1")
    (found,) = r08.consulted
    assert (found.mrn, found.status) == (mrn, "do-not-load")
    assert [n[0] for n in found.notifications] == ["IE3R01", "IE3Q01"]
    (none,) = sim.file(q05, sender="NL0000OTHER001")
    assert none.consulted == ()


def test_arrival_of_an_invalidated_filing_and_a_control(f28: Filing, arrival: Filing) -> None:
    sim = customs()
    mrn = _registered(sim, f28)
    sim.file(build_invalidation(InvalidationRequest(mrn=mrn, reason="x", issued=WHEN,
                                                    declarant=SENDER)), sender=SENDER)
    root = etree.fromstring(arrival.xml)
    related = root.find("i:relatedTransportDocument", NS)
    assert related is not None
    el = etree.Element("{urn:wco:datamodel:eu:ics2:2}relatedMRN")
    etree.SubElement(el, "{urn:wco:datamodel:eu:ics2:2}identification").text = mrn
    related.addnext(el)
    root.remove(related)  # R3048: a related MRN or a related transport document, not both
    with_mrn = etree.tostring(root)
    (n07,) = sim.file(with_mrn, sender=SENDER)
    assert n07.message_type == "IE3N07" and n07.mrn == mrn, n07.errors
    assert n07.errors[0].pointer == "/IE3N06/relatedMRN"
    answers = customs(scenario=Scenario.CONTROL).file(arrival.xml, sender=SENDER)
    assert kinds(answers) == ["IE3R04", "IE3N08"]
    assert answers[1].controls and read_answer(answers[1].xml).diagnostics == ()


def test_the_registry_survives_a_restart(f28: Filing, tmp_path: Path) -> None:
    journal = tmp_path / "customs.jsonl"
    sim = customs(registry=CustomsRegistry(journal=journal), scenario=Scenario.REQUEST_INFO)
    mrn = _registered(sim, f28)
    sim.registry.close()
    with journal.open("a", encoding="utf-8") as f:
        f.write('{"op": "answer", "sender"')  # a torn last line (crash mid-write)
    restarted = customs(registry=CustomsRegistry(journal=journal))
    assert restarted.mrn_for(SENDER, f28.lrn) == mrn
    assert restarted.state_of(mrn) == "information-requested"
    assert restarted.ledger.lrn_used(SENDER, f28.lrn)
    (n99,) = restarted.file(f28.xml, sender=SENDER)  # the LRN is used up
    assert n99.message_type == "IE3N99"
    q04 = build_invalidation(InvalidationRequest(mrn=mrn, reason="x", issued=WHEN,
                                                 declarant=SENDER))
    assert kinds(restarted.file(q04, sender=SENDER)) == ["IE3R07"]
    assert DocumentRef  # public name used by the referral answers above


@pytest.mark.parametrize(("scenario", "copy"), [
    (Scenario.DO_NOT_LOAD, "IE3Q01"), (Scenario.REQUEST_INFO, "IE3N04"),
    (Scenario.HIGH_RISK_SCREENING, "IE3N05")])
def test_the_carrier_gets_its_copy(f20: Filing, scenario: Scenario, copy: str) -> None:
    carrier = etree.fromstring(f20.xml).findtext(".//i:carrier/i:identificationNumber",
                                                 namespaces=NS)
    assert carrier and carrier != SENDER
    answers = customs(scenario=scenario, notify_carrier=True).file(f20.xml, sender=SENDER)
    assert [(a.message_type, a.to) for a in answers][-1] == (copy, carrier)
    assert all(a.to is None for a in answers[:-1])
    assert read_answer(answers[-1].xml).diagnostics == ()
    assert answers[-1].mrn == answers[0].mrn
    # not asked for: the filer only; the carrier filing itself: no copy either
    assert len(customs(scenario=scenario).file(f20.xml, sender=SENDER)) == 2
    assert len(customs(scenario=scenario, notify_carrier=True).file(
        f20.xml, sender=carrier)) == 2
