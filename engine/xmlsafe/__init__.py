"""Hardened XML parsing shared by every stage that reads XML from outside (Cargo-XML feeds,
ENS documents, AS4 envelopes and receipts).

One rule for all: no DOCTYPE (so no DTD, no entity declaration, no external reference is ever
read or expanded), no network, no huge-tree mode, a size limit checked before parsing. Bad
input yields diagnostics (XML001 refused, XML002 not well-formed, SRC002 too large), never an
exception.
"""

from ._parse import DEFAULT_MAX_XML_BYTES, hardened_parser, has_doctype, parse_xml_safely

__all__ = ["DEFAULT_MAX_XML_BYTES", "hardened_parser", "has_doctype", "parse_xml_safely"]
