"""SimulatedCustoms on real ENS from the pipeline: registration, rejections with the right
CL723 code and pointer, LRN reuse, every scenario, arrival notifications, persistence."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from _answer_helpers import ANSWERED, NS, SENDER, find_text, remove, replace_text
from lxml import etree

from ensgate import Filing
from ensgate.answers import (
    REQUEST_TYPE_INFORMATION,
    REQUEST_TYPE_SCREENING,
    SCREENING_METHODS,
    CustomsAnswer,
    Scenario,
    SimulatedCustoms,
    is_valid_mrn,
)
from ensgate.ledger import InMemoryLedger


def customs(**kwargs: object) -> SimulatedCustoms:
    return SimulatedCustoms(clock=lambda: ANSWERED, **kwargs)  # type: ignore[arg-type]


def only(answers: list[CustomsAnswer], message_type: str) -> CustomsAnswer:
    assert [a.message_type for a in answers] == [message_type], answers
    return answers[0]


def texts(xml: bytes, path: str) -> list[str]:
    return [e.text or "" for e in etree.fromstring(xml).iterfind(path, NS)]


# -- registration -------------------------------------------------------------------------------
def test_every_pipeline_filing_is_registered(filings: list[Filing],
                                             schema_errors: Callable[[bytes], list[str]]) -> None:
    sim = customs()
    mrns = set()
    for f in filings:
        r01 = only(sim.file(f.xml, sender=SENDER), "IE3R01")
        assert r01.lrn == f.lrn and r01.errors == ()
        assert r01.mrn is not None and is_valid_mrn(r01.mrn)
        assert r01.mrn.startswith("26BE")
        assert schema_errors(r01.xml) == []
        assert find_text(r01.xml, "i:LRN") == f.lrn
        assert find_text(r01.xml, "i:MRN") == r01.mrn
        assert find_text(r01.xml, "i:registrationDate/i:DateTime") == "2026-11-20T09:30:00Z"
        assert find_text(r01.xml, "i:SpecificCircumstanceIndicator") == f.filing[-3:]
        assert find_text(r01.xml, "i:declarant/i:identificationNumber") == find_text(
            f.xml, "i:declarant/i:identificationNumber")
        assert sim.mrn_for(SENDER, f.lrn) == r01.mrn
        mrns.add(r01.mrn)
    assert len(mrns) == len(filings)


def test_master_document_and_office_are_repeated(filings: list[Filing]) -> None:
    f = filings[0]
    r01 = only(customs().file(f.xml, sender=SENDER), "IE3R01")
    assert find_text(r01.xml, "i:transportDocument/i:documentNumber") == find_text(
        f.xml, ".//i:transportDocumentMasterLevel/i:documentNumber")
    assert find_text(r01.xml, "i:customsOfficeOfFirstEntry/i:referenceNumber") == find_text(
        f.xml, "i:customsOfficeOfFirstEntry/i:referenceNumber")


# -- rejections ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("removed", "pointer"), [
    ("i:consignmentMasterLevel/i:totalGrossMass", "/IE3F20/consignmentMasterLevel/totalGrossMass"),
    ("i:declarant/i:address/i:city", "/IE3F20/declarant/address/city"),
    ("i:consignmentMasterLevel/i:goodsItem[2]/i:weight",
     "/IE3F20/consignmentMasterLevel/goodsItem[2]/weight"),
    ("i:consignmentMasterLevel/i:transportDocumentMasterLevel",
     "/IE3F20/consignmentMasterLevel/transportDocumentMasterLevel"),
    ("i:customsOfficeOfFirstEntry/i:referenceNumber",
     "/IE3F20/customsOfficeOfFirstEntry/referenceNumber"),
])
def test_missing_mandatory_element_gives_code_13_and_its_pointer(
        filings: list[Filing], schema_errors: Callable[[bytes], list[str]],
        removed: str, pointer: str) -> None:
    f = filings[0]
    assert f.filing == "IE3F20"
    sim = customs()
    n99 = only(sim.file(remove(f.xml, removed), sender=SENDER), "IE3N99")
    assert schema_errors(n99.xml) == []
    assert n99.lrn == f.lrn and n99.mrn is None
    assert [(e.code, e.pointer) for e in n99.errors] == [("13", pointer)]
    assert pointer.rsplit("/", 1)[-1].split("[")[0] in n99.errors[0].text
    assert n99.errors[0].technical.startswith("XSD002")
    assert find_text(n99.xml, "i:functionalReference") == f.lrn
    assert texts(n99.xml, "i:error/i:pointer/i:messageElementPath") == [pointer]
    # a rejected filing is not registered and does not use up its LRN
    assert sim.mrn_for(SENDER, f.lrn) is None
    assert only(sim.file(f.xml, sender=SENDER), "IE3R01").lrn == f.lrn


def test_rule_violation_gives_code_12_at_the_element(filings: list[Filing]) -> None:
    f = filings[0]
    broken = remove(f.xml, "i:activeBorderTransportMeans/i:conveyanceReferenceNumber")
    n99 = only(customs().file(broken, sender=SENDER), "IE3N99")
    assert [(e.code, e.pointer) for e in n99.errors] == [
        ("12", "/IE3F20/activeBorderTransportMeans")]
    assert "R3007" in n99.errors[0].technical


def test_stop_word_goods_description_gives_code_100(filings: list[Filing]) -> None:
    f = filings[0]
    broken = replace_text(f.xml, ".//i:goodsItem/i:commodity/i:descriptionOfGoods", "GOODS")
    n99 = only(customs().file(broken, sender=SENDER), "IE3N99")
    assert {e.code for e in n99.errors} == {"100"}
    assert all(e.pointer.endswith("/commodity/descriptionOfGoods") for e in n99.errors)


def test_every_semantic_error_is_listed(filings: list[Filing]) -> None:
    f = filings[0]
    broken = remove(f.xml, "i:activeBorderTransportMeans/i:conveyanceReferenceNumber")
    broken = replace_text(broken, ".//i:goodsItem/i:commodity/i:descriptionOfGoods", "GOODS")
    n99 = only(customs().file(broken, sender=SENDER), "IE3N99")
    assert {e.code for e in n99.errors} == {"12", "100"}


def test_syntax_errors_hide_semantic_ones(filings: list[Filing]) -> None:
    # ICD: semantic errors are listed when the message is syntactically correct
    f = filings[0]
    broken = remove(f.xml, "i:consignmentMasterLevel/i:totalGrossMass")
    broken = replace_text(broken, ".//i:goodsItem/i:commodity/i:descriptionOfGoods", "GOODS")
    n99 = only(customs().file(broken, sender=SENDER), "IE3N99")
    assert [e.code for e in n99.errors] == ["13"]


@pytest.mark.parametrize("data", [
    b"<IE3F20 xmlns='urn:wco:datamodel:eu:ics2:2'><LRN>X</LRN>",
    b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'boom'>]><x>&e;</x>",
    b"",
])
def test_unreadable_filing_gives_ie3n99_without_reference(
        data: bytes, schema_errors: Callable[[bytes], list[str]]) -> None:
    n99 = only(customs().file(data, sender=SENDER), "IE3N99")
    assert n99.lrn is None and len(n99.errors) == 1
    assert n99.errors[0].code == "12" and n99.errors[0].pointer == ""
    assert find_text(n99.xml, "i:functionalReference") is None
    assert schema_errors(n99.xml) == []


def test_answer_message_is_not_a_filing(filings: list[Filing]) -> None:
    sim = customs()
    r01 = only(sim.file(filings[0].xml, sender=SENDER), "IE3R01")
    n99 = only(sim.file(r01.xml, sender=SENDER), "IE3N99")
    assert n99.errors[0].pointer == "/IE3R01" and "ANS004" in n99.errors[0].technical


# -- LRN reuse ----------------------------------------------------------------------------------
def test_reused_lrn_is_rejected_per_sender(filings: list[Filing]) -> None:
    f = filings[0]
    sim = customs()
    first = only(sim.file(f.xml, sender=SENDER), "IE3R01")
    again = only(sim.file(f.xml, sender=" de0000demo0001 "), "IE3N99")
    assert [(e.code, e.pointer) for e in again.errors] == [("12", "/IE3F20/LRN")]
    assert "R3003" in again.errors[0].technical and f.lrn in again.errors[0].text
    assert sim.mrn_for(SENDER, f.lrn) == first.mrn  # the registration stands
    assert only(sim.file(f.xml, sender="NL004495445"), "IE3R01").mrn != first.mrn
    assert [r.message_type for r in sim.answers_for(SENDER, f.lrn)] == ["IE3R01", "IE3N99"]


def test_empty_sender_is_a_caller_error(filings: list[Filing]) -> None:
    with pytest.raises(ValueError):
        customs().file(filings[0].xml, sender="  ")


def test_concurrent_filings_with_one_lrn_register_once(filings: list[Filing]) -> None:
    sim = customs()
    start = threading.Barrier(8)
    got: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        start.wait()
        kinds = [a.message_type for a in sim.file(filings[0].xml, sender=SENDER)]
        with lock:
            got.extend(kinds)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == ["IE3N99"] * 7 + ["IE3R01"]


# -- scenarios ----------------------------------------------------------------------------------
def scenario_answers(filing: Filing, scenario: Scenario) -> tuple[CustomsAnswer, CustomsAnswer]:
    answers = customs(scenario=scenario).file(filing.xml, sender=SENDER)
    assert len(answers) == 2 and answers[0].message_type == "IE3R01"
    r01, follow = answers
    assert follow.mrn == r01.mrn and find_text(follow.xml, "i:MRN") == r01.mrn
    return r01, follow


def house_numbers(filing: Filing) -> list[str]:
    seen: list[str] = []
    for n in texts(filing.xml, ".//i:transportDocumentHouseLevel/i:documentNumber"):
        if n not in seen:
            seen.append(n)
    return seen


def test_accept_sends_registration_only(filings: list[Filing]) -> None:
    only(customs(scenario=Scenario.ACCEPT).file(filings[0].xml, sender=SENDER), "IE3R01")


def test_assessment_complete(with_houses: Filing,
                             schema_errors: Callable[[bytes], list[str]]) -> None:
    _, n03 = scenario_answers(with_houses, Scenario.ASSESSMENT_COMPLETE)
    assert n03.message_type == "IE3N03" and schema_errors(n03.xml) == []
    assert texts(n03.xml, "i:assessmentComplete/i:transportDocument/i:documentNumber") == \
        house_numbers(with_houses)
    office = find_text(with_houses.xml, "i:customsOfficeOfFirstEntry/i:referenceNumber")
    assert find_text(n03.xml, "i:responsibleMemberState/i:country") == office[:2]


def test_do_not_load(with_houses: Filing, schema_errors: Callable[[bytes], list[str]]) -> None:
    _, q01 = scenario_answers(with_houses, Scenario.DO_NOT_LOAD)
    assert q01.message_type == "IE3Q01" and schema_errors(q01.xml) == []
    first_house = house_numbers(with_houses)[0]
    assert find_text(q01.xml, "i:doNotLoadDetails/i:transportDocument/i:documentNumber") == \
        first_house
    assert find_text(q01.xml, "i:transportDocumentHouse/i:documentNumber") == first_house


def test_request_info(with_houses: Filing, schema_errors: Callable[[bytes], list[str]]) -> None:
    _, q02 = scenario_answers(with_houses, Scenario.REQUEST_INFO)
    assert q02.message_type == "IE3Q02" and schema_errors(q02.xml) == []
    assert texts(q02.xml, ".//i:requestType") == [REQUEST_TYPE_INFORMATION]
    pointer = find_text(q02.xml, ".//i:pointer/i:messageElementPath")
    root = etree.fromstring(with_houses.xml)
    target = root.xpath("/" + "/".join(f"i:{s}" for s in pointer.strip("/").split("/")),
                        namespaces=NS)
    assert len(target) == 1 and target[0].text  # the pointer names a real goods description


def test_high_risk_screening(with_houses: Filing,
                             schema_errors: Callable[[bytes], list[str]]) -> None:
    _, q03 = scenario_answers(with_houses, Scenario.HIGH_RISK_SCREENING)
    assert q03.message_type == "IE3Q03" and schema_errors(q03.xml) == []
    houses = house_numbers(with_houses)
    assert texts(q03.xml, "i:referralRequestDetails/i:transportDocumentHouse/i:documentNumber") \
        == houses
    refs = texts(q03.xml, "i:referralRequestDetails/i:referralRequestReference")
    assert len(set(refs)) == len(houses) and all(len(r) <= 17 for r in refs)
    assert texts(q03.xml, ".//i:method") == list(SCREENING_METHODS) * len(houses)
    assert set(texts(q03.xml, ".//i:requestType")) == {REQUEST_TYPE_SCREENING}


FOLLOWED = [s for s in Scenario if s not in (Scenario.ACCEPT, Scenario.REJECT, Scenario.CONTROL)]


@pytest.mark.parametrize("scenario", FOLLOWED)
def test_every_scenario_on_every_filing_is_schema_valid(
        filings: list[Filing], scenario: Scenario,
        schema_errors: Callable[[bytes], list[str]]) -> None:
    for f in filings:
        for answer in scenario_answers(f, scenario):
            assert schema_errors(answer.xml) == [], (f.filing, answer.message_type)


def test_scenario_per_call_overrides_the_default(filings: list[Filing]) -> None:
    sim = customs(scenario=Scenario.ACCEPT, ledger=InMemoryLedger())
    kinds = [a.message_type for a in sim.file(filings[0].xml, sender=SENDER,
                                              scenario=Scenario.DO_NOT_LOAD)]
    assert kinds == ["IE3R01", "IE3Q01"]
    assert [r.message_type for r in sim.answers_for(SENDER, filings[0].lrn)] == kinds


# -- arrival notification -----------------------------------------------------------------------
def test_arrival_notification_gets_ie3r04(arrival: Filing,
                                          schema_errors: Callable[[bytes], list[str]]) -> None:
    answers = customs(scenario=Scenario.DO_NOT_LOAD).file(arrival.xml, sender=SENDER)
    r04 = only(answers, "IE3R04")  # no scenario answer to an arrival notification
    assert schema_errors(r04.xml) == []
    assert r04.lrn == arrival.lrn and r04.mrn is not None and is_valid_mrn(r04.mrn)
    assert find_text(r04.xml, "i:customsOfficeOfFirstEntry/i:referenceNumber") == find_text(
        arrival.xml, "i:actualCustomsOfficeOfFirstEntry/i:referenceNumber")
