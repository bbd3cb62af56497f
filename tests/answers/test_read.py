"""read_answer: round trips of every answer type, and bad input refused with diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from _answer_helpers import ANSWERED, SENDER, remove

from ensgate import EnsgateError, Filing
from ensgate.answers import (
    ANSWER_TYPES,
    AnswerBuilder,
    AnswerError,
    AnswerReadError,
    EnsFacts,
    Scenario,
    SimulatedCustoms,
    TransportDocumentRef,
    read_answer,
)

WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
SCENARIO_ANSWERS = {"IE3R01", "IE3R04", "IE3N99", "IE3N03", "IE3Q01", "IE3Q02", "IE3Q03",
                    "IE3N02"}


def all_answers(filings: list[Filing], arrival: Filing) -> list:  # type: ignore[type-arg]
    out = []
    for scenario in Scenario:
        out += SimulatedCustoms(scenario=scenario, clock=lambda: ANSWERED).file(
            filings[0].xml, sender=SENDER)
    out += SimulatedCustoms().file(arrival.xml, sender=SENDER)
    out += SimulatedCustoms().file(
        remove(filings[0].xml, "i:consignmentMasterLevel/i:totalGrossMass"), sender=SENDER)
    return out


def test_round_trip_of_every_answer_type(filings: list[Filing], arrival: Filing) -> None:
    answers = all_answers(filings, arrival)
    # every type built is covered in test_every_answer.py; here those a filing's scenarios give
    assert {a.message_type for a in answers} == SCENARIO_ANSWERS
    assert set(ANSWER_TYPES) >= SCENARIO_ANSWERS
    for sent in answers:
        got = read_answer(sent.xml, source_name="answer.xml")
        assert got.message_type == sent.message_type
        assert got.mrn == sent.mrn
        assert got.errors == sent.errors
        assert got.xml == sent.xml
        assert got.diagnostics == ()
        # registrations and errors carry the LRN; notifications and referrals only the MRN
        if sent.message_type in ("IE3R01", "IE3R04", "IE3N99"):
            assert got.lrn == sent.lrn is not None
        else:
            assert got.lrn is None
            assert sent.lrn is not None  # the simulator keeps the filing's LRN on what it sent


def test_minimal_answers_are_schema_valid(schema_errors: Callable[[bytes], list[str]]) -> None:
    """Answers built from the least a filing can give still validate (optional blocks left
    out, mandatory ones filled)."""
    b = AnswerBuilder()
    doc = TransportDocumentRef(number="020-12345675", type="N741")
    facts = EnsFacts(message="IE3F21", lrn="L1", specific_circumstance="F21",
                     declarant="DE1234567", master_document=doc)
    mrn = "26BE0000000000ASF" + "0"
    built = [
        b.registration(facts, mrn=mrn, when=WHEN),
        b.error_notification(EnsFacts(), [AnswerError(code="12", text="x", pointer="")],
                             when=WHEN),
        b.assessment_complete(facts, mrn=mrn, when=WHEN, member_state="BE"),
        b.do_not_load(facts, mrn=mrn, when=WHEN, member_state="BE"),
        b.request_info(facts, mrn=mrn, when=WHEN, member_state="BE"),
        b.high_risk_screening(facts, mrn=mrn, when=WHEN, member_state="BE"),
        b.registration(EnsFacts(message="IE3N06", lrn="L2", customs_office="BEBRU000"),
                       mrn=mrn, when=WHEN),
    ]
    for answer in built:
        assert schema_errors(answer.xml) == [], answer.message_type
    with pytest.raises(ValueError):
        b.error_notification(EnsFacts(), [], when=WHEN)


def test_values_are_escaped(schema_errors: Callable[[bytes], list[str]]) -> None:
    err = AnswerError(code="12", text="a < b & 'c' \"d\"", pointer="/IE3F20/x", technical="<t>")
    n99 = AnswerBuilder().error_notification(EnsFacts(lrn="A&B"), [err], when=WHEN)
    assert schema_errors(n99.xml) == []
    got = read_answer(n99.xml)
    assert got.errors == (err,) and got.lrn == "A&B"


@pytest.mark.parametrize(("data", "code"), [
    (b"<IE3R01 xmlns='urn:wco:datamodel:eu:ics2:2'><LRN>", "ANS001"),
    (b"", "ANS001"),
    (b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><r>&e;</r>",
     "XML001"),
    (b"<IE3R01><LRN>L</LRN></IE3R01>", "ANS002"),  # no namespace
    (b"<IE3F20 xmlns='urn:wco:datamodel:eu:ics2:2'/>", "ANS002"),  # a filing, not an answer
])
def test_bad_input_raises_answer_read_error(data: bytes, code: str) -> None:
    with pytest.raises(AnswerReadError) as info:
        read_answer(data, source_name="in.xml")
    err = info.value
    assert isinstance(err, EnsgateError)
    assert [d.code for d in err.diagnostics] == [code]
    assert code in str(err) and "in.xml" in str(err)


def test_too_large_is_refused_before_parsing() -> None:
    from ensgate.answers import MAX_ANSWER_BYTES
    with pytest.raises(AnswerReadError) as info:
        read_answer(b" " * (MAX_ANSWER_BYTES + 1))
    assert [d.code for d in info.value.diagnostics] == ["SRC002"]


def test_answer_outside_the_provisional_schema_is_read_with_warnings(
        filings: list[Filing]) -> None:
    r01 = SimulatedCustoms().file(filings[0].xml, sender=SENDER)[0]
    odd = remove(r01.xml, "i:registrationDate")
    got = read_answer(odd)
    assert got.message_type == "IE3R01" and got.mrn == r01.mrn and got.lrn == r01.lrn
    assert [d.code for d in got.diagnostics] == ["ANS003"]
    assert not got.diagnostics[0].is_error
    assert read_answer(odd, check=False).diagnostics == ()


def test_public_names() -> None:
    import ensgate.answers as answers
    assert sorted(answers.__all__) == sorted([
        "ANSWER_TYPES", "INFORMATION_TEXT", "MAX_ANSWER_BYTES", "MAX_ERRORS", "MRN_PATTERN",
        "REQUEST_TYPE_INFORMATION", "REQUEST_TYPE_SCREENING", "SCREENING_METHODS",
        "AnswerBuilder", "AnswerError", "AnswerReadError", "AnswerRenderer", "CustomsAnswer",
        "CustomsLedger", "EnsFacts", "MrnGenerator", "Scenario", "SimulatedCustoms",
        "TransportDocumentRef", "answer_error", "answer_errors", "ens_facts", "format_when",
        "is_valid_mrn", "mrn_check_character", "read_answer", "responsible_member_state",
        "CODE_DUPLICATE_DOCUMENT", "CODE_INCORRECT_STATE", "CODE_OUT_OF_SEQUENCE",
        "AdditionalInformation", "ConsultedFiling", "Control", "ControlOrder", "DoNotLoad",
        "DocumentRef", "Referral", "SupportingDocument", "DEFAULT_OFFICE", "CustomsRegistry",
        "Registration"])
    assert all(hasattr(answers, name) for name in answers.__all__)
    # the names the AS4 transport codes against (as4-contract.md)
    assert [s.name for s in answers.Scenario] == [
        "ACCEPT", "REJECT", "ASSESSMENT_COMPLETE", "DO_NOT_LOAD", "REQUEST_INFO",
        "HIGH_RISK_SCREENING", "NOT_COMPLETE", "CONTROL"]
