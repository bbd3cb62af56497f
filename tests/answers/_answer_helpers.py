"""Shared constants and small XML edits for the customs-answer tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "cargo-imp"
ISSUED = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)
ANSWERED = datetime(2026, 11, 20, 9, 30, 0, tzinfo=UTC)
NS = {"i": "urn:wco:datamodel:eu:ics2:2"}
SENDER = "DE0000DEMO0001"


def remove(xml: bytes, path: str) -> bytes:
    """The filing without the element at ``path`` (ElementPath with the ``i`` prefix)."""
    root = etree.fromstring(xml)
    el = root.find(path, NS)
    assert el is not None, path
    el.getparent().remove(el)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def replace_text(xml: bytes, path: str, text: str) -> bytes:
    root = etree.fromstring(xml)
    el = root.find(path, NS)
    assert el is not None, path
    el.text = text
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def find_text(xml: bytes, path: str) -> Any:
    return etree.fromstring(xml).findtext(path, namespaces=NS)
