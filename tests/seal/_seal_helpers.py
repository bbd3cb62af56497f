"""Small helpers shared by the sealing tests."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ensgate.seal import WireMessage
from ensgate.seal import _ns as ns
from ensgate.seal._mime import parse_multipart


def soap_of(wire: WireMessage) -> tuple[Any, dict[str, bytes]]:
    """Parsed SOAP envelope and attachments of a sealed message."""
    if wire.content_type.startswith("multipart/"):
        root, parts = parse_multipart(wire.content_type, wire.body)
        return etree.fromstring(root.content), {p.content_id: p.content for p in parts}
    return etree.fromstring(wire.body), {}


def find(root: Any, path: str) -> Any:
    el = root.find(path, NS)
    assert el is not None, path
    return el


NS = {"env": ns.SOAP12, "eb": ns.EB, "wsse": ns.WSSE, "wsu": ns.WSU, "ds": ns.DS, "ec": ns.EC,
      "wsse11": ns.WSSE11, "ebbp": ns.EBBP}
