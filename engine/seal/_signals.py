"""ebMS3 / AS4 error codes (ICD Annex 4, tables 20-24) and the As4Error value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class As4Error:
    """One eb:Error of an Error signal."""

    code: str
    short_description: str
    severity: str = "failure"
    category: str = ""
    description: str = ""
    ref_to_message_id: str | None = None
    detail: str = ""
    origin: str = ""


@dataclass(frozen=True, kw_only=True)
class ErrorCodeInfo:
    code: str
    short_description: str
    severity: str
    category: str
    origin: str
    description: str


def _e(code: str, short: str, sev: str, cat: str, origin: str, desc: str) -> ErrorCodeInfo:
    return ErrorCodeInfo(code=code, short_description=short, severity=sev, category=cat,
                         origin=origin, description=desc)


EBMS_ERRORS: dict[str, ErrorCodeInfo] = {e.code: e for e in (
    _e("EBMS:0001", "ValueNotRecognized", "failure", "Content", "ebms",
       "An element or attribute value could not be recognized."),
    _e("EBMS:0002", "FeatureNotSupported", "warning", "Content", "ebms",
       "An element or attribute value cannot be processed: feature not supported."),
    _e("EBMS:0003", "ValueInconsistent", "failure", "Content", "ebms",
       "An element or attribute value is inconsistent with other content or the P-Mode."),
    _e("EBMS:0004", "Other", "failure", "Content", "ebms", "Other error."),
    _e("EBMS:0005", "ConnectionFailure", "failure", "Communication", "ebms",
       "Failure opening a transport connection with the remote MSH."),
    _e("EBMS:0006", "EmptyMessagePartitionChannel", "warning", "Communication", "ebms",
       "There is no message available for pulling from this MPC at this moment."),
    _e("EBMS:0007", "MimeInconsistency", "failure", "Unpackaging", "ebms",
       "The use of MIME is not consistent with the required usage."),
    _e("EBMS:0008", "FeatureNotSupported", "failure", "Unpackaging", "ebms",
       "Presence or absence of an element/attribute is inconsistent with supported features."),
    _e("EBMS:0009", "InvalidHeader", "failure", "Unpackaging", "ebms",
       "The ebMS header is not well formed or does not conform to the packaging rules."),
    _e("EBMS:0010", "ProcessingModeMismatch", "failure", "Processing", "ebms",
       "A header is not compatible with the content expected by the P-Mode."),
    _e("EBMS:0011", "ExternalPayloadError", "failure", "Content", "ebms",
       "An external payload reference cannot be resolved."),
    _e("EBMS:0101", "FailedAuthentication", "failure", "Processing", "security",
       "The signature in the Security header could not be validated."),
    _e("EBMS:0102", "FailedDecryption", "failure", "Processing", "security",
       "The encrypted data could not be decrypted."),
    _e("EBMS:0103", "PolicyNoncompliance", "failure", "Processing", "security",
       "The security methods, parameters or scope do not satisfy the policy."),
    _e("EBMS:0201", "DysfunctionalReliability", "failure", "Processing", "reliability",
       "Some reliability function is not operational."),
    _e("EBMS:0202", "DeliveryFailure", "failure", "Communication", "reliability",
       "Delivery could not be assured in spite of resending efforts."),
    _e("EBMS:0301", "MissingReceipt", "failure", "Communication", "ebms",
       "A Receipt has not been received for a message previously sent."),
    _e("EBMS:0302", "InvalidReceipt", "failure", "Communication", "ebms",
       "A Receipt does not match the message content (NRR digests)."),
    _e("EBMS:0303", "DecompressionFailure", "failure", "Communication", "ebms",
       "An error occurred during the decompression."),
)}

# ICD Table 24: UUM&DS sub-codes of EBMS:0004. [I] The ICD does not say where the sub-code
# travels; we put it first in eb:ErrorDetail ("A001: ...") and read it back from there.
UUMDS_SUBCODES: dict[str, str] = {
    "A001": "UUM&DS rejected the authorization and the incoming message is rejected.",
    "A002": "Technical user trying to connect to the rest API is rejected.",
    "A003": "Internal UUM&DS error, or UUM&DS is down.",
}
UUMDS_OTHER = "Other internal error not related to UUM&DS, please contact the helpdesk."


def as4_error(code: str, *, ref_to_message_id: str | None = None, detail: str = "",
              description: str | None = None) -> As4Error:
    """An As4Error with the table's short description, severity, category and origin."""
    info = EBMS_ERRORS.get(code)
    if info is None:
        raise ValueError(f"unknown ebMS error code {code!r}")
    return As4Error(code=code, short_description=info.short_description, severity=info.severity,
                    category=info.category, origin=info.origin,
                    description=info.description if description is None else description,
                    ref_to_message_id=ref_to_message_id, detail=detail)


def uumds_error(subcode: str | None, *, ref_to_message_id: str | None = None) -> As4Error:
    """EBMS:0004 with a UUM&DS sub-code (A001..A003), or the 'other internal error' row."""
    if subcode is None:
        return as4_error("EBMS:0004", ref_to_message_id=ref_to_message_id, detail=UUMDS_OTHER)
    if subcode not in UUMDS_SUBCODES:
        raise ValueError(f"unknown UUM&DS sub-code {subcode!r}")
    return as4_error("EBMS:0004", ref_to_message_id=ref_to_message_id,
                     detail=f"{subcode}: {UUMDS_SUBCODES[subcode]}")


def uumds_subcode(error: As4Error) -> str | None:
    """The UUM&DS sub-code of an EBMS:0004 error (from its detail), if any."""
    if error.code != "EBMS:0004":
        return None
    head = error.detail.strip()[:4]
    return head if head in UUMDS_SUBCODES else None
