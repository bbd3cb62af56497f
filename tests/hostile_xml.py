"""Hostile XML for the hardening tests of every stage that parses XML from outside."""

from __future__ import annotations

_LEVELS = "\n".join(
    f' <!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">' for i in range(1, 10))


def billion_laughs(root: str, doctype: str, encoding: str = "UTF-8") -> str:
    """The entity-expansion bomb: nine levels of ten, about 10^9 ``lol`` when expanded.
    ``root`` is the document element with ``{payload}`` where the bomb goes off."""
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE {doctype} [\n'
            f' <!ENTITY lol "lol">\n{_LEVELS}\n]>\n'
            + root.replace("{payload}", "&lol9;"))
