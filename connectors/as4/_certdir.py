"""Read a certificate folder in the layout ``ensgate certs demo`` writes (see docs/as4.md).

Trader side: ``seal`` (our eSeal), ``tls-client`` (two-way TLS), ``ca.pem`` (CAs trusted for
the other side's TLS server and seals). Simulator side: ``customs-seal``, ``tls-server`` and
the same ``ca.pem``. An identity is read from ``<stem>.pem`` + ``<stem>.key.pem`` when both
exist, else from ``<stem>.p12`` (password from ``ENSGATE_CERT_PASSWORD``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from ...diagnostics import ConfigError
from ...seal import SealIdentity, SealPin, TrustStore, load_identity, load_trust
from ._tls import TlsFiles


@dataclass(frozen=True, kw_only=True)
class EndpointCerts:
    """The certificates one end needs: seal identity, trust for the peer, TLS files, and the
    pin of the peer's seal when the folder has one (``<stem>.pem`` or ``<stem>.sha256``)."""

    identity: SealIdentity
    trust: TrustStore
    tls: TlsFiles
    peer_seal: SealPin | None = None


def _identity(folder: Path, stem: str) -> SealIdentity:
    pem, key = folder / f"{stem}.pem", folder / f"{stem}.key.pem"
    if pem.is_file() and key.is_file():
        return load_identity(pem, key_path=key)
    p12 = folder / f"{stem}.p12"
    if p12.is_file():
        return load_identity(p12)
    raise ConfigError(f"{folder}: no {stem}.pem + {stem}.key.pem and no {stem}.p12")


def _tls(folder: Path, stem: str) -> TlsFiles:
    """The PEM pair ``<stem>.pem`` + ``<stem>.key.pem``, else ``<stem>.p12``."""
    ca = folder / "ca.pem"
    if not ca.is_file():
        raise ConfigError(f"{folder}: missing ca.pem (two-way TLS needs it)")
    pem, key, p12 = folder / f"{stem}.pem", folder / f"{stem}.key.pem", folder / f"{stem}.p12"
    if pem.is_file() and key.is_file():
        return TlsFiles(ca_file=ca, cert_file=pem, key_file=key)
    if p12.is_file():
        return TlsFiles(ca_file=ca, cert_file=p12)
    raise ConfigError(f"{folder}: missing {pem.name} + {key.name} or {p12.name} "
                      "(two-way TLS needs them)")


def _load(folder: str | Path, seal_stem: str, tls_stem: str, peer_stem: str,
          peer: str) -> EndpointCerts:
    d = Path(folder)
    if not d.is_dir():
        raise ConfigError(f"certificate folder {d} does not exist (make one with "
                          "`ensgate certs demo --out DIR`)")
    return EndpointCerts(identity=_identity(d, seal_stem), trust=load_trust(d / "ca.pem"),
                         tls=_tls(d, tls_stem), peer_seal=peer_pin(d, peer_stem, peer))


def peer_pin(folder: Path, stem: str, what: str) -> SealPin | None:
    """The pin of a partner's seal kept in a certificate folder: ``<stem>.pem`` (its
    certificate; a chain file pins its leaf) or ``<stem>.sha256`` (fingerprints); None when
    the folder has neither."""
    for name in (f"{stem}.pem", f"{stem}.sha256"):
        if (folder / name).is_file():
            return SealPin.from_file(folder / name, what=what)
    return None


def trader_certs(folder: str | Path) -> EndpointCerts:
    """The trader's end: ``seal``, ``tls-client``, ``ca.pem``; the customs seal pinned by
    ``customs-seal.pem`` (the demo folder has it) or ``customs-seal.sha256``."""
    return _load(folder, "seal", "tls-client", "customs-seal", "customs seal")


def simulator_certs(folder: str | Path) -> EndpointCerts:
    """The simulated trader interface: ``customs-seal``, ``tls-server``, ``ca.pem``; in push
    mode the trader's endpoint seal pinned by ``seal.pem`` [I: demo shortcut]."""
    return _load(folder, "customs-seal", "tls-server", "seal", "trader seal")


def inbound_certs(folder: str | Path) -> EndpointCerts:
    """The trader's push-mode inbound endpoint: ``seal`` (signs receipts), ``tls-server``
    [I: a real deployment uses its own server certificate; the demo folder has one]; the
    customs seal pinned as for :func:`trader_certs`."""
    return _load(folder, "seal", "tls-server", "customs-seal", "customs seal")


def party_id_of(certificate: x509.Certificate) -> str:
    """The EORI named by a seal certificate (subject organizationIdentifier; a leading
    ``EORI-`` is dropped [I: eIDAS seals write identifiers as ``<type><CC>-<id>``])."""
    attrs = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
    if not attrs:
        raise ConfigError("the seal certificate names no organizationIdentifier; give the "
                          "party id (EORI) explicitly")
    value = str(attrs[0].value)
    return value.removeprefix("EORI-").removeprefix("EORI")
