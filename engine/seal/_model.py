"""Results of verifying an incoming AS4 message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from cryptography import x509

from ._header import UserMessageHeader
from ._signals import As4Error


@dataclass(frozen=True, kw_only=True)
class Payload:
    """One payload part, decompressed, with its eb:PartProperties."""

    content_id: str
    mime_type: str
    data: bytes
    properties: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class VerifiedMessage:
    """An AS4 message whose signature, chain and ebMS structure were checked."""

    kind: Literal["user", "receipt", "error", "pull"]
    message_id: str
    ref_to_message_id: str | None
    timestamp: datetime | None
    header: UserMessageHeader | None
    payloads: tuple[Payload, ...]
    signer: x509.Certificate | None
    references: tuple[tuple[str, str], ...]
    receipt_references: tuple[tuple[str, str], ...]
    errors: tuple[As4Error, ...]
    mpc: str | None
    signer_chain: tuple[x509.Certificate, ...] = ()
    reference_xml: tuple[bytes, ...] = field(default=(), repr=False)
    """The signed ds:Reference elements as received (copied into an NRR receipt)."""
