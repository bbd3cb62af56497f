"""Saying which source value broke a filing's XML, when the rendered XML is not well-formed.

Templates escape ``<`` and ``&``, but XML 1.0 cannot carry some characters at all (NUL and
most C0 controls, lone surrogates, U+FFFE/U+FFFF). EDIFACT and X12 values may hold them (a
Ctrl-Z or NUL inside an element), and they reach the filing untouched. Such a shipment is
rejected: XSD001 for the filing, and DQ005 at each source value that holds one, by lineage.
"""

from __future__ import annotations

import re

from lxml import etree

from ..diagnostics import Diagnostic, SourcePos, diag
from ..mapping._assemble import Shipment

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WHERE = re.compile(r", line \d+, column \d+$")


def unwritable(ship: Shipment, code: str, name: str,
               exc: etree.XMLSyntaxError) -> list[Diagnostic]:
    """XSD001 for the rendered filing ``name``, and DQ005 for every source value behind it
    that holds a character XML cannot carry."""
    line, column = exc.position
    what = _WHERE.sub("", exc.msg)
    out = [diag("XSD001", f"{code} XML for shipment {ship.document_number} is not well-formed: "
                f"{what}", source=SourcePos(file=name, line=line, column=column or None),
                expected="characters XML 1.0 allows", found=what)]
    seen: set[tuple[str, SourcePos]] = set()
    for path, lin in ship.lineage.items():
        for raw, pos in lin.sources:
            m = NOT_XML.search(raw)
            if m is None or (raw, pos) in seen:
                continue
            seen.add((raw, pos))
            out.append(diag("DQ005", f"{path}: the source value holds {m.group()!r}, a character "
                            "an XML filing cannot carry", source=pos, rule=lin.rule,
                            expected="no control characters", found=repr(raw[:70])))
    return out
