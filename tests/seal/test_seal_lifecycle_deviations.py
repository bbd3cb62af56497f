"""Issue 11 deviations fixed in the verifier: the SOAP Body must be covered by the signature;
extra business payloads only on consultation results (IE3R08); AgreementRef accepted from a
configurable set (every version the ICD enumerates by default)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

import ensgate.seal._build as seal_build
from ensgate.seal import (
    ACCEPTED_AGREEMENT_REFS,
    PModeMismatchError,
    SealIdentity,
    SignatureError,
    TrustStore,
    customs_to_trader_header,
    seal_user_message,
    trader_to_customs_header,
    verify_message,
)

R08 = (b'<IE3R08 xmlns="urn:wco:datamodel:eu:ics2:2"><functionalReference>Q05-1'
       b'</functionalReference></IE3R08>')
R01 = b'<IE3R01 xmlns="urn:wco:datamodel:eu:ics2:2"><LRN>L1</LRN></IE3R01>'
NOTE = b'<IE3Q02 xmlns="urn:wco:datamodel:eu:ics2:2"><MRN>26BE4RT8W2H1X0SSF7</MRN></IE3Q02>'


def test_a_signature_that_does_not_cover_the_body_is_refused(
        ens_xml: bytes, seal_id: SealIdentity, trust: TrustStore,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The Body carries no wsu:Id, so the signer cannot reference it: everything else
    (eb:Messaging, the payload) is signed and valid. Removing the Body check in
    verify_message makes this test fail (tried)."""
    original = seal_build._envelope

    def body_without_id(inner: str, *, signed: bool) -> bytes:
        return re.sub(rb'(<env:Body xmlns:wsu="[^"]+") wsu:Id="[^"]+"', rb"\1",
                      original(inner, signed=signed))

    monkeypatch.setattr(seal_build, "_envelope", body_without_id)
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F26")
    wire = seal_user_message(ens_xml, header=header, identity=seal_id)
    assert b"<env:Body" in wire.body and b"Body xmlns:wsu" in wire.body
    with pytest.raises(SignatureError, match="SOAP Body is not covered"):
        verify_message(wire.content_type, wire.body, trust=trust)


def test_consultation_results_may_carry_related_notifications(customs_id: SealIdentity,
                                                              trust: TrustStore) -> None:
    header = customs_to_trader_header(receiver_party_id="DE0000DEMO0001", action="IE3R08",
                                      ref_to_message_id="q05@trader")
    wire = seal_user_message(R08, header=header, identity=customs_id,
                             attachments=[("application/xml", NOTE), ("application/xml", R01)])
    got = verify_message(wire.content_type, wire.body, trust=trust)
    assert [p.data for p in got.payloads] == [R08, NOTE, R01]
    assert [p.mime_type for p in got.payloads] == ["application/xml"] * 3


def test_other_answers_may_not_carry_extra_xml(customs_id: SealIdentity,
                                               trust: TrustStore) -> None:
    header = customs_to_trader_header(receiver_party_id="DE0000DEMO0001", action="IE3R01")
    wire = seal_user_message(R01, header=header, identity=customs_id,
                             attachments=[("application/xml", NOTE)])
    with pytest.raises(PModeMismatchError, match="application/xml"):
        verify_message(wire.content_type, wire.body, trust=trust)


@pytest.mark.parametrize(("version", "accepted"), [
    ("EU-ICS2-TI-V2.0", True), ("EU-ICS2-TI-V1.0", True), ("EU-ICS2-TI-V3.0", False)])
def test_agreement_ref_versions(ens_xml: bytes, seal_id: SealIdentity, trust: TrustStore,
                                version: str, accepted: bool) -> None:
    header = replace(trader_to_customs_header(sender_party_id="DE0000DEMO0001",
                                              action="IE3F26"), agreement_ref=version)
    wire = seal_user_message(ens_xml, header=header, identity=seal_id)
    if accepted:
        got = verify_message(wire.content_type, wire.body, trust=trust)
        assert got.header is not None and got.header.agreement_ref == version
    else:
        with pytest.raises(PModeMismatchError, match="AgreementRef"):
            verify_message(wire.content_type, wire.body, trust=trust)
    # a deployment configures the set: a new version accepted, an old one no longer
    narrowed = (ACCEPTED_AGREEMENT_REFS - {"EU-ICS2-TI-V1.0"}) | {"EU-ICS2-TI-V3.0"}
    if version == "EU-ICS2-TI-V1.0":
        with pytest.raises(PModeMismatchError, match="AgreementRef"):
            verify_message(wire.content_type, wire.body, trust=trust, agreement_refs=narrowed)
    else:
        verify_message(wire.content_type, wire.body, trust=trust, agreement_refs=narrowed)
