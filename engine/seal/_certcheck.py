"""``ensgate certs check``: is a seal certificate fit for ICS2 (chain, validity, key usage,
EORI)? Reports findings instead of raising, so an operator sees every problem at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from ._errors import CertificateError
from ._identity import TrustStore, check_validity, seal_key_usage_ok, verify_chain


@dataclass(frozen=True, kw_only=True)
class CertReport:
    """Findings about one certificate chain; ``ok`` when no problem was found."""

    subject: str
    issuer: str
    chain: tuple[str, ...]           # subjects, leaf first
    not_before: datetime
    not_after: datetime
    key_usage: tuple[str, ...]
    extended_key_usage: tuple[str, ...]
    eori_found: str | None           # where the EORI was found ("organizationIdentifier"...)
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


_KU_NAMES = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign")


def _key_usage(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(n for n in _KU_NAMES if getattr(ku, n))


def _eku(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(getattr(o, "_name", o.dotted_string) for o in eku)


def find_eori(cert: x509.Certificate, eori: str) -> str | None:
    """Where the certificate names ``eori``: an attribute of the subject or a SAN entry.

    [I] The ICD does not fix where an eSeal names the EORI (UUM&DS registers the pairing); we
    look in organizationIdentifier, serialNumber, CN, O and the SAN, case-insensitively.
    """
    want = eori.upper()
    for oid, label in ((NameOID.ORGANIZATION_IDENTIFIER, "organizationIdentifier"),
                       (NameOID.SERIAL_NUMBER, "serialNumber"), (NameOID.COMMON_NAME, "CN"),
                       (NameOID.ORGANIZATION_NAME, "O")):
        for attr in cert.subject.get_attributes_for_oid(oid):
            if want in str(attr.value).upper():
                return label
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for name in san:
        if want in str(getattr(name, "value", "")).upper():
            return "subjectAltName"
    return None


def check_certificate(chain: tuple[x509.Certificate, ...], *, trust: TrustStore | None,
                      eori: str | None = None, now: datetime | None = None,
                      usage: str = "seal") -> CertReport:
    """Report on ``chain`` (leaf first): trust, validity, key usage, EORI."""
    moment = now or datetime.now(UTC)
    leaf = chain[0]
    problems: list[str] = []
    try:
        check_validity(leaf, moment)
    except CertificateError as exc:
        problems.append(str(exc))
    if usage == "seal" and not seal_key_usage_ok(leaf):
        problems.append("key usage allows neither digitalSignature nor nonRepudiation")
    if trust is not None:
        try:
            verify_chain(chain, trust=trust, now=moment)
        except CertificateError as exc:
            if str(exc) not in problems:
                problems.append(str(exc))
    else:
        problems.append("no trust bundle given: chain not checked (use --trust)")
    found = find_eori(leaf, eori) if eori else None
    if eori and found is None:
        problems.append(f"the certificate does not name EORI {eori} (subject "
                        f"{leaf.subject.rfc4514_string()})")
    if len(chain) < 2 and leaf.issuer != leaf.subject:
        problems.append("only the leaf certificate is present; ICS2 needs the full chain in the "
                        "BinarySecurityToken (X509PKIPathv1)")
    return CertReport(subject=leaf.subject.rfc4514_string(), issuer=leaf.issuer.rfc4514_string(),
                      chain=tuple(c.subject.rfc4514_string() for c in chain),
                      not_before=leaf.not_valid_before_utc, not_after=leaf.not_valid_after_utc,
                      key_usage=_key_usage(leaf), extended_key_usage=_eku(leaf),
                      eori_found=found, problems=tuple(problems))
