"""Interoperability: signed NRR receipts made by real AS4 products (phase4, Governikus,
Dataport/Holodeck, BTC) verify with our verifier; the known-bad one is rejected.

They are Peppol receipts (SOAP 1.1 or 1.2, X509v3 token, expired test-PKI certificates), so the
ICS2 profile checks are relaxed explicitly and the signer's own certificate is pinned as trust.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography import x509
from lxml import etree

from ensgate.seal import SignatureError, TrustStore, WireMessage, verify_message
from ensgate.seal import _ns as ns

DATA = Path(__file__).parents[1] / "data" / "as4"
SHARED = Path(__file__).parents[2].parent / "shared" / "reference" / "as4" / "receipts-signed"
VALID = ["helger.as4in", "governikus.as4in", "dataport1-mustunderstand.as4in",
         "TestReceipt12.xml", "TestReceipt11.xml"]
NEGATIVE = "dataport1.as4in"


def _load(name: str) -> tuple[str, bytes]:
    data = (DATA / name).read_bytes()
    if name.endswith(".as4in"):  # an HTTP response dump: headers, blank line, SOAP
        wire = WireMessage.from_bytes(data)
        return wire.content_type, wire.body
    soap11 = b'"http://schemas.xmlsoap.org/soap/envelope/"' in data[:2000]
    return ("text/xml; charset=UTF-8" if soap11 else "application/soap+xml"), data


def _pinned(body: bytes) -> TrustStore:
    start = body.index(b"<?xml")
    root = etree.fromstring(body[start:])
    bst = next(root.iter(ns.q(ns.WSSE, "BinarySecurityToken")))
    cert = x509.load_der_x509_certificate(base64.b64decode("".join(bst.text.split())))
    return TrustStore(roots=(cert,), check_validity=False)


def _verify(name: str, *, signed_messaging: bool = True):  # type: ignore[no-untyped-def]
    ct, body = _load(name)
    return verify_message(ct, body, trust=_pinned(body), allow_soap11=True,
                          require_pkipath=False, ics2=False,
                          require_signed_messaging=signed_messaging)


# ph-as4's SOAP 1.1 receipt signs only the Body: valid signature, but our policy (eb:Messaging
# must be signed) rejects it unless relaxed.
UNSIGNED_HEADER = {"TestReceipt11.xml"}


@pytest.mark.parametrize("name", VALID)
def test_real_receipts_verify(name: str) -> None:
    got = _verify(name, signed_messaging=name not in UNSIGNED_HEADER)
    assert got.kind == "receipt"
    assert got.signer is not None
    assert got.references and all(u.startswith("#") for u, _ in got.references)
    assert got.ref_to_message_id
    # ph-as4's SOAP 1.1 receipt carries a copy of the user message, not NRR information
    assert bool(got.receipt_references) == (name != "TestReceipt11.xml")


def test_receipt_with_unsigned_messaging_fails_the_default_policy() -> None:
    with pytest.raises(SignatureError, match="eb:Messaging is not covered"):
        _verify("TestReceipt11.xml")


def test_negative_vector_is_rejected() -> None:
    with pytest.raises(SignatureError, match="Messaging"):
        _verify(NEGATIVE)


def test_ics2_profile_refuses_x509v3_tokens() -> None:
    ct, body = _load("helger.as4in")
    with pytest.raises(SignatureError, match="X509PKIPathv1"):
        verify_message(ct, body, trust=_pinned(body), ics2=False)


def test_validity_is_checked_unless_relaxed() -> None:
    ct, body = _load("helger.as4in")
    strict = TrustStore(roots=_pinned(body).roots)
    from ensgate.seal import CertificateError
    with pytest.raises(CertificateError, match="expired"):
        verify_message(ct, body, trust=strict, require_pkipath=False, ics2=False)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared reference folder not present")
@pytest.mark.parametrize("name", [*VALID, NEGATIVE])
def test_copies_equal_the_reference(name: str) -> None:
    assert (DATA / name).read_bytes() == (SHARED / name).read_bytes()
