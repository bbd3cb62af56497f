"""The hardened parser and its byte-level DOCTYPE guard."""

from __future__ import annotations

import re
import threading
from typing import Any

from lxml import etree

from ..diagnostics import Diagnostic, SourcePos, diag

DEFAULT_MAX_XML_BYTES = 20 * 1024 * 1024
"""Default size limit (20 MB; an ENS or a Cargo-XML document is a few hundred kB at most)."""

# Prolog items allowed before a DOCTYPE: XML declaration / processing instructions, comments.
_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_DOCTYPE = re.compile(rb"\s*<!DOCTYPE", re.IGNORECASE)
_PROLOG_SCAN_BYTES = 65536
# Byte-order marks and XML-spec (appendix F) signatures of wide encodings, to scan their prolog.
_WIDE_SIGNATURES = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"),
)
_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")

_parsers = threading.local()


def hardened_parser() -> Any:
    """One hardened lxml parser per thread (lxml parsers must not be shared between threads)."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False, load_dtd=False, no_network=True, dtd_validation=False,
            huge_tree=False, attribute_defaults=False, collect_ids=False)
        _parsers.parser = parser
    return parser


def has_doctype(data: bytes) -> bool:
    """Whether a DOCTYPE comes before the root element (checked on the bytes, before parsing)."""
    head = data[:_PROLOG_SCAN_BYTES]
    for signature, encoding in _WIDE_SIGNATURES:
        if head.startswith(signature):
            head = head.decode(encoding, "ignore").encode("utf-8")
            break
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while (m := _PROLOG_ITEM.match(head, pos)) is not None and m.end() > pos:
        pos = m.end()
    return _DOCTYPE.match(head, pos) is not None


def parse_xml_safely(data: bytes, *, file: str = "", what: str = "XML",
                     max_bytes: int = DEFAULT_MAX_XML_BYTES,
                     malformed_code: str = "XML002",
                     message: int | None = None) -> tuple[Any, list[Diagnostic]]:
    """Parse bytes with the hardened parser: ``(tree, [])`` or ``(None, [diagnostic])``.

    ``what`` names the document in messages ("ENS XML", "Cargo-XML", "AS4 envelope");
    ``malformed_code`` lets a stage keep its own code for not-well-formed input.
    """
    source = SourcePos(file=file, message=message)
    if len(data) > max_bytes:
        return None, [diag("SRC002", f"{what} of {len(data)} bytes is larger than the limit",
                           source=source, expected=f"at most {max_bytes} bytes",
                           found=f"{len(data)} bytes")]
    if has_doctype(data):
        return None, [_refused(source, what)]
    try:
        tree = etree.ElementTree(etree.fromstring(data, hardened_parser()))
    except etree.XMLSyntaxError as exc:
        if "amplification" in str(exc.msg):  # libxml2's entity-bomb guard fired
            return None, [_refused(source, what)]
        line, column = exc.position if exc.position else (None, None)
        reason = _POSITION_SUFFIX.sub("", str(exc.msg))
        return None, [diag(malformed_code, f"{what} is not well-formed: {reason}",
                           source=SourcePos(file=file, message=message, line=line or None,
                                            column=column or None),
                           expected="well-formed XML", found=reason)]
    except (etree.LxmlError, ValueError) as exc:
        return None, [diag(malformed_code, f"{what} could not be parsed: {exc}", source=source)]
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        return None, [_refused(source, what)]  # e.g. a DOCTYPE the byte scan missed
    return tree, []


def _refused(source: SourcePos, what: str) -> Diagnostic:
    return diag("XML001", f"{what} with a DOCTYPE (DTD or entity declarations) is refused",
                source=source, expected="no DOCTYPE", found="<!DOCTYPE ...>")
