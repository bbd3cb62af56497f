"""Seal identities (private key + chain) and trust stores, loaded from PKCS#12 or PEM files.

Passwords come from the caller, a file or an environment variable; they are never logged and
never appear in exception text.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from ._errors import CertificateError

DEFAULT_PASSWORD_ENV = "ENSGATE_CERT_PASSWORD"
"""Environment variable read when no password source is given and the file is encrypted."""


@dataclass(frozen=True, kw_only=True)
class SealIdentity:
    """A private key and its certificate chain, leaf FIRST (as loaded, as TLS wants it)."""

    key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...]

    @property
    def certificate(self) -> x509.Certificate:
        """The leaf (the certificate of ``key``)."""
        return self.chain[0]


@dataclass(frozen=True, kw_only=True)
class TrustStore:
    """The CA certificates a signer's chain must end in."""

    roots: tuple[x509.Certificate, ...]
    check_validity: bool = True


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read {what} {path}: {exc.strerror}") from None


def resolve_password(*, password: bytes | None = None, password_env: str | None = None,
                     password_file: str | Path | None = None) -> bytes | None:
    """The password from the first source given: value, file (first line), named variable.

    With no source at all, ``ENSGATE_CERT_PASSWORD`` is used when set.
    """
    if password is not None:
        return password
    if password_file is not None:
        raw = _read(Path(password_file), "password file")
        return raw.splitlines()[0] if raw else b""
    if password_env is not None:
        value = os.environ.get(password_env)
        if value is None:
            raise CertificateError(f"environment variable {password_env} (password) is not set")
        return value.encode()
    value = os.environ.get(DEFAULT_PASSWORD_ENV)
    return None if value is None else value.encode()


def _pem_certs(data: bytes, path: Path) -> list[x509.Certificate]:
    if b"-----BEGIN CERTIFICATE-----" not in data:
        return []
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        raise CertificateError(f"{path}: a PEM certificate block cannot be read") from None


def _pem_key(data: bytes, path: Path, password: bytes | None) -> rsa.RSAPrivateKey | None:
    if b"PRIVATE KEY-----" not in data:
        return None
    encrypted = b"ENCRYPTED" in data
    try:
        key = serialization.load_pem_private_key(data, password=password if encrypted else None)
    except TypeError:
        raise CertificateError(f"{path}: the private key is encrypted and no password was "
                               f"given (set {DEFAULT_PASSWORD_ENV} or pass a password "
                               "source)") from None
    except ValueError:
        raise CertificateError(f"{path}: the private key cannot be read (wrong password or "
                               "not a PEM key)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateError(f"{path}: the key is not an RSA key (ICS2 sealing is RSA-SHA256)")
    return key


def _order_leaf_first(leaf: x509.Certificate,
                      others: list[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    """Leaf, then its issuer, then that one's issuer...; certificates not in the path last."""
    ordered = [leaf]
    rest = [c for c in others if c != leaf]
    while rest:
        current = ordered[-1]
        if current.issuer == current.subject:
            break
        nxt = next((c for c in rest if c.subject == current.issuer), None)
        if nxt is None:
            break
        ordered.append(nxt)
        rest.remove(nxt)
    return (*ordered, *rest)


def _matches(key: rsa.RSAPrivateKey, cert: x509.Certificate) -> bool:
    return key.public_key().public_numbers() == getattr(cert.public_key(), "public_numbers",
                                                         lambda: None)()


def load_identity(path: str | Path, *, password: bytes | None = None,
                  password_env: str | None = None, password_file: str | Path | None = None,
                  key_path: str | Path | None = None) -> SealIdentity:
    """Load a seal (or TLS) identity from PKCS#12 (.p12/.pfx) or PEM.

    PEM: the certificate chain is in ``path`` (any order), the key in ``key_path`` or in the
    same file. The result's chain is ordered leaf first; the leaf is the certificate of the key.
    """
    p = Path(path)
    pw = resolve_password(password=password, password_env=password_env,
                          password_file=password_file)
    data = _read(p, "identity file")
    if p.suffix.lower() in (".p12", ".pfx") or not data.lstrip().startswith(b"-----"):
        return _load_p12(data, p, pw)
    certs = _pem_certs(data, p)
    key_data = data if key_path is None else _read(Path(key_path), "key file")
    key = _pem_key(key_data, Path(key_path) if key_path else p, pw)
    if key is None:
        raise CertificateError(f"{key_path or p}: no private key found "
                               "(give key_path or put the key in the same PEM file)")
    if not certs:
        raise CertificateError(f"{p}: no certificate found")
    leaf = next((c for c in certs if _matches(key, c)), None)
    if leaf is None:
        raise CertificateError(f"{p}: no certificate in the file matches the private key")
    return SealIdentity(key=key, chain=_order_leaf_first(leaf, certs))


def _load_p12(data: bytes, path: Path, password: bytes | None) -> SealIdentity:
    try:
        bundle = pkcs12.load_pkcs12(data, password)
    except ValueError:
        hint = "" if password else f" (no password given; set {DEFAULT_PASSWORD_ENV})"
        raise CertificateError(f"{path}: PKCS#12 file cannot be opened: wrong password or "
                               f"not a PKCS#12 file{hint}") from None
    key = bundle.key
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateError(f"{path}: PKCS#12 holds no RSA private key")
    if bundle.cert is None:
        raise CertificateError(f"{path}: PKCS#12 holds no certificate for its key")
    extra = [c.certificate for c in bundle.additional_certs]
    return SealIdentity(key=key, chain=_order_leaf_first(bundle.cert.certificate, extra))


def load_trust(path: str | Path, *, check_validity: bool = True) -> TrustStore:
    """A PEM bundle of CA certificates (or a folder: every ``*.pem`` in it)."""
    p = Path(path)
    files = sorted(p.glob("*.pem")) if p.is_dir() else [p]
    roots: list[x509.Certificate] = []
    for f in files:
        roots.extend(_pem_certs(_read(f, "trust bundle"), f))
    if not roots:
        raise CertificateError(f"{p}: no CA certificate found in the trust bundle")
    return TrustStore(roots=tuple(roots), check_validity=check_validity)


def _fmt_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%SZ")


def _name(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string() or f"serial {cert.serial_number:x}"


def check_validity(cert: x509.Certificate, now: datetime) -> None:
    """CertificateError when ``now`` is outside the certificate's validity window."""
    if now < cert.not_valid_before_utc:
        raise CertificateError(f"certificate {_name(cert)} is not yet valid "
                               f"(valid from {_fmt_time(cert.not_valid_before_utc)}, "
                               f"now {_fmt_time(now)})")
    if now > cert.not_valid_after_utc:
        raise CertificateError(f"certificate {_name(cert)} has expired "
                               f"(valid until {_fmt_time(cert.not_valid_after_utc)}, "
                               f"now {_fmt_time(now)})")


def _is_ca(cert: x509.Certificate) -> bool:
    """A CA certificate: BasicConstraints cA, and keyCertSign when it states a key usage
    (RFC 5280 4.2.1.3)."""
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not bc.ca:
        return False
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(ku.key_cert_sign)


@functools.lru_cache(maxsize=1024)
def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    # Cached: certificates compare and hash by their DER bytes, and names and a signature over
    # fixed bytes never change their verdict; validity windows are checked on every call.
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def seal_key_usage_ok(cert: x509.Certificate) -> bool:
    """Whether the key usage allows signing (digitalSignature or nonRepudiation), or is absent."""
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(ku.digital_signature or ku.content_commitment)


def verify_chain(chain: tuple[x509.Certificate, ...] | list[x509.Certificate], *,
                 trust: TrustStore, now: datetime | None = None) -> tuple[x509.Certificate, ...]:
    """Check that ``chain[0]`` (the signer) chains up to a trusted root; return the path.

    Intermediate certificates are taken from ``chain``; every issuer must be a CA and each
    signature must verify. Validity windows are checked unless the store relaxes it.
    """
    if not chain:
        raise CertificateError("no signer certificate")
    moment = now or datetime.now(UTC)
    leaf = chain[0]
    if not seal_key_usage_ok(leaf):
        raise CertificateError(f"certificate {_name(leaf)} may not sign "
                               "(key usage lacks digitalSignature and nonRepudiation)")
    path = [leaf]
    pool = list(chain[1:])
    for _ in range(10):
        current = path[-1]
        if trust.check_validity:
            check_validity(current, moment)
        root = next((r for r in trust.roots if _issued_by(current, r)), None)
        if root is None and current in trust.roots:
            root = current
        if root is not None:
            if trust.check_validity:
                check_validity(root, moment)
            if root is not current:
                path.append(root)
            return tuple(path)
        issuer = next((c for c in pool if c not in path and _is_ca(c)
                       and _issued_by(current, c)), None)
        if issuer is None:
            raise CertificateError(f"certificate {_name(current)} does not chain to a trusted "
                                   f"CA (issuer {current.issuer.rfc4514_string()} is neither "
                                   "trusted nor a valid CA in the sent chain)")
        path.append(issuer)
    raise CertificateError(f"certificate chain of {_name(leaf)} is too long")
