"""Cargo-XML message identification: root elements, namespaces, type codes.

Matching is on namespace URI and local name, never on prefix: producers write ``ns2:``,
``rsm:``, ``ns0:`` or a default namespace for the same document (README §1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMAT = "cargo-xml"

DATAMODEL_NS = "iata:datamodel:3"
"""Namespace of every business element below the four message-level children [V-S]."""

IATA_NS = re.compile(r"^iata:([a-z]+):(\d+)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageKind:
    """One Cargo-XML message type the reader knows."""

    kind: str  # "XFWB"
    root: str  # root element local name
    namespace: str  # root namespace URI
    type_codes: frozenset[str]  # accepted MessageHeaderDocument/TypeCode values
    ens_input: bool = True
    codes_verified: bool = False  # type codes seen in instances [V-S], not inferred


KINDS: tuple[MessageKind, ...] = (
    MessageKind(kind="XFWB", root="Waybill", namespace="iata:waybill:1",
                type_codes=frozenset({"740", "741"}), codes_verified=True),
    MessageKind(kind="XFZB", root="HouseWaybill", namespace="iata:housewaybill:1",
                type_codes=frozenset({"703"}), codes_verified=True),
    MessageKind(kind="XFHL", root="HouseManifest", namespace="iata:housemanifest:1",
                type_codes=frozenset({"785"})),
    # [I] XFFM type code: 785 (cargo manifest) or 122 (flight manifest) seen in public code.
    MessageKind(kind="XFFM", root="FlightManifest", namespace="iata:flightmanifest:1",
                type_codes=frozenset({"785", "122"})),
    # Recognised so that they are routed as not-ENS, not rejected as unknown XML [I].
    MessageKind(kind="XFSU", root="StatusMessage", namespace="iata:statusmessage:1",
                type_codes=frozenset(), ens_input=False),
    MessageKind(kind="XFNM", root="Response", namespace="iata:response:1",
                type_codes=frozenset(), ens_input=False),
    MessageKind(kind="XFBL", root="FreightBookedList", namespace="iata:freightbookedlist:1",
                type_codes=frozenset(), ens_input=False),
    MessageKind(kind="XFFR", root="BookingRequest", namespace="iata:bookingrequest:1",
                type_codes=frozenset(), ens_input=False),
    MessageKind(kind="XFSA", root="BookingResponse", namespace="iata:bookingresponse:1",
                type_codes=frozenset(), ens_input=False),
)

BY_ROOT: dict[str, MessageKind] = {k.root: k for k in KINDS}
BY_NAMESPACE: dict[str, MessageKind] = {k.namespace: k for k in KINDS}
ENS_ROOTS = frozenset(k.root for k in KINDS if k.ens_input)

# Detection: a start tag of a known root (any prefix) or an IATA namespace declaration.
_ROOT_TAG = re.compile(
    r"<(?:[A-Za-z_][\w.-]*:)?(" + "|".join(sorted(BY_ROOT)) + r")[\s>/]")
_IATA_DECL = re.compile(r"xmlns(?::[\w.-]+)?\s*=\s*[\"']iata:[a-z]+:\d+[\"']")
_XML_START = re.compile(r"^(?:\ufeff|\xef\xbb\xbf|\xff\xfe|\xfe\xff)?\s*<[?!A-Za-z_]")


def looks_like_cargoxml(head: str) -> bool:
    """True when the first 4 KB (decoded as Latin-1) are XML holding a Cargo-XML root element
    or an IATA namespace declaration. Any other XML is left to other readers."""
    text = head.replace("\x00", "")  # a UTF-16 document, read byte-wise
    if _XML_START.match(text) is None:
        return False
    return _ROOT_TAG.search(text) is not None or _IATA_DECL.search(text) is not None
