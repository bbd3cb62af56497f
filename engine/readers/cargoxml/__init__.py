"""IATA Cargo-XML reader: XFWB, XFZB, XFHL and XFFM (3.00 and later) into source trees.

Documents are parsed with the hardened parser of ``ensgate.xmlsafe`` and walked once,
table-driven (``_layouts.py``); node and field names are the contract in
``docs/source-trees.md``; design notes and open questions are in ``docs/cargo-xml-reader.md``.
Other Cargo-XML messages (XFSU, XFNM...) are recognised and routed as not-ENS (CXM004).
"""

from ._names import FORMAT, KINDS, MessageKind, looks_like_cargoxml
from ._reader import read_cargoxml

__all__ = ["FORMAT", "KINDS", "MessageKind", "looks_like_cargoxml", "read_cargoxml"]
