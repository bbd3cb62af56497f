"""Every customs-to-trader message of the ICD: built by the simulator's builder from a real
pipeline filing, valid against its provisional XSD, and read back with its details."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from _answer_helpers import ANSWERED, NS, find_text
from lxml import etree

from ensgate import Filing
from ensgate.answers import (
    ANSWER_TYPES,
    AnswerBuilder,
    AnswerError,
    ConsultedFiling,
    ControlOrder,
    CustomsAnswer,
    EnsFacts,
    TransportDocumentRef,
    ens_facts,
    read_answer,
)

MRN = "26BE0000000000AB1S"  # structure only (a1 trader interface, a1 procedure)
OFFICE = "BE212000"


@pytest.fixture(scope="module")
def builder() -> AnswerBuilder:
    return AnswerBuilder()


def _facts(filing: Filing) -> EnsFacts:
    return ens_facts(etree.fromstring(filing.xml))


def _houses(filing: Filing) -> list[tuple[str, str]]:
    """The house documents of the filing, read with lxml (independent of ens_facts)."""
    root = etree.fromstring(filing.xml)
    out = []
    for el in root.iterfind(".//i:consignmentHouseLevel/i:transportDocumentHouseLevel", NS):
        pair = (el.findtext("i:documentNumber", namespaces=NS),
                el.findtext("i:type", namespaces=NS))
        if pair not in out:
            out.append(pair)
    return out


def _master(filing: Filing) -> tuple[str, str]:
    el = etree.fromstring(filing.xml).find(".//i:transportDocumentMasterLevel", NS)
    assert el is not None
    return el.findtext("i:documentNumber", namespaces=NS), el.findtext("i:type", namespaces=NS)


def _valid(answer: CustomsAnswer, schema_errors: Callable[[bytes], list[str]]) -> CustomsAnswer:
    assert schema_errors(answer.xml) == []
    got = read_answer(answer.xml)  # read again from the bytes, with the XSD check
    assert got.diagnostics == ()
    assert got.message_type == answer.message_type
    assert etree.QName(etree.fromstring(answer.xml)).localname == answer.message_type
    return got


def _pairs(docs: tuple[TransportDocumentRef, ...]) -> list[tuple[str, str]]:
    return [(d.number, d.type) for d in docs]


def test_every_icd_answer_type_is_known() -> None:
    assert set(ANSWER_TYPES) == {
        "IE3R01", "IE3R04", "IE3R07", "IE3R08", "IE3N01", "IE3N02", "IE3N03", "IE3N04",
        "IE3N05", "IE3N07", "IE3N08", "IE3N09", "IE3N10", "IE3N11", "IE3N99", "IE3Q01",
        "IE3Q02", "IE3Q03"}


def test_lifecycle_error_duplicate_document_code_81(builder: AnswerBuilder,
                                                     with_houses: Filing,
                                                     schema_errors) -> None:
    facts = _facts(with_houses)
    pointer = f"/{facts.message}/consignmentMasterLevel/transportDocumentMasterLevel/documentNumber"
    err = AnswerError(code="81", text="transport document already filed", pointer=pointer)
    got = _valid(builder.lifecycle_error(facts, [err], when=ANSWERED), schema_errors)
    assert got.message_type == "IE3N01"
    assert got.lrn == find_text(with_houses.xml, "i:LRN")
    assert got.mrn is None
    assert [(e.code, e.pointer) for e in got.errors] == [("81", pointer)]
    assert got.master is not None and _pairs((got.master,)) == [_master(with_houses)]
    assert got.issued_at == "2026-11-20T09:30:00Z"


def test_not_complete_names_the_pending_declarants(builder: AnswerBuilder, with_houses: Filing,
                                                   schema_errors) -> None:
    facts = _facts(with_houses)
    got = _valid(builder.not_complete(facts, mrn=MRN, when=ANSWERED, office=OFFICE,
                                      pending=["BE0999999999"]), schema_errors)
    assert (got.message_type, got.mrn, got.customs_office) == ("IE3N02", MRN, OFFICE)
    assert got.supplementary_declarants == ("BE0999999999",)
    assert got.master is not None and _pairs((got.master,)) == [_master(with_houses)]
    assert got.declarant == find_text(with_houses.xml, "i:declarant/i:identificationNumber")


def test_carrier_notifications_repeat_the_referrals(builder: AnswerBuilder,
                                                    with_houses: Filing, schema_errors) -> None:
    facts = _facts(with_houses)
    assert facts.carrier
    rfi = _valid(builder.request_info_notification(facts, mrn=MRN, when=ANSWERED,
                                                   member_state="BE"), schema_errors)
    assert (rfi.message_type, rfi.carrier, rfi.responsible_member_state) == (
        "IE3N04", facts.carrier, "BE")
    (ref,) = rfi.referrals
    assert ref.request_type == "RFI" and ref.texts and ref.pointer
    assert ref.house is not None and _pairs((ref.house,)) == _houses(with_houses)[:1]
    hrcm = _valid(builder.screening_notification(facts, mrn=MRN, when=ANSWERED,
                                                 member_state="BE"), schema_errors)
    assert hrcm.message_type == "IE3N05"
    assert _pairs(hrcm.houses) == _houses(with_houses)
    assert all(r.methods == ("XRY", "EDD") for r in hrcm.referrals)


def test_amendment_and_invalidation_accepted(builder: AnswerBuilder, with_houses: Filing,
                                             schema_errors) -> None:
    facts = _facts(with_houses)
    for kind, answer in (("IE3N10", builder.amendment_accepted(facts, mrn=MRN, when=ANSWERED)),
                         ("IE3R07", builder.invalidation_accepted(facts, mrn=MRN,
                                                                  when=ANSWERED))):
        got = _valid(answer, schema_errors)
        assert (got.message_type, got.mrn, got.issued_at) == (kind, MRN, "2026-11-20T09:30:00Z")
        assert got.declarant == facts.declarant


def test_incorrect_state_at_arrival(builder: AnswerBuilder, arrival: Filing,
                                    schema_errors) -> None:
    facts = _facts(arrival)
    err = AnswerError(code="90", text="ENS invalidated", pointer="/IE3N06/relatedMRN")
    got = _valid(builder.incorrect_state(facts, mrn=MRN, when=ANSWERED, office=OFFICE,
                                         errors=[err]), schema_errors)
    assert (got.message_type, got.mrn, got.customs_office) == ("IE3N07", MRN, OFFICE)
    assert [(e.code, e.text, e.pointer) for e in got.errors] == [
        ("90", "ENS invalidated", "/IE3N06/relatedMRN")]


@pytest.mark.parametrize("aeo", [False, True])
def test_control_notifications(builder: AnswerBuilder, with_houses: Filing, schema_errors,
                               aeo: bool) -> None:
    facts = _facts(with_houses)
    house = facts.house_documents[0]
    order = ControlOrder(place="BRU warehouse 3", place_reference="BEBRU001", houses=(house,),
                         containers=("AKE12345KL",))
    got = _valid(builder.control(facts, mrn=MRN, when=ANSWERED, control_office=OFFICE,
                                 controls=[order], scheduled=ANSWERED + timedelta(hours=2),
                                 aeo=aeo), schema_errors)
    assert got.message_type == ("IE3N09" if aeo else "IE3N08")
    assert (got.control_office, got.scheduled_control) == (OFFICE, "2026-11-20T11:30:00Z")
    (c,) = got.controls
    assert (c.place, c.place_reference, c.containers) == (
        "BRU warehouse 3", "BEBRU001", ("AKE12345KL",))
    assert _pairs(c.houses) == _houses(with_houses)[:1] == _pairs(got.houses)


def test_pending_notification(builder: AnswerBuilder, with_houses: Filing,
                              schema_errors) -> None:
    got = _valid(builder.pending_notification(_facts(with_houses), when=ANSWERED,
                                              office=OFFICE, pending="NL000111222"),
                 schema_errors)
    assert (got.message_type, got.supplementary_declarants) == ("IE3N11", ("NL000111222",))
    assert got.master is not None and _pairs((got.master,)) == [_master(with_houses)]


def test_consultation_results(builder: AnswerBuilder, schema_errors) -> None:
    house = TransportDocumentRef(number="HAWB001", type="N703")
    result = ConsultedFiling(mrn=MRN, status="registered", houses=(house,),
                             notifications=(("IE3R01", "2026-11-20T09:30:00Z"),))
    got = _valid(builder.consultation_results(functional_reference="Q05-1",
                                              requester="DE0000DEMO0001", results=[result],
                                              when=ANSWERED), schema_errors)
    assert (got.message_type, got.functional_reference) == ("IE3R08", "Q05-1")
    assert got.consulted == (result,)
