"""Exceptions of the sealing layer: one base, one subclass per kind of failure.

The text of every exception is an operator message (what is wrong, where); it never carries a
password, a key or other secret material.
"""

from __future__ import annotations

from ..diagnostics import EnsgateError


class SealError(EnsgateError):
    """Base of every sealing / verification failure."""


class EnvelopeError(SealError):
    """The SOAP/ebMS3 structure, a header value or the MIME packaging is not as the ICD requires."""


class PModeMismatchError(EnvelopeError):
    """A well-formed ebMS header whose values do not fit the ICS2 P-Mode (AgreementRef, service,
    party types, roles, party id shape): answered with EBMS:0010 ProcessingModeMismatch."""


class SignatureError(SealError):
    """A signature is missing or invalid, a digest does not match, a signed part was tampered."""


class CertificateError(SealError):
    """A certificate or key is unusable: untrusted chain, expired, not yet valid, wrong usage."""


class ReceiptMismatchError(SealError):
    """An NRR receipt does not acknowledge the message we sent (ids or digests differ)."""
