"""Demo PKI: a test CA, an eSeal identity naming a demo EORI, TLS client/server pairs and the
simulator's customs seal identity. For tests and demos only; never for production filings.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ._identity import DEFAULT_PASSWORD_ENV, SealIdentity

DEMO_EORI = "DE0000DEMO0001"
"""The demo EORI (the declarant EORI of the built-in DEMO site configuration)."""
DEMO_PASSWORD = b"demo"
CUSTOMS_PARTY_ID = "sti-taxud"

_KEY_CACHE: dict[str, rsa.RSAPrivateKey] = {}
_KEY_LOCK = threading.Lock()


@dataclass(frozen=True, kw_only=True)
class DemoCerts:
    """Paths of the files written by :func:`make_demo_certs`."""

    folder: Path
    ca: Path
    intermediate: Path
    seal: Path
    seal_key: Path
    seal_p12: Path
    tls_client: Path
    tls_client_key: Path
    tls_client_p12: Path
    tls_server: Path
    tls_server_key: Path
    tls_server_p12: Path
    customs_seal: Path
    customs_seal_key: Path
    customs_seal_p12: Path
    readme: Path
    eori: str
    password: bytes


def demo_key(role: str) -> rsa.RSAPrivateKey:
    """An RSA-2048 key per role, generated once per process (demo certificates are cheap)."""
    with _KEY_LOCK:
        key = _KEY_CACHE.get(role)
        if key is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            _KEY_CACHE[role] = key
        return key


def _name(cn: str, *, org: str = "ensgate demo", org_id: str | None = None,
          country: str = "DE") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, country),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)]
    if org_id:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def issue_certificate(*, subject: x509.Name, key: rsa.RSAPrivateKey,
                      issuer: SealIdentity | None, ca: bool = False,
                      not_before: datetime | None = None, not_after: datetime | None = None,
                      key_usage: str = "seal", san: list[str] | None = None,
                      ) -> x509.Certificate:
    """One certificate (self-signed when ``issuer`` is None). ``key_usage``: seal|tls-client|
    tls-server|ca. Public so tests can make expired, foreign or ill-used certificates."""
    now = datetime.now(UTC)
    nb = not_before or now - timedelta(days=1)
    na = not_after or now + timedelta(days=3650 if ca else 730)
    signer_key = key if issuer is None else issuer.key
    issuer_name = subject if issuer is None else issuer.certificate.subject
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(nb).not_valid_after(na))
    b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                        critical=False)
    if issuer is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer.key.public_key()), critical=False)
    sign = key_usage in ("seal",)
    b = b.add_extension(x509.KeyUsage(
        digital_signature=not ca, content_commitment=sign, key_encipherment=key_usage
        in ("tls-client", "tls-server"), data_encipherment=False, key_agreement=False,
        key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False),
        critical=True)
    if key_usage == "tls-client":
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                            critical=False)
    elif key_usage == "tls-server":
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                            critical=False)
    if san:
        names: list[x509.GeneralName] = []
        for s in san:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(s)))
            except ValueError:
                names.append(x509.DNSName(s))
        b = b.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return b.sign(signer_key, hashes.SHA256())


def _write_identity(folder: Path, stem: str, ident: SealIdentity, password: bytes,
                    ) -> tuple[Path, Path, Path]:
    pem = folder / f"{stem}.pem"
    key = folder / f"{stem}.key.pem"
    p12 = folder / f"{stem}.p12"
    _write_public(pem, b"".join(c.public_bytes(serialization.Encoding.PEM) for c in ident.chain))
    _write_private(key, ident.key.private_bytes(serialization.Encoding.PEM,
                                                serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    enc = serialization.BestAvailableEncryption(password)
    _write_private(p12, pkcs12.serialize_key_and_certificates(
        stem.encode(), ident.key, ident.certificate, list(ident.chain[1:]), enc))
    return pem, key, p12


def _write_private(path: Path, data: bytes) -> None:
    """Key material is created with mode 0600 from the first byte (never readable by others,
    not even between a write and a chmod); an existing file is replaced."""
    _write_new(path, data, 0o600)


def _write_public(path: Path, data: bytes) -> None:
    """Certificates and the README: readable by all, writable by the owner only (0644, or
    less under a stricter umask). ``write_bytes`` creates 0666 minus the umask, and under
    umask 000 a trust anchor anyone can replace."""
    _write_new(path, data, 0o644)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


_README = """# Demo certificates (ensgate certs demo) - NOT FOR PRODUCTION

Made by `ensgate certs demo` on {date}. A throw-away test PKI: the private keys below are
stored unencrypted (`*.key.pem`) or under the demo password. Never register them anywhere.

PKCS#12 password: `{pw}` (set `{env}` before running `ensgate certs demo` to choose another;
ensgate reads `{env}` when opening an encrypted file and no password source is given).

| File | What it is |
|---|---|
| `ca.pem` | Test root CA: the trust anchor (`load_trust`, TLS CA bundle) |
| `intermediate.pem` | Issuing CA (signed by the root); included in every chain below |
| `seal.pem`, `seal.key.pem`, `seal.p12` | Trader eSeal: signs our AS4 messages. \
Subject organizationIdentifier = EORI `{eori}` |
| `tls-client.pem`, `.key.pem`, `.p12` | Trader TLS client certificate (2-way TLS to customs) |
| `tls-server.pem`, `.key.pem`, `.p12` | Simulator HTTPS server certificate, valid for \
`localhost` and `127.0.0.1` |
| `customs-seal.pem`, `.key.pem`, `.p12` | The customs simulator's own seal (party \
`sti-taxud`): signs receipts and answers |

Every `*.pem` holds the chain leaf first: leaf, intermediate, root. In the AS4
BinarySecurityToken (X509PKIPathv1) the order is reversed: root first, leaf last.

Check with: `ensgate certs check {folder_name}/seal.p12 --trust {folder_name}/ca.pem --eori {eori}`
"""


def make_demo_certs(out_dir: str | Path, *, eori: str = DEMO_EORI,
                    password: bytes | None = None) -> DemoCerts:
    """Write the demo PKI folder (layout in ``docs/sealing.md``) and return its paths."""
    folder = Path(out_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = folder.stat().st_mode
    if mode & 0o022:  # a folder others may write to holds our keys: they could swap ca.pem
        folder.chmod(mode & 0o7755)
    env_pw = os.environ.get(DEFAULT_PASSWORD_ENV)
    pw = password if password is not None else (env_pw.encode() if env_pw else DEMO_PASSWORD)

    root_key = demo_key("root")
    root_cert = issue_certificate(subject=_name("ensgate demo root CA"), key=root_key,
                                  issuer=None, ca=True, key_usage="ca")
    root = SealIdentity(key=root_key, chain=(root_cert,))
    int_key = demo_key("intermediate")
    int_cert = issue_certificate(subject=_name("ensgate demo issuing CA"), key=int_key,
                                 issuer=root, ca=True, key_usage="ca")
    inter = SealIdentity(key=int_key, chain=(int_cert, root_cert))

    def leaf(role: str, subject: x509.Name, usage: str, san: list[str] | None = None,
             ) -> SealIdentity:
        k = demo_key(role)
        c = issue_certificate(subject=subject, key=k, issuer=inter, key_usage=usage, san=san)
        return SealIdentity(key=k, chain=(c, int_cert, root_cert))

    seal = leaf("seal", _name(f"ensgate demo eSeal {eori}", org="ENSGATE DEMO TRADER",
                              org_id=eori, country=eori[:2]), "seal")
    client = leaf("tls-client", _name(f"ensgate demo TLS client {eori}",
                                      org="ENSGATE DEMO TRADER", country=eori[:2]),
                  "tls-client")
    server = leaf("tls-server", _name("localhost", org="ensgate demo customs simulator"),
                  "tls-server", san=["localhost", "127.0.0.1"])
    customs = leaf("customs-seal", _name("ensgate demo customs seal sti-taxud",
                                         org="ensgate demo customs simulator",
                                         org_id=CUSTOMS_PARTY_ID, country="BE"), "seal")

    pem = serialization.Encoding.PEM
    _write_public(folder / "ca.pem", root_cert.public_bytes(pem))
    _write_public(folder / "intermediate.pem", int_cert.public_bytes(pem))
    s = _write_identity(folder, "seal", seal, pw)
    c = _write_identity(folder, "tls-client", client, pw)
    v = _write_identity(folder, "tls-server", server, pw)
    u = _write_identity(folder, "customs-seal", customs, pw)
    readme = folder / "README.md"
    _write_public(readme, _README.format(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        pw=pw.decode() if password is None and env_pw is None else "(the one you chose)",
        env=DEFAULT_PASSWORD_ENV, eori=eori, folder_name=folder.name).encode("utf-8"))
    return DemoCerts(folder=folder, ca=folder / "ca.pem", intermediate=folder / "intermediate.pem",
                     seal=s[0], seal_key=s[1], seal_p12=s[2],
                     tls_client=c[0], tls_client_key=c[1], tls_client_p12=c[2],
                     tls_server=v[0], tls_server_key=v[1], tls_server_p12=v[2],
                     customs_seal=u[0], customs_seal_key=u[1], customs_seal_p12=u[2],
                     readme=readme, eori=eori, password=pw)
