"""Small lxml helpers for ICS2 elements (namespace ``urn:wco:datamodel:eu:ics2:2``)."""

from __future__ import annotations

from typing import Any

ICS2_NAMESPACE = "urn:wco:datamodel:eu:ics2:2"
ICS2_PREFIX = "{" + ICS2_NAMESPACE + "}"


def local(element: Any) -> str:
    """Local name of an ICS2 element; '' for comments, PIs and other namespaces."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith(ICS2_PREFIX):
        return tag[len(ICS2_PREFIX):]
    return ""


def child(element: Any, name: str) -> Any:
    """First ICS2 child ``name`` of ``element`` (None when element is None or has none)."""
    if element is None:
        return None
    return next(element.iterchildren(ICS2_PREFIX + name), None)


def children(element: Any, name: str) -> list[Any]:
    if element is None:
        return []
    return list(element.iterchildren(ICS2_PREFIX + name))


def child_text(element: Any, name: str) -> str | None:
    """Stripped text of the first child ``name``; None when absent or empty."""
    el = child(element, name)
    if el is None:
        return None
    text = "".join(el.itertext()).strip()
    return text or None
