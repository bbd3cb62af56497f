"""Two-way TLS for both ends: the client context (trader -> trader interface) and the server
context (simulator, push-mode inbound endpoint). TLS 1.2 is the floor (ICD 4.6); certificate
verification is always on, a client certificate is always required by our servers."""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD_ENV = "ENSGATE_CERT_PASSWORD"


@dataclass(frozen=True, kw_only=True)
class TlsFiles:
    """PEM files for one end of a two-way TLS connection.

    ``ca_file``: CA certificates trusted for the *other* end; ``cert_file``/``key_file``: our
    certificate chain and key; ``key_password``: only if the key is encrypted."""

    ca_file: Path
    cert_file: Path
    key_file: Path
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
    ctx.load_cert_chain(str(files.cert_file), str(files.key_file), password=_password(files))
    return ctx


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """Server side: require and verify a client certificate issued by ``ca_file``."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=str(files.ca_file))
    ctx.load_cert_chain(str(files.cert_file), str(files.key_file), password=_password(files))
    return ctx
