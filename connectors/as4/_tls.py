"""Two-way TLS for both ends: the client context (trader -> trader interface) and the server
context (simulator, push-mode inbound endpoint). TLS 1.2 is the floor (ICD 4.6); certificate
verification is always on, a client certificate is always required by our servers."""

from __future__ import annotations

import os
import secrets
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD_ENV = "ENSGATE_CERT_PASSWORD"


@dataclass(frozen=True, kw_only=True)
class TlsFiles:
    """Files for one end of a two-way TLS connection.

    ``ca_file``: PEM CA certificates trusted for the *other* end; ``cert_file``/``key_file``:
    our PEM certificate chain and key, or ``cert_file`` a PKCS#12 file (``.p12``/``.pfx``)
    holding both (``key_file`` then unused); ``key_password``: for an encrypted key or the
    PKCS#12 file (else ``ENSGATE_CERT_PASSWORD``)."""

    ca_file: Path
    cert_file: Path
    key_file: Path | None = None
    key_password: bytes | None = field(default=None, repr=False)  # never in logs/tracebacks


def _password(files: TlsFiles) -> bytes | None:
    if files.key_password is not None:
        return files.key_password
    env = os.environ.get(PASSWORD_ENV)
    return env.encode() if env else None


def client_context(files: TlsFiles) -> ssl.SSLContext:
    """Client side: verify the server against ``ca_file`` (host name checked), present our
    certificate, refuse anything older than TLS 1.2."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(files.ca_file))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    _load_own_chain(ctx, files)
    return ctx


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """Server side: require and verify a client certificate issued by ``ca_file``."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=str(files.ca_file))
    _load_own_chain(ctx, files)
    return ctx


def _load_own_chain(ctx: ssl.SSLContext, files: TlsFiles) -> None:
    """Our certificate and key into ``ctx``. Python's ssl reads PEM files only, so a PKCS#12
    file is converted in memory and handed over through a private temporary folder (mode 0700)
    in which the key is written *encrypted* under a one-time random password; the folder is
    gone before this returns."""
    if files.cert_file.suffix.lower() not in (".p12", ".pfx"):
        if files.key_file is None:
            raise ValueError(f"{files.cert_file}: a PEM certificate needs its key_file")
        ctx.load_cert_chain(str(files.cert_file), str(files.key_file), password=_password(files))
        return
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            files.cert_file.read_bytes(), _password(files))
    except ValueError:
        raise ValueError(f"{files.cert_file}: PKCS#12 file cannot be opened (wrong password or "
                         f"not PKCS#12; set {PASSWORD_ENV})") from None
    if key is None or cert is None:
        raise ValueError(f"{files.cert_file}: PKCS#12 file holds no key and certificate")
    one_time = secrets.token_bytes(32)
    pem_chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (cert, *extra))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.BestAvailableEncryption(one_time))
    with tempfile.TemporaryDirectory(prefix="ensgate-tls-") as tmp:
        chain_path, key_path = Path(tmp) / "chain.pem", Path(tmp) / "key.pem"
        chain_path.write_bytes(pem_chain)
        key_path.write_bytes(pem_key)
        ctx.load_cert_chain(str(chain_path), str(key_path), password=one_time)
