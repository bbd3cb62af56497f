"""ebMS error signals as operator text. The code tables themselves (ICD Annex 4, tables
20-24) live in ``ensgate.seal`` (``EBMS_ERRORS``, ``UUMDS_SUBCODES``); this module only words
them for people."""

from __future__ import annotations

from ...seal import EBMS_ERRORS, UUMDS_SUBCODES, As4Error, uumds_subcode

EMPTY_MPC = "EBMS:0006"


def explain(error: As4Error) -> str:
    """One line: code, name, what it means, the UUM&DS sub-code if any, and what the other
    side said (description, detail)."""
    info = EBMS_ERRORS.get(error.code)
    name = error.short_description or (info.short_description if info else "")
    text = f"{error.code} {name}".rstrip()
    sub = uumds_subcode(error)
    if sub is not None:
        return f"{text}, UUM&DS {sub}: {UUMDS_SUBCODES[sub].rstrip('.')}"
    if info is not None and error.code != "EBMS:0004":
        text += f": {info.description.rstrip('.')}"
    said = [x for x in (error.description, error.detail)
            if x and (info is None or x != info.description)]
    return f"{text} ({'; '.join(said)})" if said else text
