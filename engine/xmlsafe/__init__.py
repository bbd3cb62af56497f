"""Hardened XML parsing shared by every stage that reads XML from outside (Cargo-XML feeds,
ENS documents, AS4 envelopes and receipts, customs answers).

One rule for all: libxml2 never loads anything (a resolver refuses every URL, so no DTD, no
external entity, no XInclude is ever opened, whatever the document says), a DOCTYPE anywhere in
the prolog is refused before parsing (the whole prolog is scanned, in the encoding libxml2 will
read it in), no network, no huge-tree mode, comments and processing instructions dropped (so
``.text`` is the whole text, as a signature sees it), a size limit checked before parsing. Bad
input yields diagnostics (XML001 refused, XML002 not well-formed, SRC002 too large), never an
exception.
"""

from ._parse import (
    DEFAULT_MAX_XML_BYTES,
    ExternalReferenceRefused,
    RefuseEveryUrl,
    XmlOutline,
    check_xml_stream,
    hardened_parser,
    parse_xml_safely,
)
from ._prolog import PrologVerdict, has_doctype, scan_prolog

__all__ = [
    "DEFAULT_MAX_XML_BYTES",
    "ExternalReferenceRefused",
    "PrologVerdict",
    "RefuseEveryUrl",
    "XmlOutline",
    "check_xml_stream",
    "hardened_parser",
    "has_doctype",
    "parse_xml_safely",
    "scan_prolog",
]
