"""Sealing: ICS2 AS4 (ebMS3) messages signed with the sender's eSeal (WS-Security 1.1.1).

Builds and verifies UserMessages (gzip payload as a MIME attachment), NRR receipts, PullRequest
and Error signals exactly as the ICS2 Harmonised Trader Interface ICD requires. Signatures are
made with lxml (exclusive C14N) and cryptography (RSA-SHA256); see ``docs/sealing.md``.
"""

from ._build import (
    PAYLOAD_PROPERTIES,
    seal_error,
    seal_pull_request,
    seal_receipt,
    seal_user_message,
)
from ._certcheck import CertReport, check_certificate
from ._demo import DEMO_EORI, DemoCerts, issue_certificate, make_demo_certs
from ._dsig import decode_pkipath, encode_pkipath
from ._errors import (
    CertificateError,
    EnvelopeError,
    PModeMismatchError,
    ReceiptMismatchError,
    SealError,
    SignatureError,
)
from ._header import (
    ACCEPTED_AGREEMENT_REFS,
    AGREEMENT_REF,
    AGREEMENT_TYPE,
    CUSTOMS_PARTY_ID,
    EBMS_TEST_ACTION,
    EBMS_TEST_SERVICE,
    PARTY_TYPE_AUTH,
    PARTY_TYPE_EORI,
    SERVICE_C2T,
    SERVICE_T2C,
    SERVICE_TYPE,
    PartyRef,
    UserMessageHeader,
    customs_to_trader_header,
    eori_of_party_id,
    new_message_id,
    pull_mpc,
    trader_to_customs_header,
)
from ._identity import (
    SealIdentity,
    TrustStore,
    check_validity,
    load_identity,
    load_trust,
    verify_chain,
)
from ._mime import WireMessage
from ._model import Payload, VerifiedMessage
from ._pin import SealPin, SealPinError, fingerprint
from ._signals import EBMS_ERRORS, UUMDS_SUBCODES, As4Error, as4_error, uumds_error, uumds_subcode
from ._verify import MAX_DECOMPRESSED, DecompressionError, check_receipt, verify_message

__all__ = [
    "ACCEPTED_AGREEMENT_REFS",
    "AGREEMENT_REF",
    "AGREEMENT_TYPE",
    "CUSTOMS_PARTY_ID",
    "DEMO_EORI",
    "EBMS_ERRORS",
    "EBMS_TEST_ACTION",
    "EBMS_TEST_SERVICE",
    "MAX_DECOMPRESSED",
    "PARTY_TYPE_AUTH",
    "PARTY_TYPE_EORI",
    "PAYLOAD_PROPERTIES",
    "SERVICE_C2T",
    "SERVICE_T2C",
    "SERVICE_TYPE",
    "UUMDS_SUBCODES",
    "As4Error",
    "CertReport",
    "CertificateError",
    "DecompressionError",
    "DemoCerts",
    "EnvelopeError",
    "PModeMismatchError",
    "PartyRef",
    "Payload",
    "ReceiptMismatchError",
    "SealError",
    "SealIdentity",
    "SealPin",
    "SealPinError",
    "SignatureError",
    "TrustStore",
    "UserMessageHeader",
    "VerifiedMessage",
    "WireMessage",
    "as4_error",
    "check_certificate",
    "check_receipt",
    "check_validity",
    "customs_to_trader_header",
    "decode_pkipath",
    "encode_pkipath",
    "eori_of_party_id",
    "fingerprint",
    "issue_certificate",
    "load_identity",
    "load_trust",
    "make_demo_certs",
    "new_message_id",
    "pull_mpc",
    "seal_error",
    "seal_pull_request",
    "seal_receipt",
    "seal_user_message",
    "trader_to_customs_header",
    "uumds_error",
    "uumds_subcode",
    "verify_chain",
    "verify_message",
]
