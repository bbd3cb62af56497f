"""Pinning a partner's seal: which certificates may sign what we accept from one partner.

A chain to a trusted CA says who issued a seal, not whose it is: the CA that issues the customs
seal may also issue seals to every trader, us included. What we accept as customs' word
(receipts, IE3R01 with an MRN, pushed answers) must therefore be signed by *the customs seal*:
one of the pinned certificates, or a certificate whose subject and issuer hold the configured
attributes [I: an AS4 truststore of partner certificates does the same; the ICD names no
subject for the trader interface's seal].

The pin is given as a file (``SealPin.from_file``): PEM certificates (the leaf of each chain
block is pinned), or a text file of SHA-256 fingerprints, one per line; or as a rule string
(``SealPin.from_rule``): ``subject: organizationIdentifier=sti-taxud; issuer: CN=...``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from ._errors import CertificateError

_FINGERPRINT = re.compile(r"^(?:sha256[:= ]\s*)?([0-9A-Fa-f:]{64,95})$")
_NAME_OVERRIDES = {"organizationIdentifier": NameOID.ORGANIZATION_IDENTIFIER,
                   "serialNumber": NameOID.SERIAL_NUMBER, "E": NameOID.EMAIL_ADDRESS,
                   "emailAddress": NameOID.EMAIL_ADDRESS}


class SealPinError(CertificateError):
    """A message is sealed by a certificate the pin does not accept."""


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lower-case hex without separators."""
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def _describe(certificate: x509.Certificate) -> str:
    return (f"{certificate.subject.rfc4514_string() or '(empty subject)'} issued by "
            f"{certificate.issuer.rfc4514_string()}, SHA-256 {fingerprint(certificate)}")


_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def _attributes(text: str, where: str) -> tuple[tuple[str, str], ...]:
    # RFC 4514 has no space after the comma; people write one: strip around each attribute
    compact = ",".join(p.strip() for p in _UNESCAPED_COMMA.split(text.strip()))
    try:
        name = x509.Name.from_rfc4514_string(compact, _NAME_OVERRIDES)
    except ValueError as exc:
        raise CertificateError(f"seal pin {where} rule {text.strip()!r} is not an RFC 4514 "
                               f"name: {exc}") from None
    return tuple((a.oid.dotted_string, str(a.value)) for a in name)


def _holds(name: x509.Name, wanted: tuple[tuple[str, str], ...]) -> bool:
    have = {(a.oid.dotted_string, str(a.value)) for a in name}
    return all(w in have for w in wanted)


@dataclass(frozen=True, kw_only=True)
class SealPin:
    """The certificates one partner may seal with (frozen; build with the class methods).

    ``fingerprints``: SHA-256 of pinned certificates; ``subject``/``issuer``: (OID, value)
    pairs a certificate's subject/issuer must all hold. A certificate passes when its
    fingerprint is pinned, or, if the pin has a subject or issuer rule, when it holds every
    attribute of both. ``what`` names the partner's seal in error messages."""

    fingerprints: frozenset[str] = frozenset()
    subject: tuple[tuple[str, str], ...] = ()
    issuer: tuple[tuple[str, str], ...] = ()
    what: str = "customs seal"

    def __post_init__(self) -> None:
        if not self.fingerprints and not self.subject and not self.issuer:
            raise ValueError(f"a {self.what} pin needs certificates, fingerprints or a "
                             "subject/issuer rule")

    @classmethod
    def of_certificates(cls, certificates: Iterable[x509.Certificate], *,
                        what: str = "customs seal") -> SealPin:
        return cls(fingerprints=frozenset(fingerprint(c) for c in certificates), what=what)

    @classmethod
    def from_rule(cls, rule: str, *, what: str = "customs seal") -> SealPin:
        """``subject: organizationIdentifier=sti-taxud, O=...; issuer: CN=...`` (either part
        may be left out; attribute names as RFC 4514, or dotted OIDs)."""
        subject: tuple[tuple[str, str], ...] = ()
        issuer: tuple[tuple[str, str], ...] = ()
        for part in filter(None, (p.strip() for p in rule.split(";"))):
            key, sep, value = part.partition(":")
            key = key.strip().lower()
            if not sep or key not in ("subject", "issuer"):
                raise CertificateError(f"seal pin rule part {part!r} is not 'subject: ...' "
                                       "or 'issuer: ...'")
            if key == "subject":
                subject = _attributes(value, "subject")
            else:
                issuer = _attributes(value, "issuer")
        if not subject and not issuer:
            raise CertificateError(f"seal pin rule {rule!r} names no attribute")
        return cls(subject=subject, issuer=issuer, what=what)

    @classmethod
    def from_file(cls, path: str | Path, *, what: str = "customs seal") -> SealPin:
        """PEM certificates (the first certificate of the file, the leaf of a chain file, and
        every further certificate that is no CA) or SHA-256 fingerprints, one per line
        (``#`` comments allowed)."""
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise CertificateError(f"cannot read {what} pin {p}: {exc.strerror}") from None
        if b"-----BEGIN CERTIFICATE-----" in data:
            try:
                certs = x509.load_pem_x509_certificates(data)
            except ValueError:
                raise CertificateError(f"{p}: a PEM certificate cannot be read") from None
            leaves = [c for c in certs[1:] if not _is_ca(c)]
            return cls.of_certificates([certs[0], *leaves], what=what)
        prints: set[str] = set()
        for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            m = _FINGERPRINT.match(text)
            digits = m.group(1).replace(":", "").lower() if m else ""
            if len(digits) != 64:
                raise CertificateError(f"{p}:{n}: not a SHA-256 fingerprint (64 hex digits)")
            prints.add(digits)
        if not prints:
            raise CertificateError(f"{p}: no certificate and no SHA-256 fingerprint")
        return cls(fingerprints=frozenset(prints), what=what)

    def allows(self, certificate: x509.Certificate) -> bool:
        if fingerprint(certificate) in self.fingerprints:
            return True
        if not self.subject and not self.issuer:
            return False
        return _holds(certificate.subject, self.subject) and _holds(certificate.issuer,
                                                                    self.issuer)

    def check(self, certificate: x509.Certificate | None, *, context: str) -> None:
        """SealPinError unless ``certificate`` is the pinned seal (``context``: what was
        signed, for the message)."""
        if certificate is None:
            raise SealPinError(f"{context} is not signed; the {self.what} must sign it")
        if not self.allows(certificate):
            raise SealPinError(f"{context} is sealed by {_describe(certificate)}, which is not "
                               f"the pinned {self.what}")


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints)
                    .value.ca)
    except x509.ExtensionNotFound:
        return False
