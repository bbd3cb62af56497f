"""NRR receipts, PullRequest and Error signals: built, signed, parsed, matched."""

from __future__ import annotations

import pytest
from _seal_helpers import NS, find, soap_of

from ensgate.seal import (
    EBMS_ERRORS,
    ReceiptMismatchError,
    SealIdentity,
    SignatureError,
    TrustStore,
    as4_error,
    check_receipt,
    pull_mpc,
    seal_error,
    seal_pull_request,
    seal_receipt,
    seal_user_message,
    trader_to_customs_header,
    uumds_error,
    uumds_subcode,
    verify_message,
)


def _sent(ens_xml: bytes, seal_id: SealIdentity):  # type: ignore[no-untyped-def]
    header = trader_to_customs_header(sender_party_id="DE0000DEMO0001", action="IE3F26")
    return seal_user_message(ens_xml, header=header, identity=seal_id)


def test_nrr_receipt_round_trip(ens_xml: bytes, seal_id: SealIdentity,
                                customs_id: SealIdentity, trust: TrustStore) -> None:
    sent = _sent(ens_xml, seal_id)
    received = verify_message(sent.content_type, sent.body, trust=trust)
    receipt = seal_receipt(received, identity=customs_id)
    env, parts = soap_of(receipt)
    assert parts == {}
    sm = find(env, "env:Header/eb:Messaging/eb:SignalMessage")
    assert find(sm, "eb:MessageInfo/eb:RefToMessageId").text == sent.message_id
    refs = sm.findall("eb:Receipt/ebbp:NonRepudiationInformation/"
                      "ebbp:MessagePartNRInformation/ds:Reference", NS)
    assert [r.get("URI") for r in refs] == [u for u, _ in received.references]
    signed = [r.get("URI") for r in env.findall(".//ds:SignedInfo/ds:Reference", NS)]
    assert len(signed) == 2  # eb:Messaging and the Body of the receipt itself
    got = verify_message(receipt.content_type, receipt.body, trust=trust)
    assert got.kind == "receipt" and got.signer == customs_id.certificate
    assert got.receipt_references == received.references
    check_receipt(got, sent=sent)


def test_receipt_for_another_message_or_digest_is_a_mismatch(
        ens_xml: bytes, seal_id: SealIdentity, customs_id: SealIdentity,
        trust: TrustStore) -> None:
    sent, other = _sent(ens_xml, seal_id), _sent(ens_xml + b"\n", seal_id)
    received = verify_message(other.content_type, other.body, trust=trust)
    receipt = verify_message(*_ct_body(seal_receipt(received, identity=customs_id)), trust=trust)
    with pytest.raises(ReceiptMismatchError, match="refers to message"):
        check_receipt(receipt, sent=sent)
    # same message id, but the acknowledged attachment digest is not ours
    from dataclasses import replace
    bad = replace(receipt, ref_to_message_id=sent.message_id)
    with pytest.raises(ReceiptMismatchError, match=r"does not acknowledge|differs"):
        check_receipt(bad, sent=sent)
    with pytest.raises(ReceiptMismatchError, match="expected a receipt"):
        check_receipt(received, sent=sent)


def _ct_body(w):  # type: ignore[no-untyped-def]
    return w.content_type, w.body


def test_pull_request_is_signed(seal_id: SealIdentity, trust: TrustStore) -> None:
    wire = seal_pull_request(mpc=pull_mpc("DE0000DEMO0001"), identity=seal_id)
    env, _ = soap_of(wire)
    assert find(env, "env:Header/eb:Messaging/eb:SignalMessage/eb:PullRequest").get("mpc") == \
        "urn:fdc:ec.europa.eu:2019:eu_ics2_c2t/EORI/DE0000DEMO0001"
    got = verify_message(wire.content_type, wire.body, trust=trust)
    assert got.kind == "pull" and got.mpc.endswith("/EORI/DE0000DEMO0001")
    assert got.signer == seal_id.certificate
    tampered = wire.body.replace(b"DE0000DEMO0001", b"DE0000DEMO0002")
    with pytest.raises(SignatureError):
        verify_message(wire.content_type, tampered, trust=trust)


def test_error_signal_with_uumds_subcode(customs_id: SealIdentity, trust: TrustStore) -> None:
    errs = [uumds_error("A001", ref_to_message_id="m1@x"), as4_error("EBMS:0303")]
    signed = seal_error(ref_to_message_id="m1@x", errors=errs, identity=customs_id)
    env, _ = soap_of(signed)
    e = find(env, "env:Header/eb:Messaging/eb:SignalMessage/eb:Error")
    assert (e.get("errorCode"), e.get("shortDescription"), e.get("severity"),
            e.get("category"), e.get("refToMessageInError")) == (
        "EBMS:0004", "Other", "failure", "Content", "m1@x")
    got = verify_message(signed.content_type, signed.body, trust=trust)
    assert got.kind == "error" and [x.code for x in got.errors] == ["EBMS:0004", "EBMS:0303"]
    assert uumds_subcode(got.errors[0]) == "A001" and uumds_subcode(got.errors[1]) is None
    assert got.errors[1].short_description == "DecompressionFailure"
    unsigned = seal_error(ref_to_message_id="m1@x", errors=errs, identity=None)
    with pytest.raises(SignatureError, match="not signed"):
        verify_message(unsigned.content_type, unsigned.body, trust=trust)
    got = verify_message(unsigned.content_type, unsigned.body, trust=trust,
                         require_signature=False)
    assert got.signer is None and got.errors[0].detail.startswith("A001:")


def test_error_table_covers_the_icd_annex() -> None:
    wanted = {f"EBMS:{n:04d}" for n in (*range(1, 12), 101, 102, 103, 201, 202, 301, 302, 303)}
    assert set(EBMS_ERRORS) == wanted
    assert EBMS_ERRORS["EBMS:0006"].severity == "warning"
    assert EBMS_ERRORS["EBMS:0101"].origin == "security"
    with pytest.raises(ValueError):
        as4_error("EBMS:9999")
    with pytest.raises(ValueError):
        uumds_error("A009")
    assert uumds_subcode(uumds_error(None)) is None
